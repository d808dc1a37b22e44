/**
 * The peer of `DailyPriceStack`: the same architecture written the way a careful user would
 * write it with plain aws-cdk-lib L2 constructs and no code from this library.
 *
 * Same resources (59): two encrypted topics (alarms: CloudWatch may publish; price alerts:
 * EventBridge may publish), a history table, a buffer queue (with DLQ) drained by the bundled
 * batch writer, an event bus with a 90-day archive and two rules (history -> queue with the
 * event's detail, alerts -> topic with a text message), each with its own dead-letter queue,
 * retry policy and five alarms, the bundled price fetcher (DLQ for failed asynchronous runs),
 * an EventBridge Scheduler group, role and cron schedule in a time zone with retries and the
 * same DLQ, five schedule alarms, and three dashboards.
 *
 * Like for like, property by property: the same descriptions, names, policies, environment,
 * alarm descriptions and dashboard widgets. The bench checks every resource against ours.
 */
import * as path from 'path';
import { CfnOutput, Duration, Names, RemovalPolicy, Stack, StackProps, TimeZone } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** The same bundles the library ships (`npx projen bundle` writes them). */
const WRITER_ASSET = path.join(__dirname, '..', '..', 'assets', 'lambda', 'write-buffer-writer.lambda');
const FETCHER_ASSET = path.join(__dirname, '..', '..', 'assets', 'lambda', 'price-fetcher.lambda');

const PRICE_SCHEMA = {
  type: apigateway.JsonSchemaType.OBJECT,
  required: ['priceId', 'symbol', 'price', 'changePercent'],
  properties: {
    priceId: { type: apigateway.JsonSchemaType.STRING, minLength: 1, maxLength: 64 },
    symbol: { type: apigateway.JsonSchemaType.STRING, minLength: 1, maxLength: 16 },
    price: { type: apigateway.JsonSchemaType.NUMBER },
    previousClose: { type: apigateway.JsonSchemaType.NUMBER },
    changePercent: { type: apigateway.JsonSchemaType.NUMBER },
    recordedAt: { type: apigateway.JsonSchemaType.STRING },
  },
};

export interface PlainDailyPriceStackProps extends StackProps {
  /** URL of the quote service the fetcher calls. */
  readonly quoteEndpoint: string;
}

