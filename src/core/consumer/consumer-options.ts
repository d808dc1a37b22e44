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
