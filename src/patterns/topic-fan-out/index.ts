export * from './props';
export * from './fan-out-subscriber';
export * from './topic-fan-out';
