/**
 * The queue-worker runtime, bundled into assets/queue-worker/index.js (CommonJS, Node 20+).
 *
 *   const { runQueueWorker } = require('cdk-integration-patterns/assets/queue-worker');
 *   runQueueWorker({ handler: async (message, { signal, log }) => { ... } });
 */
export { runQueueWorker, startQueueWorker, sqsClientFromEnv } from './runtime';
export type { JobContext, JobHandler, QueueWorker, QueueWorkerOptions, WorkerMessage, WorkerSummary } from './runtime';
export { readWorkerConfig, WorkerConfigError } from './config';
export type { WorkerConfig } from './config';
export { createLogger } from './log';
export type { Logger } from './log';
