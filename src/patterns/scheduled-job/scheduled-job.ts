import { Duration, Stack, TimeZone, Token, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ScheduledJobProps } from './props';
import { SCHEDULED_JOB_LIMITS, scheduledJobRules } from './rules';
import { acknowledgeWildcardResource } from '../../core/nag-acknowledgements';
import { Violations } from '../../core/validation';
import { createAlarm } from '../../monitoring/alarm-factory';
import { patternDashboard } from '../../monitoring/dashboard-factory';
import { IMonitoredBlock } from '../../monitoring/monitored-block';
import { PatternDashboard } from '../../monitoring/pattern-dashboard';
import { QueueMetrics } from '../../monitoring/queue-metrics';

/**
 * An EventBridge Scheduler schedule (cron with an IANA time zone, rate, or one-time `at`) that
 * runs a Lambda consumer, sends to a queue, starts a state machine or puts an event on a bus;
 * with a retry policy, a dead-letter queue, a schedule group of its own, a least-privilege role,
 * and alarms on `AWS/Scheduler` metrics (dimension `ScheduleGroup`).
 */
export class ScheduledJob extends Construct implements IMonitoredBlock {
  /** The schedule. */
  public readonly schedule: scheduler.Schedule;
  /** The schedule group (its metrics are the job's). */
  public readonly scheduleGroup: scheduler.IScheduleGroup;
  /** Where failed invocations go. */
  public readonly deadLetterQueue: sqs.IQueue;
  /** The role Scheduler assumes to run the target. */
  public readonly role: iam.IRole;
  /** The function, for a Lambda target. */
  public readonly function?: lambda.IFunction;
  /**
   * Where the function the job built sends runs that failed inside it (its on-failure
   * destination), for a Lambda target built from code.
   */
  public readonly functionDeadLetterQueue?: sqs.IQueue;
  /** The alarms of the job. */
  public readonly alarms: cloudwatch.IAlarm[] = [];
  /** The dashboard, when the job has one. */
  public readonly dashboard?: PatternDashboard;

