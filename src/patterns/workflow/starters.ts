import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { scheduleExpressionProblem } from './rules';
import { StartExecutionFunction } from './start-execution-function';
import { consumerFunctionProps } from '../../core/consumer/consumer-defaults';
import { ConsumerFunctionOptions } from '../../core/consumer/consumer-options';
import { checkVisibilityTimeout, queueConsumerRules, requiredVisibilityTimeout } from '../../core/consumer/consumer-rules';
import { eventPatternProblemOf } from '../../core/event-pattern';
import { isTimeZone } from '../../core/schedule-expression';
import { SecureQueue, SecureQueueProps } from '../../core/secure-queue';
import { secureQueueRules } from '../../core/secure-queue-rules';
import { describeDuration, groupThousands, Rule, validateProps } from '../../core/validation';
import { AlarmOptions } from '../../monitoring/alarm-options';

/** Retry and dead-letter settings of an EventBridge rule target or a schedule (both deliver at least once). */
export interface StarterDeliveryOptions extends AlarmOptions {
  /**
   * How often a failed StartExecution is retried before the event goes to the DLQ. Range: 0 to 185.
   *
   * @default 5
   */
  readonly retryAttempts?: number;

  /**
   * How long an event may wait for a successful start before it goes to the DLQ. Range: 1 minute to 24 hours.
   *
   * @default Duration.hours(1)
   */
  readonly maxEventAge?: Duration;

  /**
   * Where events go whose start failed after every retry. Use SQS-managed encryption (or grant
   * the service your key), or it cannot write there.
   *
   * @default - a new SecureQueue (SQS-managed encryption), alarmed when not empty
   */
  readonly deadLetterQueue?: sqs.IQueue;
}

/** The starter function of a {@link QueueStarter}: the consumer settings plus how it reads the queue. */
export interface QueueStarterConsumerOptions extends ConsumerFunctionOptions {
  /**
   * Messages per invocation. Range: 1 to 10.
   *
   * @default 10
   */
  readonly batchSize?: number;

  /**
   * Most invocations at once (SQS event source maximum concurrency). Range: 2 to 1,000.
   *
   * @default 5
   */
  readonly maxConcurrency?: number;
}

/** Properties of {@link Workflow.startFromQueue}. */
export interface QueueStarterProps extends AlarmOptions {
  /**
   * Settings of the queue the messages arrive on (it always gets a DLQ). Its
   * `visibilityTimeout`, if you set it, must be at least 6 × the starter's timeout.
   *
   * @default - a SecureQueue with a DLQ after 5 receives and a derived visibility timeout
   */
  readonly queueProps?: SecureQueueProps;

  /**
   * Dotted path, in the message body, of the business key that names the execution
   * (e.g. `detail.orderId`). Standard workflows refuse a second execution with the same name
   * for 90 days: a re-sent message starts nothing new.
   *
   * @default - the SQS message id (a redelivered message is not started twice)
   */
  readonly executionNameField?: string;

  /**
   * The bundled starter function. Its `timeout` must cover a synchronous start: Express
   * workflows are started with StartSyncExecution (the message fails if the execution fails).
   *
   * @default - 256 MB, arm64; timeout 30 s for Standard, the workflow timeout + 30 s for Express
   */
  readonly consumer?: QueueStarterConsumerOptions;
}

/** Properties of {@link Workflow.startOnSchedule}. */
export interface ScheduleStarterProps extends StarterDeliveryOptions {
  /** An EventBridge Scheduler expression: `rate(1 hour)`, `cron(0 9 * * ? *)` or `at(2030-01-01T00:00:00)`. */
  readonly scheduleExpression: string;

  /**
   * IANA time zone of the expression.
   *
   * @default 'UTC'
   */
  readonly timeZone?: string;

  /**
   * JSON input of each execution.
   *
   * @default '{}'
   */
  readonly input?: string;
}

/** Properties of {@link Workflow.startOnEvent}. */
export interface EventStarterProps extends StarterDeliveryOptions {
  /** The bus the events arrive on (an EventRouter's `eventBus`, or any `events.IEventBus`). */
  readonly eventBus: events.IEventBus;

  /** Which events start an execution. */
  readonly eventPattern: events.EventPattern;

