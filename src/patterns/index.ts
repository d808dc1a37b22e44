export * from './topic-fan-out';
export * from './backlog-scaling';
export * from './queue-worker-service';