  constructor(scope: Construct, id: string, props: ScheduledJobProps) {
    super(scope, id);
    const v = new Violations(this);
    for (const rule of scheduledJobRules()) rule(props, v);
    props.target._validate(this, v);
    v.throwIfAny();

    this.scheduleGroup = props.scheduleGroup ?? new scheduler.ScheduleGroup(this, 'Group', {});
    this.deadLetterQueue = props.deadLetterQueue ?? this.createDeadLetterQueue();
    // The job's own role (aws-cdk-lib's targets add one action on one resource to it), trusted
    // only by this account's schedules in this group.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account, 'aws:SourceArn': this.scheduleGroup.scheduleGroupArn } },
      }),
      description: `Role of the scheduled job ${this.node.path}`,
    });
    // aws-cdk-lib's scheduler L2s compare numbers without a token check: tokens go in as overrides.
    const retryAttempts = props.retryAttempts ?? SCHEDULED_JOB_LIMITS.maxRetryAttempts;
    const maxEventAge = props.maxEventAge ?? SCHEDULED_JOB_LIMITS.maxEventAge;
    const target = props.target._bind(this, {
      role: this.role,
      deadLetterQueue: this.deadLetterQueue,
      retryAttempts: Token.isUnresolved(retryAttempts) ? undefined : retryAttempts,
      maxEventAge: maxEventAge.isUnresolved() ? undefined : maxEventAge,
    });
    this.function = props.target.function;
    this.functionDeadLetterQueue = props.target.functionDeadLetterQueue;
    const window = props.flexibleWindow;

    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      schedule: this.expression(props),
      target,
      scheduleGroup: this.scheduleGroup,
      scheduleName: props.scheduleName,
      description: props.description ?? `Scheduled job ${this.node.path}`,
      enabled: props.enabled ?? true,
      key: props.encryptionKey,
      start: props.startDate,
      end: props.endDate,
      timeWindow: window && !window.isUnresolved() ? scheduler.TimeWindow.flexible(window) : scheduler.TimeWindow.off(),
    });
    const cfn = this.schedule.node.defaultChild as scheduler.CfnSchedule;
    if (Token.isUnresolved(retryAttempts)) cfn.addPropertyOverride('Target.RetryPolicy.MaximumRetryAttempts', retryAttempts);
    if (maxEventAge.isUnresolved()) cfn.addPropertyOverride('Target.RetryPolicy.MaximumEventAgeInSeconds', maxEventAge.toSeconds());
    if (window?.isUnresolved()) cfn.addPropertyOverride('FlexibleTimeWindow', { Mode: 'FLEXIBLE', MaximumWindowInMinutes: window.toMinutes() });
    if (this.function) {
      acknowledgeWildcardResource(this.role.node.findChild('DefaultPolicy'), `${this.function.functionArn}:*`,
        'lambda:InvokeFunction on the job\'s function and its versions/aliases (aws-cdk-lib grantInvoke); no other function.');
    }

    if (props.alarmsEnabled ?? true) this.createAlarms(props);
    this.dashboard = patternDashboard(this, props, 'ScheduledJob: attempts, target errors, dropped and dead-lettered invocations.');
    this.dashboard?.addBlock(`${this.node.path}`, this);
  }

  /** Widgets for a dashboard. */
  public dashboardWidgets(): cloudwatch.IWidget[] {
    const g = this.scheduleGroup;
    return [
      new cloudwatch.GraphWidget({ title: 'Invocations', left: [g.metricAttempts(), g.metricTargetErrors(), g.metricThrottled()], width: 12 }),
      new cloudwatch.GraphWidget({ title: 'Lost or dead-lettered', left: [g.metricDropped(), g.metricSentToDLQ(), g.metricFailedToBeSentToDLQ()], width: 6 }),
      new cloudwatch.SingleValueWidget({ title: 'Dead letters', metrics: [QueueMetrics.visibleMessages(this.deadLetterQueue)], width: 6 }),
    ];
  }

  private expression(props: ScheduledJobProps): scheduler.ScheduleExpression {
    const timeZone = props.timeZone ? TimeZone.of(props.timeZone) : undefined;
    if (props.rate) return scheduler.ScheduleExpression.rate(props.rate);
    if (props.at) return scheduler.ScheduleExpression.at(props.at, timeZone);
    return scheduler.ScheduleExpression.expression(`cron(${props.cronExpression!.trim()})`, timeZone ?? TimeZone.ETC_UTC);
  }

  private createDeadLetterQueue(): sqs.IQueue {
    const queue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    queue.node.defaultChild!.node.addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, {
      'AwsSolutions-SQS3': 'This queue IS a dead-letter queue: the DeadLetterConfig of the schedule\'s target.',
    });
    return queue;
  }

  private createAlarms(props: ScheduledJobProps): void {
    const g = this.scheduleGroup;
    const m = (metric: cloudwatch.Metric) => metric.with({ statistic: cloudwatch.Stats.SUM, period: Duration.minutes(1) });
    const what = `scheduled job ${this.node.path}`;
    const specs: Array<[string, cloudwatch.Metric, string]> = [
      ['TargetErrorsAlarm', m(g.metricTargetErrors()), `The target of ${what} returned errors. Check the target's logs; Scheduler retries, then dead-letters.`],
      ['DroppedAlarm', m(g.metricDropped()), `Runs of ${what} were DROPPED after the retry policy was exhausted (no dead-letter queue took them). Check the target and the DLQ.`],
      ['SentToDlqAlarm', m(g.metricSentToDLQ()), `Runs of ${what} went to its dead-letter queue. Inspect the messages and run the job again once fixed.`],
      ['FailedToDlqAlarm', m(g.metricFailedToBeSentToDLQ()), `Runs of ${what} could not be put on the dead-letter queue: they are LOST. Check the role's sqs:SendMessage and the queue's key.`],
    ];
    for (const [id, metric, description] of specs) {
      this.alarms.push(createAlarm(this, id, { metric, threshold: 0, evaluationPeriods: 1, description, alarmTopic: props.alarmTopic }));
    }
    this.alarms.push(createAlarm(this, 'DeadLettersAlarm', {
      metric: QueueMetrics.visibleMessages(this.deadLetterQueue),
      threshold: 0,
      evaluationPeriods: 1,
      description: `The dead-letter queue of ${what} holds runs that failed. Fix the cause, then run them again.`,
      alarmTopic: props.alarmTopic,
    }));
    const failed = props.target.functionDeadLetterQueue;
    if (failed && failed !== this.deadLetterQueue) {
      this.alarms.push(createAlarm(this, 'FunctionDeadLettersAlarm', {
        metric: QueueMetrics.visibleMessages(failed),
        threshold: 0,
        evaluationPeriods: 1,
        description: `The on-failure destination of ${what}'s function holds runs that failed inside the function. Fix the cause, then run them again.`,
        alarmTopic: props.alarmTopic,
      }));
    }
  }
}
