/**
 * The peer of `MessageBackboneStack`: the same architecture written the way a careful user
 * would write it with plain aws-cdk-lib L2 constructs and no code from this library.
 *
 * Same resources (24): an encrypted alarm topic that CloudWatch may publish to, an encrypted
 * orders topic, a queue with a dead-letter queue (TLS-only, SSE, long polling), a raw-delivery
 * subscription with its own DLQ, the same bundled handler with an SQS event source, a
 * DynamoDB table with point-in-time recovery, six alarms and one dashboard.
 *
 * Like for like, property by property (so the ratio measures construct work, not a smaller
 * template): key and role descriptions, an execution role scoped to the function's log group
 * (no AWSLambdaBasicExecutionRole), stable queue names, a dead-letter queue whose redrive allow
 * policy names its source queue by ARN, an alarm description on every alarm, and the same
 * dashboard (section headers, an alarm widget per section, the minutes-to-drain expression).
 * The bench prints both templates' sizes.
 */
import * as path from 'path';
import { CfnOutput, Duration, Names, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** The same bundle the library ships (`npx projen bundle` writes it). */
const RECORDER_ASSET = path.join(__dirname, '..', '..', 'assets', 'lambda', 'idempotent-recorder.lambda');

export class PlainMessageBackboneStack extends Stack {
  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, props);
    const oneMinute = Duration.minutes(1);

    // Alarm topic: encrypted, TLS only, CloudWatch may publish (and use the key).
    const alarmKey = new kms.Key(this, 'AlarmsKey', {
      enableKeyRotation: true, removalPolicy: RemovalPolicy.DESTROY, description: `Encrypts the messages of ${this.node.path}/Alarms`,
    });
    const alarmTopic = new sns.Topic(this, 'AlarmsTopic', { masterKey: alarmKey, enforceSSL: true });
    const fromThisAccount = { StringEquals: { 'aws:SourceAccount': this.account } };
    const cloudwatchPrincipal = new iam.ServicePrincipal('cloudwatch.amazonaws.com');
    alarmTopic.addToResourcePolicy(new iam.PolicyStatement({
      actions: ['sns:Publish'], principals: [cloudwatchPrincipal], resources: [alarmTopic.topicArn], conditions: fromThisAccount,
    }));
    alarmKey.addToResourcePolicy(new iam.PolicyStatement({
      actions: ['kms:GenerateDataKey*', 'kms:Decrypt'], principals: [cloudwatchPrincipal], resources: ['*'], conditions: fromThisAccount,
    }));
    const alarmAction = new actions.SnsAction(alarmTopic);
    const alarm = (metric: cloudwatch.Metric, alarmId: string, options: Partial<cloudwatch.CreateAlarmOptions>, notify = true) => {
      const a = metric.createAlarm(this, alarmId, {
        threshold: 0,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        ...options,
      });
      if (notify) {
        a.addAlarmAction(alarmAction);
        a.addOkAction(alarmAction);
      }
      return a;
    };
    const topicFailedHelp = 'SNS failed to deliver notifications; check subscriber endpoints, their policies and KMS grants.';
    alarm(alarmTopic.metricNumberOfNotificationsFailed({ statistic: 'Sum', period: oneMinute }), 'AlarmsTopicFailedAlarm',
      { alarmDescription: `${this.node.path}/Alarms: ${topicFailedHelp}` }, false);

    const table = new dynamodb.TableV2(this, 'OrdersTable', {
      partitionKey: { name: 'orderId', type: dynamodb.AttributeType.STRING },
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // Orders topic -> queue (with DLQ) -> recorder.
    const ordersKey = new kms.Key(this, 'OrdersKey', {
      enableKeyRotation: true, removalPolicy: RemovalPolicy.DESTROY, description: `Encrypts the messages of ${this.node.path}/Orders`,
    });
    const queueName = `${Names.uniqueResourceName(this, { maxLength: 40 })}-OrdersQueue`;
    const ordersTopic = new sns.Topic(this, 'OrdersTopic', { masterKey: ordersKey, enforceSSL: true });
    const deadLetterQueue = new sqs.Queue(this, 'OrdersDeadLetterQueue', {
      queueName: `${queueName}-dlq`,
      redriveAllowPolicy: {
        redrivePermission: sqs.RedrivePermission.BY_QUEUE,
        sourceQueues: [sqs.Queue.fromQueueArn(this, 'OrdersQueueByArn', this.formatArn({ service: 'sqs', resource: queueName }))],
      },
      retentionPeriod: Duration.days(14),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      receiveMessageWaitTime: Duration.seconds(20),
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const queue = new sqs.Queue(this, 'OrdersQueue', {
      queueName,
      visibilityTimeout: Duration.seconds(6 * 30 + 1),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      receiveMessageWaitTime: Duration.seconds(20),
      deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: 3 },
      removalPolicy: RemovalPolicy.DESTROY,
    });
    ordersTopic.addSubscription(new subscriptions.SqsSubscription(queue, { rawMessageDelivery: true, deadLetterQueue }));

    const logGroup = new logs.LogGroup(this, 'RecorderLogGroup', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const role = new iam.Role(this, 'RecorderRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${this.node.path}/Recorder`,
    });
    logGroup.grant(role, 'logs:CreateLogStream', 'logs:PutLogEvents');
    const recorder = new lambda.Function(this, 'Recorder', {
      role,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(RECORDER_ASSET),
      memorySize: 256,
      timeout: Duration.seconds(30),
      description: 'Records each order once in the orders table (idempotent on orderId)',
      environment: {
        TABLE_NAME: table.tableName,
        KEY_ATTRIBUTE: 'orderId',
        ID_FIELD: 'orderId',
        REQUIRED_FIELDS: 'orderId',
        AWS_NODEJS_CONNECTION_REUSE_ENABLED: '1',
      },
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
    });
    recorder.addEventSource(new SqsEventSource(queue, {
      batchSize: 10,
      maxBatchingWindow: Duration.seconds(1),
      reportBatchItemFailures: true,
      maxConcurrency: 5,
    }));
    table.grant(recorder, 'dynamodb:PutItem');

    // Alarms, each notifying the alarm topic.
    const topicFailed = ordersTopic.metricNumberOfNotificationsFailed({ statistic: 'Sum', period: oneMinute });
    const oldestAge = queue.metricApproximateAgeOfOldestMessage({ statistic: 'Maximum', period: oneMinute });
    const dlqDepth = deadLetterQueue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: oneMinute });
    const errors = recorder.metricErrors({ statistic: 'Sum', period: oneMinute });
    const throttles = recorder.metricThrottles({ statistic: 'Sum', period: oneMinute });
    const p = this.node.path;
    const topicAlarms = [alarm(topicFailed, 'OrdersTopicFailedAlarm', { alarmDescription: `${p}/Orders: ${topicFailedHelp}` })];
    const queueAlarms = [
      alarm(oldestAge, 'OrdersQueueAgeAlarm', {
        threshold: 15 * 60,
        evaluationPeriods: 3,
        alarmDescription: `${p}/OrdersQueue: the oldest message has waited more than 15 minutes (900 s); consumers are down or too slow.`,
      }),
      alarm(dlqDepth, 'OrdersDeadLetterAlarm', {
        alarmDescription: `${p}/OrdersQueue: messages are in the dead-letter queue; they failed 3 receives. Inspect and redrive them.`,
      }),
    ];
    const recorderAlarms = [
      alarm(errors, 'RecorderErrorsAlarm', {
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        alarmDescription: `${p}/Recorder: invocations are failing; messages reach the DLQ after 3 receives.`,
      }),
      alarm(throttles, 'RecorderThrottlesAlarm', {
        evaluationPeriods: 5,
        datapointsToAlarm: 3,
        alarmDescription: `${p}/Recorder: invocations are throttled; raise account concurrency or lower consumer.maxConcurrency.`,
      }),
    ];

    const section = (title: string) => new cloudwatch.TextWidget({ markdown: `## ${title}`, width: 24, height: 1 });
    const alarmRow = (title: string, alarms: cloudwatch.IAlarm[]) => new cloudwatch.AlarmStatusWidget({ title, alarms, width: 24, height: 2 });
    const dashboard = new cloudwatch.Dashboard(this, 'Dashboard');
    dashboard.addWidgets(
      new cloudwatch.TextWidget({ markdown: `# ${this.stackName}\nOrders topic -> buffer queue (DLQ) -> idempotent recorder -> orders table.`, width: 24, height: 2 }),
      section('Orders topic'),
      new cloudwatch.GraphWidget({
        title: 'Orders: notifications',
        left: [ordersTopic.metricNumberOfMessagesPublished({ statistic: 'Sum', period: oneMinute }),
          ordersTopic.metricNumberOfNotificationsDelivered({ statistic: 'Sum', period: oneMinute })],
        right: [topicFailed],
        width: 24,
      }),
      alarmRow('Orders topic: alarms', topicAlarms),
      section('Orders buffer'),
      new cloudwatch.GraphWidget({
        title: 'OrdersQueue: traffic',
        left: [queue.metricNumberOfMessagesSent({ statistic: 'Sum', period: oneMinute }),
          queue.metricNumberOfMessagesDeleted({ statistic: 'Sum', period: oneMinute })],
        right: [queue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: oneMinute }),
          queue.metricApproximateNumberOfMessagesNotVisible({ statistic: 'Maximum', period: oneMinute })],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'OrdersQueue: lag',
        left: [oldestAge],
        right: [new cloudwatch.MathExpression({
          label: 'Minutes to drain',
          expression: 'IF(deleted > 0, visible / deleted)',
          usingMetrics: {
            visible: queue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: oneMinute }),
            deleted: queue.metricNumberOfMessagesDeleted({ statistic: 'Sum', period: oneMinute }),
          },
          period: oneMinute,
        })],
        width: 6,
      }),
      new cloudwatch.SingleValueWidget({ title: 'OrdersQueue: dead letters', metrics: [dlqDepth], width: 6 }),
      alarmRow('Orders buffer: alarms', queueAlarms),
      section('Recorder'),
      new cloudwatch.GraphWidget({
        title: 'Recorder',
        left: [recorder.metricInvocations({ statistic: 'Sum', period: oneMinute }), errors, throttles],
        right: [recorder.metricDuration({ statistic: 'p99', period: oneMinute })],
        width: 24,
      }),
      alarmRow('Recorder: alarms', recorderAlarms),
    );

    new CfnOutput(this, 'OrdersTopicArn', { value: ordersTopic.topicArn });
    new CfnOutput(this, 'OrdersQueueUrl', { value: queue.queueUrl });
    new CfnOutput(this, 'OrdersDeadLetterQueueUrl', { value: deadLetterQueue.queueUrl });
    new CfnOutput(this, 'OrdersTableName', { value: table.tableName });
  }
}
