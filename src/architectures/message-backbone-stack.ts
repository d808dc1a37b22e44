import { CfnOutput, Duration, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { IdempotentRecorderFunction } from './handlers/idempotent-recorder-function';
import { consumerFunctionProps } from '../core/consumer/consumer-defaults';
import { ConsumerFunctionOptions } from '../core/consumer/consumer-options';
import { SecureQueue } from '../core/secure-queue';
import { SecureTopic } from '../core/secure-topic';
import { checkNumberInRange } from '../core/validation';
import { createAlarm } from '../monitoring/alarm-factory';
import { FunctionMetrics } from '../monitoring/function-metrics';
import { PatternDashboard } from '../monitoring/pattern-dashboard';

/**
 * Properties of the {@link MessageBackboneStack} reference architecture.
 */
export interface MessageBackboneStackProps extends StackProps {
  /**
   * Settings of the recorder function.
   *
   * @default - the consumer defaults (256 MB, 30 s, arm64, JSON logs kept one month)
   */
  readonly recorder?: ConsumerFunctionOptions;

  /**
   * Most recorder instances running at once: the throttle that protects the table.
   * Range: 2 to 1,000 (the SQS event source's limit).
   *
   * @default 5
   */
  readonly maxConcurrentRecorders?: number;

  /**
   * Receives after which an order moves to the dead-letter queue. Range: 1 to 1,000.
   *
   * @default 3
   */
  readonly maxReceiveCount?: number;

  /**
   * What happens to the orders table when the stack is deleted.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly tableRemovalPolicy?: RemovalPolicy;
}

/**
 * Reference architecture built from the core blocks only: a publisher sends each order once to
 * an encrypted topic; a queue with a dead-letter queue buffers it; a bundled consumer writes it
 * exactly once to DynamoDB at the pace the throttle allows. Alarms go to an alarm topic, and
 * one dashboard shows it all.
 *
 * ```
 * publisher -> SecureTopic(orders) -> SecureQueue(orders, DLQ) -> recorder λ -> DynamoDB(orders)
 * ```
 */
export class MessageBackboneStack extends Stack {
  /** The topic publishers send orders to. */
  public readonly ordersTopic: SecureTopic;
  /** The buffer between the topic and the recorder, with its dead-letter queue. */
  public readonly ordersQueue: SecureQueue;
  /** The bundled consumer that records each order once. */
  public readonly recorderFunction: lambda.IFunction;
  /** Where orders land. */
  public readonly ordersTable: dynamodb.ITableV2;
  /** Topic every alarm of the stack notifies. */
  public readonly alarmTopic: SecureTopic;
  /** The stack's dashboard. */
  public readonly dashboard: PatternDashboard;

  constructor(scope: Construct, id: string, props: MessageBackboneStackProps = {}) {
    super(scope, id, props);
    checkNumberInRange(this, 'maxConcurrentRecorders', props.maxConcurrentRecorders, {
      min: 2, max: 1000, fix: 'set maxConcurrentRecorders from 2 to 1,000 (the SQS event source\'s maximum concurrency range); size it to the writes per second the table should take',
    });

    this.alarmTopic = new SecureTopic(this, 'Alarms', { alarmsEnabled: true });
    this.alarmTopic.allowServicePublisher(new iam.ServicePrincipal('cloudwatch.amazonaws.com'));

    const table = new dynamodb.TableV2(this, 'OrdersTable', {
      partitionKey: { name: 'orderId', type: dynamodb.AttributeType.STRING },
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: props.tableRemovalPolicy ?? RemovalPolicy.RETAIN,
    });
    this.ordersTable = table;

    const recorderParts = consumerFunctionProps(this, 'Recorder', props.recorder);
    const batchingWindow = Duration.seconds(1);
    const recorderTimeout = recorderParts.props.timeout ?? Duration.seconds(30);

    this.ordersTopic = new SecureTopic(this, 'Orders', { alarmTopic: this.alarmTopic.topic });
    this.ordersQueue = new SecureQueue(this, 'OrdersQueue', {
      // AWS's rule for Lambda consumers: at least 6 x the function timeout plus the batching window.
      visibilityTimeout: Duration.seconds(6 * recorderTimeout.toSeconds() + batchingWindow.toSeconds()),
      maxReceiveCount: props.maxReceiveCount ?? 3,
      alarmTopic: this.alarmTopic.topic,
    });
    this.ordersTopic.topic.addSubscription(new subscriptions.SqsSubscription(this.ordersQueue.queue, {
      rawMessageDelivery: true,
      deadLetterQueue: this.ordersQueue.deadLetterQueue,
    }));

    const recorder = new IdempotentRecorderFunction(this, 'Recorder', {
      ...recorderParts.props,
      description: 'Records each order once in the orders table (idempotent on orderId)',
      environment: { TABLE_NAME: table.tableName, KEY_ATTRIBUTE: 'orderId', ID_FIELD: 'orderId', REQUIRED_FIELDS: 'orderId' },
    });
    recorder.addEventSource(new SqsEventSource(this.ordersQueue.queue, {
      batchSize: 10,
      maxBatchingWindow: batchingWindow,
      reportBatchItemFailures: true,
      maxConcurrency: props.maxConcurrentRecorders ?? 5,
    }));
    // Only the one action the recorder performs (grantWriteData would add Update/Delete/Batch).
    recorder.addToRolePolicy(new iam.PolicyStatement({ actions: ['dynamodb:PutItem'], resources: [table.tableArn] }));
    this.recorderFunction = recorder;

    const recorderAlarms = [
      createAlarm(recorder, 'ErrorsAlarm', {
        metric: FunctionMetrics.errors(recorder),
        threshold: 0,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        description: `${recorder.node.path}: invocations are failing; messages reach the DLQ after ${this.ordersQueue.maxReceiveCount} receives.`,
        alarmTopic: this.alarmTopic.topic,
      }),
      createAlarm(recorder, 'ThrottlesAlarm', {
        metric: FunctionMetrics.throttles(recorder),
        threshold: 0,
        evaluationPeriods: 5,
        datapointsToAlarm: 3,
        description: `${recorder.node.path}: invocations are throttled; raise account concurrency or lower maxConcurrentRecorders.`,
        alarmTopic: this.alarmTopic.topic,
      }),
    ];

    this.dashboard = new PatternDashboard(this, 'Dashboard', {
      description: 'Orders topic -> buffer queue (DLQ) -> idempotent recorder -> orders table.',
    });
    this.dashboard.addBlock('Orders topic', this.ordersTopic);
    this.dashboard.addBlock('Orders buffer', this.ordersQueue);
    this.dashboard.addSection('Recorder', [new cloudwatch.GraphWidget({
      title: 'Recorder',
      left: [FunctionMetrics.invocations(recorder), FunctionMetrics.errors(recorder), FunctionMetrics.throttles(recorder)],
      right: [FunctionMetrics.durationP99(recorder)],
      width: 24,
    })], recorderAlarms);

    new CfnOutput(this, 'OrdersTopicArn', { value: this.ordersTopic.topic.topicArn });
    new CfnOutput(this, 'OrdersQueueUrl', { value: this.ordersQueue.queue.queueUrl });
    new CfnOutput(this, 'OrdersDeadLetterQueueUrl', { value: this.ordersQueue.deadLetterQueue!.queueUrl });
    new CfnOutput(this, 'OrdersTableName', { value: table.tableName });
  }
}
