/**
 * The helpers the plain-L2 peer stacks share, kept in one file as a team writing these stacks by
 * hand would keep them. Plain aws-cdk-lib code only: nothing from this library.
 *
 * Every helper creates its constructs with the ids and properties the peers wrote inline before,
 * in the same order, so the peers' templates are unchanged.
 */
import * as path from 'path';
import { Duration, Names, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';

/** The period of every alarm and graph metric. */
export const ONE_MINUTE = Duration.minutes(1);

/** What a topic's failed-notifications alarm tells the operator. */
export const TOPIC_FAILED_HELP = 'SNS failed to deliver notifications; check subscriber endpoints, their policies and KMS grants.';

/** Path of a bundle the library ships (`npx projen bundle` writes it). */
export function bundle(name: string): string {
  return path.join(__dirname, '..', '..', 'assets', 'lambda', `${name}.lambda`);
}

/** The condition that only the stack's own account may use a resource policy. */
export function fromThisAccount(stack: Stack): { StringEquals: { 'aws:SourceAccount': string } } {
  return { StringEquals: { 'aws:SourceAccount': stack.account } };
}

/** A rotating customer-managed key for the messages of `<stack path>/<what>`. */
export function messagesKey(stack: Stack, id: string, what: string): kms.Key {
  return new kms.Key(stack, id, {
    enableKeyRotation: true, removalPolicy: RemovalPolicy.DESTROY, description: `Encrypts the messages of ${stack.node.path}/${what}`,
  });
}

/** An alarm that fires above 0 on one datapoint (override with `options`), missing data not breaching. */
export function thresholdAlarm(
  stack: Stack, id: string, metric: cloudwatch.IMetric, options: Partial<cloudwatch.CreateAlarmOptions>,
): cloudwatch.Alarm {
  return new cloudwatch.Alarm(stack, id, {
    metric,
    threshold: 0,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    ...options,
  });
}

/** An encrypted, TLS-only topic, its key, and the alarm on its failed notifications (which notifies nobody). */
export interface SecureTopic {
  readonly key: kms.Key;
  readonly topic: sns.Topic;
}

/**
 * `<name>Key` and `<name>Topic`, which `servicePrincipal` of this account may publish to (and use
 * the key of), then the failed-notifications alarm `failedAlarmId`.
 */
export function secureTopic(stack: Stack, name: string, servicePrincipal: string, failedAlarmId: string): SecureTopic {
  const key = messagesKey(stack, `${name}Key`, name);
  const topic = new sns.Topic(stack, `${name}Topic`, { masterKey: key, enforceSSL: true });
  const principal = new iam.ServicePrincipal(servicePrincipal);
  const conditions = fromThisAccount(stack);
  topic.addToResourcePolicy(new iam.PolicyStatement({
    actions: ['sns:Publish'], principals: [principal], resources: [topic.topicArn], conditions,
  }));
  key.addToResourcePolicy(new iam.PolicyStatement({
    actions: ['kms:GenerateDataKey*', 'kms:Decrypt'], principals: [principal], resources: ['*'], conditions,
  }));
  thresholdAlarm(stack, failedAlarmId, topic.metricNumberOfNotificationsFailed({ statistic: 'Sum', period: ONE_MINUTE }), {
    alarmDescription: `${stack.node.path}/${name}: ${TOPIC_FAILED_HELP}`,
  });
  return { key, topic };
}

/** Creates an alarm that notifies the alarm topic (on alarm and on OK) unless `notify` is false. */
export type AlarmFactory =
  (metric: cloudwatch.IMetric, alarmId: string, options: Partial<cloudwatch.CreateAlarmOptions>, notify?: boolean) => cloudwatch.Alarm;

/** The alarm topic (`AlarmsKey`, `AlarmsTopic`, `AlarmsTopicFailedAlarm`) CloudWatch may publish to, and an {@link AlarmFactory} notifying it. */
export function alarmTopic(stack: Stack, failedAlarmId = 'AlarmsTopicFailedAlarm'): { readonly topic: sns.Topic; readonly alarm: AlarmFactory } {
  const { topic } = secureTopic(stack, 'Alarms', 'cloudwatch.amazonaws.com', failedAlarmId);
  return { topic, alarm: notifying(stack, topic) };
}

/** An {@link AlarmFactory} whose alarms notify `topic`. */
export function notifying(stack: Stack, topic: sns.ITopic): AlarmFactory {
  const action = new actions.SnsAction(topic);
  return (metric, alarmId, options, notify = true) => {
    const a = thresholdAlarm(stack, alarmId, metric, options);
    if (notify) {
      a.addAlarmAction(action);
      a.addOkAction(action);
    }
    return a;
  };
}

/** A table keyed on one string attribute, point-in-time recovery, retained. */
export function recordsTable(stack: Stack, id: string, partitionKey: string): dynamodb.TableV2 {
  return new dynamodb.TableV2(stack, id, {
    partitionKey: { name: partitionKey, type: dynamodb.AttributeType.STRING },
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    removalPolicy: RemovalPolicy.RETAIN,
  });
}

/** Options of {@link bufferQueue}. */
export interface BufferQueueOptions {
  /** Receives before a message goes to the dead-letter queue. */
  readonly maxReceiveCount: number;
  readonly visibilityTimeout?: Duration;
  /** Retention of the queue itself (the dead-letter queue keeps 14 days). */
  readonly retentionPeriod?: Duration;
}

/** A queue and its dead-letter queue. */
export interface BufferQueue {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
}

/**
 * `<id>DeadLetterQueue` (named `<unique>-<nameSuffix>-dlq`, redrive allowed from the queue only,
 * by ARN) and `<id>Queue` (named `<unique>-<nameSuffix>`): SSE, TLS only, long polling.
 */
export function bufferQueue(stack: Stack, id: string, nameSuffix: string, options: BufferQueueOptions): BufferQueue {
  const queueName = `${Names.uniqueResourceName(stack, { maxLength: 40 })}-${nameSuffix}`;
  const common = {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    receiveMessageWaitTime: Duration.seconds(20),
    removalPolicy: RemovalPolicy.DESTROY,
  };
  const deadLetterQueue = new sqs.Queue(stack, `${id}DeadLetterQueue`, {
    ...common,
    queueName: `${queueName}-dlq`,
    redriveAllowPolicy: {
      redrivePermission: sqs.RedrivePermission.BY_QUEUE,
      sourceQueues: [sqs.Queue.fromQueueArn(stack, `${id}QueueByArn`, stack.formatArn({ service: 'sqs', resource: queueName }))],
    },
    retentionPeriod: Duration.days(14),
  });
  const queue = new sqs.Queue(stack, `${id}Queue`, {
    ...common,
    queueName,
    visibilityTimeout: options.visibilityTimeout,
    retentionPeriod: options.retentionPeriod,
    deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: options.maxReceiveCount },
  });
  return { queue, deadLetterQueue };
}

