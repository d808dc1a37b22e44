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
import { CfnOutput, Duration, Names, RemovalPolicy, Stack, StackProps, TimeZone } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  batchWriter, bufferQueue, bundle, dashboard, deadLetters, nodeFunction, notifying, ONE_MINUTE, queueAlarms, queueWidgets, recordsTable, section,
  secureTopic, writeBufferTitle, writerParts,
} from './plain-parts';

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
    const p = this.node.path;

    // Encrypted, TLS-only topics a service may publish to (and use the key of).
    const alarmTopic = secureTopic(this, 'Alarms', 'cloudwatch.amazonaws.com', 'AlarmsFailedAlarm').topic;
    const alertTopic = secureTopic(this, 'PriceAlerts', 'events.amazonaws.com', 'PriceAlertsFailedAlarm').topic;
    const alarm = notifying(this, alarmTopic);

    // History: buffer queue (with DLQ) -> batch writer -> table.
    const table = recordsTable(this, 'PriceHistory', 'priceId');
    const history = bufferQueue(this, 'History', 'HistoryQueue', { visibilityTimeout: Duration.seconds(6 * 30), maxReceiveCount: 5 });
    const historyQueue = history.queue;
    const writer = batchWriter(this, 'History', history, table, PRICE_SCHEMA, 'priceId');
    writer.addEventSource(new SqsEventSource(historyQueue, { batchSize: 10, reportBatchItemFailures: true, maxConcurrency: 2 }));

    const historyQueueAlarms = queueAlarms(alarm, history, {
      queuePath: `${p}/History/Queue`, maxReceiveCount: 5, ageAlarmId: 'HistoryQueueAgeAlarm', deadLetterAlarmId: 'HistoryDeadLetterAlarm',
    });
    const writerSection = writerParts(alarm, writer, table, `${p}/History`, 5);
    const historyDashboard = dashboard(this, 'HistoryDashboard', writeBufferTitle(`${p}/History`));
    section(historyDashboard, 'Buffer queue', queueWidgets('Queue', history), historyQueueAlarms);
    section(historyDashboard, 'Writer', writerSection.widgets, writerSection.alarms);

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
    const routesDashboard = dashboard(this, 'PricesDashboard', `# ${p}/Prices\nEventRouter: per route, matched events and invocations, failures after retries, dead letters.`);
    const recorded = { source: ['daily-price.fetcher'], detailType: ['PriceRecorded'] };
    const route = (name: string, eventPattern: events.EventPattern, target: (dlq: sqs.IQueue) => events.IRuleTarget) => {
      const dlq = new sqs.Queue(this, `${name}RouteDeadLetterQueue`, {
        encryption: sqs.QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14), removalPolicy: RemovalPolicy.DESTROY,
      });
      const rule = new events.Rule(this, `${name}Rule`, { eventBus: bus, description: `Route ${name} of ${p}/Prices`, eventPattern });
      rule.addTarget(target(dlq));
      const metric = (metricName: string) => new cloudwatch.Metric({
        namespace: 'AWS/Events', metricName, dimensionsMap: { EventBusName: bus.eventBusName, RuleName: rule.ruleName }, statistic: 'Sum', period: ONE_MINUTE,
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
    const fetcher = nodeFunction(this, 'Fetcher', {
      asset: bundle('price-fetcher'),
      rolePath: 'Fetcher',
      deadLetterQueue: failedRuns,
      description: 'Fetches closing prices and publishes PriceRecorded events',
      environment: {
        QUOTE_ENDPOINT: props.quoteEndpoint,
        SYMBOLS: 'AMZN',
        EVENT_BUS_NAME: bus.eventBusName,
        EVENT_SOURCE: 'daily-price.fetcher',
      },
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
      alarm(schedulerMetric('TargetErrorCount', { period: ONE_MINUTE }), 'DailyFetchTargetErrorsAlarm', {
        alarmDescription: `The target of ${job} returned errors. Check the target's logs; Scheduler retries, then dead-letters.`,
      }),
      alarm(schedulerMetric('InvocationDroppedCount', { period: ONE_MINUTE }), 'DailyFetchDroppedAlarm', {
        alarmDescription: `Runs of ${job} were DROPPED after the retry policy was exhausted (no dead-letter queue took them). Check the target and the DLQ.`,
      }),
      alarm(schedulerMetric('InvocationsSentToDeadLetterCount', { period: ONE_MINUTE }), 'DailyFetchSentToDlqAlarm', {
        alarmDescription: `Runs of ${job} went to its dead-letter queue. Inspect the messages and run the job again once fixed.`,
      }),
      alarm(schedulerMetric('InvocationsFailedToBeSentToDeadLetterCount', { period: ONE_MINUTE }), 'DailyFetchFailedToDlqAlarm', {
        alarmDescription: `Runs of ${job} could not be put on the dead-letter queue: they are LOST. Check the role's sqs:SendMessage and the queue's key.`,
      }),
      alarm(failedRunsDepth, 'DailyFetchDeadLettersAlarm', {
        alarmDescription: `The dead-letter queue of ${job} holds runs that failed. Fix the cause, then run them again.`,
      }),
    ];
    const jobDashboard = dashboard(this, 'DailyFetchDashboard', `# ${p}/DailyFetch\nScheduledJob: attempts, target errors, dropped and dead-lettered invocations.`);
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
