export * from './props';
export * from './queue-worker-service';
export * from './queue-worker-auto-scaling-group';