/** Messages waiting in a (dead-letter) queue. */
export function deadLetters(queue: sqs.IQueue): cloudwatch.Metric {
  return queue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: ONE_MINUTE });
}

/** Age of the oldest message of a queue. */
export function oldestMessageAge(queue: sqs.IQueue): cloudwatch.Metric {
  return queue.metricApproximateAgeOfOldestMessage({ statistic: 'Maximum', period: ONE_MINUTE });
}

/** Ids and wording of {@link queueAlarms}. */
export interface QueueAlarmsOptions {
  /** Construct path the descriptions name. */
  readonly queuePath: string;
  readonly maxReceiveCount: number;
  readonly ageAlarmId: string;
  readonly deadLetterAlarmId: string;
}

/** The oldest message waited more than 15 minutes (3 periods); messages in the dead-letter queue. */
export function queueAlarms(alarm: AlarmFactory, buffer: BufferQueue, options: QueueAlarmsOptions): cloudwatch.Alarm[] {
  return [
    alarm(oldestMessageAge(buffer.queue), options.ageAlarmId, {
      threshold: 15 * 60,
      evaluationPeriods: 3,
      alarmDescription: `${options.queuePath}: the oldest message has waited more than 15 minutes (900 s); consumers are down or too slow.`,
    }),
    alarm(deadLetters(buffer.deadLetterQueue), options.deadLetterAlarmId, {
      alarmDescription: `${options.queuePath}: messages are in the dead-letter queue; they failed ${options.maxReceiveCount} receives. Inspect and redrive them.`,
    }),
  ];
}

