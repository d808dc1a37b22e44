import { Annotations, Duration, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { attributePolicyShape, bodyPolicyShape, checkFilterPolicy } from './filter-policy';
import { FanOutConsumerProps, FanOutSubscriberProps } from './props';
import { checkConsumerCode, consumerFunction } from '../../core/consumer/consumer-defaults';
import { statementJson } from '../../core/policy-json';
import { SecureQueue, SecureQueueProps } from '../../core/secure-queue';
import { check, checkDurationInRange, checkNotSetWith, checkNumberInRange, describeDuration } from '../../core/validation';
import { createAlarm } from '../../monitoring/alarm-factory';
import { FunctionMetrics } from '../../monitoring/function-metrics';
import { IMonitoredBlock } from '../../monitoring/monitored-block';
import { QueueMetrics } from '../../monitoring/queue-metrics';
import { queueWidgets } from '../../monitoring/queue-widgets';

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
