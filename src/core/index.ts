export * from './secure-queue';
export * from './secure-topic';
export * from './consumer';
