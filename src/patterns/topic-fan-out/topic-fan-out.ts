import { Annotations, CfnResource, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { FanOutSubscriber } from './fan-out-subscriber';
import { CLOUDFORMATION_MAX_RESOURCES, SNS_LIMITS } from './limits';
import { FanOutS3SourceOptions, FanOutSubscriberOptions, TopicFanOutProps } from './props';
import { acknowledgeBucketNotificationsHandler } from '../../core/nag-acknowledgements';
import { statementJson } from '../../core/policy-json';
import { SecureTopic } from '../../core/secure-topic';
import { check, checkNumberInRange, describeViolation } from '../../core/validation';
import { createAlarm } from '../../monitoring/alarm-factory';
import { IMonitoredBlock } from '../../monitoring/monitored-block';
import { PatternDashboard } from '../../monitoring/pattern-dashboard';
import { QueueMetrics } from '../../monitoring/queue-metrics';

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