  /**
   * What the execution receives.
   *
   * @default - the whole event
   */
  readonly input?: events.RuleTargetInput;
}

/** The workflow a starter starts (a {@link Workflow} is one). */
export interface IStartableWorkflow {
  /** The state machine. */
  readonly stateMachine: sfn.IStateMachine;
  /** Standard or Express. */
  readonly stateMachineType: sfn.StateMachineType;
  /** The execution timeout. */
  readonly timeout: Duration;
}

const DELIVERY_RULES: ReadonlyArray<Rule<StarterDeliveryOptions>> = [
  (p, v) => v.numberInRange('WORKFLOW_STARTER_RETRY_ATTEMPTS', 'retryAttempts', p.retryAttempts, { min: 0, max: 185 }),
  (p, v) => v.durationInRange('WORKFLOW_STARTER_MAX_EVENT_AGE', 'maxEventAge', p.maxEventAge, { min: Duration.minutes(1), max: Duration.hours(24) }),
];

/** A dead-letter queue for EventBridge or Scheduler: yours, or a new SecureQueue (SQS-managed keys, which both can use). */
function deliveryDeadLetterQueue(scope: Construct, props: StarterDeliveryOptions): sqs.IQueue {
  return props.deadLetterQueue
    ?? new SecureQueue(scope, 'DeadLetterQueue', { alarmsEnabled: props.alarmsEnabled, alarmTopic: props.alarmTopic }).queue;
}

interface QueueStarterInput {
  readonly props: QueueStarterProps;
  readonly express: boolean;
  readonly workflowTimeout: Duration;
  readonly starterTimeout: Duration;
}

/** The consumer module's SQS event source rules (batch size, maximum concurrency) on the starter. */
const STARTER_EVENT_SOURCE_RULES = queueConsumerRules('consumer.', false);

const STARTER_QUEUE_RULES = secureQueueRules('queueProps.');

const QUEUE_STARTER_RULES: ReadonlyArray<Rule<QueueStarterInput>> = [
  // The queue's settings, named as written (not at the queue's own path).
  ({ props }, v) => { if (props.queueProps) for (const rule of STARTER_QUEUE_RULES) rule(props.queueProps, v); },
  ({ props }, v) => { for (const rule of STARTER_EVENT_SOURCE_RULES) rule(props.consumer ?? {}, v); },
  ({ props, express, workflowTimeout }, v) => {
    const t = props.consumer?.timeout;
    if (!t || t.isUnresolved() || workflowTimeout.isUnresolved()) return;
    const min = express ? workflowTimeout.plus(Duration.seconds(5)) : Duration.seconds(3);
    v.check('WORKFLOW_STARTER_TIMEOUT', t.toSeconds() >= min.toSeconds() && t.toSeconds() <= 900, {
      prop: 'consumer.timeout',
      value: describeDuration(t),
      allowed: `${describeDuration(min)} to 15 minutes${express ? ' (an Express start waits for the execution: the workflow timeout + 5 s at least)' : ''}`,
      fix: 'raise consumer.timeout, or leave it unset',
    });
  },
  // The one visibility rule of the consumer module (an Express start waits for the whole execution,
  // which the starter's default timeout covers).
  ({ props, express, starterTimeout }, v) => checkVisibilityTimeout(v, {
    prop: 'queueProps.visibilityTimeout',
    given: props.queueProps?.visibilityTimeout,
    timeout: starterTimeout,
    timeoutProp: express && props.consumer?.timeout === undefined
      ? 'consumer.timeout (default: the workflow timeout + 30 s, as an Express start waits for the whole execution)' : 'consumer.timeout',
    windowProp: 'the batching window',
  }),
];

/**
 * One execution per SQS message: a bundled starter function with partial batch responses.
 * A message that cannot start (poison, throttled, or for Express a failed execution) returns to
 * the queue and after `maxReceiveCount` receives moves to the DLQ.
 */
export class QueueStarter extends Construct {
  /** The queue that starts executions. */
  public readonly queue: sqs.IQueue;
  /** Messages that never started an execution. */
  public readonly deadLetterQueue?: sqs.IQueue;
  /** The queue block (alarms, widgets). */
  public readonly secureQueue: SecureQueue;
  /** The starter function. */
  public readonly function: lambda.Function;

