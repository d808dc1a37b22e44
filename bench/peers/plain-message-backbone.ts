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
import { CfnOutput, Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import {
  alarmRow, alarmTopic, bufferQueue, bundle, consumerAlarms, consumerGraph, header, messagesKey, nodeFunction, notificationsGraph, ONE_MINUTE,
  queueAlarms, queueWidgets, recordsTable, TOPIC_FAILED_HELP,
} from './plain-parts';

export class PlainMessageBackboneStack extends Stack {
  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, props);
    const p = this.node.path;

    // Alarm topic: encrypted, TLS only, CloudWatch may publish (and use the key).
    const { alarm } = alarmTopic(this);

    const table = recordsTable(this, 'OrdersTable', 'orderId');

    // Orders topic -> queue (with DLQ) -> recorder.
    const ordersKey = messagesKey(this, 'OrdersKey', 'Orders');
    const ordersTopic = new sns.Topic(this, 'OrdersTopic', { masterKey: ordersKey, enforceSSL: true });
    const buffer = bufferQueue(this, 'Orders', 'OrdersQueue', { visibilityTimeout: Duration.seconds(6 * 30 + 1), maxReceiveCount: 3 });
    const { queue, deadLetterQueue } = buffer;
    ordersTopic.addSubscription(new subscriptions.SqsSubscription(queue, { rawMessageDelivery: true, deadLetterQueue }));

    const recorder = nodeFunction(this, 'Recorder', {
      asset: bundle('idempotent-recorder'),
      rolePath: 'Recorder',
      description: 'Records each order once in the orders table (idempotent on orderId)',
      environment: {
        TABLE_NAME: table.tableName,
        KEY_ATTRIBUTE: 'orderId',
        ID_FIELD: 'orderId',
        REQUIRED_FIELDS: 'orderId',
      },
    });
    recorder.addEventSource(new SqsEventSource(queue, {
      batchSize: 10,
      maxBatchingWindow: Duration.seconds(1),
      reportBatchItemFailures: true,
      maxConcurrency: 5,
    }));
    table.grant(recorder, 'dynamodb:PutItem');

    // Alarms, each notifying the alarm topic.
    const topicFailed = ordersTopic.metricNumberOfNotificationsFailed({ statistic: 'Sum', period: ONE_MINUTE });
    const topicAlarms = [alarm(topicFailed, 'OrdersTopicFailedAlarm', { alarmDescription: `${p}/Orders: ${TOPIC_FAILED_HELP}` })];
    const ordersQueueAlarms = queueAlarms(alarm, buffer, {
      queuePath: `${p}/OrdersQueue`, maxReceiveCount: 3, ageAlarmId: 'OrdersQueueAgeAlarm', deadLetterAlarmId: 'OrdersDeadLetterAlarm',
    });
    const recorderAlarms = consumerAlarms(alarm, recorder, 'Recorder',
      `${p}/Recorder: invocations are failing; messages reach the DLQ after 3 receives.`,
      `${p}/Recorder: invocations are throttled; raise account concurrency or lower consumer.maxConcurrency.`);

    const dashboard = new cloudwatch.Dashboard(this, 'Dashboard');
    dashboard.addWidgets(
      new cloudwatch.TextWidget({ markdown: `# ${this.stackName}\nOrders topic -> buffer queue (DLQ) -> idempotent recorder -> orders table.`, width: 24, height: 2 }),
      header('Orders topic'),
      notificationsGraph('Orders', ordersTopic, topicFailed),
      alarmRow('Orders topic: alarms', topicAlarms),
      header('Orders buffer'),
      ...queueWidgets('OrdersQueue', buffer),
      alarmRow('Orders buffer: alarms', ordersQueueAlarms),
      header('Recorder'),
      consumerGraph('Recorder', recorder, recorderAlarms, 24),
      alarmRow('Recorder: alarms', recorderAlarms.alarms),
    );

    new CfnOutput(this, 'OrdersTopicArn', { value: ordersTopic.topicArn });
    new CfnOutput(this, 'OrdersQueueUrl', { value: queue.queueUrl });
    new CfnOutput(this, 'OrdersDeadLetterQueueUrl', { value: deadLetterQueue.queueUrl });
    new CfnOutput(this, 'OrdersTableName', { value: table.tableName });
  }
}
