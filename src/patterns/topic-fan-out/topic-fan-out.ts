import { Annotations, CfnResource, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { FanOutSubscriber } from './fan-out-subscriber';
import { CLOUDFORMATION_MAX_RESOURCES } from './limits';
import { FanOutS3Source, FanOutS3SourceOptions, FanOutSubscriberDefinition, FanOutSubscriberOptions, TopicFanOutProps } from './props';
import { topicFanOutRules } from './rules';
import { acknowledgeBucketNotificationsHandler } from '../../core/nag-acknowledgements';
import { readableValue, statementJson } from '../../core/policy-json';
import { SecureTopic } from '../../core/secure-topic';
import { describeViolation, validateProps } from '../../core/validation';
import { createAlarm } from '../../monitoring/alarm-factory';
import { patternDashboard } from '../../monitoring/dashboard-factory';
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
 * orders.grantPublish(checkoutFunction);
 */
export class TopicFanOut extends Construct implements IMonitoredBlock {
  /** The topic block (its `topic` is the SNS topic publishers use). */
  public readonly secureTopic: SecureTopic;
  /** The SNS topic. */
  public readonly topic: sns.ITopic;
  /** The subscribers, in the order they were added. */
  public readonly subscribers: FanOutSubscriber[] = [];
  /** The pattern's dashboard (yours when `dashboard` was given); undefined with `dashboardEnabled: false`. */
  public readonly dashboard?: PatternDashboard;
  /** The dead-letter queue shared by subscribers (`shareDeadLetterQueue`) and used for existing queues' subscriptions; made on first need. */
  private sharedDlq?: sqs.Queue;
  private readonly props: TopicFanOutProps;
  private readonly ownAlarms: cloudwatch.IAlarm[] = [];
  private readonly definitions: FanOutSubscriberDefinition[] = [];
  private readonly sources: FanOutS3Source[] = [];

  constructor(scope: Construct, id: string, props: TopicFanOutProps = {}) {
    super(scope, id);
    this.props = props;
    validateProps(this, props, topicFanOutRules());
    this.secureTopic = new SecureTopic(this, 'Topic', {
      ...props.topicProps,
      alarmTopic: props.topicProps?.alarmTopic ?? props.alarmTopic,
      alarmsEnabled: (props.alarmsEnabled ?? true) && (props.topicProps?.alarmsEnabled ?? true),
    });
    this.topic = this.secureTopic.topic;
    this.dashboard = patternDashboard(this, props,
      'Topic fan-out: notifications published and failed, then one section per subscriber (queue traffic, lag, dead letters, consumer).');
    this.dashboard?.addBlock(this.sectionTitle('Topic'), this.secureTopic);
    if (props.shareDeadLetterQueue) this.sharedDeadLetterQueue();

    for (const definition of props.subscribers ?? []) {
      const { name, ...options } = definition;
      this.buildSubscriber(name, options);
    }
    for (const source of props.s3Sources ?? []) {
      const { bucket, ...options } = source;
      this.buildS3Source(bucket, options);
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
    // The whole table again with this subscriber last (numbered after the others in messages):
    // names, the filter-policy quota and its own rules.
    validateProps(this, { ...this.props, subscribers: [...this.definitions, { ...options, name }], s3Sources: [] }, topicFanOutRules(1));
    return this.buildSubscriber(name, options);
  }

  /** Lets `grantee` publish to the topic (and use its KMS key). */
  public grantPublish(grantee: iam.IGrantable): iam.Grant {
    return this.topic.grantPublish(grantee);
  }

  /**
   * Publishes the bucket's events to the topic: a bucket notification, a topic policy statement
   * for `s3.amazonaws.com` limited to this bucket, and the same on the topic's KMS key.
   */
  public addS3Source(bucket: s3.IBucket, options: FanOutS3SourceOptions = {}): void {
    // The sources added before come along, so that one overlapping them is refused (S3 would refuse the bucket's configuration).
    validateProps(this, { ...this.props, subscribers: [], s3Sources: [...this.sources, { ...options, bucket }] }, topicFanOutRules(0, 1));
    this.buildS3Source(bucket, options);
  }

  private buildS3Source(bucket: s3.IBucket, options: FanOutS3SourceOptions): void {
    this.sources.push({ ...options, bucket });
    const events = options.events ?? [s3.EventType.OBJECT_CREATED];
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
        `The topic's KMS key is not owned by this stack; for S3 events to arrive, its owner must add: ${statementJson(this, keyStatement)}` +
        (this.props.topicProps?.existingTopic ? `, and to the topic policy an sns:Publish for s3.amazonaws.com with aws:SourceArn ${readableValue(this, bucket.bucketArn)}` : ''));
    }
    acknowledgeBucketNotificationsHandler(Stack.of(this));
  }

  /** Widgets of the whole pattern (the dashboard shows them by section). */
  public dashboardWidgets(): cloudwatch.IWidget[] {
    return [...this.secureTopic.dashboardWidgets(), ...this.subscribers.flatMap(s => s.dashboardWidgets())];
  }

  /** A section title: as it is on the pattern's own dashboard, prefixed with the pattern's id on a shared one. */
  private sectionTitle(title: string): string {
    return this.props.dashboard ? `${this.node.id}: ${title}` : title;
  }

  private buildSubscriber(name: string, options: FanOutSubscriberOptions): FanOutSubscriber {
    this.definitions.push({ ...options, name });
    const existing = options.queueProps?.existingQueue !== undefined;
    const needsShared = this.props.shareDeadLetterQueue || (existing && !options.subscriptionDeadLetterQueue);
    const subscriber = new FanOutSubscriber(this, name, {
      ...options,
      topic: this.topic,
      deadLetterQueue: needsShared ? this.sharedDeadLetterQueue() : undefined,
      alarmTopic: this.props.alarmTopic,
      alarmsEnabled: this.props.alarmsEnabled,
    });
    this.subscribers.push(subscriber);
    this.dashboard?.addBlock(this.sectionTitle(`Subscriber: ${name}`), subscriber);
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
    this.dashboard?.addSection(this.sectionTitle('Shared dead-letter queue'), [new cloudwatch.SingleValueWidget({
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
      code: 'FAN_OUT_STACK_RESOURCES',
      prop: 'subscribers',
      value: `${this.subscribers.length} subscribers (about ${average.toFixed(1)} resources each), making ${total} resources in stack ${stack.stackName}`,
      allowed: `at most ${CLOUDFORMATION_MAX_RESOURCES} resources per CloudFormation stack: ${fit} such subscribers fit beside the stack's other ${total - inSubscribers} resources`,
      fix: `keep ${fit} subscribers in this stack and move the rest to another stack (a TopicFanOut there with topicProps.existingTopic set to this topic)` +
        (this.props.shareDeadLetterQueue ? '' : ', or set shareDeadLetterQueue: true (4 resources per subscriber without a consumer instead of 7)') +
        (this.props.alarmsEnabled === false ? '' : ', or set alarmsEnabled: false'),
    })];
  }
}
