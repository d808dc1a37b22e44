import { Annotations, CfnResource, Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct, IConstruct } from 'constructs';
import { checkConsumerCode, consumerFunction } from '../core/consumer-defaults';
import { ConsumerCodeOptions } from '../core/consumer-function';
import { acknowledgeBucketNotificationsHandler } from '../core/nag-acknowledgements';
import { SecureQueue, SecureQueueProps } from '../core/secure-queue';
import { SecureTopic, SecureTopicProps } from '../core/secure-topic';
import { check, checkDurationInRange, checkNotSetWith, checkNumberInRange, describeDuration, describeViolation } from '../core/validation';
import { createAlarm } from '../monitoring/alarm-factory';
import { AlarmOptions } from '../monitoring/alarm-options';
import { FunctionMetrics } from '../monitoring/function-metrics';
import { IMonitoredBlock } from '../monitoring/monitored-block';
import { PatternDashboard } from '../monitoring/pattern-dashboard';
import { QueueMetrics } from '../monitoring/queue-metrics';
import { queueWidgets } from '../monitoring/queue-widgets';

/** SNS quotas the pattern checks at synth time (https://docs.aws.amazon.com/sns/latest/dg/subscription-filter-policy-constraints.html). */
const SNS_LIMITS = {
  /** Keys in one filter policy (for body policies: leaf keys, nested ones included). */
  filterPolicyKeys: 5,
  /** Product of the number of values of every key. */
  filterPolicyCombinations: 150,
  /** Filter policies per topic (default quota; raise it with Service Quotas, then pass `maxFilterPolicies`). */
  filterPoliciesPerTopic: 200,
};
/** CloudFormation's limit of resources in one template. */
const CLOUDFORMATION_MAX_RESOURCES = 500;

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

/**
 * One subscriber of a {@link TopicFanOut}: a queue (new, with a dead-letter queue, or existing),
 * its SNS subscription with filter policy and redrive policy, a queue policy that lets only the
 * topic send, and an optional consumer function. Made by `TopicFanOut.addSubscriber`.
 */
export class FanOutSubscriber extends Construct implements IMonitoredBlock {
  /** The queue SNS delivers to. */
  public readonly queue: sqs.IQueue;
  /** The queue's dead-letter queue (its own or the shared one); undefined for an existing queue without one. */
  public readonly deadLetterQueue?: sqs.IQueue;
  /** Where SNS keeps notifications it could not deliver. */
  public readonly subscriptionDeadLetterQueue: sqs.IQueue;
  /** The queue block. */
  public readonly secureQueue: SecureQueue;
  /** The SNS subscription. */
  public readonly subscription: sns.Subscription;
  /** The consumer function, when one was asked for. */
  public readonly consumer?: lambda.IFunction;
  /** Whether the subscriber has a filter policy (attributes or body). */
  public readonly hasFilterPolicy: boolean;
  /** The alarms of this subscriber. */
  public readonly alarms: cloudwatch.IAlarm[] = [];

