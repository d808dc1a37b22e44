export * from './props';
export * from './scheduled-job';
export * from './scheduled-job-target';
