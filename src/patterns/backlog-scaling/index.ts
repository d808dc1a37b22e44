export * from './props';
export * from './backlog-scaling';
