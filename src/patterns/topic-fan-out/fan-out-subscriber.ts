import { Annotations, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { FanOutConsumerProps, FanOutSubscriberProps } from './props';
import { subscriberRules } from './rules';
import { consumerAlarms } from '../../core/consumer/consumer-alarms';
import { consumerFunction } from '../../core/consumer/consumer-defaults';
import { consumerTimeout, requiredVisibilityTimeout } from '../../core/consumer/consumer-rules';
import { readableValue, statementJson } from '../../core/policy-json';
import { SecureQueue } from '../../core/secure-queue';
import { maxMessageAgeOf } from '../../core/secure-queue-rules';
import { Violations, describeDuration, validateProps } from '../../core/validation';
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
    validateProps(this, props, [...subscriberRules('', topic.fifo), (p: FanOutSubscriberProps, v: Violations) => {
      // The DLQ of the new queue (and of the subscription for an existing queue) has the topic's type, as the queue has.
      if (p.deadLetterQueue) {
        v.check('FAN_OUT_DEAD_LETTER_QUEUE_TYPE', p.deadLetterQueue.fifo === topic.fifo, {
          prop: 'deadLetterQueue',
          value: `a ${p.deadLetterQueue.fifo ? 'FIFO' : 'standard'} queue on a ${topic.fifo ? 'FIFO' : 'standard'} topic`,
          allowed: 'a dead-letter queue of the topic\'s type (SQS: a FIFO queue\'s DLQ is FIFO; SNS: a FIFO topic\'s subscription DLQ is FIFO)',
          fix: 'pass a queue of the topic\'s type, or leave deadLetterQueue unset for one of the subscriber\'s own',
        });
      }
    }]);
    this.hasFilterPolicy = props.filterPolicy !== undefined || props.filterPolicyWithMessageBody !== undefined;
    const alarmsEnabled = props.alarmsEnabled ?? true;
    const queueProps = props.queueProps ?? {};
    const existing = queueProps.existingQueue !== undefined;

    // With a shared DLQ, SecureQueue would alarm on it once per subscriber: alarm here instead.
    const shared = !existing && props.deadLetterQueue !== undefined && queueProps.existingDeadLetterQueue === undefined;
    this.secureQueue = new SecureQueue(this, 'Queue', {
      ...queueProps,
      fifo: existing ? undefined : (queueProps.fifo ?? (topic.fifo || undefined)),
      visibilityTimeout: existing ? undefined
        : (queueProps.visibilityTimeout ?? requiredVisibilityTimeout(consumerTimeout(props.consumer), props.consumer?.maxBatchingWindow)),
      existingDeadLetterQueue: shared ? props.deadLetterQueue : queueProps.existingDeadLetterQueue,
      alarmTopic: queueProps.alarmTopic ?? props.alarmTopic,
      alarmsEnabled: alarmsEnabled && !shared && (queueProps.alarmsEnabled ?? true),
    });
    this.queue = this.secureQueue.queue;
    this.deadLetterQueue = this.secureQueue.deadLetterQueue;
    this.alarms.push(...this.secureQueue.alarms);
    if (shared && alarmsEnabled && (queueProps.alarmsEnabled ?? true)) {
      const maxAge = maxMessageAgeOf(queueProps);
      this.alarms.push(createAlarm(this, 'OldestMessageAgeAlarm', {
        metric: QueueMetrics.ageOfOldestMessage(this.queue),
        threshold: maxAge.toSeconds({ integral: false }),
        evaluationPeriods: 3,
        description: `${this.node.path}: the oldest message has waited more than ${describeDuration(maxAge)}; consumers are down or too slow.`,
        alarmTopic: props.alarmTopic,
      }));
    }
    const subscriptionDlq = props.subscriptionDeadLetterQueue ?? (existing ? props.deadLetterQueue : this.deadLetterQueue);
    if (!subscriptionDlq) {
      throw new Error(`${this.node.path}: no subscription dead-letter queue (the pattern passes one for existing queues)`);
    }
    this.subscriptionDeadLetterQueue = subscriptionDlq;
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
        `The queue ${readableValue(this, this.queue.queueArn)} is not owned by this stack, so its policy cannot be changed here. Until its owner adds ` +
        `this statement, SNS cannot deliver and notifications go to the subscription dead-letter queue: ${statementJson(this, sendStatement)}. ` +
        'A queue in another account must also confirm the subscription (or its owner subscribes from that account).');
    }
    const key = this.queue.encryptionMasterKey;
    if (key) {
      const keyStatement = new iam.PolicyStatement({
        actions: ['kms:GenerateDataKey*', 'kms:Decrypt'], principals: [sns_], resources: ['*'], conditions: fromTopic,
      });
      if (!key.addToResourcePolicy(keyStatement).statementAdded) {
        Annotations.of(this).addWarningV2('cdk-integration-patterns:fanOutKeyPolicyNotSet',
          `The KMS key ${readableValue(this, key.keyArn)} of the queue is not owned by this stack; its key policy needs: ${statementJson(this, keyStatement)}`);
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
      this.alarms.push(...consumerAlarms(this, {
        fn,
        errorsId: 'ConsumerErrorsAlarm',
        throttlesId: 'ConsumerThrottlesAlarm',
        errorsDescription: `${target.node.path}: the consumer of ${this.node.path} is failing; messages reach the dead-letter queue after ${this.secureQueue.maxReceiveCount ?? 'the maximum'} receives.`,
        throttlesDescription: `${target.node.path}: the consumer of ${this.node.path} is throttled; raise account concurrency or lower consumer.maxConcurrency.`,
        alarmTopic,
      }));
    }
    return fn;
  }
}
