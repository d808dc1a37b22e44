import { CfnOutput, RemovalPolicy, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { secureBucketProps } from '../core/bucket-defaults';
import { IdempotentRecorderFunction } from './handlers/idempotent-recorder-function';
import { consumerFunctionProps } from '../core/consumer/consumer-defaults';
import { ConsumerFunctionOptions } from '../core/consumer/consumer-options';
import { SecureTopic } from '../core/secure-topic';
import { FanOutSubscriberOptions, TopicFanOut } from '../patterns/topic-fan-out';

/** Key prefix of the uploads that are published (the S3 notification rule's filter). */
const UPLOADS_PREFIX = 'incoming/';
/** Key suffix of the uploads that are published. */
const UPLOADS_SUFFIX = '.csv';

/**
 * Properties of the {@link OrderFanOutStack} reference architecture.
 */
export interface OrderFanOutStackProps extends StackProps {
  /**
   * Settings of the three recorder functions.
   *
   * @default - the consumer defaults (256 MB, 30 s, arm64, JSON logs kept one month)
   */
  readonly recorder?: ConsumerFunctionOptions;

  /**
   * Orders of at least this amount (message attribute `amount`, type Number) go to fraud review.
   *
   * @default 1000
   */
  readonly fraudThreshold?: number;

  /**
   * Receives after which a message moves to its subscriber's dead-letter queue. Range: 1 to 1,000.
   *
   * @default 3
   */
  readonly maxReceiveCount?: number;

  /**
   * What happens to the tables and the buckets when the stack is deleted. Buckets are never
   * emptied automatically: with DESTROY, deletion fails while they hold objects.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly dataRemovalPolicy?: RemovalPolicy;
}

/**
 * Reference architecture: order fan-out. A buying service publishes each order once; shipping,
 * fraud review and analytics each get their own copy in their own queue, read by their own
 * consumer. Uploaded order files fan out the same way: one S3 notification rule reaches every
 * queue subscribed to the uploads topic.
 *
 * ```
 *                      ┌─ Shipping  (attributes: eventType = OrderPlaced)                 -> recorder λ -> table
 * publisher -> orders ─┼─ Fraud     (attributes: eventType = OrderPlaced, amount >= 1000) -> recorder λ -> table
 *   topic   (KMS)      └─ Analytics (body: eventType = OrderPlaced, raw delivery)         -> recorder λ -> table
 *
 * S3 PUT incoming/*.csv -> uploads ─┬─ Import   -> polled by the import service
 *   (one notification rule) topic   └─ Audit    -> polled by the audit service
 * ```
 *
 * Publish orders as JSON with an `orderId` field (and `eventType` in the body) and the message
 * attributes `eventType` (String, `OrderPlaced`) and `amount` (Number). Shipping and Fraud filter
 * on message attributes, Analytics on the message body. Fraud is filtered on `amount` alone (SNS
 * attribute filters AND their keys; an OR over `amount` and `tier` would need `$or`, which the
 * L2 filter types do not express). Each recorder writes an order once, keyed by `orderId`, into
 * a table of its own, so arrival per subscriber can be checked by order id.
 *
 * Storage events get a topic of their own instead of sharing the orders topic: S3 notifications
 * carry no message attributes (so attribute filters cannot select them, and SNS's
 * `exists: false` does not match a message without attributes), and their payload keeps
 * everything under the `Records` array. A topic per event family keeps every subscriber's filter
 * simple and every subscriber's traffic predictable.
 */
export class OrderFanOutStack extends Stack {
  /** The fan-out: orders topic, subscribers, alarms and dashboard. */
  public readonly fanOut: TopicFanOut;
  /** The table each order subscriber records into, by subscriber name. */
  public readonly tables: { [subscriber: string]: dynamodb.ITableV2 } = {};
  /** The fan-out of upload events: uploads topic, Import and Audit subscribers, alarms and dashboard. */
  public readonly uploadsFanOut: TopicFanOut;
  /** The bucket whose uploads (`incoming/*.csv`) are published to the uploads topic. */
  public readonly uploadsBucket: s3.IBucket;
  /** Topic every alarm of the stack notifies. */
  public readonly alarmTopic: SecureTopic;

  constructor(scope: Construct, id: string, props: OrderFanOutStackProps = {}) {
    super(scope, id, props);
    const removalPolicy = props.dataRemovalPolicy ?? RemovalPolicy.RETAIN;

    this.alarmTopic = new SecureTopic(this, 'Alarms');
    this.alarmTopic.allowServicePublisher(new iam.ServicePrincipal('cloudwatch.amazonaws.com'));

    const orders = { eventType: sns.SubscriptionFilter.stringFilter({ allowlist: ['OrderPlaced'] }) };
    const queueProps = { maxReceiveCount: props.maxReceiveCount ?? 3 };
    this.fanOut = new TopicFanOut(this, 'Orders', {
      alarmTopic: this.alarmTopic.topic,
      subscribers: [
        { name: 'Shipping', filterPolicy: orders, queueProps, consumer: this.recorder('Shipping', props, removalPolicy) },
        {
          name: 'Fraud',
          filterPolicy: { ...orders, amount: sns.SubscriptionFilter.numericFilter({ greaterThanOrEqualTo: props.fraudThreshold ?? 1000 }) },
          queueProps,
          consumer: this.recorder('Fraud', props, removalPolicy),
        },
        {
          name: 'Analytics',
          // On the body: the same selection as the attribute filters, shown in its other scope.
          filterPolicyWithMessageBody: { eventType: sns.FilterOrPolicy.filter(sns.SubscriptionFilter.stringFilter({ allowlist: ['OrderPlaced'] })) },
          rawMessageDelivery: true,
          queueProps,
          consumer: this.recorder('Analytics', props, removalPolicy),
        },
      ],
    });

    // Server access logs are delivered through a bucket policy, not the legacy LogDeliveryWrite
    // ACL: the feature flag is set on this scope only, so users' apps need not set it.
    const storage = new Construct(this, 'Uploads');
    storage.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);
    const accessLogs = new s3.Bucket(storage, 'AccessLogsBucket', secureBucketProps(removalPolicy));
    Validations.of(accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This bucket receives the server access logs of the uploads bucket; logging it into itself would loop and into another bucket would only move the question.',
    });
    const uploads = new s3.Bucket(storage, 'UploadsBucket', {
      ...secureBucketProps(removalPolicy),
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'uploads/',
    });
    this.uploadsBucket = uploads;
    this.uploadsFanOut = new TopicFanOut(this, 'UploadEvents', {
      alarmTopic: this.alarmTopic.topic,
      s3Sources: [{ bucket: uploads, events: [s3.EventType.OBJECT_CREATED], prefix: UPLOADS_PREFIX, suffix: UPLOADS_SUFFIX }],
      subscribers: [{ name: 'Import', queueProps }, { name: 'Audit', queueProps }],
    });

    new CfnOutput(this, 'OrdersTopicArn', { value: this.fanOut.topic.topicArn });
    new CfnOutput(this, 'UploadsTopicArn', { value: this.uploadsFanOut.topic.topicArn });
    for (const subscriber of [...this.fanOut.subscribers, ...this.uploadsFanOut.subscribers]) {
      const name = subscriber.node.id;
      new CfnOutput(this, `${name}QueueUrl`, { value: subscriber.queue.queueUrl });
      new CfnOutput(this, `${name}DeadLetterQueueUrl`, { value: subscriber.deadLetterQueue!.queueUrl });
      const table = this.tables[name];
      if (table) new CfnOutput(this, `${name}TableName`, { value: table.tableName });
    }
    new CfnOutput(this, 'UploadsBucketName', { value: uploads.bucketName });
  }

  /** A table and the bundled idempotent recorder that writes each order into it once. */
  private recorder(name: string, props: OrderFanOutStackProps, removalPolicy: RemovalPolicy): FanOutSubscriberOptions['consumer'] {
    const table = new dynamodb.TableV2(this, `${name}Table`, {
      partitionKey: { name: 'orderId', type: dynamodb.AttributeType.STRING },
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy,
    });
    this.tables[name] = table;
    const parts = consumerFunctionProps(this, `${name}Recorder`, props.recorder);
    const fn: lambda.Function = new IdempotentRecorderFunction(this, `${name}Recorder`, {
      ...parts.props,
      description: `Records each order delivered to ${name} once (idempotent on orderId)`,
      environment: { TABLE_NAME: table.tableName, KEY_ATTRIBUTE: 'orderId', ID_FIELD: 'orderId', REQUIRED_FIELDS: 'orderId' },
    });
    // Only the one action the recorder performs (grantWriteData would add Update/Delete/Batch).
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['dynamodb:PutItem'], resources: [table.tableArn] }));
    return { function: fn, batchSize: 10, maxConcurrency: 5 };
  }
}
