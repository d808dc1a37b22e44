import { Duration } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { ConsumerCodeOptions } from '../../core/consumer/consumer-options';
import { SecureQueueProps } from '../../core/secure-queue';
import { SecureTopicProps } from '../../core/secure-topic';
import { AlarmOptions } from '../../monitoring/alarm-options';

/**
 * The consumer function a subscriber's queue feeds: your code (`code` + `handler`) built with the
 * library's consumer defaults, or a function you built (`function`). Either way it reads the
 * queue through an SQS event source with partial batch responses and bounded concurrency.
 */
export interface FanOutConsumerProps extends ConsumerCodeOptions {
  /**
   * Messages per invocation. Range: 1 to 10 without `maxBatchingWindow`; up to 10,000 with it
   * (standard queues only; FIFO queues: 1 to 10).
   *
   * @default 10
   */
  readonly batchSize?: number;

  /**
   * How long the event source gathers messages before invoking. Range: 0 to 5 minutes.
   * Not supported on FIFO queues.
   *
   * @default - no batching window (invoke as soon as messages arrive)
   */
  readonly maxBatchingWindow?: Duration;

  /**
   * Most concurrent invocations the event source starts. Range: 2 to 1,000.
   *
   * @default 5
   */
  readonly maxConcurrency?: number;
}

/**
 * How one subscriber receives the topic's messages. The subscriber is always a queue (SNS
 * delivers, the queue buffers, an optional consumer reads it): a direct Lambda subscription
 * would lose the buffer, the bounded concurrency and the FIFO ordering, so it is not offered
 * (and so raw delivery is always valid here).
 */
export interface FanOutSubscriberOptions {
  /**
   * Settings of the subscriber's queue, passed to {@link SecureQueue}. Give
   * `queueProps.existingQueue` to subscribe a queue you already have, also one in another account
   * or region (`sqs.Queue.fromQueueArn`). `fifo` follows the topic when unset; `visibilityTimeout`
   * follows the consumer (6 x its timeout + batching window) when unset; `alarmTopic` follows the
   * pattern's.
   *
   * @default - a new queue with a dead-letter queue and the SecureQueue defaults
   */
  readonly queueProps?: SecureQueueProps;

  /**
   * Deliver only messages whose **message attributes** match, e.g.
   * `{ tier: sns.SubscriptionFilter.stringFilter({ allowlist: ['high'] }) }`.
   * At most 5 keys, and at most 150 combinations (the product of the number of values of each key).
   *
   * @default - every message is delivered
   */
  readonly filterPolicy?: { [attribute: string]: sns.SubscriptionFilter };

  /**
   * Deliver only messages whose **JSON body** matches (filter policy scope `MessageBody`), e.g.
   * `{ order: sns.FilterOrPolicy.policy({ amount: sns.FilterOrPolicy.filter(sns.SubscriptionFilter.numericFilter({ greaterThanOrEqualTo: 1000 })) }) }`.
   * At most 5 leaf keys (nested keys count) and 150 combinations. Not together with `filterPolicy`.
   *
   * @default - every message is delivered
   */
  readonly filterPolicyWithMessageBody?: { [key: string]: sns.FilterOrPolicy };

  /**
   * Deliver the published message as it is, without the SNS JSON envelope (message attributes
   * then arrive as SQS message attributes, up to 10 of them).
   *
   * @default false
   */
  readonly rawMessageDelivery?: boolean;

  /**
   * Where SNS keeps notifications it could not deliver to the queue (redrive policy of the
   * subscription; e.g. the queue policy or its KMS key refuses SNS).
   *
   * @default - the subscriber's dead-letter queue for a new queue (one place to look and to
   * alarm on, and "redrive" moves them into the queue they were meant for); the pattern's shared
   * dead-letter queue for an existing queue (SNS needs a DLQ in the subscription's account and
   * region, which an existing queue's DLQ may not be)
   */
  readonly subscriptionDeadLetterQueue?: sqs.IQueue;

  /**
   * A function that consumes the queue.
   *
   * @default - no consumer: your service reads the queue
   */
  readonly consumer?: FanOutConsumerProps;
}

/**
 * A subscriber given in {@link TopicFanOutProps.subscribers}: its name and how it receives.
 */
export interface FanOutSubscriberDefinition extends FanOutSubscriberOptions {
  /**
   * Name of the subscriber: its construct id, dashboard section and output names.
   * Unique within the pattern.
   */
  readonly name: string;
}

/**
 * Properties of a {@link FanOutSubscriber}: the options, plus what the pattern decides for it.
 */
export interface FanOutSubscriberProps extends FanOutSubscriberOptions, AlarmOptions {
  /** The topic to subscribe to. */
  readonly topic: sns.ITopic;

  /**
   * A dead-letter queue shared by the pattern's subscribers, used instead of one per queue.
   *
   * @default - each new queue gets its own dead-letter queue
   */
  readonly sharedDeadLetterQueue?: sqs.IQueue;
}

/**
 * Bucket event notifications into the topic.
 */
export interface FanOutS3SourceOptions {
  /**
   * Events that notify.
   *
   * @default [s3.EventType.OBJECT_CREATED]
   */
  readonly events?: s3.EventType[];

  /**
   * Only keys starting with this prefix, e.g. `incoming/`.
   *
   * @default - every key
   */
  readonly prefix?: string;

  /**
   * Only keys ending with this suffix, e.g. `.json`.
   *
   * @default - every key
   */
  readonly suffix?: string;
}

/**
 * A bucket whose events reach the topic, given in {@link TopicFanOutProps.s3Sources}.
 */
export interface FanOutS3Source extends FanOutS3SourceOptions {
  /** The bucket. */
  readonly bucket: s3.IBucket;
}

/**
 * Properties of a {@link TopicFanOut}.
 */
export interface TopicFanOutProps extends AlarmOptions {
  /**
   * Settings of the topic, passed to {@link SecureTopic}; `topicProps.existingTopic` subscribes
   * to a topic you already have. `alarmTopic` follows the pattern's.
   *
   * @default - a new standard topic with a customer-managed KMS key
   */
  readonly topicProps?: SecureTopicProps;

  /**
   * Subscribers to create now; more can be added with `addSubscriber`.
   *
   * @default - none
   */
  readonly subscribers?: FanOutSubscriberDefinition[];

  /**
   * Buckets whose events are published to the topic; more with `addS3Source`.
   *
   * @default - none
   */
  readonly s3Sources?: FanOutS3Source[];

  /**
   * One dead-letter queue for every subscriber instead of one each. Use it for large fan-outs:
   * a subscriber then costs 4 CloudFormation resources instead of 7 (no DLQ, DLQ policy and DLQ
   * alarm of its own). SQS's redrive moves each message back to the queue it came from.
   *
   * @default false
   */
  readonly sharedDeadLetterQueue?: boolean;

  /**
   * Filter policies allowed on the topic. SNS's default quota is 200 per topic; raise it with
   * AWS Service Quotas first, then set this. Only this pattern's subscriptions are counted.
   *
   * @default 200
   */
  readonly maxFilterPolicies?: number;

  /**
   * Name of the dashboard.
   *
   * @default - generated by CloudFormation
   */
  readonly dashboardName?: string;
}