  constructor(scope: Construct, id: string, workflow: IStartableWorkflow, props: QueueStarterProps = {}) {
    super(scope, id);
    const express = workflow.stateMachineType === sfn.StateMachineType.EXPRESS;
    // An Express workflow runs at most 5 minutes: a token timeout is covered by that bound.
    const expressTimeout = workflow.timeout.isUnresolved() ? Duration.minutes(5) : workflow.timeout;
    const starterTimeout = props.consumer?.timeout ?? (express ? expressTimeout.plus(Duration.seconds(30)) : Duration.seconds(30));
    // AWS's rule for a Lambda consumer: visibility >= 6 x function timeout, or a message still
    // being started becomes visible again and starts a second time (a token timeout: at most 15 minutes).
    const requiredVisibility = requiredVisibilityTimeout(starterTimeout, undefined) ?? Duration.minutes(15 * 6);
    validateProps(this, { props, express, workflowTimeout: workflow.timeout, starterTimeout }, QUEUE_STARTER_RULES);

    this.secureQueue = new SecureQueue(this, 'Queue', {
      alarmsEnabled: props.alarmsEnabled,
      alarmTopic: props.alarmTopic,
      ...props.queueProps,
      visibilityTimeout: props.queueProps?.visibilityTimeout ?? requiredVisibility,
    });
    this.queue = this.secureQueue.queue;
    this.deadLetterQueue = this.secureQueue.deadLetterQueue;

    const parts = consumerFunctionProps(this, 'Starter', { ...props.consumer, timeout: starterTimeout });
    this.function = new StartExecutionFunction(this, 'Starter', {
      ...parts.props,
      description: `Starts one execution of ${workflow.stateMachine.node.path} per message`,
      environment: {
        STATE_MACHINE_ARN: workflow.stateMachine.stateMachineArn,
        NAME_FIELD: props.executionNameField ?? '',
        SYNC: express ? 'true' : 'false',
      },
    });
    if (express) workflow.stateMachine.grantStartSyncExecution(this.function);
    else workflow.stateMachine.grantStartExecution(this.function);
    this.function.addEventSource(new SqsEventSource(this.queue, {
      batchSize: props.consumer?.batchSize ?? 10,
      maxConcurrency: props.consumer?.maxConcurrency ?? 5,
      reportBatchItemFailures: true,
    }));
  }
}

const SCHEDULE_RULES: ReadonlyArray<Rule<ScheduleStarterProps>> = [
  ...DELIVERY_RULES,
  (p, v) => {
    if (Token.isUnresolved(p.scheduleExpression)) return;
    const problem = scheduleExpressionProblem(p.scheduleExpression, new Date().getUTCFullYear());
    v.check('WORKFLOW_STARTER_SCHEDULE_EXPRESSION', problem === undefined, {
      prop: 'scheduleExpression',
      value: `${JSON.stringify(p.scheduleExpression)}${problem ? `: ${problem}` : ''}`,
      allowed: 'rate(...), cron(...) or at(...): rate(<n> minute(s)|hour(s)|day(s)) with n >= 1, cron(<six EventBridge fields>) that fires, at(yyyy-mm-ddThh:mm:ss)',
      fix: 'write e.g. "rate(1 hour)", "cron(0 9 * * ? *)" or "at(2030-01-01T00:00:00)"',
    });
  },
  (p, v) => {
    const tz = p.timeZone;
    if (tz === undefined || Token.isUnresolved(tz)) return;
    v.check('WORKFLOW_STARTER_TIME_ZONE', isTimeZone(tz), {
      prop: 'timeZone', value: `"${tz}"`, allowed: 'an IANA time zone name, e.g. "America/New_York" or "UTC"', fix: 'use the zone\'s IANA name',
    });
  },
  (p, v) => {
    if (p.input === undefined || Token.isUnresolved(p.input)) return;
    let ok = true;
    try { JSON.parse(p.input); } catch { ok = false; }
    v.check('WORKFLOW_STARTER_SCHEDULE_INPUT', ok, { prop: 'input', value: p.input.slice(0, 60), allowed: 'a JSON document', fix: 'pass JSON.stringify({...})' });
    // StartExecution's input is at most 262,144 bytes of UTF-8: every run would fail
    // (https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html).
    const bytes = Buffer.byteLength(p.input, 'utf8');
    v.check('WORKFLOW_STARTER_SCHEDULE_INPUT_SIZE', bytes <= 262_144, {
      prop: 'input',
      value: `${groupThousands(bytes)} bytes (UTF-8)`,
      allowed: 'at most 262,144 bytes (256 KiB, Step Functions StartExecution input)',
      fix: 'pass a reference (e.g. an S3 key) instead of the data, and let the workflow fetch it',
    });
  },
];