  constructor(scope: Construct, id: string, props: FanOutSubscriberProps) {
    super(scope, id);
    const topic = props.topic;
    this.validate(props);
    this.hasFilterPolicy = props.filterPolicy !== undefined || props.filterPolicyWithMessageBody !== undefined;
    const alarmsEnabled = props.alarmsEnabled ?? true;
    const queueProps = props.queueProps ?? {};
    const existing = queueProps.existingQueue !== undefined;

    // With a shared DLQ, SecureQueue would alarm on it once per subscriber: alarm here instead.
    const shared = !existing && props.sharedDeadLetterQueue !== undefined && queueProps.existingDeadLetterQueue === undefined;
    this.secureQueue = new SecureQueue(this, 'Queue', {
      ...queueProps,
      fifo: existing ? undefined : (queueProps.fifo ?? (topic.fifo || undefined)),
      visibilityTimeout: existing ? undefined : (queueProps.visibilityTimeout ?? consumerVisibilityTimeout(props.consumer)),
      existingDeadLetterQueue: shared ? props.sharedDeadLetterQueue : queueProps.existingDeadLetterQueue,
      alarmTopic: queueProps.alarmTopic ?? props.alarmTopic,
      alarmsEnabled: alarmsEnabled && !shared && (queueProps.alarmsEnabled ?? true),
    });
    this.queue = this.secureQueue.queue;
    this.deadLetterQueue = this.secureQueue.deadLetterQueue;
    this.alarms.push(...this.secureQueue.alarms);
    if (shared && alarmsEnabled && (queueProps.alarmsEnabled ?? true)) {
      const maxAge = queueProps.maxMessageAge ?? Duration.minutes(15);
      this.alarms.push(createAlarm(this, 'OldestMessageAgeAlarm', {
        metric: QueueMetrics.ageOfOldestMessage(this.queue),
        threshold: maxAge.toSeconds(),
        evaluationPeriods: 3,
        description: `${this.node.path}: the oldest message has waited more than ${describeDuration(maxAge)}; consumers are down or too slow.`,
        alarmTopic: props.alarmTopic,
      }));
    }
    check(this, this.queue.fifo === topic.fifo, {
      prop: 'queueProps',
      value: `a ${this.queue.fifo ? 'FIFO' : 'standard'} queue on a ${topic.fifo ? 'FIFO' : 'standard'} topic`,
      allowed: topic.fifo
        ? 'FIFO queues only: a FIFO topic delivers only to FIFO queues (name ending in ".fifo")'
        : 'standard queues only: a standard topic cannot deliver to a FIFO queue',
      fix: topic.fifo
        ? 'leave queueProps.fifo unset (it follows the topic) or pass a FIFO existingQueue (sqs.Queue.fromQueueAttributes with fifo: true)'
        : 'use a FIFO topic (topicProps.fifo: true) for FIFO subscribers, or subscribe a standard queue',
    });

    const subscriptionDlq = props.subscriptionDeadLetterQueue ?? (existing ? props.sharedDeadLetterQueue : this.deadLetterQueue);
    if (!subscriptionDlq) {
      throw new Error(`${this.node.path}: no subscription dead-letter queue (the pattern passes one for existing queues)`);
    }
    this.subscriptionDeadLetterQueue = subscriptionDlq;
    check(this, subscriptionDlq.fifo === topic.fifo, {
      prop: 'subscriptionDeadLetterQueue',
      value: `a ${subscriptionDlq.fifo ? 'FIFO' : 'standard'} queue on a ${topic.fifo ? 'FIFO' : 'standard'} topic`,
      allowed: 'a dead-letter queue of the same type as the topic (SNS requires a FIFO DLQ for a FIFO topic, standard otherwise)',
      fix: 'pass a queue of the topic\'s type, or leave subscriptionDeadLetterQueue unset',
    });

    const queuePolicy = this.allowTopicToSend(topic);
    this.subscription = new sns.Subscription(this, 'Subscription', {
      topic,
      endpoint: this.queue.queueArn,
      protocol: sns.SubscriptionProtocol.SQS,
      rawMessageDelivery: props.rawMessageDelivery,
      filterPolicy: props.filterPolicy,
      filterPolicyWithMessageBody: props.filterPolicyWithMessageBody,
      deadLetterQueue: subscriptionDlq,
      region: this.queueRegionIfOther(),
    });
    // SNS checks the queue policy when it delivers, so the policy must exist first.
    if (queuePolicy.policyDependable) this.subscription.node.addDependency(queuePolicy.policyDependable);

    if (props.consumer) {
      this.consumer = this.buildConsumer(props.consumer, alarmsEnabled ? props.alarmTopic : undefined, alarmsEnabled);
    }
  }

