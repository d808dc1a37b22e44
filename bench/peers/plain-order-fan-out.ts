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
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** The same bundle the library ships (`npx projen bundle` writes it). */
const RECORDER_ASSET = path.join(__dirname, '..', '..', 'assets', 'lambda', 'idempotent-recorder.lambda');

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
    const oneMinute = Duration.minutes(1);
    const fromThisAccount = { StringEquals: { 'aws:SourceAccount': this.account } };

    // Alarm topic: encrypted, TLS only, CloudWatch may publish (and use the key).
    const p = this.node.path;
    const keyFor = (keyId: string, what: string) => new kms.Key(this, keyId, {
      enableKeyRotation: true, removalPolicy: RemovalPolicy.DESTROY, description: `Encrypts the messages of ${p}/${what}`,
    });
    const alarmKey = keyFor('AlarmsKey', 'Alarms');
    const alarmTopic = new sns.Topic(this, 'AlarmsTopic', { masterKey: alarmKey, enforceSSL: true });
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
    const failedHelp = 'SNS failed to deliver notifications; check subscriber endpoints, their policies and KMS grants.';
    alarm(alarmTopic.metricNumberOfNotificationsFailed({ statistic: 'Sum', period: oneMinute }), 'AlarmsTopicFailedAlarm',
      { alarmDescription: `${p}/Alarms: ${failedHelp}` }, false);
    const section = (title: string) => new cloudwatch.TextWidget({ markdown: `## ${title}`, width: 24, height: 1 });
    const alarmRow = (title: string, alarms: cloudwatch.IAlarm[]) => new cloudwatch.AlarmStatusWidget({ title, alarms, width: 24, height: 2 });
    const topicSection = (board: cloudwatch.Dashboard, title: string, topic: sns.Topic, failed: cloudwatch.Metric,
      failedAlarm: cloudwatch.IAlarm) => board.addWidgets(
      new cloudwatch.TextWidget({ markdown: `# ${this.stackName}/${title}\nTopic fan-out: notifications published and failed, then one section per subscriber (queue traffic, lag, dead letters, consumer).`, width: 24, height: 2 }),
      section('Topic'),
      new cloudwatch.GraphWidget({
        title: 'Topic: notifications',
        left: [topic.metricNumberOfMessagesPublished({ statistic: 'Sum', period: oneMinute }),
          topic.metricNumberOfNotificationsDelivered({ statistic: 'Sum', period: oneMinute })],
        right: [failed],
        width: 24,
      }),
      alarmRow('Topic: alarms', [failedAlarm]),
    );

    // Orders topic.
    const ordersKey = keyFor('OrdersKey', 'Orders/Topic');
    const ordersTopic = new sns.Topic(this, 'OrdersTopic', { masterKey: ordersKey, enforceSSL: true });
    const topicFailed = ordersTopic.metricNumberOfNotificationsFailed({ statistic: 'Sum', period: oneMinute });
    const ordersFailedAlarm = alarm(topicFailed, 'OrdersTopicFailedAlarm', { alarmDescription: `${p}/Orders/Topic: ${failedHelp}` });
    const dashboard = new cloudwatch.Dashboard(this, 'Dashboard');
    topicSection(dashboard, 'Orders', ordersTopic, topicFailed, ordersFailedAlarm);

    // Uploads topic, with a dashboard per fan-out, as the library makes one per pattern.
    const uploadsKey = keyFor('UploadsKey', 'UploadEvents/Topic');
    const uploadsTopic = new sns.Topic(this, 'UploadsTopic', { masterKey: uploadsKey, enforceSSL: true });
    const uploadsFailed = uploadsTopic.metricNumberOfNotificationsFailed({ statistic: 'Sum', period: oneMinute });
    const uploadsFailedAlarm = alarm(uploadsFailed, 'UploadsTopicFailedAlarm', { alarmDescription: `${p}/UploadEvents/Topic: ${failedHelp}` });
    const uploadsDashboard = new cloudwatch.Dashboard(this, 'UploadsDashboard');
    topicSection(uploadsDashboard, 'UploadEvents', uploadsTopic, uploadsFailed, uploadsFailedAlarm);

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
      const queueName = `${Names.uniqueResourceName(this, { maxLength: 40 })}-${fanOut}-${name}-Queue`;
      const queuePath = `${p}/${fanOut}/${name}/Queue`;
      const deadLetterQueue = new sqs.Queue(this, `${name}DeadLetterQueue`, {
        queueName: `${queueName}-dlq`,
        redriveAllowPolicy: {
          redrivePermission: sqs.RedrivePermission.BY_QUEUE,
          sourceQueues: [sqs.Queue.fromQueueArn(this, `${name}QueueByArn`, this.formatArn({ service: 'sqs', resource: queueName }))],
        },
        retentionPeriod: Duration.days(14),
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        receiveMessageWaitTime: Duration.seconds(20),
        removalPolicy: RemovalPolicy.DESTROY,
      });
      const queue = new sqs.Queue(this, `${name}Queue`, {
        queueName,
        visibilityTimeout: spec.recorder ? Duration.seconds(6 * 30) : undefined,
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        receiveMessageWaitTime: Duration.seconds(20),
        deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: 3 },
        removalPolicy: RemovalPolicy.DESTROY,
      });
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

      const oldestAge = queue.metricApproximateAgeOfOldestMessage({ statistic: 'Maximum', period: oneMinute });
      const dlqDepth = deadLetterQueue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: oneMinute });
      const queueAlarms = [
        alarm(oldestAge, `${name}QueueAgeAlarm`, {
          threshold: 15 * 60,
          evaluationPeriods: 3,
          alarmDescription: `${queuePath}: the oldest message has waited more than 15 minutes (900 s); consumers are down or too slow.`,
        }),
        alarm(dlqDepth, `${name}DeadLetterAlarm`, {
          alarmDescription: `${queuePath}: messages are in the dead-letter queue; they failed 3 receives. Inspect and redrive them.`,
        }),
      ];
      const board = spec.topic === uploadsTopic ? uploadsDashboard : dashboard;
      board.addWidgets(
        section(`Subscriber: ${name}`),
        new cloudwatch.GraphWidget({
          title: `${name}: traffic`,
          left: [queue.metricNumberOfMessagesSent({ statistic: 'Sum', period: oneMinute }),
            queue.metricNumberOfMessagesDeleted({ statistic: 'Sum', period: oneMinute })],
          right: [queue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: oneMinute }),
            queue.metricApproximateNumberOfMessagesNotVisible({ statistic: 'Maximum', period: oneMinute })],
          width: 12,
        }),
        new cloudwatch.GraphWidget({
          title: `${name}: lag`,
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
        new cloudwatch.SingleValueWidget({ title: `${name}: dead letters`, metrics: [dlqDepth], width: 6 }),
      );
      new CfnOutput(this, `${name}QueueUrl`, { value: queue.queueUrl });
      new CfnOutput(this, `${name}DeadLetterQueueUrl`, { value: deadLetterQueue.queueUrl });
      if (!spec.recorder) {
        board.addWidgets(alarmRow(`Subscriber: ${name}: alarms`, queueAlarms));
        continue;
      }

      const table = new dynamodb.TableV2(this, `${name}Table`, {
        partitionKey: { name: 'orderId', type: dynamodb.AttributeType.STRING },
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        removalPolicy: RemovalPolicy.RETAIN,
      });
      const logGroup = new logs.LogGroup(this, `${name}RecorderLogGroup`, {
        retention: logs.RetentionDays.ONE_MONTH,
        removalPolicy: RemovalPolicy.DESTROY,
      });
      const role = new iam.Role(this, `${name}RecorderRole`, {
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
        description: `Execution role of ${p}/${name}Recorder`,
      });
      logGroup.grant(role, 'logs:CreateLogStream', 'logs:PutLogEvents');
      const recorder = new lambda.Function(this, `${name}Recorder`, {
        role,
        runtime: lambda.Runtime.NODEJS_24_X,
        architecture: lambda.Architecture.ARM_64,
        handler: 'index.handler',
        code: lambda.Code.fromAsset(RECORDER_ASSET),
        memorySize: 256,
        timeout: Duration.seconds(30),
        description: `Records each order delivered to ${name} once (idempotent on orderId)`,
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
      table.grant(recorder, 'dynamodb:PutItem');
      recorder.addEventSource(new SqsEventSource(queue, {
        batchSize: 10,
        reportBatchItemFailures: true,
        maxConcurrency: 5,
      }));

      const errors = recorder.metricErrors({ statistic: 'Sum', period: oneMinute });
      const throttles = recorder.metricThrottles({ statistic: 'Sum', period: oneMinute });
      const consumerOf = `${p}/${name}Recorder: the consumer of ${p}/${fanOut}/${name}`;
      const consumerAlarms = [
        alarm(errors, `${name}RecorderErrorsAlarm`, {
          evaluationPeriods: 3,
          datapointsToAlarm: 2,
          alarmDescription: `${consumerOf} is failing; messages reach the dead-letter queue after 3 receives.`,
        }),
        alarm(throttles, `${name}RecorderThrottlesAlarm`, {
          evaluationPeriods: 5,
          datapointsToAlarm: 3,
          alarmDescription: `${consumerOf} is throttled; raise account concurrency or lower consumer.maxConcurrency.`,
        }),
      ];
      dashboard.addWidgets(
        new cloudwatch.GraphWidget({
          title: `${name}: consumer`,
          left: [recorder.metricInvocations({ statistic: 'Sum', period: oneMinute }), errors, throttles],
          right: [recorder.metricDuration({ statistic: 'p99', period: oneMinute })],
          width: 24,
        }),
        alarmRow(`Subscriber: ${name}: alarms`, [...queueAlarms, ...consumerAlarms]),
      );
      new CfnOutput(this, `${name}TableName`, { value: table.tableName });
    }

    // Uploads bucket (access logs into a second bucket); its uploads are published to the topic.
    const accessLogs = new s3.Bucket(this, 'AccessLogsBucket', {
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const uploads = new s3.Bucket(this, 'UploadsBucket', {
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'uploads/',
      removalPolicy: RemovalPolicy.RETAIN,
    });
    uploads.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.SnsDestination(uploadsTopic), { prefix: 'incoming/', suffix: '.csv' });
    // S3 must be able to encrypt with the topic's key (SnsDestination sets only the topic policy).
    uploadsKey.addToResourcePolicy(new iam.PolicyStatement({
      actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
      principals: [new iam.ServicePrincipal('s3.amazonaws.com')],
      resources: ['*'],
      conditions: { ...fromThisAccount, ArnLike: { 'aws:SourceArn': uploads.bucketArn } },
    }));

    new CfnOutput(this, 'OrdersTopicArn', { value: ordersTopic.topicArn });
    new CfnOutput(this, 'UploadsTopicArn', { value: uploadsTopic.topicArn });
    new CfnOutput(this, 'UploadsBucketName', { value: uploads.bucketName });
  }
}
