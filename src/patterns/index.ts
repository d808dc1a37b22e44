export * from './topic-fan-out';
export * from './stream-pipeline';
