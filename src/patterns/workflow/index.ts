export * from './props';
export * from './workflow';
export * from './metrics';
export * from './starters';