export class PlainDailyPriceStack extends Stack {
  constructor(scope: Construct, id: string, props: PlainDailyPriceStackProps) {
    super(scope, id, props);
    const oneMinute = Duration.minutes(1);
    const p = this.node.path;
    const fromThisAccount = { StringEquals: { 'aws:SourceAccount': this.account } };

    // Encrypted, TLS-only topics a service may publish to (and use the key of).
    const secureTopic = (name: string, service: string) => {
      const key = new kms.Key(this, `${name}Key`, {
        enableKeyRotation: true, removalPolicy: RemovalPolicy.DESTROY, description: `Encrypts the messages of ${p}/${name}`,
      });
      const topic = new sns.Topic(this, `${name}Topic`, { masterKey: key, enforceSSL: true });
      const principal = new iam.ServicePrincipal(service);
      topic.addToResourcePolicy(new iam.PolicyStatement({
        actions: ['sns:Publish'], principals: [principal], resources: [topic.topicArn], conditions: fromThisAccount,
      }));
      key.addToResourcePolicy(new iam.PolicyStatement({
        actions: ['kms:GenerateDataKey*', 'kms:Decrypt'], principals: [principal], resources: ['*'], conditions: fromThisAccount,
      }));
      topic.metricNumberOfNotificationsFailed({ statistic: 'Sum', period: oneMinute }).createAlarm(this, `${name}FailedAlarm`, {
        threshold: 0,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: `${p}/${name}: SNS failed to deliver notifications; check subscriber endpoints, their policies and KMS grants.`,
      });
      return topic;
    };
    const alarmTopic = secureTopic('Alarms', 'cloudwatch.amazonaws.com');
    const alertTopic = secureTopic('PriceAlerts', 'events.amazonaws.com');
    const alarmAction = new actions.SnsAction(alarmTopic);
    const alarm = (metric: cloudwatch.Metric, alarmId: string, options: Partial<cloudwatch.CreateAlarmOptions>) => {
      const a = metric.createAlarm(this, alarmId, {
        threshold: 0,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        ...options,
      });
      a.addAlarmAction(alarmAction);
      a.addOkAction(alarmAction);
      return a;
    };
    const deadLetters = (queue: sqs.IQueue) => queue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: oneMinute });
    const dashboard = (dashboardId: string, title: string) => {
      const d = new cloudwatch.Dashboard(this, dashboardId);
      d.addWidgets(new cloudwatch.TextWidget({ markdown: title, width: 24, height: 2 }));
      return d;
    };
    const section = (d: cloudwatch.Dashboard, title: string, widgets: cloudwatch.IWidget[], alarms: cloudwatch.IAlarm[]) => {
      d.addWidgets(new cloudwatch.TextWidget({ markdown: `## ${title}`, width: 24, height: 1 }));
      d.addWidgets(...widgets);
      d.addWidgets(new cloudwatch.AlarmStatusWidget({ title: `${title}: alarms`, alarms, width: 24, height: 2 }));
    };

    // History: buffer queue (with DLQ) -> batch writer -> table.
    const table = new dynamodb.TableV2(this, 'PriceHistory', {
      partitionKey: { name: 'priceId', type: dynamodb.AttributeType.STRING },
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const queueName = `${Names.uniqueResourceName(this, { maxLength: 40 })}-HistoryQueue`;
    const historyDlq = new sqs.Queue(this, 'HistoryDeadLetterQueue', {
      queueName: `${queueName}-dlq`,
      redriveAllowPolicy: {
        redrivePermission: sqs.RedrivePermission.BY_QUEUE,
        sourceQueues: [sqs.Queue.fromQueueArn(this, 'HistoryQueueByArn', this.formatArn({ service: 'sqs', resource: queueName }))],
      },
      retentionPeriod: Duration.days(14),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      receiveMessageWaitTime: Duration.seconds(20),
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const historyQueue = new sqs.Queue(this, 'HistoryQueue', {
      queueName,
      visibilityTimeout: Duration.seconds(6 * 30),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      receiveMessageWaitTime: Duration.seconds(20),
      deadLetterQueue: { queue: historyDlq, maxReceiveCount: 5 },
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const writerLogs = new logs.LogGroup(this, 'WriterLogGroup', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
    const writerRole = new iam.Role(this, 'WriterRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${p}/History/Writer`,
    });
    writerLogs.grant(writerRole, 'logs:CreateLogStream', 'logs:PutLogEvents');
    const writer = new lambda.Function(this, 'Writer', {
      role: writerRole,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(WRITER_ASSET),
      memorySize: 256,
      timeout: Duration.seconds(30),
      description: `Writes the messages of ${p}/History in batches (dynamodb sink); poison messages to the dead-letter queue`,
      environment: {
        DEAD_LETTER_QUEUE_URL: historyDlq.queueUrl,
        MESSAGE_SCHEMA: JSON.stringify(PRICE_SCHEMA),
        WRITE_BUFFER_SINK: 'dynamodb',
        TABLE_NAME: table.tableName,
        PARTITION_KEY: 'priceId',
        AWS_NODEJS_CONNECTION_REUSE_ENABLED: '1',
      },
      logGroup: writerLogs,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
    });
    historyDlq.grant(writer, 'sqs:SendMessage');
    table.grant(writer, 'dynamodb:BatchWriteItem', 'dynamodb:PutItem');
    writer.addEventSource(new SqsEventSource(historyQueue, { batchSize: 10, reportBatchItemFailures: true, maxConcurrency: 2 }));

    const oldestAge = historyQueue.metricApproximateAgeOfOldestMessage({ statistic: 'Maximum', period: oneMinute });
    const historyDlqDepth = deadLetters(historyDlq);
    const queueAlarms = [
      alarm(oldestAge, 'HistoryQueueAgeAlarm', {
        threshold: 15 * 60,
        evaluationPeriods: 3,
        alarmDescription: `${p}/History/Queue: the oldest message has waited more than 15 minutes (900 s); consumers are down or too slow.`,
      }),
      alarm(historyDlqDepth, 'HistoryDeadLetterAlarm', {
        alarmDescription: `${p}/History/Queue: messages are in the dead-letter queue; they failed 5 receives. Inspect and redrive them.`,
      }),
    ];
    const errors = writer.metricErrors({ statistic: 'Sum', period: oneMinute });
    const throttles = writer.metricThrottles({ statistic: 'Sum', period: oneMinute });
    const tableThrottles = new cloudwatch.Metric({
      namespace: 'AWS/DynamoDB', metricName: 'WriteThrottleEvents', dimensionsMap: { TableName: table.tableName }, statistic: 'Sum', period: oneMinute,
    });
    const writerAlarms = [
      alarm(errors, 'WriterErrorsAlarm', {
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        alarmDescription: `${p}/History/Writer: the writer of ${p}/History is failing (whole invocations, e.g. timeouts); its messages are retried and reach the dead-letter queue after 5 receives.`,
      }),
      alarm(throttles, 'WriterThrottlesAlarm', {
        evaluationPeriods: 5,
        datapointsToAlarm: 3,
        alarmDescription: `${p}/History/Writer: the writer of ${p}/History is throttled by Lambda; raise the account's or the function's concurrency, or lower consumer.maxConcurrency.`,
      }),
      alarm(tableThrottles, 'TableWriteThrottlesAlarm', {
        evaluationPeriods: 5,
        datapointsToAlarm: 3,
        alarmDescription: `${p}/History: writes to the table are throttled; the writer retries and the buffer grows. Lower consumer.maxConcurrency or raise the table's write capacity.`,
      }),
    ];
    const historyDashboard = dashboard('HistoryDashboard', `# ${p}/History\nWrite buffer: queue traffic and lag (age of the oldest message), dead letters, then the writer (invocations, errors, throttles, duration) and the sink's throttling.`);
    section(historyDashboard, 'Buffer queue', [
      new cloudwatch.GraphWidget({
        title: 'Queue: traffic',
        left: [historyQueue.metricNumberOfMessagesSent({ statistic: 'Sum', period: oneMinute }),
          historyQueue.metricNumberOfMessagesDeleted({ statistic: 'Sum', period: oneMinute })],
        right: [historyQueue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: oneMinute }),
          historyQueue.metricApproximateNumberOfMessagesNotVisible({ statistic: 'Maximum', period: oneMinute })],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Queue: lag',
        left: [oldestAge],
        right: [new cloudwatch.MathExpression({
          label: 'Minutes to drain',
          expression: 'IF(deleted > 0, visible / deleted)',
          usingMetrics: {
            visible: historyQueue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: oneMinute }),
            deleted: historyQueue.metricNumberOfMessagesDeleted({ statistic: 'Sum', period: oneMinute }),
          },
          period: oneMinute,
        })],
        width: 6,
      }),
      new cloudwatch.SingleValueWidget({ title: 'Queue: dead letters', metrics: [historyDlqDepth], width: 6 }),
    ], queueAlarms);
    section(historyDashboard, 'Writer', [
      new cloudwatch.GraphWidget({
        title: 'Writer',
        left: [writer.metricInvocations({ statistic: 'Sum', period: oneMinute }), errors, throttles],
        right: [writer.metricDuration({ statistic: 'p99', period: oneMinute })],
        width: 12,
      }),
      new cloudwatch.GraphWidget({ title: 'Table: write throttle events', left: [tableThrottles], width: 12 }),
    ], writerAlarms);

    // Event bus with an archive, and two routes, each with its own dead-letter queue.
    const bus = new events.EventBus(this, 'PricesBus', { description: `Bus of ${p}/Prices` });
    const archive = new events.Archive(this, 'PricesArchive', {
      sourceEventBus: bus,
      description: `Archive of ${p}/Prices`,
      eventPattern: { account: [this.account] },
      retention: Duration.days(90),
    });
    // aws-cdk-lib 2.257 writes "KmsKeyIdentifier": "" without a key, which AWS rejects (aws-cdk
    // issue 37847): a careful user leaves it out, as the library does.
    (archive.node.defaultChild as events.CfnArchive).addPropertyDeletionOverride('KmsKeyIdentifier');
    const routesDashboard = dashboard('PricesDashboard', `# ${p}/Prices\nEventRouter: per route, matched events and invocations, failures after retries, dead letters.`);
    const recorded = { source: ['daily-price.fetcher'], detailType: ['PriceRecorded'] };
    const route = (name: string, eventPattern: events.EventPattern, target: (dlq: sqs.IQueue) => events.IRuleTarget) => {
      const dlq = new sqs.Queue(this, `${name}RouteDeadLetterQueue`, {
        encryption: sqs.QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14), removalPolicy: RemovalPolicy.DESTROY,
      });
      const rule = new events.Rule(this, `${name}Rule`, { eventBus: bus, description: `Route ${name} of ${p}/Prices`, eventPattern });
      rule.addTarget(target(dlq));
      const metric = (metricName: string) => new cloudwatch.Metric({
        namespace: 'AWS/Events', metricName, dimensionsMap: { EventBusName: bus.eventBusName, RuleName: rule.ruleName }, statistic: 'Sum', period: oneMinute,
      });
      const routeName = `route ${name} (${p}/Prices/${name})`;
      const dlqDepth = deadLetters(dlq);
      const alarms = [
        alarm(metric('FailedInvocations'), `${name}FailedInvocationsAlarm`, {
          alarmDescription: `Targets of ${routeName} failed after their retries. Check the targets' permissions and health; the events are in the route's dead-letter queue.`,
        }),
        alarm(metric('InvocationsSentToDlq'), `${name}SentToDlqAlarm`, {
          alarmDescription: `Events of ${routeName} went to a dead-letter queue. Inspect the DLQ messages' attributes (ERROR_CODE, ERROR_MESSAGE) and redrive once fixed.`,
        }),
        alarm(metric('InvocationsFailedToBeSentToDlq'), `${name}FailedToDlqAlarm`, {
          alarmDescription: `Events of ${routeName} could not be put on the dead-letter queue: they are LOST. Check the DLQ's resource policy and encryption key.`,
        }),
        alarm(metric('ThrottledRules'), `${name}ThrottledAlarm`, {
          alarmDescription: `Invocations of ${routeName} are throttled. Raise the target's limit (Lambda concurrency, API destination rate) or the EventBridge invocation quota.`,
        }),
        alarm(dlqDepth, `${name}DeadLettersAlarm`, {
          alarmDescription: `The dead-letter queue of ${routeName} holds events EventBridge could not deliver. Fix the cause, then redrive them.`,
        }),
      ];
      section(routesDashboard, `${p}/Prices route ${name}`, [
        new cloudwatch.GraphWidget({ title: `${name}: traffic`, left: [metric('MatchedEvents'), metric('Invocations')], width: 8 }),
        new cloudwatch.GraphWidget({
          title: `${name}: failures`,
          left: [metric('FailedInvocations'), metric('ThrottledRules'), metric('InvocationsSentToDlq'), metric('InvocationsFailedToBeSentToDlq')],
          width: 10,
        }),
        new cloudwatch.SingleValueWidget({ title: `${name}: dead letters`, metrics: [dlqDepth], width: 6 }),
      ], alarms);
    };
    const retries = { maxEventAge: Duration.hours(24), retryAttempts: 185 };
    route('History', recorded, dlq => new targets.SqsQueue(historyQueue, {
      deadLetterQueue: dlq, message: events.RuleTargetInput.fromEventPath('$.detail'), ...retries,
    }));
    route('Alerts', {
      ...recorded,
      detail: { changePercent: events.Match.anyOf(events.Match.greaterThanOrEqual(5), events.Match.lessThanOrEqual(-5)) },
    }, dlq => new targets.SnsTopic(alertTopic, {
      deadLetterQueue: dlq,
      message: events.RuleTargetInput.fromText(
        `${events.EventField.fromPath('$.detail.symbol')} moved ${events.EventField.fromPath('$.detail.changePercent')}% to ${events.EventField.fromPath('$.detail.price')}`),
      ...retries,
    }));

    // The fetcher: one DLQ for every failed run (Scheduler's and Lambda's asynchronous ones).
    const failedRuns = new sqs.Queue(this, 'FailedRuns', {
      encryption: sqs.QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14),
    });
    const fetcherLogs = new logs.LogGroup(this, 'FetcherLogGroup', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
    const fetcherRole = new iam.Role(this, 'FetcherRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${p}/Fetcher`,
    });
    fetcherLogs.grant(fetcherRole, 'logs:CreateLogStream', 'logs:PutLogEvents');
    const fetcher = new lambda.Function(this, 'Fetcher', {
      role: fetcherRole,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(FETCHER_ASSET),
      memorySize: 256,
      timeout: Duration.seconds(30),
      deadLetterQueue: failedRuns,
      description: 'Fetches closing prices and publishes PriceRecorded events',
      environment: {
        QUOTE_ENDPOINT: props.quoteEndpoint,
        SYMBOLS: 'AMZN',
        EVENT_BUS_NAME: bus.eventBusName,
        EVENT_SOURCE: 'daily-price.fetcher',
        AWS_NODEJS_CONNECTION_REUSE_ENABLED: '1',
      },
      logGroup: fetcherLogs,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
    });
    bus.grantPutEventsTo(fetcher);

    // The schedule: its own group and role, retries, the same DLQ.
    const groupName = `${Names.uniqueResourceName(this, { maxLength: 40 })}-DailyFetch-Group`;
    const group = new scheduler.ScheduleGroup(this, 'DailyFetchGroup', { scheduleGroupName: groupName, removalPolicy: RemovalPolicy.RETAIN });
    const scheduleRole = new iam.Role(this, 'DailyFetchRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': this.account, 'aws:SourceArn': group.scheduleGroupArn } },
      }),
      description: `Role of the scheduled job ${p}/DailyFetch`,
    });
    const schedule = new scheduler.Schedule(this, 'DailyFetchSchedule', {
      description: `Scheduled job ${p}/DailyFetch`,
      scheduleGroup: group,
      schedule: scheduler.ScheduleExpression.expression('cron(0 21 ? * MON-FRI *)', TimeZone.AMERICA_NEW_YORK),
      target: new schedulerTargets.LambdaInvoke(fetcher, {
        role: scheduleRole, deadLetterQueue: failedRuns, retryAttempts: 3, maxEventAge: Duration.hours(1),
      }),
    });
    const schedulerMetric = (metricName: string, options: cloudwatch.MetricOptions = {}) => new cloudwatch.Metric({
      namespace: 'AWS/Scheduler', metricName, dimensionsMap: { ScheduleGroup: groupName }, statistic: 'Sum', ...options,
    });
    const job = `scheduled job ${p}/DailyFetch`;
    const failedRunsDepth = deadLetters(failedRuns);
    const jobAlarms = [
      alarm(schedulerMetric('TargetErrorCount', { period: oneMinute }), 'DailyFetchTargetErrorsAlarm', {
        alarmDescription: `The target of ${job} returned errors. Check the target's logs; Scheduler retries, then dead-letters.`,
      }),
      alarm(schedulerMetric('InvocationDroppedCount', { period: oneMinute }), 'DailyFetchDroppedAlarm', {
        alarmDescription: `Runs of ${job} were DROPPED after the retry policy was exhausted (no dead-letter queue took them). Check the target and the DLQ.`,
      }),
      alarm(schedulerMetric('InvocationsSentToDeadLetterCount', { period: oneMinute }), 'DailyFetchSentToDlqAlarm', {
        alarmDescription: `Runs of ${job} went to its dead-letter queue. Inspect the messages and run the job again once fixed.`,
      }),
      alarm(schedulerMetric('InvocationsFailedToBeSentToDeadLetterCount', { period: oneMinute }), 'DailyFetchFailedToDlqAlarm', {
        alarmDescription: `Runs of ${job} could not be put on the dead-letter queue: they are LOST. Check the role's sqs:SendMessage and the queue's key.`,
      }),
      alarm(failedRunsDepth, 'DailyFetchDeadLettersAlarm', {
        alarmDescription: `The dead-letter queue of ${job} holds runs that failed. Fix the cause, then run them again.`,
      }),
    ];
    const jobDashboard = dashboard('DailyFetchDashboard', `# ${p}/DailyFetch\nScheduledJob: attempts, target errors, dropped and dead-lettered invocations.`);
    section(jobDashboard, `${p}/DailyFetch`, [
      new cloudwatch.GraphWidget({
        title: 'Invocations',
        left: [schedulerMetric('InvocationAttemptCount'), schedulerMetric('TargetErrorCount'), schedulerMetric('InvocationThrottleCount')],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Lost or dead-lettered',
        left: [schedulerMetric('InvocationDroppedCount'), schedulerMetric('InvocationsSentToDeadLetterCount'), schedulerMetric('InvocationsFailedToBeSentToDeadLetterCount')],
        width: 6,
      }),
      new cloudwatch.SingleValueWidget({ title: 'Dead letters', metrics: [failedRunsDepth], width: 6 }),
    ], jobAlarms);

    new CfnOutput(this, 'EventBusName', { value: bus.eventBusName });
    new CfnOutput(this, 'ArchiveArn', { value: archive.archiveArn });
    new CfnOutput(this, 'EventBusArn', { value: bus.eventBusArn });
    new CfnOutput(this, 'HistoryTableName', { value: table.tableName });
    new CfnOutput(this, 'HistoryQueueUrl', { value: historyQueue.queueUrl });
    new CfnOutput(this, 'AlertTopicArn', { value: alertTopic.topicArn });
    new CfnOutput(this, 'FetcherFunctionName', { value: fetcher.functionName });
    new CfnOutput(this, 'ScheduleName', { value: schedule.scheduleName });
    new CfnOutput(this, 'ScheduleGroupName', { value: groupName });
  }
}
