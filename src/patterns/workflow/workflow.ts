import { Duration, Names, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { WorkflowMetrics } from './metrics';
import { WorkflowProps } from './props';
import { expressStateRule, renderedStates, waitRule, startStateOf, WORKFLOW_SETTINGS_RULES, WORKFLOW_STATE_RULES, WorkflowSettings } from './rules';
import { EventStarter, EventStarterProps, QueueStarter, QueueStarterProps, ScheduleStarter, ScheduleStarterProps } from './starters';
import { acknowledgeWildcardResource } from '../../core/nag-acknowledgements';
import { validateProps, Violations } from '../../core/validation';
import { createAlarm } from '../../monitoring/alarm-factory';
import { patternDashboard } from '../../monitoring/dashboard-factory';
import { IMonitoredBlock } from '../../monitoring/monitored-block';
import { PatternDashboard } from '../../monitoring/pattern-dashboard';

/**
 * A Step Functions state machine with the defaults we stand behind: its own log group (Express:
 * everything, since it keeps no history), a timeout on every execution, a role with only what
 * the states use, alarms on failed, timed-out, aborted and throttled executions and on p99
 * execution time, and a dashboard. The definition is yours, built with aws-cdk-lib.
 *
 * @example
 * const workflow = new Workflow(this, 'Orders', {
 *   definition: reserve.next(charge).next(ship),
 *   timeout: Duration.minutes(30),
 * });
 * workflow.grantStartExecution(api.role);
 */
export class Workflow extends Construct implements IMonitoredBlock {
  /** The state machine. */
  public readonly stateMachine: sfn.StateMachine;
  /** Standard or Express. */
  public readonly stateMachineType: sfn.StateMachineType;
  /** The log group executions write to. */
  public readonly logGroup: logs.ILogGroup;
  /** The execution timeout in force. */
  public readonly timeout: Duration;
  /** The p99 execution time above which the SLA alarm fires. */
  public readonly executionTimeSla: Duration;
  /** The alarms this workflow created. */
  public readonly alarms: cloudwatch.IAlarm[] = [];
  /** The dashboard this workflow created or was added to; undefined when disabled. */
  public readonly dashboard?: PatternDashboard;

  constructor(scope: Construct, id: string, props: WorkflowProps) {
    super(scope, id);
    this.stateMachineType = props.stateMachineType ?? sfn.StateMachineType.STANDARD;
    const express = this.stateMachineType === sfn.StateMachineType.EXPRESS;
    this.timeout = props.timeout ?? (express ? Duration.minutes(5) : Duration.hours(1));
    // Half the timeout; a timeout that is a token cannot be halved here (the alarm halves it in metric math).
    this.executionTimeSla = props.executionTimeSla
      ?? (this.timeout.isUnresolved() || !Number.isFinite(this.timeout.toSeconds({ integral: false }))
        ? this.timeout : Duration.millis(Math.floor(this.timeout.toSeconds({ integral: false }) * 500)));

    const level = props.logging?.level ?? (express ? sfn.LogLevel.ALL : sfn.LogLevel.ERROR);
    validateProps<WorkflowSettings>(this, { props, express, effectiveTimeout: this.timeout, logLevel: level }, WORKFLOW_SETTINGS_RULES);
    const definitionBody = props.definitionBody ?? sfn.DefinitionBody.fromChainable(props.definition!);
    const start = startStateOf(props.definition, props.definitionBody);

    this.logGroup = props.logging?.existingLogGroup ?? new logs.LogGroup(this, 'Logs', {
      // The vendedlogs prefix keeps the log group's resource policy small (AWS's advice for Step Functions).
      logGroupName: `/aws/vendedlogs/states/${Names.uniqueResourceName(this, { maxLength: 200, separator: '-' })}`,
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.DESTROY,
    });

    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      definitionBody,
      stateMachineType: this.stateMachineType,
      stateMachineName: props.stateMachineName,
      timeout: this.timeout,
      tracingEnabled: props.tracingEnabled ?? false,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.DESTROY,
      logs: {
        destination: this.logGroup,
        level,
        includeExecutionData: props.logging?.includeExecutionData ?? express,
      },
    });
    // After the machine exists: its graph is bound, so every state (nested ones too) renders.
    const states = renderedStates(definitionBody, start);
    if (states) {
      const v = new Violations(this);
      const rules = [...WORKFLOW_STATE_RULES, expressStateRule(express), waitRule(this.timeout)];
      for (const state of states) for (const rule of rules) rule(state, v);
      v.throwIfAny();
    }

    this.acknowledgeServiceWildcards(props.tracingEnabled ?? false);
    this.acknowledgeDefaults(level, props.tracingEnabled ?? false);
    if (props.alarmsEnabled ?? true) this.createAlarms(props);

    this.dashboard = patternDashboard(this, props,
      `${express ? 'Express' : 'Standard'} workflow${this.timeout.isUnresolved() ? '' : `, timeout ${this.timeout.toHumanString()}, p99 SLA ${this.executionTimeSla.toHumanString()}`}. `
      + 'Failed executions: open the log group (Express) or the execution history (Standard).');
    this.dashboard?.addBlock(`Workflow ${this.node.id}`, this);
  }

  /**
   * Starts one execution per message of a new queue (with a DLQ), through a bundled starter
   * function with partial batch responses. Express workflows are started synchronously, so a
   * failed execution returns its message to the queue.
   */
  public startFromQueue(id: string, props: QueueStarterProps = {}): QueueStarter {
    return new QueueStarter(this, id, this, props);
  }

  /** Starts an execution on a schedule (EventBridge Scheduler) with retries and a DLQ. */
  public startOnSchedule(id: string, props: ScheduleStarterProps): ScheduleStarter {
    return new ScheduleStarter(this, id, this, props);
  }

  /** Starts an execution for every event on a bus that matches the pattern, with retries and a DLQ. */
  public startOnEvent(id: string, props: EventStarterProps): EventStarter {
    return new EventStarter(this, id, this, props);
  }

  /** Lets `grantee` start executions (StartExecution; Express sync starts need `grantStartSyncExecution`). */
  public grantStartExecution(grantee: iam.IGrantable): iam.Grant {
    return this.stateMachine.grantStartExecution(grantee);
  }

  /** Lets `grantee` start Express executions and wait for their result (StartSyncExecution). */
  public grantStartSyncExecution(grantee: iam.IGrantable): iam.Grant {
    return this.stateMachine.grantStartSyncExecution(grantee);
  }

  /** Lets `grantee` read executions and their history (for dashboards, tests, operators). */
  public grantRead(grantee: iam.IGrantable): iam.Grant {
    return this.stateMachine.grantRead(grantee);
  }

  /** Executions started, succeeded, failed and timed out; execution time p99 against the SLA. */
  public dashboardWidgets(): cloudwatch.IWidget[] {
    const sm = this.stateMachine;
    return [
      new cloudwatch.GraphWidget({
        title: `${this.node.id}: executions`,
        left: [WorkflowMetrics.started(sm), WorkflowMetrics.succeeded(sm)],
        right: [WorkflowMetrics.failed(sm), WorkflowMetrics.timedOut(sm), WorkflowMetrics.aborted(sm), WorkflowMetrics.throttled(sm)],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: `${this.node.id}: execution time p99 (ms)`,
        left: [WorkflowMetrics.executionTimeP99(sm)],
        leftAnnotations: this.executionTimeSla.isUnresolved() ? [] : [{ value: this.executionTimeSla.toMilliseconds(), label: 'SLA' }],
        width: 12,
      }),
    ];
  }

  private createAlarms(props: WorkflowProps): void {
    const sm = this.stateMachine;
    const counter = (id: string, metric: cloudwatch.IMetric, description: string) => {
      this.alarms.push(createAlarm(this, id, { metric, threshold: 0, evaluationPeriods: 1, description, alarmTopic: props.alarmTopic }));
    };
    const where = this.stateMachineType === sfn.StateMachineType.EXPRESS
      ? `its log group ${this.node.path}/Logs (Express keeps no history)`
      : 'the execution history in the Step Functions console';
    counter('ExecutionsFailedAlarm', WorkflowMetrics.failed(sm),
      `Executions of ${this.node.path} failed. Find the failed state and its error in ${where}; fix the cause, then redrive or restart.`);
    counter('ExecutionsTimedOutAlarm', WorkflowMetrics.timedOut(sm),
      `Executions of ${this.node.path} ran past their ${this.timeout.isUnresolved() ? '' : `${this.timeout.toHumanString()} `}timeout. Look for a state waiting on a slow or stuck dependency in ${where}.`);
    counter('ExecutionsAbortedAlarm', WorkflowMetrics.aborted(sm),
      `Executions of ${this.node.path} were stopped (StopExecution). Check CloudTrail for who stopped them and whether the work must be redone.`);
    counter('ExecutionThrottledAlarm', WorkflowMetrics.throttled(sm),
      `Starts of ${this.node.path} were throttled: callers must retry. Raise the StartExecution quota or smooth the starts (an SQS starter does).`);
    this.alarms.push(createAlarm(this, 'ExecutionTimeSlaAlarm', {
      ...this.slaMetricAndThreshold(props),
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
      description: `p99 execution time of ${this.node.path} has been above its SLA${this.executionTimeSla.isUnresolved() ? '' : ` of ${this.executionTimeSla.toHumanString()}`} for 15 minutes. `
        + 'Look for slow states (retries, waits on dependencies) in the execution events.',
      alarmTopic: props.alarmTopic,
    }));
  }

  /**
   * The p99 metric and its threshold. A token SLA (CfnParameter) is never converted: the metric
   * is turned into seconds with metric math instead (halved when the SLA defaults from a token timeout).
   */
  private slaMetricAndThreshold(props: WorkflowProps): { metric: cloudwatch.IMetric; threshold: number } {
    const p99 = WorkflowMetrics.executionTimeP99(this.stateMachine);
    if (!this.executionTimeSla.isUnresolved()) return { metric: p99, threshold: this.executionTimeSla.toMilliseconds() };
    const defaulted = props.executionTimeSla === undefined;
    return {
      metric: new cloudwatch.MathExpression({
        expression: defaulted ? 'p99 / 500' : 'p99 / 1000',
        usingMetrics: { p99 },
        label: defaulted ? 'ExecutionTime p99 × 2 (s)' : 'ExecutionTime p99 (s)',
        period: Duration.minutes(5),
      }),
      threshold: this.executionTimeSla.toSeconds(),
    };
  }

  /** Our documented defaults that cdk-nag flags, with the reason they are the defaults. */
  private acknowledgeDefaults(level: sfn.LogLevel, tracing: boolean): void {
    if (level !== sfn.LogLevel.ALL) {
      Validations.of(this.stateMachine).acknowledge({
        id: 'AwsSolutions-SF1',
        reason: `Standard workflow logging at ${level}: the execution history already records every state's input and output for 90 days; `
          + 'ALL would pay CloudWatch Logs for a second copy. Set logging.level to ALL to log everything.',
      });
    }
    if (!tracing) {
      Validations.of(this.stateMachine).acknowledge({
        id: 'AwsSolutions-SF2',
        reason: 'X-Ray tracing is opt-in (tracingEnabled), since traces are billed per trace; executions are logged and alarmed without it.',
      });
    }
  }

  /** CloudWatch Logs delivery and X-Ray take no resource-level permissions: acknowledged with the reason. */
  private acknowledgeServiceWildcards(tracing: boolean): void {
    const policy = this.stateMachine.role.node.tryFindChild('DefaultPolicy');
    if (!policy) return;
    acknowledgeWildcardResource(policy, '*',
      'CloudWatch Logs log delivery (logs:CreateLogDelivery and friends)' + (tracing ? ' and X-Ray (PutTraceSegments, GetSampling*)' : '')
      + ' do not support resource-level permissions; Step Functions requires "*" (AWS documentation, "IAM policies for logging").');
  }
}
