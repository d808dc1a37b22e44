import { Duration, RemovalPolicy, Size, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { KinesisConsumerEventSource, KinesisEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { LIMITS } from './limits';
import { StreamArchiveOptions, StreamConsumerOptions, StreamPipelineProps } from './props';
import { DEFAULT_DATA_PREFIX, DEFAULT_ERROR_PREFIX, lambdaStreamConsumerName, streamPipelineRules } from './rules';
import { millisecondAlarm } from './threshold';
import { consumerFunction } from '../../core/consumer/consumer-defaults';
import { acknowledgeWildcardResource } from '../../core/nag-acknowledgements';
import { SecureQueue } from '../../core/secure-queue';
import { describeDuration, secondsOf, validateProps } from '../../core/validation';
import { createAlarm } from '../../monitoring/alarm-factory';
import { patternDashboard } from '../../monitoring/dashboard-factory';
import { FunctionMetrics } from '../../monitoring/function-metrics';
import { IMonitoredBlock } from '../../monitoring/monitored-block';
import { PatternDashboard } from '../../monitoring/pattern-dashboard';
import { QueueMetrics } from '../../monitoring/queue-metrics';
import { StreamMetrics } from '../../monitoring/stream-metrics';

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
 * clicks.grantPutRecords(producerFunction);
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
  /** The pattern's dashboard (yours when `dashboard` was given); undefined with `dashboardEnabled: false`. */
  public readonly dashboard?: PatternDashboard;
  private readonly widgets: cloudwatch.IWidget[] = [];

  constructor(scope: Construct, id: string, props: StreamPipelineProps = {}) {
    super(scope, id);
    validateProps(this, props, streamPipelineRules(id));
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

    this.dashboard = patternDashboard(this, props, 'Stream pipeline: writes and throttling, consumer lag and errors, failed batches, archive freshness.');
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
    this.dashboard?.addSection(props.dashboard ? `${id}: Stream pipeline` : 'Stream pipeline', this.widgets, this.alarms);
  }

  /** Lets `grantee` put records into the stream (PutRecord, PutRecords, ListShards, and the stream's KMS key). */
  public grantPutRecords(grantee: iam.IGrantable): iam.Grant {
    return this.stream.grantWrite(grantee);
  }

  /** Widgets of the whole pattern. */
  public dashboardWidgets(): cloudwatch.IWidget[] {
    return [...this.widgets];
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
        ...millisecondAlarm(StreamMetrics.iteratorAge(stream), maxAge),
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
    // A token duration is used in any unit: millisecondAlarm divides the metric instead of converting the token.
    if (props.maxIteratorAge) return props.maxIteratorAge;
    const recordAge = secondsOf(this.maxRecordAge(props.consumer));
    if (recordAge !== undefined) return Duration.seconds(Math.floor(recordAge / 2));
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
    const recordAgeToken = consumer.maxRecordAge?.isUnresolved() ? consumer.maxRecordAge : undefined;
    const sourceProps = {
      batchSize: consumer.batchSize ?? 100,
      maxBatchingWindow: consumer.maxBatchingWindow,
      startingPosition: consumer.startingPosition ?? lambda.StartingPosition.TRIM_HORIZON,
      parallelizationFactor: consumer.parallelizationFactor ?? 1,
      retryAttempts: consumer.retryAttempts ?? 3,
      // aws-cdk-lib range-checks this with arithmetic that a token breaks; a token is set on the L1 below.
      maxRecordAge: recordAgeToken ? undefined : this.maxRecordAge(consumer),
      bisectBatchOnError: consumer.bisectBatchOnError ?? true,
      reportBatchItemFailures: consumer.reportBatchItemFailures ?? true,
      onFailure: new SqsDlq(onFailureQueue.queue),
    };
    let streamConsumer: kinesis.IStreamConsumer | undefined;
    const mappingsBefore = (fn as unknown as Construct).node.findAll().filter(c => c instanceof lambda.CfnEventSourceMapping).length;
    if (consumer.enhancedFanOut) {
      streamConsumer = new kinesis.StreamConsumer(this, 'LambdaStreamConsumer', {
        stream: this.stream,
        streamConsumerName: lambdaStreamConsumerName(this.node.id),
      });
      fn.addEventSource(new KinesisConsumerEventSource(streamConsumer, sourceProps));
    } else {
      fn.addEventSource(new KinesisEventSource(this.stream, sourceProps));
    }
    if (recordAgeToken) {
      const mappings = (fn as unknown as Construct).node.findAll()
        .filter((c): c is lambda.CfnEventSourceMapping => c instanceof lambda.CfnEventSourceMapping);
      const mapping = mappings[mappingsBefore];
      mapping.maximumRecordAgeInSeconds = recordAgeToken.toSeconds();
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
          ...millisecondAlarm(StreamMetrics.consumerIteratorAge(fn), lag),
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
      destination: new firehose.S3Bucket(firehoseWritesTo(bucket), {
        bufferingInterval: interval,
        bufferingSize: archive.bufferingSize ?? (parquet ? Size.mebibytes(128) : Size.mebibytes(5)),
        // With Parquet conversion the object stays uncompressed (the L2 refuses a value); Parquet compresses inside (SNAPPY).
        compression: parquet ? undefined : (archive.compression ?? firehose.Compression.GZIP),
        dataOutputPrefix: archive.dataOutputPrefix ?? DEFAULT_DATA_PREFIX,
        errorOutputPrefix: archive.errorOutputPrefix ?? DEFAULT_ERROR_PREFIX,
        processors: archive.transform ? [new firehose.LambdaFunctionProcessor(archive.transform)] : undefined,
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
      const threshold = Math.max((secondsOf(interval) ?? 0) * 2 + 300, 900);
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
   * The delivery role's remaining wildcard resources: the archive's objects (Firehose writes
   * under date prefixes) and, with a transform, the function's versions.
   */
  private acknowledgeArchiveRole(deliveryStream: Construct, bucket: s3.IBucket, transform: lambda.IFunction | undefined): void {
    acknowledgeWildcardResource(deliveryStream, `${bucket.bucketArn}/*`,
      'Firehose writes objects under date prefixes of the archive bucket (s3:PutObject, multipart uploads); the role is used by Firehose only.');
    if (transform) {
      acknowledgeWildcardResource(deliveryStream, `${transform.functionArn}:*`,
        'lambda:InvokeFunction on the transform function and its versions (grantInvoke of aws-cdk-lib); Firehose invokes only this function.');
    }
  }
}

/**
 * The bucket as the Firehose S3 destination sees it. aws-cdk-lib's destination grants its role
 * `bucket.grantReadWrite` (s3:DeleteObject*, s3:GetObject*, s3:List*, ... on the bucket and
 * its objects); this view grants instead exactly what Firehose documents for an S3 destination
 * (s3:AbortMultipartUpload, GetBucketLocation, GetObject, ListBucket, ListBucketMultipartUploads,
 * PutObject) and, for a bucket with a customer-managed key, kms:GenerateDataKey and kms:Decrypt.
 * Everything else is the bucket itself.
 */
function firehoseWritesTo(bucket: s3.IBucket): s3.IBucket {
  const grantReadWrite = (grantee: iam.IGrantable): iam.Grant => {
    const grant = iam.Grant.addToPrincipal({
      grantee,
      actions: FIREHOSE_S3_ACTIONS,
      resourceArns: [bucket.bucketArn, bucket.arnForObjects('*')],
    });
    return bucket.encryptionKey ? grant.combine(bucket.encryptionKey.grant(grantee, 'kms:GenerateDataKey', 'kms:Decrypt')) : grant;
  };
  return Object.create(bucket, { grantReadWrite: { value: grantReadWrite } });
}

/** What a Firehose S3 destination needs (AWS: "Grant Firehose access to an Amazon S3 destination"). */
const FIREHOSE_S3_ACTIONS = [
  's3:AbortMultipartUpload', 's3:GetBucketLocation', 's3:GetObject', 's3:ListBucket', 's3:ListBucketMultipartUploads', 's3:PutObject',
];
