export * from './props';
export * from './stream-pipeline';
