import { Duration, Size } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ConsumerCodeOptions, ConsumerFunctionOptions } from '../../core/consumer/consumer-options';
import { SecureQueueProps } from '../../core/secure-queue';
import { AlarmOptions } from '../../monitoring/alarm-options';
import { DashboardOptions } from '../../monitoring/dashboard-options';

/**
 * How a Kinesis stream feeds a consumer function (the event source mapping): bisect on error,
 * partial batch responses, bounded retries, a maximum record age.
 */
export interface StreamEventSourceOptions {
  /**
   * Records per invocation. Range: 1 to 10,000 (invocations are also capped at 6 MB).
   *
   * @default 100
   */
  readonly batchSize?: number;

  /**
   * How long the event source gathers records before invoking. Range: 0 to 5 minutes.
   *
   * @default - no batching window (invoke as soon as records arrive)
   */
  readonly maxBatchingWindow?: Duration;

  /**
   * Where a new mapping starts reading.
   *
   * @default lambda.StartingPosition.TRIM_HORIZON (the oldest record kept: nothing written before the consumer existed is skipped)
   */
  readonly startingPosition?: lambda.StartingPosition;

  /**
   * Concurrent batches per shard. Range: 1 to 10. Order per partition key holds at any value
   * (Lambda keeps a key's records on one of the shard's concurrent batches).
   *
   * @default 1
   */
  readonly parallelizationFactor?: number;

  /**
   * Retries of a failed batch before its coordinates go to the on-failure queue and the shard
   * moves on. Range: 0 to 10,000. Bounded, so one poison record cannot stop its shard until
   * the record expires.
   *
   * @default 3
   */
  readonly retryAttempts?: number;

  /**
   * Records older than this are not retried but sent to the on-failure queue. Range: 60 seconds
   * to 7 days, and at most the retention period.
   *
   * @default - half the retention period, at most 7 days (12 hours for the 24-hour default): the
   * on-failure record then still points at data the stream keeps for as long again, time to replay it
   */
  readonly maxRecordAge?: Duration;

  /**
   * Split a failing batch in two and retry each half, until the failing record is alone.
   *
   * @default true
   */
  readonly bisectBatchOnError?: boolean;

  /**
   * The function returns `{ batchItemFailures: [{ itemIdentifier: <sequence number> }] }`;
   * Lambda checkpoints before the first failed record and retries from it.
   *
   * @default true
   */
  readonly reportBatchItemFailures?: boolean;

  /**
   * Read through a dedicated enhanced fan-out consumer (2 MB/s per shard of its own, pushed over
   * HTTP/2, about 70 ms latency) instead of the shared 2 MB/s per shard.
   *
   * @default false
   */
  readonly enhancedFanOut?: boolean;
}

/**
 * The Lambda consumer of a {@link StreamPipeline}: your code (`code` + `handler`), built with the
 * library's consumer defaults, or a function you built (`function`). It reads the stream through
 * an event source mapping with bisect on error, partial batch responses, bounded retries, a
 * maximum record age and an on-failure queue.
 */
export interface StreamConsumerOptions extends ConsumerCodeOptions, StreamEventSourceOptions {}

/**
 * A stream consumer function the pattern or architecture builds (its bundled handler): function
 * settings plus the event source settings.
 */
export interface StreamConsumerFunctionOptions extends ConsumerFunctionOptions, StreamEventSourceOptions {}

/**
 * Firehose delivery of the stream's raw records to S3.
 */
export interface StreamArchiveOptions {
  /**
   * The bucket the records land in.
   *
   * @default - a new bucket: S3-managed encryption, TLS only, public access blocked, kept when the stack is deleted
   */
  readonly bucket?: s3.IBucket;

  /**
   * How long Firehose buffers before writing an object. Range: 0 to 900 seconds.
   *
   * @default Duration.seconds(300)
   */
  readonly bufferingInterval?: Duration;

  /**
   * How much Firehose buffers before writing an object. Range: 1 to 128 MiB (64 to 128 MiB with
   * Parquet conversion).
   *
   * @default - 5 MiB; 128 MiB with Parquet conversion (bigger Parquet files query faster)
   */
  readonly bufferingSize?: Size;

  /**
   * Compression of the objects (GZIP, SNAPPY, HADOOP_SNAPPY, ZIP or UNCOMPRESSED). Not with
   * Parquet conversion, which compresses inside the file.
   *
   * @default firehose.Compression.GZIP (JSON compresses about 10:1; Athena reads it)
   */
  readonly compression?: firehose.Compression;