  /** Widgets for the pattern dashboard: the queue's traffic, lag and dead letters, and the consumer. */
  public dashboardWidgets(): cloudwatch.IWidget[] {
    const widgets = queueWidgets(this.node.id, this.queue, this.deadLetterQueue);
    if (this.consumer) {
      widgets.push(new cloudwatch.GraphWidget({
        title: `${this.node.id}: consumer`,
        left: [FunctionMetrics.invocations(this.consumer), FunctionMetrics.errors(this.consumer), FunctionMetrics.throttles(this.consumer)],
        right: [FunctionMetrics.durationP99(this.consumer)],
        width: 24,
      }));
    }
    return widgets;
  }

  private validate(props: FanOutSubscriberProps): void {
    if (props.filterPolicy !== undefined) {
      checkNotSetWith(this, 'filterPolicyWithMessageBody', props.filterPolicyWithMessageBody,
        'together with filterPolicy (a subscription filters on attributes or on the body, not both)',
        'keep one of filterPolicy (message attributes) and filterPolicyWithMessageBody (JSON body)');
      checkFilterPolicy(this, 'filterPolicy', attributePolicyShape(props.filterPolicy));
    }
    if (props.filterPolicyWithMessageBody !== undefined) {
      checkFilterPolicy(this, 'filterPolicyWithMessageBody', bodyPolicyShape(props.filterPolicyWithMessageBody));
    }
    if (props.consumer) this.validateConsumer(props.consumer, props.queueProps, props.topic.fifo);
  }

  private validateConsumer(consumer: FanOutConsumerProps, queueProps: SecureQueueProps | undefined, fifo: boolean): void {
    const fifoQueue = queueProps?.existingQueue?.fifo ?? queueProps?.fifo ?? fifo;
    checkConsumerCode(this, 'consumer', consumer);
    checkNumberInRange(this, 'consumer.maxConcurrency', consumer.maxConcurrency, { min: 2, max: 1000 });
    checkDurationInRange(this, 'consumer.maxBatchingWindow', consumer.maxBatchingWindow, { min: Duration.seconds(0), max: Duration.minutes(5) });
    if (fifoQueue) {
      checkNotSetWith(this, 'consumer.maxBatchingWindow', consumer.maxBatchingWindow, 'on a FIFO queue (the SQS event source does not batch FIFO queues by time)',
        'remove consumer.maxBatchingWindow');
    }
    const maxBatch = consumer.maxBatchingWindow !== undefined ? 10_000 : 10;
    checkNumberInRange(this, 'consumer.batchSize', consumer.batchSize, {
      min: 1,
      max: maxBatch,
      fix: maxBatch === 10 && !fifoQueue
        ? 'set consumer.batchSize from 1 to 10, or set consumer.maxBatchingWindow to allow up to 10,000'
        : `set consumer.batchSize from 1 to ${maxBatch.toLocaleString('en-US')}`,
    });
  }

  /**
   * The queue policy that lets only this topic send (`aws:SourceArn`), and the key policy that
   * lets SNS use the queue's customer-managed key. Policies of a queue or key this stack does
   * not own cannot be set here: a warning then says what their owner must add.
   */
  private allowTopicToSend(topic: sns.ITopic): iam.AddToResourcePolicyResult {
    const sns_ = new iam.ServicePrincipal('sns.amazonaws.com');
    const fromTopic = { ArnEquals: { 'aws:SourceArn': topic.topicArn } };
    const sendStatement = new iam.PolicyStatement({
      actions: ['sqs:SendMessage'], principals: [sns_], resources: [this.queue.queueArn], conditions: fromTopic,
    });
    const queuePolicy = this.queue.addToResourcePolicy(sendStatement);
    if (!queuePolicy.statementAdded) {
      Annotations.of(this).addWarningV2('cdk-integration-patterns:fanOutQueuePolicyNotSet',
        `The queue ${this.queue.queueArn} is not owned by this stack, so its policy cannot be changed here. Until its owner adds ` +
        `this statement, SNS cannot deliver and notifications go to the subscription dead-letter queue: ${statementJson(sendStatement)}. ` +
        'A queue in another account must also confirm the subscription (or its owner subscribes from that account).');
    }
    const key = this.queue.encryptionMasterKey;
    if (key) {
      const keyStatement = new iam.PolicyStatement({
        actions: ['kms:GenerateDataKey*', 'kms:Decrypt'], principals: [sns_], resources: ['*'], conditions: fromTopic,
      });
      if (!key.addToResourcePolicy(keyStatement).statementAdded) {
        Annotations.of(this).addWarningV2('cdk-integration-patterns:fanOutKeyPolicyNotSet',
          `The KMS key ${key.keyArn} of the queue is not owned by this stack; its key policy needs: ${statementJson(keyStatement)}`);
      }
    }
    return queuePolicy;
  }

