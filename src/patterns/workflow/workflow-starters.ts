import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { StartExecutionFunction } from './start-execution-function';
import { consumerFunctionProps } from '../../core/consumer/consumer-defaults';
import { SecureQueue, SecureQueueProps } from '../../core/secure-queue';
import { check, checkDurationInRange, checkNumberInRange, describeDuration } from '../../core/validation';
import { AlarmOptions } from '../../monitoring/alarm-options';

/** Retry settings of an EventBridge rule target or a schedule (both deliver at least once). */
export interface StarterRetryOptions {
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
   * Messages per starter invocation. Range: 1 to 10.
   *
   * @default 10
   */
  readonly batchSize?: number;

  /**
   * Most starter invocations at once (SQS event source maximum concurrency). Range: 2 to 1,000.
   *
   * @default 5
   */
  readonly maxConcurrency?: number;

  /**
   * The starter function's timeout. Express workflows are started synchronously (the message
   * fails if the execution fails), so it must cover the workflow's timeout.
   *
   * @default - 30 seconds for Standard; the workflow timeout + 30 seconds for Express
   */
  readonly starterTimeout?: Duration;
}

/** Properties of {@link Workflow.startOnSchedule}. */
export interface ScheduleStarterProps extends StarterRetryOptions, AlarmOptions {
  /**
   * An EventBridge Scheduler expression: `rate(1 hour)`, `cron(0 9 * * ? *)` or `at(2030-01-01T00:00:00)`.
   */
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
export interface EventStarterProps extends StarterRetryOptions, AlarmOptions {
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

/** The parts a starter builds. */
export interface IWorkflowStarter {
  /** Where events or messages go after the start failed for good. */
  readonly deadLetterQueue: SecureQueue;
}

/** Internal: the workflow a starter starts. */
export interface StartTarget {
  readonly stateMachine: sfn.StateMachine;
  readonly stateMachineType: sfn.StateMachineType;
  readonly timeout: Duration;
}

function checkRetry(scope: Construct, props: StarterRetryOptions): void {
  checkNumberInRange(scope, 'retryAttempts', props.retryAttempts, { min: 0, max: 185 });
  checkDurationInRange(scope, 'maxEventAge', props.maxEventAge, { min: Duration.minutes(1), max: Duration.hours(24) });
}

/**
 * One execution per SQS message: a bundled starter function with partial batch responses.
 * A message that cannot start (poison, throttled, or for Express a failed execution) returns to
 * the queue and after `maxReceiveCount` receives moves to the DLQ.
 */
export class QueueStarter extends Construct implements IWorkflowStarter {
  /** The queue that starts executions. */
  public readonly queue: SecureQueue;
  /** Same as `queue`: its DLQ holds the messages that never started. */
  public readonly deadLetterQueue: SecureQueue;
  /** The starter function. */
  public readonly function: lambda.Function;

  constructor(scope: Construct, id: string, target: StartTarget, props: QueueStarterProps = {}) {
    super(scope, id);
    const express = target.stateMachineType === sfn.StateMachineType.EXPRESS;
    checkNumberInRange(this, 'batchSize', props.batchSize, { min: 1, max: 10 });
    checkNumberInRange(this, 'maxConcurrency', props.maxConcurrency, { min: 2, max: 1_000 });
    if (props.starterTimeout && !props.starterTimeout.isUnresolved() && !target.timeout.isUnresolved()) {
      const minTimeout = express ? target.timeout.plus(Duration.seconds(5)) : Duration.seconds(3);
      check(this, props.starterTimeout.toSeconds() >= minTimeout.toSeconds() && props.starterTimeout.toSeconds() <= 900, {
        prop: 'starterTimeout',
        value: describeDuration(props.starterTimeout),
        allowed: `${describeDuration(minTimeout)} to 15 minutes${express ? ' (an Express start waits for the execution: the workflow timeout + 5 s at least)' : ''}`,
        fix: 'raise starterTimeout, or leave it unset',
      });
    }
    // An Express workflow runs at most 5 minutes: a token timeout is covered by that bound.
    const expressTimeout = target.timeout.isUnresolved() ? Duration.minutes(5) : target.timeout;
    const starterTimeout = props.starterTimeout ?? (express ? expressTimeout.plus(Duration.seconds(30)) : Duration.seconds(30));
    // AWS's rule for a Lambda consumer: visibility >= 6 x function timeout, or a message still
    // being started becomes visible again and starts a second time. (A token starter timeout
    // can be at most 15 minutes: 6 x that.)
    const required = Duration.seconds((starterTimeout.isUnresolved() ? 900 : starterTimeout.toSeconds()) * 6);
    const given = props.queueProps?.visibilityTimeout;
    if (given && !given.isUnresolved() && !starterTimeout.isUnresolved()) {
      check(this, given.toSeconds() >= required.toSeconds(), {
        prop: 'queueProps.visibilityTimeout',
        value: describeDuration(given),
        allowed: `at least 6 × the starter's timeout ${describeDuration(starterTimeout)} = ${describeDuration(required)}`
          + (express ? ' (an Express start waits for the whole execution)' : ''),
        fix: `raise queueProps.visibilityTimeout to ${describeDuration(required)} or more, or leave it unset to derive it`,
      });
    }
    this.queue = new SecureQueue(this, 'Queue', {
      alarmsEnabled: props.alarmsEnabled,
      alarmTopic: props.alarmTopic,
      ...props.queueProps,
      visibilityTimeout: given ?? required,
    });
    this.deadLetterQueue = this.queue;

    const parts = consumerFunctionProps(this, 'Starter', { timeout: starterTimeout });
    this.function = new StartExecutionFunction(this, 'Starter', {
      ...parts.props,
      description: `Starts one execution of ${target.stateMachine.node.path} per message`,
      environment: {
        STATE_MACHINE_ARN: target.stateMachine.stateMachineArn,
        NAME_FIELD: props.executionNameField ?? '',
        SYNC: express ? 'true' : 'false',
      },
    });
    if (express) target.stateMachine.grantStartSyncExecution(this.function);
    else target.stateMachine.grantStartExecution(this.function);
    this.function.addEventSource(new SqsEventSource(this.queue.queue, {
      batchSize: props.batchSize ?? 10,
      maxConcurrency: props.maxConcurrency ?? 5,
      reportBatchItemFailures: true,
    }));
  }
}

/** A dead-letter queue for EventBridge (rule target or Scheduler), with its alarm. */
function starterDeadLetterQueue(scope: Construct, props: AlarmOptions): SecureQueue {
  // SQS-managed encryption: EventBridge and Scheduler can write to it without a key grant.
  return new SecureQueue(scope, 'DeadLetterQueue', { alarmsEnabled: props.alarmsEnabled, alarmTopic: props.alarmTopic });
}

/** Starts an execution on a schedule (EventBridge Scheduler), with retries and a DLQ. */
export class ScheduleStarter extends Construct implements IWorkflowStarter {
  /** Schedules whose start failed after every retry, with the error as message attributes. */
  public readonly deadLetterQueue: SecureQueue;
  /** The schedule. */
  public readonly schedule: scheduler.CfnSchedule;
  /** The role Scheduler assumes to start executions and write to the DLQ. */
  public readonly role: iam.Role;

