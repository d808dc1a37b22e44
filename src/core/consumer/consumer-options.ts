import { Duration } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';

/**
 * Settings of a consumer function (bundled handler or user code) that patterns expose.
 */
export interface ConsumerFunctionOptions {
  /**
   * Memory in MB; CPU scales with it. Range: 128 to 10,240.
   *
   * @default 256
   */
  readonly memorySize?: number;

  /**
   * Longest run of one invocation. Range: 1 second to 15 minutes. Queue patterns derive the
   * queue's visibility timeout from it.
   *
   * @default Duration.seconds(30)
   */
  readonly timeout?: Duration;

  /**
   * Processor architecture.
   *
   * @default lambda.Architecture.ARM_64 (about 20 % cheaper per GB-second than x86_64)
   */
  readonly architecture?: lambda.Architecture;

  /**
   * How long the function's JSON logs are kept.
   *
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * Lowest application log level written.
   *
   * @default lambda.ApplicationLogLevel.INFO
   */
  readonly applicationLogLevel?: lambda.ApplicationLogLevel;

  /**
   * AWS X-Ray tracing.
   *
   * @default lambda.Tracing.DISABLED
   */
  readonly tracing?: lambda.Tracing;

  /**
   * KMS key that encrypts the function's environment variables.
   *
   * @default - the AWS-managed Lambda key
   */
  readonly environmentEncryption?: kms.IKey;
}

/**
 * A consumer function a pattern feeds: your code (`code` + `handler`), built with the library's
 * consumer defaults ({@link ConsumerFunctionOptions}), or a function you built (`function`).
 */
export interface ConsumerCodeOptions extends ConsumerFunctionOptions {
  /**
   * The function's code, e.g. `lambda.Code.fromAsset('dist/consumer')`. Give this with
   * `handler`, or give `function` instead.
   *
   * @default - none; `function` must be given
   */
  readonly code?: lambda.Code;

  /**
   * The handler inside `code`, e.g. `index.handler`.
   *
   * @default - none; required with `code`
   */
  readonly handler?: string;

  /**
   * Runtime of `code`.
   *
   * @default - the Node.js runtime the library's bundled handlers use (nodejs24.x)
   */
  readonly runtime?: lambda.Runtime;

  /**
   * Environment variables of the new function.
   *
   * @default - none
   */
  readonly environment?: { [key: string]: string };

  /**
   * Use this function instead of building one from `code`. The function options
   * (`memorySize`, `timeout`, ...) then do not apply; its `timeout` (when it is a
   * `lambda.Function`) still sizes what depends on it, such as a queue's visibility timeout.
   *
   * @default - a new function is built from `code` and `handler`
   */
  readonly function?: lambda.IFunction;
}

/**
 * How a queue feeds a consumer function (the SQS event source): the same three settings in
 * every pattern that pairs a queue with a Lambda function.
 */
export interface QueueConsumerOptions {
  /**
   * Messages per invocation. Range: 1 to 10 without `maxBatchingWindow`; up to 10,000 with it
   * (standard queues only; FIFO queues: 1 to 10).
   *
   * @default 10
   */
  readonly batchSize?: number;

  /**
   * How long the event source gathers messages before invoking. Range: 0 to 5 minutes. Not on
   * FIFO queues. It adds to the queue's visibility timeout (6 x the function timeout + this).
   *
   * @default - no batching window (invoke as soon as messages arrive)
   */
  readonly maxBatchingWindow?: Duration;

  /**
   * How many copies of the function run at once: the event source's maximum concurrency, the
   * throttle that protects what the function writes to. Range: 2 to 1,000.
   *
   * @default - set by each pattern (documented there)
   */
  readonly maxConcurrency?: number;
}

/**
 * A consumer function the pattern builds (its bundled handler), fed by a queue: function
 * settings plus the event source settings.
 */
export interface QueueConsumerFunctionOptions extends ConsumerFunctionOptions, QueueConsumerOptions {}