  /** SNS needs the queue's region when it is not the topic's (a queue imported by ARN from elsewhere). */
  private queueRegionIfOther(): string | undefined {
    const queueRegion = this.queue.env.region;
    const here = Stack.of(this).region;
    if (Token.isUnresolved(queueRegion) || Token.isUnresolved(here) || queueRegion === here) return undefined;
    return queueRegion;
  }

  private buildConsumer(consumer: FanOutConsumerProps, alarmTopic: sns.ITopic | undefined, alarmsEnabled: boolean): lambda.IFunction {
    const fn = consumerFunction(this, 'Consumer', consumer, `Consumes the queue of ${this.node.path}`);
    fn.addEventSource(new SqsEventSource(this.queue, {
      batchSize: consumer.batchSize ?? 10,
      maxBatchingWindow: consumer.maxBatchingWindow,
      reportBatchItemFailures: true,
      maxConcurrency: consumer.maxConcurrency ?? 5,
    }));
    if (alarmsEnabled) {
      const target = fn instanceof Construct ? fn : this;
      this.alarms.push(
        createAlarm(this, 'ConsumerErrorsAlarm', {
          metric: FunctionMetrics.errors(fn),
          threshold: 0,
          evaluationPeriods: 3,
          datapointsToAlarm: 2,
          description: `${target.node.path}: the consumer of ${this.node.path} is failing; messages reach the dead-letter queue after ${this.secureQueue.maxReceiveCount ?? 'the maximum'} receives.`,
          alarmTopic,
        }),
        createAlarm(this, 'ConsumerThrottlesAlarm', {
          metric: FunctionMetrics.throttles(fn),
          threshold: 0,
          evaluationPeriods: 5,
          datapointsToAlarm: 3,
          description: `${target.node.path}: the consumer of ${this.node.path} is throttled; raise account concurrency or lower consumer.maxConcurrency.`,
          alarmTopic,
        }),
      );
    }
    return fn;
  }
}

/**
 * Fan-out: one SNS topic (standard, or FIFO with content-based deduplication) delivers each
 * published message to any number of subscriber queues, each with its own filter policy,
 * dead-letter queue, optional consumer function and alarms; S3 bucket events can publish to it.
 *
 * ```
 * publisher / S3 events -> SecureTopic -> subscription (filter, redrive) -> SecureQueue (DLQ) -> consumer λ
 *                                      -> subscription ...               -> SecureQueue ...
 * ```
 *
 * Semantics to know:
 * - A subscriber receives only messages published **after** its subscription exists: SNS keeps
 *   no history, so a late subscriber never sees earlier messages (replay them from a store).
 * - FIFO end to end: a FIFO topic delivers only to FIFO queues, in order per message group; the
 *   message group id and deduplication id pass through to the queue unchanged.
 * - S3 cannot publish to FIFO topics.
 *
 * @example
 * const orders = new TopicFanOut(this, 'Orders', {
 *   subscribers: [
 *     { name: 'Shipping' },
 *     { name: 'Fraud', filterPolicy: { tier: sns.SubscriptionFilter.stringFilter({ allowlist: ['high'] }) } },
 *   ],
 * });
 * orders.topic.grantPublish(checkoutFunction);
 */