/** `<title>: traffic`, `<title>: lag` (with minutes to drain) and `<title>: dead letters`. */
export function queueWidgets(title: string, buffer: BufferQueue): cloudwatch.IWidget[] {
  const { queue } = buffer;
  return [
    new cloudwatch.GraphWidget({
      title: `${title}: traffic`,
      left: [queue.metricNumberOfMessagesSent({ statistic: 'Sum', period: ONE_MINUTE }),
        queue.metricNumberOfMessagesDeleted({ statistic: 'Sum', period: ONE_MINUTE })],
      right: [queue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: ONE_MINUTE }),
        queue.metricApproximateNumberOfMessagesNotVisible({ statistic: 'Maximum', period: ONE_MINUTE })],
      width: 12,
    }),
    new cloudwatch.GraphWidget({
      title: `${title}: lag`,
      left: [oldestMessageAge(queue)],
      right: [new cloudwatch.MathExpression({
        label: 'Minutes to drain',
        expression: 'IF(deleted > 0, visible / deleted)',
        usingMetrics: {
          visible: queue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: ONE_MINUTE }),
          deleted: queue.metricNumberOfMessagesDeleted({ statistic: 'Sum', period: ONE_MINUTE }),
        },
        period: ONE_MINUTE,
      })],
      width: 6,
    }),
    new cloudwatch.SingleValueWidget({ title: `${title}: dead letters`, metrics: [deadLetters(buffer.deadLetterQueue)], width: 6 }),
  ];
}

/** Options of {@link nodeFunction}. */
export interface NodeFunctionOptions {
  /** Path of the bundle ({@link bundle}). */
  readonly asset: string;
  readonly description: string;
  /** The function's variables (connection reuse is added). */
  readonly environment: { [name: string]: string };
  /** What the role's description names, under the stack's path. */
  readonly rolePath: string;
  readonly deadLetterQueue?: sqs.IQueue;
}

/**
 * `<id>LogGroup` (one month), `<id>Role` (may write to that log group only) and the function `<id>`:
 * Node.js 24 on arm64, 256 MB, 30 s, JSON logs.
 */
