export * from './workflow-props';
export * from './workflow';
export * from './workflow-metrics';
export * from './workflow-starters';