export class TopicFanOut extends Construct implements IMonitoredBlock {
  /** The topic block (its `topic` is the SNS topic publishers use). */
  public readonly secureTopic: SecureTopic;
  /** The SNS topic. */
  public readonly topic: sns.ITopic;
  /** The subscribers, in the order they were added. */
  public readonly subscribers: FanOutSubscriber[] = [];
  /** The pattern's dashboard. */
  public readonly dashboard: PatternDashboard;
  /** The dead-letter queue shared by subscribers (`sharedDeadLetterQueue`) and used for existing queues' subscriptions; made on first need. */
  private sharedDlq?: sqs.Queue;
  private readonly props: TopicFanOutProps;
  private readonly ownAlarms: cloudwatch.IAlarm[] = [];

  constructor(scope: Construct, id: string, props: TopicFanOutProps = {}) {
    super(scope, id);
    this.props = props;
    checkNumberInRange(this, 'maxFilterPolicies', props.maxFilterPolicies, { min: 1, max: 10_000 });
    this.secureTopic = new SecureTopic(this, 'Topic', {
      ...props.topicProps,
      alarmTopic: props.topicProps?.alarmTopic ?? props.alarmTopic,
      alarmsEnabled: (props.alarmsEnabled ?? true) && (props.topicProps?.alarmsEnabled ?? true),
    });
    this.topic = this.secureTopic.topic;
    this.dashboard = new PatternDashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      description: 'Topic fan-out: notifications published and failed, then one section per subscriber (queue traffic, lag, dead letters, consumer).',
    });
    this.dashboard.addBlock('Topic', this.secureTopic);
    if (props.sharedDeadLetterQueue) this.sharedDeadLetterQueue();

    for (const [i, definition] of (props.subscribers ?? []).entries()) {
      const { name, ...options } = definition;
      this.addSubscriberAt(`subscribers[${i}]`, name, options);
    }
    for (const source of props.s3Sources ?? []) {
      const { bucket, ...options } = source;
      this.addS3Source(bucket, options);
    }
    this.node.addValidation({ validate: () => this.validateStackSize() });
  }

  /** Every alarm of the pattern: the topic's, the shared DLQ's and each subscriber's. */
  public get alarms(): cloudwatch.IAlarm[] {
    return [...this.secureTopic.alarms, ...this.ownAlarms, ...this.subscribers.flatMap(s => s.alarms)];
  }

  /**
   * Adds a subscriber. It receives only messages published after it is deployed.
   *
   * @param name unique within the pattern: construct id and dashboard section
   * @returns the subscriber (queue, dead-letter queue, subscription, consumer)
   */
  public addSubscriber(name: string, options: FanOutSubscriberOptions = {}): FanOutSubscriber {
    return this.addSubscriberAt('addSubscriber', name, options);
  }

  /**
   * Publishes the bucket's events to the topic: a bucket notification, a topic policy statement
   * for `s3.amazonaws.com` limited to this bucket, and the same on the topic's KMS key.
   */
  public addS3Source(bucket: s3.IBucket, options: FanOutS3SourceOptions = {}): void {
    check(this, !this.topic.fifo, {
      prop: 's3Sources',
      value: `bucket ${bucket.node.path} on a FIFO topic`,
      allowed: 'a standard topic: S3 event notifications cannot be published to FIFO topics',
      fix: 'use a standard topic for S3 events, or route them through EventBridge into a FIFO pipeline',
    });
    const events = options.events ?? [s3.EventType.OBJECT_CREATED];
    check(this, events.length > 0, {
      prop: 's3Sources.events', value: '[] (empty)', allowed: 'one or more s3.EventType values', fix: 'name the events, or leave events unset for OBJECT_CREATED',
    });
    const filters: s3.NotificationKeyFilter[] = options.prefix !== undefined || options.suffix !== undefined
      ? [{ prefix: options.prefix, suffix: options.suffix }] : [];
    for (const event of events) {
      bucket.addEventNotification(event, new s3n.SnsDestination(this.topic), ...filters);
    }
    // SnsDestination adds the topic policy (aws:SourceArn = the bucket); the key policy must let S3
    // encrypt with the topic's key. Narrower than SecureTopic.allowServicePublisher (account-wide).
    const keyStatement = new iam.PolicyStatement({
      actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
      principals: [new iam.ServicePrincipal('s3.amazonaws.com')],
      resources: ['*'], // in a key policy, '*' means this key
      conditions: {
        StringEquals: { 'aws:SourceAccount': Stack.of(this).account },
        ArnLike: { 'aws:SourceArn': bucket.bucketArn },
      },
    });
    const key = this.secureTopic.encryptionKey;
    if (!key || !key.addToResourcePolicy(keyStatement).statementAdded) {
      Annotations.of(this).addWarningV2('cdk-integration-patterns:fanOutS3KeyPolicyNotSet',
        `The topic's KMS key is not owned by this stack; for S3 events to arrive, its owner must add: ${statementJson(keyStatement)}` +
        (this.props.topicProps?.existingTopic ? `, and to the topic policy an sns:Publish for s3.amazonaws.com with aws:SourceArn ${bucket.bucketArn}` : ''));
    }
    acknowledgeBucketNotificationsHandler(Stack.of(this));
  }

  /** Widgets of the whole pattern (the dashboard shows them by section). */
  public dashboardWidgets(): cloudwatch.IWidget[] {
    return [...this.secureTopic.dashboardWidgets(), ...this.subscribers.flatMap(s => s.dashboardWidgets())];
  }

  private addSubscriberAt(where: string, name: string, options: FanOutSubscriberOptions): FanOutSubscriber {
    const taken = this.subscribers.map(s => s.node.id);
    check(this, !taken.includes(name) && name !== 'Topic' && name !== 'Dashboard' && name !== 'SharedDeadLetterQueue', {
      prop: `${where}.name`,
      value: `"${name}"`,
      allowed: `a name not used by another subscriber of this pattern (taken: ${taken.map(t => `"${t}"`).join(', ') || 'none'}; reserved: "Topic", "Dashboard", "SharedDeadLetterQueue")`,
      fix: 'give each subscriber its own name',
    });
    check(this, name.length > 0, { prop: `${where}.name`, value: '"" (empty)', allowed: 'a non-empty name', fix: 'name the subscriber, e.g. "Shipping"' });
    const hasFilter = options.filterPolicy !== undefined || options.filterPolicyWithMessageBody !== undefined;
    const maxFilters = this.props.maxFilterPolicies ?? SNS_LIMITS.filterPoliciesPerTopic;
    const filters = this.subscribers.filter(s => s.hasFilterPolicy).length + (hasFilter ? 1 : 0);
    check(this, filters <= maxFilters, {
      prop: `${where}.filterPolicy`,
      value: `filter policy number ${filters} on this topic (subscriber "${name}")`,
      allowed: `at most ${maxFilters} filter policies per topic (SNS quota; the default is ${SNS_LIMITS.filterPoliciesPerTopic})`,
      fix: 'merge subscribers that filter alike, split the subscribers across topics, or raise the SNS quota "filter policies per topic" and set maxFilterPolicies',
    });
    const existing = options.queueProps?.existingQueue !== undefined;
    const needsShared = this.props.sharedDeadLetterQueue || (existing && !options.subscriptionDeadLetterQueue);
    const subscriber = new FanOutSubscriber(this, name, {
      ...options,
      topic: this.topic,
      sharedDeadLetterQueue: needsShared ? this.sharedDeadLetterQueue() : undefined,
      alarmTopic: this.props.alarmTopic,
      alarmsEnabled: this.props.alarmsEnabled,
    });
    this.subscribers.push(subscriber);
    this.dashboard.addBlock(`Subscriber: ${name}`, subscriber);
    return subscriber;
  }

  /** The shared dead-letter queue (same type as the topic), made on first use with its alarm. */
  private sharedDeadLetterQueue(): sqs.IQueue {
    if (this.sharedDlq) return this.sharedDlq;
    const fifo = this.topic.fifo;
    this.sharedDlq = new sqs.Queue(this, 'SharedDeadLetterQueue', {
      fifo: fifo || undefined,
      enforceSSL: true,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      retentionPeriod: Duration.days(14),
      receiveMessageWaitTime: Duration.seconds(20),
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(this.sharedDlq).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This is the dead-letter queue of the fan-out: a DLQ of a DLQ would only move the problem; its depth is alarmed instead.',
    });
    if (this.props.alarmsEnabled ?? true) {
      this.ownAlarms.push(createAlarm(this, 'SharedDeadLetterQueueNotEmptyAlarm', {
        metric: QueueMetrics.visibleMessages(this.sharedDlq),
        threshold: 0,
        evaluationPeriods: 1,
        description: `${this.node.path}: messages are in the shared dead-letter queue (failed receives, or notifications SNS could not deliver). Inspect and redrive them.`,
        alarmTopic: this.props.alarmTopic,
      }));
    }
    this.dashboard.addSection('Shared dead-letter queue', [new cloudwatch.SingleValueWidget({
      title: 'Shared dead letters', metrics: [QueueMetrics.visibleMessages(this.sharedDlq)], width: 24,
    })], this.ownAlarms);
    return this.sharedDlq;
  }

  /**
   * Counts the stack's resources at synth time (after every subscriber was added) against
   * CloudFormation's 500, and says how many subscribers fit.
   */
  private validateStackSize(): string[] {
    const stack = Stack.of(this);
    const total = stack.node.findAll().filter(c => CfnResource.isCfnResource(c) && Stack.of(c) === stack).length;
    if (total <= CLOUDFORMATION_MAX_RESOURCES) return [];
    const perSubscriber = this.subscribers.map(s => s.node.findAll().filter(c => CfnResource.isCfnResource(c)).length);
    const inSubscribers = perSubscriber.reduce((a, b) => a + b, 0);
    const average = perSubscriber.length > 0 ? inSubscribers / perSubscriber.length : 0;
    const fit = average > 0 ? Math.max(0, Math.floor((CLOUDFORMATION_MAX_RESOURCES - (total - inSubscribers)) / average)) : 0;
    return [describeViolation({
      prop: 'subscribers',
      value: `${this.subscribers.length} subscribers (about ${average.toFixed(1)} resources each), making ${total} resources in stack ${stack.stackName}`,
      allowed: `at most ${CLOUDFORMATION_MAX_RESOURCES} resources per CloudFormation stack: ${fit} such subscribers fit beside the stack's other ${total - inSubscribers} resources`,
      fix: `keep ${fit} subscribers in this stack and move the rest to another stack (a TopicFanOut there with topicProps.existingTopic set to this topic)` +
        (this.props.sharedDeadLetterQueue ? '' : ', or set sharedDeadLetterQueue: true (4 resources per subscriber without a consumer instead of 7)') +
        (this.props.alarmsEnabled === false ? '' : ', or set alarmsEnabled: false'),
    })];
  }
}