/** Starts an execution on a schedule (EventBridge Scheduler), with retries and a DLQ. */
export class ScheduleStarter extends Construct {
  /** Where a start that failed after every retry goes (with the error as message attributes). */
  public readonly deadLetterQueue: sqs.IQueue;
  /** The schedule. */
  public readonly schedule: scheduler.CfnSchedule;
  /** The role Scheduler assumes to start executions and write to the DLQ. */
  public readonly role: iam.Role;

  constructor(scope: Construct, id: string, workflow: IStartableWorkflow, props: ScheduleStarterProps) {
    super(scope, id);
    validateProps(this, props, SCHEDULE_RULES);
    this.deadLetterQueue = deliveryDeadLetterQueue(this, props);
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
      description: `Lets EventBridge Scheduler start ${workflow.stateMachine.node.path}`,
    });
    workflow.stateMachine.grantStartExecution(this.role);
    this.deadLetterQueue.grantSendMessages(this.role);
    this.schedule = new scheduler.CfnSchedule(this, 'Schedule', {
      scheduleExpression: props.scheduleExpression,
      scheduleExpressionTimezone: props.timeZone ?? 'UTC',
      flexibleTimeWindow: { mode: 'OFF' },
      target: {
        arn: workflow.stateMachine.stateMachineArn,
        roleArn: this.role.roleArn,
        input: props.input ?? '{}',
        deadLetterConfig: { arn: this.deadLetterQueue.queueArn },
        retryPolicy: {
          maximumRetryAttempts: props.retryAttempts ?? 5,
          maximumEventAgeInSeconds: (props.maxEventAge ?? Duration.hours(1)).toSeconds(),
        },
      },
    });
  }
}

const EVENT_RULES: ReadonlyArray<Rule<EventStarterProps>> = [
  ...DELIVERY_RULES,
  (p, v) => {
    if (Token.isUnresolved(JSON.stringify(p.eventPattern))) return;
    const problem = eventPatternProblemOf(p.eventPattern);
    v.check('WORKFLOW_STARTER_EVENT_PATTERN', problem === undefined, {
      prop: 'eventPattern',
      value: problem ?? '',
      allowed: 'an EventBridge event pattern: fields with arrays of values or matchers (aws-cdk-lib events.Match helpers write them)',
      fix: 'write eventPattern with events.Match helpers, e.g. { source: [\'orders\'], detailType: [\'OrderPlaced\'] }',
    });
  },
];

/** Starts an execution for each matching event on a bus, with retries and a DLQ on the rule target. */
export class EventStarter extends Construct {
  /** Where an event whose start failed after every retry goes. */
  public readonly deadLetterQueue: sqs.IQueue;
  /** The rule on the bus. */
  public readonly rule: events.Rule;

  constructor(scope: Construct, id: string, workflow: IStartableWorkflow, props: EventStarterProps) {
    super(scope, id);
    validateProps(this, props, EVENT_RULES);
    this.deadLetterQueue = deliveryDeadLetterQueue(this, props);
    this.rule = new events.Rule(this, 'Rule', {
      eventBus: props.eventBus,
      eventPattern: props.eventPattern,
      description: `Starts ${workflow.stateMachine.node.path}`,
    });
    this.rule.addTarget(new targets.SfnStateMachine(workflow.stateMachine, {
      input: props.input,
      deadLetterQueue: this.deadLetterQueue,
      retryAttempts: props.retryAttempts ?? 5,
      maxEventAge: props.maxEventAge ?? Duration.hours(1),
    }));
  }
}
