import { Duration, RemovalPolicy, Size, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { KinesisConsumerEventSource, KinesisEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { checkConsumerCode, consumerFunction } from '../core/consumer-defaults';
import { ConsumerCodeOptions } from '../core/consumer-function';
import { acknowledgeWildcardResource } from '../core/nag-acknowledgements';
import { SecureQueue, SecureQueueProps } from '../core/secure-queue';
import { check, checkDurationInRange, checkNoSettingsWithExisting, checkNotSetWith, checkNumberInRange, describeDuration } from '../core/validation';
import { createAlarm } from '../monitoring/alarm-factory';
import { AlarmOptions } from '../monitoring/alarm-options';
import { FunctionMetrics } from '../monitoring/function-metrics';
import { IMonitoredBlock } from '../monitoring/monitored-block';
import { PatternDashboard } from '../monitoring/pattern-dashboard';
import { QueueMetrics } from '../monitoring/queue-metrics';
import { StreamMetrics } from '../monitoring/stream-metrics';

/** Kinesis and Lambda limits the pattern checks at synth time. */
const LIMITS = {
  /** Per shard (provisioned): https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html */
  shardWriteBytesPerSecond: 1024 * 1024,
  shardWriteRecordsPerSecond: 1000,
  maxEnhancedFanOutConsumers: 20,
  maxBatchSize: 10_000,
  minRetention: Duration.hours(24),
  maxRetention: Duration.days(365),
  /** Lambda's MaximumRecordAgeInSeconds: 60 s to 7 days. */
  maxRecordAge: Duration.days(7),
};

/**
 * The Lambda consumer of a {@link StreamPipeline}: your code (`code` + `handler`), built with the
 * library's consumer defaults, or a function you built (`function`). It reads the stream through
 * an event source mapping with bisect on error, partial batch responses, bounded retries, a
 * maximum record age and an on-failure queue.
 */
export interface StreamConsumerOptions extends ConsumerCodeOptions {
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
export interface StreamPipelineProps extends AlarmOptions {
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
   * Consumer lag (iterator age) that raises an alarm.
   *
   * @default - half of the consumer's maximum record age (6 hours with the defaults); half the retention period without a Lambda consumer
   */
  readonly maxIteratorAge?: Duration;

  /**
   * Name of the dashboard.
   *
   * @default - generated by CloudFormation
   */
  readonly dashboardName?: string;
}

/**
 * A Kinesis data stream with its consumers: an optional Lambda consumer that survives poison
 * records (bisect on error, partial batch responses, bounded retries, maximum record age,
 * on-failure queue), optional enhanced fan-out consumers, optional Firehose archive to S3, and
 * alarms with their dimensions on one dashboard.
 *
 * ```
 * producers -> Kinesis stream (KMS) -> Lambda consumer -> (failed batches' coordinates) -> on-failure queue
 *                                   -> enhanced fan-out consumers
 *                                   -> Firehose -> S3 (GZIP or Parquet)
 * ```
 *
 * Semantics to know: Kinesis and Lambda deliver at least once, in order per partition key
 * (per shard). The on-failure queue receives where the failed records are, not the records:
 * read them from the stream with the shard id and sequence numbers before the retention ends.
 *
 * @example
 * const clicks = new StreamPipeline(this, 'Clicks', {
 *   consumer: { code: lambda.Code.fromAsset('dist/aggregator'), handler: 'index.handler' },
 *   archive: {},
 * });
 * clicks.stream.grantWrite(producerFunction);
 */
export class StreamPipeline extends Construct implements IMonitoredBlock {
  /** The stream producers write to. */
  public readonly stream: kinesis.IStream;
  /** The customer-managed key that encrypts the stream; undefined with the AWS-managed key `aws/kinesis`. */
  public readonly encryptionKey?: kms.IKey;
  /** The Lambda consumer, when one was asked for. */
  public readonly consumer?: lambda.IFunction;
  /** The enhanced fan-out consumer the Lambda consumer reads through, when `consumer.enhancedFanOut` is set. */
  public readonly consumerStreamConsumer?: kinesis.IStreamConsumer;
  /** The on-failure queue block, when there is a Lambda consumer. */
  public readonly onFailureQueue?: SecureQueue;
  /** The enhanced fan-out consumers of `enhancedFanOutConsumers`, in the order given. */
  public readonly enhancedFanOutConsumers: kinesis.IStreamConsumer[] = [];
  /** The Firehose delivery stream, when `archive` is given. */
  public readonly deliveryStream?: firehose.IDeliveryStream;
  /** The bucket the archive lands in, when `archive` is given. */
  public readonly archiveBucket?: s3.IBucket;
  /** The retention period of the stream (undefined for an existing stream). */
  public readonly retentionPeriod?: Duration;
  /** Every alarm of the pattern. */
  public readonly alarms: cloudwatch.IAlarm[] = [];
  /** The pattern's dashboard. */
  public readonly dashboard: PatternDashboard;
  private readonly widgets: cloudwatch.IWidget[] = [];

  constructor(scope: Construct, id: string, props: StreamPipelineProps = {}) {
    super(scope, id);
    this.validate(props);
    const alarmsEnabled = props.alarmsEnabled ?? true;
    const alarmTopic = alarmsEnabled ? props.alarmTopic : undefined;

    if (props.existingStream) {
      this.stream = props.existingStream;
      this.encryptionKey = props.existingStream.encryptionKey;
    } else {
      const mode = props.streamMode ?? kinesis.StreamMode.ON_DEMAND;
      this.retentionPeriod = props.retentionPeriod ?? Duration.hours(24);
      this.encryptionKey = props.encryptionKey;
      const stream = new kinesis.Stream(this, 'Stream', {
        streamName: props.streamName,
        streamMode: mode,
        shardCount: mode === kinesis.StreamMode.PROVISIONED ? (props.shardCount ?? 1) : undefined,
        retentionPeriod: this.retentionPeriod,
        encryption: props.encryptionKey ? kinesis.StreamEncryption.KMS : kinesis.StreamEncryption.MANAGED,
        encryptionKey: props.encryptionKey,
      });
      if (props.encryptionKey) {
        Validations.of(stream).acknowledge({
          id: 'AwsSolutions-KDS3',
          reason: 'The user chose a customer-managed key (encryptionKey) over aws/kinesis, e.g. for key policy control or cross-account readers.',
        });
      }
      this.stream = stream;
    }

    this.dashboard = new PatternDashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      description: 'Stream pipeline: writes and throttling, consumer lag and errors, failed batches, archive freshness.',
    });
    this.monitorStream(props, alarmTopic, alarmsEnabled);

    if (props.consumer) {
      const built = this.buildConsumer(props, props.consumer, alarmTopic, alarmsEnabled);
      this.consumer = built.fn;
      this.onFailureQueue = built.onFailureQueue;
      this.consumerStreamConsumer = built.streamConsumer;
    }
    for (const name of props.enhancedFanOutConsumers ?? []) {
      this.enhancedFanOutConsumers.push(new kinesis.StreamConsumer(this, `Consumer-${name}`, { stream: this.stream, streamConsumerName: name }));
    }
    if (props.archive) {
      const archive = this.buildArchive(props.archive, alarmTopic, alarmsEnabled);
      this.deliveryStream = archive.deliveryStream;
      this.archiveBucket = archive.bucket;
    }
    this.dashboard.addSection('Stream pipeline', this.widgets, this.alarms);
  }

  /** Widgets of the whole pattern. */
  public dashboardWidgets(): cloudwatch.IWidget[] {
    return [...this.widgets];
  }

  private validate(props: StreamPipelineProps): void {
    if (props.existingStream) {
      checkNoSettingsWithExisting(this, 'existingStream', {
        streamName: props.streamName,
        streamMode: props.streamMode,
        shardCount: props.shardCount,
        retentionPeriod: props.retentionPeriod,
        encryptionKey: props.encryptionKey,
      });
    }
    const provisioned = props.streamMode === kinesis.StreamMode.PROVISIONED;
    if (!provisioned) {
      checkNotSetWith(this, 'shardCount', props.shardCount, 'with an on-demand stream (Kinesis sizes its shards itself)',
        'remove shardCount, or set streamMode: kinesis.StreamMode.PROVISIONED');
    }
    checkNumberInRange(this, 'shardCount', props.shardCount, { min: 1, max: 10_000 });
    checkDurationInRange(this, 'retentionPeriod', props.retentionPeriod, { min: LIMITS.minRetention, max: LIMITS.maxRetention });
    if (props.retentionPeriod && !props.retentionPeriod.isUnresolved()) {
      check(this, props.retentionPeriod.toMilliseconds() % 3_600_000 === 0, {
        prop: 'retentionPeriod', value: describeDuration(props.retentionPeriod), allowed: 'whole hours', fix: 'use Duration.hours(...) or Duration.days(...)',
      });
    }
    this.checkWriteRate(props, provisioned);

    const efoCount = (props.enhancedFanOutConsumers ?? []).length + (props.consumer?.enhancedFanOut ? 1 : 0);
    check(this, efoCount <= LIMITS.maxEnhancedFanOutConsumers, {
      prop: 'enhancedFanOutConsumers',
      value: `${efoCount} enhanced fan-out consumers${props.consumer?.enhancedFanOut ? ' (the Lambda consumer\'s included)' : ''}`,
      allowed: `at most ${LIMITS.maxEnhancedFanOutConsumers} per stream (Kinesis limit)`,
      fix: 'share reads: let readers that tolerate 200 ms latency use the shared throughput (GetRecords) instead of a dedicated consumer',
    });
    const names = props.enhancedFanOutConsumers ?? [];
    const duplicate = names.find((n, i) => names.indexOf(n) !== i);
    check(this, duplicate === undefined, {
      prop: 'enhancedFanOutConsumers', value: `"${duplicate}" given twice`, allowed: 'unique names', fix: 'give each consumer its own name',
    });

    if (props.consumer) this.validateConsumer(props.consumer, props.retentionPeriod ?? (props.existingStream ? undefined : Duration.hours(24)));
    if (props.archive) this.validateArchive(props.archive);
  }

  /** A provisioned stream must take the write rate the user expects; says how many shards would. */
  private checkWriteRate(props: StreamPipelineProps, provisioned: boolean): void {
    checkNumberInRange(this, 'expectedWriteBytesPerSecond', props.expectedWriteBytesPerSecond, { min: 0, max: Number.MAX_SAFE_INTEGER });
    checkNumberInRange(this, 'expectedWriteRecordsPerSecond', props.expectedWriteRecordsPerSecond, { min: 0, max: Number.MAX_SAFE_INTEGER });
    if (!provisioned || props.existingStream) return;
    const shards = props.shardCount ?? 1;
    const bytes = props.expectedWriteBytesPerSecond ?? 0;
    const records = props.expectedWriteRecordsPerSecond ?? 0;
    const needed = Math.max(Math.ceil(bytes / LIMITS.shardWriteBytesPerSecond), Math.ceil(records / LIMITS.shardWriteRecordsPerSecond), 1);
    const prop = Math.ceil(bytes / LIMITS.shardWriteBytesPerSecond) >= Math.ceil(records / LIMITS.shardWriteRecordsPerSecond)
      ? 'expectedWriteBytesPerSecond' : 'expectedWriteRecordsPerSecond';
    check(this, needed <= shards, {
      prop,
      value: `${bytes.toLocaleString('en-US')} bytes/s and ${records.toLocaleString('en-US')} records/s on ${shards} shard${shards === 1 ? '' : 's'}`,
      allowed: `at most ${(shards * LIMITS.shardWriteBytesPerSecond).toLocaleString('en-US')} bytes/s and ${(shards * LIMITS.shardWriteRecordsPerSecond).toLocaleString('en-US')} records/s ` +
        '(each shard takes 1 MiB/s or 1,000 records/s of writes)',
      fix: `set shardCount to at least ${needed} (more if partition keys are uneven: a hot key is limited to its one shard), or use streamMode ON_DEMAND`,
    });
  }

  private validateConsumer(consumer: StreamConsumerOptions, retention: Duration | undefined): void {
    checkConsumerCode(this, 'consumer', consumer);
    checkNumberInRange(this, 'consumer.batchSize', consumer.batchSize, { min: 1, max: LIMITS.maxBatchSize });
    checkDurationInRange(this, 'consumer.maxBatchingWindow', consumer.maxBatchingWindow, { min: Duration.seconds(0), max: Duration.minutes(5) });
    checkNumberInRange(this, 'consumer.parallelizationFactor', consumer.parallelizationFactor, { min: 1, max: 10 });
    checkNumberInRange(this, 'consumer.retryAttempts', consumer.retryAttempts, { min: 0, max: 10_000 });
    checkDurationInRange(this, 'consumer.maxRecordAge', consumer.maxRecordAge, { min: Duration.seconds(60), max: LIMITS.maxRecordAge });
    if (consumer.maxRecordAge && retention && !consumer.maxRecordAge.isUnresolved() && !retention.isUnresolved()) {
      check(this, consumer.maxRecordAge.toMilliseconds() <= retention.toMilliseconds(), {
        prop: 'consumer.maxRecordAge',
        value: describeDuration(consumer.maxRecordAge),
        allowed: `at most the retention period, ${describeDuration(retention)} (older records are gone from the stream)`,
        fix: 'lower consumer.maxRecordAge, or raise retentionPeriod',
      });
    }
    check(this, consumer.startingPosition !== lambda.StartingPosition.AT_TIMESTAMP, {
      prop: 'consumer.startingPosition',
      value: 'AT_TIMESTAMP',
      allowed: 'TRIM_HORIZON or LATEST',
      fix: 'use TRIM_HORIZON (everything kept) or LATEST (only new records)',
    });
  }

  private validateArchive(archive: StreamArchiveOptions): void {
    checkDurationInRange(this, 'archive.bufferingInterval', archive.bufferingInterval, { min: Duration.seconds(0), max: Duration.seconds(900) });
    const parquet = archive.convertToParquet ?? false;
    const minMiB = parquet ? 64 : 1;
    if (archive.bufferingSize) {
      checkNumberInRange(this, 'archive.bufferingSize', archive.bufferingSize.toMebibytes(), {
        min: minMiB,
        max: 128,
        unit: 'MiB',
        fix: parquet ? 'set archive.bufferingSize from 64 to 128 MiB (Firehose requires 64 MiB or more with Parquet conversion)' : undefined,
      });
    }
    if (parquet) {
      check(this, archive.parquetSchema !== undefined, {
        prop: 'archive.parquetSchema',
        value: 'none, with convertToParquet: true',
        allowed: 'a Glue table (glue.CfnTable) whose columns the Parquet files get',
        fix: 'give archive.parquetSchema (a glue.CfnTable with the columns of your records), or remove convertToParquet',
      });
      checkNotSetWith(this, 'archive.compression', archive.compression?.value,
        'with Parquet conversion (Parquet compresses inside the file; Firehose requires the object compression to be UNCOMPRESSED)',
        'remove archive.compression');
    } else {
      checkNotSetWith(this, 'archive.parquetSchema', archive.parquetSchema, 'without convertToParquet: true', 'set archive.convertToParquet: true, or remove parquetSchema');
    }
  }

  private monitorStream(props: StreamPipelineProps, alarmTopic: StreamPipelineProps['alarmTopic'], alarmsEnabled: boolean): void {
    const stream = this.stream;
    this.widgets.push(
      new cloudwatch.GraphWidget({
        title: 'Stream: writes',
        left: [StreamMetrics.incomingRecords(stream)],
        right: [StreamMetrics.incomingBytes(stream)],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Stream: throttled reads and writes',
        left: [StreamMetrics.writeThroughputExceeded(stream), StreamMetrics.readThroughputExceeded(stream)],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Stream: iterator age (ms)',
        left: [StreamMetrics.iteratorAge(stream)],
        width: 8,
      }),
    );
    if (!alarmsEnabled) return;
    const maxAge = this.iteratorAgeThreshold(props);
    if (maxAge) {
      this.alarms.push(createAlarm(this, 'IteratorAgeAlarm', {
        metric: StreamMetrics.iteratorAge(stream),
        threshold: maxAge.toMilliseconds(),
        evaluationPeriods: 5,
        datapointsToAlarm: 3,
        description: `${this.node.path}: readers of the stream lag more than ${describeDuration(maxAge)}; records expire after the retention period.`,
        alarmTopic,
      }));
    }
    this.alarms.push(
      createAlarm(this, 'WriteThroughputExceededAlarm', {
        metric: StreamMetrics.writeThroughputExceeded(stream),
        threshold: 0,
        evaluationPeriods: 5,
        datapointsToAlarm: 3,
        description: `${this.node.path}: writes are throttled (each shard takes 1 MiB/s or 1,000 records/s); add shards, or spread partition keys.`,
        alarmTopic,
      }),
      createAlarm(this, 'ReadThroughputExceededAlarm', {
        metric: StreamMetrics.readThroughputExceeded(stream),
        threshold: 0,
        evaluationPeriods: 5,
        datapointsToAlarm: 3,
        description: `${this.node.path}: reads are throttled (2 MB/s and 5 GetRecords/s per shard shared by all readers); use enhanced fan-out for more readers.`,
        alarmTopic,
      }),
    );
  }

  /** Iterator age alarm threshold: given, or half the consumer's max record age, or half the retention. */
  private iteratorAgeThreshold(props: StreamPipelineProps): Duration | undefined {
    if (props.maxIteratorAge) return props.maxIteratorAge;
    const recordAge = this.maxRecordAge(props.consumer);
    if (recordAge) return Duration.seconds(Math.floor(recordAge.toSeconds() / 2));
    if (this.retentionPeriod && !this.retentionPeriod.isUnresolved()) return Duration.seconds(Math.floor(this.retentionPeriod.toSeconds() / 2));
    return undefined;
  }

  /** The consumer's maximum record age: given, or half the retention capped at 7 days. */
  private maxRecordAge(consumer: StreamConsumerOptions | undefined): Duration | undefined {
    if (!consumer) return undefined;
    if (consumer.maxRecordAge) return consumer.maxRecordAge;
    const retention = this.retentionPeriod ?? Duration.hours(24);
    if (retention.isUnresolved()) return Duration.hours(12);
    return Duration.seconds(Math.min(Math.floor(retention.toSeconds() / 2), LIMITS.maxRecordAge.toSeconds()));
  }

  private buildConsumer(props: StreamPipelineProps, consumer: StreamConsumerOptions, alarmTopic: StreamPipelineProps['alarmTopic'], alarmsEnabled: boolean) {
    const fn = consumerFunction(this, 'ConsumerFunction', consumer, `Consumes the Kinesis stream of ${this.node.path}`);
    const onFailureQueue = new SecureQueue(this, 'OnFailure', {
      retentionPeriod: Duration.days(14),
      ...props.onFailureQueueProps,
      alarmTopic: props.onFailureQueueProps?.alarmTopic ?? alarmTopic,
      alarmsEnabled: alarmsEnabled && (props.onFailureQueueProps?.alarmsEnabled ?? true),
    });
    const sourceProps = {
      batchSize: consumer.batchSize ?? 100,
      maxBatchingWindow: consumer.maxBatchingWindow,
      startingPosition: consumer.startingPosition ?? lambda.StartingPosition.TRIM_HORIZON,
      parallelizationFactor: consumer.parallelizationFactor ?? 1,
      retryAttempts: consumer.retryAttempts ?? 3,
      maxRecordAge: this.maxRecordAge(consumer),
      bisectBatchOnError: consumer.bisectBatchOnError ?? true,
      reportBatchItemFailures: consumer.reportBatchItemFailures ?? true,
      onFailure: new SqsDlq(onFailureQueue.queue),
    };
    let streamConsumer: kinesis.IStreamConsumer | undefined;
    if (consumer.enhancedFanOut) {
      streamConsumer = new kinesis.StreamConsumer(this, 'LambdaStreamConsumer', {
        stream: this.stream,
        streamConsumerName: `${this.node.id}-lambda`.slice(0, 128),
      });
      fn.addEventSource(new KinesisConsumerEventSource(streamConsumer, sourceProps));
    } else {
      fn.addEventSource(new KinesisEventSource(this.stream, sourceProps));
    }

    this.widgets.push(
      new cloudwatch.GraphWidget({
        title: 'Consumer: invocations and errors',
        left: [FunctionMetrics.invocations(fn), FunctionMetrics.errors(fn)],
        right: [FunctionMetrics.durationP99(fn)],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Consumer: lag (ms) and failed batches',
        left: [StreamMetrics.consumerIteratorAge(fn)],
        right: [QueueMetrics.visibleMessages(onFailureQueue.queue)],
        width: 12,
      }),
    );
    if (alarmsEnabled) {
      const lag = this.iteratorAgeThreshold(props) ?? Duration.hours(6);
      this.alarms.push(
        ...onFailureQueue.alarms,
        createAlarm(this, 'ConsumerErrorsAlarm', {
          metric: FunctionMetrics.errors(fn),
          threshold: 0,
          evaluationPeriods: 3,
          datapointsToAlarm: 2,
          description: `${this.node.path}: the stream consumer is failing; its shard waits for retries, then failed batches go to the on-failure queue.`,
          alarmTopic,
        }),
        createAlarm(this, 'ConsumerIteratorAgeAlarm', {
          metric: StreamMetrics.consumerIteratorAge(fn),
          threshold: lag.toMilliseconds(),
          evaluationPeriods: 5,
          datapointsToAlarm: 3,
          description: `${this.node.path}: the Lambda consumer lags more than ${describeDuration(lag)} behind the stream.`,
          alarmTopic,
        }),
        createAlarm(this, 'OnFailureQueueNotEmptyAlarm', {
          metric: QueueMetrics.visibleMessages(onFailureQueue.queue),
          threshold: 0,
          evaluationPeriods: 1,
          description: `${this.node.path}: batches failed for good; each message names a shard and sequence numbers. Replay them from the stream before its retention ends.`,
          alarmTopic,
        }),
      );
    }
    return { fn, onFailureQueue, streamConsumer };
  }

  private buildArchive(archive: StreamArchiveOptions, alarmTopic: StreamPipelineProps['alarmTopic'], alarmsEnabled: boolean) {
    let bucket = archive.bucket;
    if (!bucket) {
      const own = new s3.Bucket(this, 'ArchiveBucket', {
        encryption: s3.BucketEncryption.S3_MANAGED,
        enforceSSL: true,
        blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
        versioned: true,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      Validations.of(own).acknowledge({
        id: 'AwsSolutions-S1',
        reason: 'Firehose is the only writer of the archive bucket (its role, logged by CloudTrail); pass archive.bucket to use a bucket with server access logs.',
      });
      bucket = own;
    }
    const parquet = archive.convertToParquet ?? false;
    const interval = archive.bufferingInterval ?? Duration.seconds(300);
    const deliveryStream = new firehose.DeliveryStream(this, 'Archive', {
      source: new firehose.KinesisStreamSource(this.stream),
      destination: new firehose.S3Bucket(bucket, {
        bufferingInterval: interval,
        bufferingSize: archive.bufferingSize ?? (parquet ? Size.mebibytes(128) : Size.mebibytes(5)),
        // With Parquet conversion the object stays uncompressed (the L2 refuses a value); Parquet compresses inside (SNAPPY).
        compression: parquet ? undefined : (archive.compression ?? firehose.Compression.GZIP),
        dataOutputPrefix: archive.dataOutputPrefix ?? 'raw/!{timestamp:yyyy/MM/dd/HH}/',
        errorOutputPrefix: archive.errorOutputPrefix ?? 'errors/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/',
        processor: archive.transform ? new firehose.LambdaFunctionProcessor(archive.transform) : undefined,
        dataFormatConversion: parquet && archive.parquetSchema ? {
          schemaConfiguration: firehose.SchemaConfiguration.fromCfnTable(archive.parquetSchema),
          inputFormat: firehose.InputFormat.OPENX_JSON,
          outputFormat: firehose.OutputFormat.PARQUET,
        } : undefined,
      }),
    });
    Validations.of(deliveryStream).acknowledge({
      id: 'AwsSolutions-KDF1',
      reason: 'A delivery stream reading a Kinesis stream cannot have its own server-side encryption: records are encrypted in the source stream (KMS) and in the bucket (SSE).',
    });
    this.acknowledgeArchiveRole(deliveryStream, bucket, archive.transform);
    if (parquet) {
      acknowledgeWildcardResource(deliveryStream, '*',
        'aws-cdk-lib\'s SchemaConfiguration grants glue:GetSchemaVersion on "*" (a schema registry action with no table resource) next to GetTable* on the one table; read-only.');
    }
    this.widgets.push(new cloudwatch.GraphWidget({
      title: 'Archive: freshness (s) and records delivered',
      left: [StreamMetrics.deliveryFreshness(deliveryStream)],
      right: [StreamMetrics.deliveredRecords(deliveryStream)],
      width: 24,
    }));
    if (alarmsEnabled) {
      // Records wait at least the buffering interval; two intervals plus 5 minutes is late.
      const threshold = Math.max(interval.toSeconds() * 2 + 300, 900);
      this.alarms.push(createAlarm(this, 'ArchiveFreshnessAlarm', {
        metric: StreamMetrics.deliveryFreshness(deliveryStream),
        threshold,
        evaluationPeriods: 3,
        description: `${this.node.path}: the oldest record not yet in S3 is older than ${threshold} s; look at errors/ in the bucket and the delivery stream's logs.`,
        alarmTopic,
      }));
    }
    return { deliveryStream, bucket };
  }

  /**
   * aws-cdk-lib's Firehose S3 destination grants its role `bucket.grantReadWrite` (action
   * wildcards, objects `bucket/*`) whatever role it is given; acknowledged here, where the
   * pattern makes it appear.
   */
  private acknowledgeArchiveRole(deliveryStream: Construct, bucket: s3.IBucket, transform: lambda.IFunction | undefined): void {
    const reason = 'The Firehose S3 destination of aws-cdk-lib grants its role read/write on the archive bucket and its objects (Firehose writes objects under date prefixes, ' +
      'and lists/aborts multipart uploads); the role is used by Firehose only.';
    for (const action of ['s3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:DeleteObject*', 's3:Abort*']) {
      deliveryStream.node.addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, { [`AwsSolutions-IAM5[Action::${action}]`]: reason });
    }
    acknowledgeWildcardResource(deliveryStream, `${bucket.bucketArn}/*`, reason);
    if (transform) {
      acknowledgeWildcardResource(deliveryStream, `${transform.functionArn}:*`,
        'lambda:InvokeFunction on the transform function and its versions (grantInvoke of aws-cdk-lib); Firehose invokes only this function.');
    }
  }
}
