export * from './topic-fan-out';
export * from './backlog-scaling';
