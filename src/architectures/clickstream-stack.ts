import { CfnOutput, Duration, RemovalPolicy, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { clickstreamRules } from './clickstream-rules';
import { secureBucketProps } from '../core/bucket-defaults';
import { ClickstreamAggregatorFunction } from './handlers/clickstream-aggregator-function';
import { consumerFunctionProps } from '../core/consumer/consumer-defaults';
import { SecureTopic } from '../core/secure-topic';
import { validateProps } from '../core/validation';
import { StreamConsumerFunctionOptions, StreamPipeline } from '../patterns/stream-pipeline';

/**
 * Properties of the {@link ClickstreamStack} reference architecture.
 */
export interface ClickstreamStackProps extends StackProps {
  /**
   * The aggregator (the bundled consumer): function settings and how the stream feeds it
   * (`batchSize` default 500, range 1 to 10,000; `retryAttempts` default 3, range 0 to 10,000;
   * the other StreamPipeline consumer defaults).
   *
   * @default - the consumer defaults (256 MB, 30 s, arm64, JSON logs kept one month), batches of 500, 3 retries
   */
  readonly consumer?: StreamConsumerFunctionOptions;

  /**
   * How long Firehose buffers raw events before writing an S3 object. Range: 0 to 900 seconds.
   * A token (e.g. a CfnParameter) must be given in seconds, `Duration.seconds(param.valueAsNumber)`:
   * CDK cannot convert the unit of a token.
   *
   * @default Duration.seconds(300)
   */
  readonly archiveBufferingInterval?: Duration;

  /**
   * What happens to the table and the archive bucket when the stack is deleted. Buckets are never
   * emptied automatically: with DESTROY, deletion fails while the bucket holds objects.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Reference architecture: clickstream. Web and app producers put click events (partition key:
 * session id) into an on-demand Kinesis stream; a real-time aggregator keeps per-minute click
 * counts per page and per-session progress in DynamoDB; Firehose archives the raw events to S3
 * (GZIP, hourly prefixes) for replay and analytics.
 *
 * ```
 * producers (KinesisProducer) -> clicks stream (KMS, on-demand, 24 h) -> aggregator λ -> counts table
 *                                                                     |     (poison -> on-failure queue)
 *                                                                     -> Firehose -> S3 raw/yyyy/MM/dd/HH/*.gz
 * ```
 *
 * Events are JSON: `{ "sessionId": "s-1", "seq": 0, "page": "/home", "ts": 1700000000000 }`,
 * `seq` counting each session's events from 0.
 */
export class ClickstreamStack extends Stack {
  /** The stream, its consumer, on-failure queue, archive, alarms and dashboard. */
  public readonly pipeline: StreamPipeline;
  /** Per-minute page counts and per-session progress. */
  public readonly table: dynamodb.ITableV2;
  /** The bucket raw events are archived to. */
  public readonly archiveBucket: s3.IBucket;
  /** Topic every alarm of the stack notifies. */
  public readonly alarmTopic: SecureTopic;

  constructor(scope: Construct, id: string, props: ClickstreamStackProps = {}) {
    super(scope, id, props);
    validateProps(this, props, clickstreamRules());
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const consumer = props.consumer ?? {};
    this.alarmTopic = new SecureTopic(this, 'Alarms');
    this.alarmTopic.allowServicePublisher(new iam.ServicePrincipal('cloudwatch.amazonaws.com'));

    const table = new dynamodb.TableV2(this, 'CountsTable', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: 'expiresAt',
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy,
    });
    this.table = table;

    const parts = consumerFunctionProps(this, 'Aggregator', consumer);
    const aggregator = new ClickstreamAggregatorFunction(this, 'Aggregator', {
      ...parts.props,
      description: 'Aggregates click events into per-minute page counts and per-session progress',
      environment: { TABLE_NAME: table.tableName },
    });
    // The write actions the aggregator performs (UpdateItem; TransactWriteItems = its Put marker and Updates), on this table only.
    aggregator.addToRolePolicy(new iam.PolicyStatement({ actions: ['dynamodb:UpdateItem', 'dynamodb:PutItem'], resources: [table.tableArn] }));

    // Server access logs are delivered through a bucket policy, not the legacy LogDeliveryWrite
    // ACL: the feature flag is set on this scope only, so users' apps need not set it.
    const storage = new Construct(this, 'Archive');
    storage.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);
    const accessLogs = new s3.Bucket(storage, 'AccessLogsBucket', secureBucketProps(removalPolicy));
    Validations.of(accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This bucket receives the server access logs of the archive bucket; logging it into itself would loop and into another bucket would only move the question.',
    });
    const archiveBucket = new s3.Bucket(storage, 'ArchiveBucket', {
      ...secureBucketProps(removalPolicy),
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'archive/',
    });
    this.archiveBucket = archiveBucket;

    this.pipeline = new StreamPipeline(this, 'Clicks', {
      alarmTopic: this.alarmTopic.topic,
      consumer: {
        function: aggregator,
        batchSize: consumer.batchSize ?? 500,
        retryAttempts: consumer.retryAttempts ?? 3,
        maxBatchingWindow: consumer.maxBatchingWindow,
        startingPosition: consumer.startingPosition,
        parallelizationFactor: consumer.parallelizationFactor,
        maxRecordAge: consumer.maxRecordAge,
        bisectBatchOnError: consumer.bisectBatchOnError,
        reportBatchItemFailures: consumer.reportBatchItemFailures,
        enhancedFanOut: consumer.enhancedFanOut,
      },
      archive: {
        bucket: archiveBucket,
        bufferingInterval: props.archiveBufferingInterval,
      },
    });

    new CfnOutput(this, 'StreamName', { value: this.pipeline.stream.streamName });
    new CfnOutput(this, 'StreamArn', { value: this.pipeline.stream.streamArn });
    new CfnOutput(this, 'TableName', { value: table.tableName });
    new CfnOutput(this, 'OnFailureQueueUrl', { value: this.pipeline.onFailureQueue!.queue.queueUrl });
    new CfnOutput(this, 'ArchiveBucketName', { value: archiveBucket.bucketName });
    new CfnOutput(this, 'AggregatorFunctionName', { value: aggregator.functionName });
  }
}