export function nodeFunction(stack: Stack, id: string, options: NodeFunctionOptions): lambda.Function {
  const logGroup = new logs.LogGroup(stack, `${id}LogGroup`, { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
  const role = new iam.Role(stack, `${id}Role`, {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: `Execution role of ${stack.node.path}/${options.rolePath}`,
  });
  logGroup.grant(role, 'logs:CreateLogStream', 'logs:PutLogEvents');
  return new lambda.Function(stack, id, {
    role,
    runtime: lambda.Runtime.NODEJS_24_X,
    architecture: lambda.Architecture.ARM_64,
    handler: 'index.handler',
    code: lambda.Code.fromAsset(options.asset),
    memorySize: 256,
    timeout: Duration.seconds(30),
    deadLetterQueue: options.deadLetterQueue,
    description: options.description,
    environment: { ...options.environment, AWS_NODEJS_CONNECTION_REUSE_ENABLED: '1' },
    logGroup,
    loggingFormat: lambda.LoggingFormat.JSON,
    applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
    systemLogLevelV2: lambda.SystemLogLevel.WARN,
  });
}

/**
 * The write buffer's batch writer `Writer` (the library's bundle, dynamodb sink) for the buffer at
 * `<stack path>/<buffer>`: it may send to the dead-letter queue and batch-write the table.
 */
export function batchWriter(
  stack: Stack, buffer: string, queue: BufferQueue, table: dynamodb.ITableV2, schema: object, partitionKey: string,
): lambda.Function {
  const writer = nodeFunction(stack, 'Writer', {
    asset: bundle('write-buffer-writer'),
    rolePath: `${buffer}/Writer`,
    description: `Writes the messages of ${stack.node.path}/${buffer} in batches (dynamodb sink); poison messages to the dead-letter queue`,
    environment: {
      DEAD_LETTER_QUEUE_URL: queue.deadLetterQueue.queueUrl,
      MESSAGE_SCHEMA: JSON.stringify(schema),
      WRITE_BUFFER_SINK: 'dynamodb',
      TABLE_NAME: table.tableName,
      PARTITION_KEY: partitionKey,
    },
  });
  queue.deadLetterQueue.grant(writer, 'sqs:SendMessage');
  table.grant(writer, 'dynamodb:BatchWriteItem', 'dynamodb:PutItem');
  return writer;
}

/** A consumer function's error and throttle metrics and alarms. */
export interface ConsumerAlarms {
  readonly errors: cloudwatch.Metric;
  readonly throttles: cloudwatch.Metric;
  readonly alarms: cloudwatch.Alarm[];
}

/** `<id>ErrorsAlarm` (2 of 3 periods) and `<id>ThrottlesAlarm` (3 of 5 periods). */
export function consumerAlarms(
  alarm: AlarmFactory, fn: lambda.IFunction, id: string, errorsDescription: string, throttlesDescription: string,
): ConsumerAlarms {
  const errors = fn.metricErrors({ statistic: 'Sum', period: ONE_MINUTE });
  const throttles = fn.metricThrottles({ statistic: 'Sum', period: ONE_MINUTE });
  const alarms = [
    alarm(errors, `${id}ErrorsAlarm`, { evaluationPeriods: 3, datapointsToAlarm: 2, alarmDescription: errorsDescription }),
    alarm(throttles, `${id}ThrottlesAlarm`, { evaluationPeriods: 5, datapointsToAlarm: 3, alarmDescription: throttlesDescription }),
  ];
  return { errors, throttles, alarms };
}

/** Invocations, errors and throttles on the left, p99 duration on the right. */
export function consumerGraph(title: string, fn: lambda.IFunction, consumer: ConsumerAlarms, width: number): cloudwatch.GraphWidget {
  return new cloudwatch.GraphWidget({
    title,
    left: [fn.metricInvocations({ statistic: 'Sum', period: ONE_MINUTE }), consumer.errors, consumer.throttles],
    right: [fn.metricDuration({ statistic: 'p99', period: ONE_MINUTE })],
    width,
  });
}

/** The batch writer's alarms (`Writer…`, `TableWriteThrottlesAlarm`) and its dashboard widgets. */
export function writerParts(alarm: AlarmFactory, writer: lambda.IFunction, table: dynamodb.ITableV2, bufferPath: string, maxReceiveCount: number):
{ readonly alarms: cloudwatch.Alarm[]; readonly widgets: cloudwatch.IWidget[] } {
  const writerOf = `${bufferPath}/Writer: the writer of ${bufferPath}`;
  const consumer = consumerAlarms(alarm, writer, 'Writer',
    `${writerOf} is failing (whole invocations, e.g. timeouts); its messages are retried and reach the dead-letter queue after ${maxReceiveCount} receives.`,
    `${writerOf} is throttled by Lambda; raise the account's or the function's concurrency, or lower consumer.maxConcurrency.`);
  const tableThrottles = new cloudwatch.Metric({
    namespace: 'AWS/DynamoDB', metricName: 'WriteThrottleEvents', dimensionsMap: { TableName: table.tableName }, statistic: 'Sum', period: ONE_MINUTE,
  });
  const alarms = [
    ...consumer.alarms,
    alarm(tableThrottles, 'TableWriteThrottlesAlarm', {
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
      alarmDescription: `${bufferPath}: writes to the table are throttled; the writer retries and the buffer grows. Lower consumer.maxConcurrency or raise the table's write capacity.`,
    }),
  ];
  const widgets = [
    consumerGraph('Writer', writer, consumer, 12),
    new cloudwatch.GraphWidget({ title: 'Table: write throttle events', left: [tableThrottles], width: 12 }),
  ];
  return { alarms, widgets };
}

/** `<title>: notifications`: published and delivered on the left, `failed` on the right. */
export function notificationsGraph(title: string, topic: sns.ITopic, failed: cloudwatch.IMetric): cloudwatch.GraphWidget {
  return new cloudwatch.GraphWidget({
    title: `${title}: notifications`,
    left: [topic.metricNumberOfMessagesPublished({ statistic: 'Sum', period: ONE_MINUTE }),
      topic.metricNumberOfNotificationsDelivered({ statistic: 'Sum', period: ONE_MINUTE })],
    right: [failed],
    width: 24,
  });
}

/** The title of a write buffer's dashboard. */
export function writeBufferTitle(bufferPath: string): string {
  return `# ${bufferPath}\nWrite buffer: queue traffic and lag (age of the oldest message), dead letters, then the writer (invocations, errors, throttles, duration) and the sink's throttling.`;
}

/** A section header (`## <title>`, full width). */
export function header(title: string): cloudwatch.TextWidget {
  return new cloudwatch.TextWidget({ markdown: `## ${title}`, width: 24, height: 1 });
}

/** A full-width row of alarm states. */
export function alarmRow(title: string, alarms: cloudwatch.IAlarm[]): cloudwatch.AlarmStatusWidget {
  return new cloudwatch.AlarmStatusWidget({ title, alarms, width: 24, height: 2 });
}

/** A dashboard that starts with a title (markdown, full width). */
export function dashboard(stack: Stack, id: string, title: string): cloudwatch.Dashboard {
  const d = new cloudwatch.Dashboard(stack, id);
  d.addWidgets(new cloudwatch.TextWidget({ markdown: title, width: 24, height: 2 }));
  return d;
}

/** A section: its header, the widgets, then `<title>: alarms`. */
export function section(d: cloudwatch.Dashboard, title: string, widgets: cloudwatch.IWidget[], alarms: cloudwatch.IAlarm[]): void {
  d.addWidgets(header(title));
  d.addWidgets(...widgets);
  d.addWidgets(alarmRow(`${title}: alarms`, alarms));
}

/** A bucket's settings: SSE-S3, TLS only, versioned, private (no ACLs), retained. */
export const SECURE_BUCKET_PROPS: s3.BucketProps = {
  encryption: s3.BucketEncryption.S3_MANAGED,
  enforceSSL: true,
  versioned: true,
  blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
  objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
  removalPolicy: RemovalPolicy.RETAIN,
};

/** `AccessLogsBucket` and `<id>` (access logs into the first under `<logPrefix>`): {@link SECURE_BUCKET_PROPS}. */
export function bucketWithAccessLogs(stack: Stack, id: string, logPrefix: string): s3.Bucket {
  const bucketProps = SECURE_BUCKET_PROPS;
  const accessLogs = new s3.Bucket(stack, 'AccessLogsBucket', bucketProps);
  return new s3.Bucket(stack, id, { ...bucketProps, serverAccessLogsBucket: accessLogs, serverAccessLogsPrefix: logPrefix });
}