/** The consumer's share of the queue's visibility timeout: AWS's rule is 6 x function timeout + batching window. */
function consumerVisibilityTimeout(consumer: FanOutConsumerProps | undefined): Duration | undefined {
  if (!consumer) return undefined;
  const timeout = consumer.function
    ? (consumer.function instanceof lambda.Function ? consumer.function.timeout : undefined)
    : (consumer.timeout ?? Duration.seconds(30));
  if (!timeout || timeout.isUnresolved()) return undefined;
  const window = consumer.maxBatchingWindow && !consumer.maxBatchingWindow.isUnresolved() ? consumer.maxBatchingWindow.toSeconds() : 0;
  // Not capped: a result above SQS's 12 hours fails SecureQueue's visibilityTimeout check with a clear error.
  return Duration.seconds(6 * timeout.toSeconds() + window);
}

/** A filter policy reduced to what SNS limits: its key paths and the number of values of each. */
interface FilterPolicyShape {
  readonly keys: Array<{ readonly path: string; readonly values: number }>;
  /** Problems of structure (empty keys, empty nested policies). */
  readonly problems: string[];
}

function attributePolicyShape(policy: { [attribute: string]: sns.SubscriptionFilter }): FilterPolicyShape {
  const problems: string[] = [];
  const entries = Object.entries(policy);
  if (entries.length === 0) problems.push('the policy has no keys');
  const keys = entries.map(([key, filter]) => {
    if (key.length === 0) problems.push('a key is empty');
    if (!filter || !Array.isArray(filter.conditions) || filter.conditions.length === 0) problems.push(`"${key}" has no condition`);
    return { path: key, values: filter?.conditions?.length ?? 0 };
  });
  return { keys, problems };
}