  constructor(scope: Construct, id: string, target: StartTarget, props: ScheduleStarterProps) {
    super(scope, id);
    checkRetry(this, props);
    const expr = props.scheduleExpression;
    if (!Token.isUnresolved(expr)) {
      check(this, /^(rate|cron|at)\(.+\)$/.test(expr), {
        prop: 'scheduleExpression',
        value: JSON.stringify(expr),
        allowed: 'rate(...), cron(...) or at(...)',
        fix: 'write e.g. "rate(1 hour)", "cron(0 9 * * ? *)" or "at(2030-01-01T00:00:00)"',
      });
    }
    if (props.input !== undefined && !Token.isUnresolved(props.input)) {
      let ok = true;
      try { JSON.parse(props.input); } catch { ok = false; }
      check(this, ok, { prop: 'input', value: props.input.slice(0, 60), allowed: 'a JSON document', fix: 'pass JSON.stringify({...})' });
    }
    this.deadLetterQueue = starterDeadLetterQueue(this, props);
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
      description: `Lets EventBridge Scheduler start ${target.stateMachine.node.path}`,
    });
    target.stateMachine.grantStartExecution(this.role);
    this.deadLetterQueue.queue.grantSendMessages(this.role);
    this.schedule = new scheduler.CfnSchedule(this, 'Schedule', {
      scheduleExpression: expr,
      scheduleExpressionTimezone: props.timeZone ?? 'UTC',
      flexibleTimeWindow: { mode: 'OFF' },
      target: {
        arn: target.stateMachine.stateMachineArn,
        roleArn: this.role.roleArn,
        input: props.input ?? '{}',
        deadLetterConfig: { arn: this.deadLetterQueue.queue.queueArn },
        retryPolicy: {
          maximumRetryAttempts: props.retryAttempts ?? 5,
          maximumEventAgeInSeconds: (props.maxEventAge ?? Duration.hours(1)).toSeconds(),
        },
      },
    });
  }
}

/** Starts an execution for each matching event on a bus, with retries and a DLQ on the rule target. */
export class EventStarter extends Construct implements IWorkflowStarter {
  /** Events whose start failed after every retry. */
  public readonly deadLetterQueue: SecureQueue;
  /** The rule on the bus. */
  public readonly rule: events.Rule;

  constructor(scope: Construct, id: string, target: StartTarget, props: EventStarterProps) {
    super(scope, id);
    checkRetry(this, props);
    this.deadLetterQueue = starterDeadLetterQueue(this, props);
    this.rule = new events.Rule(this, 'Rule', {
      eventBus: props.eventBus,
      eventPattern: props.eventPattern,
      description: `Starts ${target.stateMachine.node.path}`,
    });
    this.rule.addTarget(new targets.SfnStateMachine(target.stateMachine, {
      input: props.input,
      deadLetterQueue: this.deadLetterQueue.queue,
      retryAttempts: props.retryAttempts ?? 5,
      maxEventAge: props.maxEventAge ?? Duration.hours(1),
    }));
  }
}
