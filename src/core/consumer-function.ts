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