function bodyPolicyShape(policy: { [key: string]: sns.FilterOrPolicy }, prefix = ''): FilterPolicyShape {
  const problems: string[] = [];
  const keys: Array<{ path: string; values: number }> = [];
  const entries = Object.entries(policy);
  if (entries.length === 0) problems.push(prefix ? `"${prefix.slice(0, -1)}" is an empty nested policy` : 'the policy has no keys');
  for (const [key, node] of entries) {
    const path = `${prefix}${key}`;
    if (key.length === 0) problems.push(`a key under "${prefix || '(root)'}" is empty`);
    if (node instanceof sns.Policy || (node && node.type === sns.FilterOrPolicyType.POLICY)) {
      const inner = bodyPolicyShape((node as sns.Policy).policyDoc, `${path}.`);
      keys.push(...inner.keys);
      problems.push(...inner.problems);
    } else if (node instanceof sns.Filter || (node && node.type === sns.FilterOrPolicyType.FILTER)) {
      const conditions = (node as sns.Filter).filterDoc.conditions;
      if (!Array.isArray(conditions) || conditions.length === 0) problems.push(`"${path}" has no condition`);
      keys.push({ path, values: conditions?.length ?? 0 });
    } else {
      problems.push(`"${path}" is neither sns.FilterOrPolicy.filter(...) nor sns.FilterOrPolicy.policy(...)`);
    }
  }
  return { keys, problems };
}

