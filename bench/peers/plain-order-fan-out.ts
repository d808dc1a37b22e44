/**
 * The peer of `OrderFanOutStack`: the same architecture written the way a careful user would
 * write it with plain aws-cdk-lib L2 constructs and no code from this library.
 *
 * Same resources: an encrypted alarm topic that CloudWatch may publish to, an encrypted orders
 * topic with three queue subscribers (Shipping and Fraud filtered on message attributes,
 * Analytics on the message body with raw delivery), an encrypted uploads topic with two
 * unfiltered queue subscribers (Import, Audit), every queue with a dead-letter queue (TLS-only,
 * SSE, long polling) that is also its subscription's dead-letter queue, the same bundled recorder
 * (SQS event source) and a DynamoDB table with point-in-time recovery for each order subscriber,
 * nineteen alarms, a dashboard per topic, and an uploads bucket (access logs into a second bucket) whose
 * object-created events under incoming/*.csv are published to the uploads topic.
 *
 * Like for like, property by property (so the ratio measures construct work, not a smaller
 * template): key and role descriptions, execution roles scoped to each function's log group (no
 * AWSLambdaBasicExecutionRole), stable queue names, dead-letter queues whose redrive allow policy
 * names the source queue by ARN, a description on every alarm, and the same dashboards (a title,
 * a topic section and a section per subscriber with its alarm widget, minutes-to-drain
 * expression). The bench prints both templates' sizes.
 */
