export * from './secure-queue';
export * from './secure-topic';
export { ConsumerFunctionOptions } from './consumer-function';