  /**
   * Convert JSON records to Apache Parquet, with the columns of `parquetSchema`.
   *
   * @default false
   */
  readonly convertToParquet?: boolean;

  /**
   * The Glue table whose columns the Parquet files have. Required with `convertToParquet`.
   *
   * @default - none
   */
  readonly parquetSchema?: glue.CfnTable;

  /**
   * A Lambda function that transforms records before delivery (Firehose's data transformation contract).
   *
   * @default - records are delivered as they are
   */
  readonly transform?: lambda.IFunction;

  /**
   * Key prefix of delivered objects.
   *
   * @default 'raw/!{timestamp:yyyy/MM/dd/HH}/'
   */
  readonly dataOutputPrefix?: string;

  /**
   * Key prefix of records Firehose could not transform, convert or deliver.
   *
   * @default 'errors/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/'
   */
  readonly errorOutputPrefix?: string;
}

/**
 * Properties of a {@link StreamPipeline}.
 */
export interface StreamPipelineProps extends AlarmOptions, DashboardOptions {
  /**
   * Use this stream instead of creating one; the stream settings (`streamMode`, `shardCount`,
   * `retentionPeriod`, `encryptionKey`, `streamName`) then do not apply.
   *
   * @default - a new stream
   */
  readonly existingStream?: kinesis.IStream;

  /**
   * Name of the stream.
   *
   * @default - generated by CloudFormation
   */
  readonly streamName?: string;

  /**
   * Capacity mode.
   *
   * @default kinesis.StreamMode.ON_DEMAND (no shards to size; scales to twice the previous peak)
   */
  readonly streamMode?: kinesis.StreamMode;

  /**
   * Shards of a provisioned stream (each takes 1 MB/s or 1,000 records/s of writes).
   * Only with `kinesis.StreamMode.PROVISIONED`.
   *
   * @default 1 (provisioned streams only)
   */
  readonly shardCount?: number;

  /**
   * How long records are kept for replay. Range: 24 hours to 365 days.
   *
   * @default Duration.hours(24) (the price of the stream; longer retention is billed per shard-hour or GB-month)
   */
  readonly retentionPeriod?: Duration;

  /**
   * Customer-managed KMS key that encrypts the stream instead of the AWS-managed one. Grants
   * on the stream (`grantRead`, `grantWrite`) include the key.
   *
   * @default - KMS encryption with the AWS-managed key `aws/kinesis` (no key fee, no key policy to
   * keep in step with readers and writers; cdk-nag AwsSolutions-KDS3 asks for it)
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * The write rate you expect, in bytes per second. With a provisioned stream, a rate above
   * what `shardCount` shards take (1 MiB/s each) is an error that says how many shards you need.
   *
   * @default - not checked
   */
  readonly expectedWriteBytesPerSecond?: number;

  /**
   * The write rate you expect, in records per second. With a provisioned stream, a rate above
   * what `shardCount` shards take (1,000 records/s each) is an error that says how many shards you need.
   *
   * @default - not checked
   */
  readonly expectedWriteRecordsPerSecond?: number;

  /**
   * The Lambda consumer.
   *
   * @default - no Lambda consumer
   */
  readonly consumer?: StreamConsumerOptions;

  /**
   * Names of enhanced fan-out consumers to register for your own readers (KCL, Flink, ...),
   * each with a dedicated 2 MB/s per shard. At most 20 per stream, the Lambda consumer's included.
   *
   * @default - none
   */
  readonly enhancedFanOutConsumers?: string[];

  /**
   * Settings of the on-failure queue: Lambda sends it the coordinates (shard, sequence numbers)
   * of each batch that exhausted its retries or aged out. `alarmTopic` follows the pattern's.
   *
   * @default - a SecureQueue keeping messages 14 days, alarmed as soon as it is not empty
   */
  readonly onFailureQueueProps?: SecureQueueProps;

  /**
   * Firehose delivery of the raw records to S3.
   *
   * @default - no archive
   */
  readonly archive?: StreamArchiveOptions;

  /**
   * Consumer lag (iterator age) that raises an alarm. Less than the retention period (and than
   * the consumer's `maxRecordAge`, by default half the retention), or the alarm could never fire.
   * A token duration is used in the unit it was made in: with `Duration.minutes(param)` the
   * alarms compare the metric divided by 60,000 (metric math) with `param`.
   *
   * @default - half of the consumer's maximum record age (6 hours with the defaults); half the retention period without a Lambda consumer
   */
  readonly maxIteratorAge?: Duration;
}
