export * from './topic-fan-out';
export * from './write-buffer';
export * from './backlog-scaling';
export * from './queue-worker-service';
export * from './stream-pipeline';
export * from './workflow';
export * from './saga';