import { CfnOutput, Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import {
  alarmRow, alarmTopic, bucketWithAccessLogs, bufferQueue, bundle, consumerAlarms, consumerGraph, fromThisAccount, header, messagesKey,
  nodeFunction, notificationsGraph, ONE_MINUTE, queueAlarms, queueWidgets, recordsTable, TOPIC_FAILED_HELP,
} from './plain-parts';

interface SubscriberSpec {
  readonly name: string;
  readonly topic: sns.ITopic;
  readonly filterPolicy?: { [attribute: string]: sns.SubscriptionFilter };
  readonly filterPolicyWithMessageBody?: { [key: string]: sns.FilterOrPolicy };
  readonly rawMessageDelivery?: boolean;
  /** Whether a recorder function and table consume the queue. */
  readonly recorder: boolean;
}

export class PlainOrderFanOutStack extends Stack {
  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, props);
    // Server access logs through a bucket policy (not the LogDeliveryWrite ACL, which
    // BUCKET_OWNER_ENFORCED forbids). A user would set this in cdk.json.
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);

    // Alarm topic: encrypted, TLS only, CloudWatch may publish (and use the key).
    const p = this.node.path;
    const { alarm } = alarmTopic(this);
    // A topic per fan-out (Orders, UploadEvents), each with its own dashboard, as the library makes one per pattern.
    const fanOutTopic = (name: string, fanOut: string, dashboardId: string) => {
      const key = messagesKey(this, `${name}Key`, `${fanOut}/Topic`);
      const topic = new sns.Topic(this, `${name}Topic`, { masterKey: key, enforceSSL: true });
      const failed = topic.metricNumberOfNotificationsFailed({ statistic: 'Sum', period: ONE_MINUTE });
      const failedAlarm = alarm(failed, `${name}TopicFailedAlarm`, { alarmDescription: `${p}/${fanOut}/Topic: ${TOPIC_FAILED_HELP}` });
      const board = new cloudwatch.Dashboard(this, dashboardId);
      board.addWidgets(
        new cloudwatch.TextWidget({
          markdown: `# ${this.stackName}/${fanOut}\nTopic fan-out: notifications published and failed, then one section per subscriber (queue traffic, lag, dead letters, consumer).`,
          width: 24,
          height: 2,
        }),
        header('Topic'),
        notificationsGraph('Topic', topic, failed),
        alarmRow('Topic: alarms', [failedAlarm]),
      );
      return { key, topic, board };
    };
    const { topic: ordersTopic, board: dashboard } = fanOutTopic('Orders', 'Orders', 'Dashboard');
    const { key: uploadsKey, topic: uploadsTopic, board: uploadsDashboard } = fanOutTopic('Uploads', 'UploadEvents', 'UploadsDashboard');

    // Subscribers: queue (with DLQ) <- subscription (filter, same DLQ) [-> recorder -> table].
    const orders = { eventType: sns.SubscriptionFilter.stringFilter({ allowlist: ['OrderPlaced'] }) };
    const subscribers: SubscriberSpec[] = [
      { name: 'Shipping', topic: ordersTopic, filterPolicy: orders, recorder: true },
      {
        name: 'Fraud',
        topic: ordersTopic,
        filterPolicy: { ...orders, amount: sns.SubscriptionFilter.numericFilter({ greaterThanOrEqualTo: 1000 }) },
        recorder: true,
      },
      {
        name: 'Analytics',
        topic: ordersTopic,
        filterPolicyWithMessageBody: { eventType: sns.FilterOrPolicy.filter(sns.SubscriptionFilter.stringFilter({ allowlist: ['OrderPlaced'] })) },
        rawMessageDelivery: true,
        recorder: true,
      },
      { name: 'Import', topic: uploadsTopic, recorder: false },
      { name: 'Audit', topic: uploadsTopic, recorder: false },
    ];
    for (const spec of subscribers) {
      const name = spec.name;
      const fanOut = spec.topic === uploadsTopic ? 'UploadEvents' : 'Orders';
      const queuePath = `${p}/${fanOut}/${name}/Queue`;
      const buffer = bufferQueue(this, name, `${fanOut}-${name}-Queue`, {
        visibilityTimeout: spec.recorder ? Duration.seconds(6 * 30) : undefined,
        maxReceiveCount: 3,
      });
      const { queue, deadLetterQueue } = buffer;
      // Written out rather than SqsSubscription so the subscription waits for the queue policy.
      const queuePolicy = queue.addToResourcePolicy(new iam.PolicyStatement({
        actions: ['sqs:SendMessage'],
        principals: [new iam.ServicePrincipal('sns.amazonaws.com')],
        resources: [queue.queueArn],
        conditions: { ArnEquals: { 'aws:SourceArn': spec.topic.topicArn } },
      }));
      const subscription = new sns.Subscription(this, `${name}Subscription`, {
        topic: spec.topic,
        endpoint: queue.queueArn,
        protocol: sns.SubscriptionProtocol.SQS,
        rawMessageDelivery: spec.rawMessageDelivery,
        filterPolicy: spec.filterPolicy,
        filterPolicyWithMessageBody: spec.filterPolicyWithMessageBody,
        deadLetterQueue,
      });
      if (queuePolicy.policyDependable) subscription.node.addDependency(queuePolicy.policyDependable);

      const subscriberAlarms = queueAlarms(alarm, buffer, {
        queuePath, maxReceiveCount: 3, ageAlarmId: `${name}QueueAgeAlarm`, deadLetterAlarmId: `${name}DeadLetterAlarm`,
      });
      const board = spec.topic === uploadsTopic ? uploadsDashboard : dashboard;
      board.addWidgets(header(`Subscriber: ${name}`), ...queueWidgets(name, buffer));
      new CfnOutput(this, `${name}QueueUrl`, { value: queue.queueUrl });
      new CfnOutput(this, `${name}DeadLetterQueueUrl`, { value: deadLetterQueue.queueUrl });
      if (!spec.recorder) {
        board.addWidgets(alarmRow(`Subscriber: ${name}: alarms`, subscriberAlarms));
        continue;
      }

      const table = recordsTable(this, `${name}Table`, 'orderId');
      const recorder = nodeFunction(this, `${name}Recorder`, {
        asset: bundle('idempotent-recorder'),
        rolePath: `${name}Recorder`,
        description: `Records each order delivered to ${name} once (idempotent on orderId)`,
        environment: {
          TABLE_NAME: table.tableName,
          KEY_ATTRIBUTE: 'orderId',
          ID_FIELD: 'orderId',
          REQUIRED_FIELDS: 'orderId',
        },
      });
      table.grant(recorder, 'dynamodb:PutItem');
      recorder.addEventSource(new SqsEventSource(queue, {
        batchSize: 10,
        reportBatchItemFailures: true,
        maxConcurrency: 5,
      }));

      const consumerOf = `${p}/${name}Recorder: the consumer of ${p}/${fanOut}/${name}`;
      const consumer = consumerAlarms(alarm, recorder, `${name}Recorder`,
        `${consumerOf} is failing; messages reach the dead-letter queue after 3 receives.`,
        `${consumerOf} is throttled; raise account concurrency or lower consumer.maxConcurrency.`);
      dashboard.addWidgets(
        consumerGraph(`${name}: consumer`, recorder, consumer, 24),
        alarmRow(`Subscriber: ${name}: alarms`, [...subscriberAlarms, ...consumer.alarms]),
      );
      new CfnOutput(this, `${name}TableName`, { value: table.tableName });
    }

    // Uploads bucket (access logs into a second bucket); its uploads are published to the topic.
    const uploads = bucketWithAccessLogs(this, 'UploadsBucket', 'uploads/');
    uploads.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.SnsDestination(uploadsTopic), { prefix: 'incoming/', suffix: '.csv' });
    // S3 must be able to encrypt with the topic's key (SnsDestination sets only the topic policy).
    uploadsKey.addToResourcePolicy(new iam.PolicyStatement({
      actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
      principals: [new iam.ServicePrincipal('s3.amazonaws.com')],
      resources: ['*'],
      conditions: { ...fromThisAccount(this), ArnLike: { 'aws:SourceArn': uploads.bucketArn } },
    }));

    new CfnOutput(this, 'OrdersTopicArn', { value: ordersTopic.topicArn });
    new CfnOutput(this, 'UploadsTopicArn', { value: uploadsTopic.topicArn });
    new CfnOutput(this, 'UploadsBucketName', { value: uploads.bucketName });
  }
}