function checkFilterPolicy(scope: IConstruct, prop: string, shape: FilterPolicyShape): void {
  check(scope, shape.problems.length === 0, {
    prop,
    value: shape.problems.join('; '),
    allowed: 'one or more keys, each with at least one condition (sns.SubscriptionFilter), nested policies not empty',
    fix: 'remove the empty keys or give them conditions, e.g. sns.SubscriptionFilter.stringFilter({ allowlist: [...] })',
  });
  const paths = shape.keys.map(k => k.path);
  check(scope, shape.keys.length <= SNS_LIMITS.filterPolicyKeys, {
    prop,
    value: `${shape.keys.length} keys (${paths.join(', ')})`,
    allowed: `at most ${SNS_LIMITS.filterPolicyKeys} keys per filter policy (SNS limit; nested keys of a body policy count one each)`,
    fix: 'filter on fewer keys here and check the rest in the consumer, or split the subscriber',
  });
  const combinations = shape.keys.reduce((product, k) => product * Math.max(k.values, 1), 1);
  check(scope, combinations <= SNS_LIMITS.filterPolicyCombinations, {
    prop,
    value: `${combinations} value combinations (${shape.keys.map(k => `${k.path}: ${k.values}`).join(' x ')})`,
    allowed: `at most ${SNS_LIMITS.filterPolicyCombinations} combinations, the product of the number of values of every key (SNS limit)`,
    fix: 'use fewer values per key (a prefix or numeric range matches many values with one condition), or split the subscriber',
  });
}

function statementJson(statement: iam.PolicyStatement): string {
  return JSON.stringify(statement.toStatementJson());
}
