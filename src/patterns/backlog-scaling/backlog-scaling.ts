import { CfnResource, Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { BacklogController } from './backlog-controller';
import { groupPolicies, IDS } from './group-policies';
import { BacklogScalingProps } from './props';
import { BACKLOG_SCALING_RULES } from './rules';
import { isTokenTarget, ScalingTarget, scalingTarget } from './target';
import { describeDuration, validateProps } from '../../core/validation';
import { createAlarm } from '../../monitoring/alarm-factory';
import { IMonitoredBlock } from '../../monitoring/monitored-block';
import { QueueMetrics } from '../../monitoring/queue-metrics';

/**
 * Scales queue workers on their queue's backlog, with scale-to-zero and an alarm when the
 * maximum, not the load, sets the latency.
 *
 * - **ECS service**: a controller (a small Lambda function, bundled, run every minute by
 *   EventBridge Scheduler) reads the queue through the API, as KEDA's `aws-sqs-queue` scaler does,
 *   and sets the service's desired count to `ceil(inFlight / (2 x workerConcurrency) + visible /
 *   targetBacklogPerWorker)` within `minWorkers`..`maxWorkers`. Busy workers protect themselves from
 *   scale-in (the queue-worker runtime sets ECS task scale-in protection), so a lower count stops
 *   idle tasks only and nothing is redelivered. Costs about $1.60 a month (three custom metrics,
 *   43,200 metric writes, invocations and two alarms).
 * - **EC2 Auto Scaling group**: target tracking on backlog per worker (metric math over SQS and
 *   group metrics, the target being `acceptable latency / average processing time`) and a step
 *   policy that starts instances from zero, which target tracking cannot do.
 *
 * Tokens (CfnParameter values) are accepted in every input of the target. CloudFormation cannot
 * divide, so a target derived from a token is computed at run time by the ECS controller (which
 * checks it and fails, alarmed, on a bad value) and, on EC2, carried as metric math: target
 * tracking on backlog per worker / target at 1, from-zero steps counted in workers.
 *
 * @example
 * new BacklogScaling(this, 'Scaling', {
 *   queue: jobs.queue,
 *   service,
 *   acceptableLatency: Duration.minutes(5),
 *   averageProcessingTime: Duration.seconds(30),
 *   maxWorkers: 50,
 * });
 */
export class BacklogScaling extends Construct implements IMonitoredBlock {
  /**
   * Messages each worker may have waiting: given, or `workerConcurrency x acceptableLatency /
   * averageProcessingTime` rounded to 2 decimals. Undefined when it is derived from a token (a
   * CfnParameter latency, processing time or concurrency): CloudFormation cannot divide, so the
   * controller (ECS) computes it at run time and the EC2 policies, the alarm and the dashboard
   * carry it as metric math. A token given as `targetBacklogPerWorker` is kept as that token.
   */
  public readonly targetBacklogPerWorker?: number;
  /** Fewest workers. */
  public readonly minWorkers: number;
  /** Most workers. */
  public readonly maxWorkers: number;
  /** Whether in-flight messages count. */
  public readonly includeInFlight: boolean;
  /** Backlog per running worker as CloudWatch metric math, for dashboards and alarms. */
  public readonly backlogPerWorker: cloudwatch.MathExpression;
  /** Running workers (ECS tasks as the controller sees them, or in-service instances). */
  public readonly runningWorkers: cloudwatch.Metric;
  /** Desired workers (the count the controller set, or the group's desired capacity). */
  public readonly desiredWorkers: cloudwatch.Metric;
  /**
   * ECS: the workers the backlog needed before the `maxWorkers` limit (the at-max alarm watches it).
   * Undefined for an Auto Scaling group.
   */
  public readonly neededWorkers?: cloudwatch.Metric;
  /** ECS: the controller function. Undefined for an Auto Scaling group. */
  public readonly controllerFunction?: lambda.IFunction;
  /** ECS: the EventBridge Scheduler schedule that runs the controller. Undefined for an Auto Scaling group. */
  public readonly controllerSchedule?: scheduler.CfnSchedule;
  /** EC2: the target tracking policy (`AWS::AutoScaling::ScalingPolicy`). Undefined for an ECS service. */
  public readonly targetTrackingPolicy?: CfnResource;
  /** EC2: the step policy that starts instances from zero; undefined for ECS or when `minWorkers` is above 0. */
  public readonly scaleOutFromZeroPolicy?: CfnResource;
  /** EC2: the alarm that triggers `scaleOutFromZeroPolicy`. */
  public readonly scaleOutFromZeroAlarm?: cloudwatch.Alarm;
  /** The alarms this block created (not the one a scaling policy drives). */
  public readonly alarms: cloudwatch.IAlarm[] = [];

  private readonly queue: sqs.IQueue;
  private readonly target: ScalingTarget;

  constructor(scope: Construct, id: string, props: BacklogScalingProps) {
    super(scope, id);
    validateProps(this, props, BACKLOG_SCALING_RULES);
    this.queue = props.queue;
    this.minWorkers = props.minWorkers ?? 0;
    this.maxWorkers = props.maxWorkers ?? 10;
    this.includeInFlight = props.includeInFlight ?? true;
    this.target = scalingTarget(props);
    this.targetBacklogPerWorker = this.target.value;
    const alarmsEnabled = props.alarmsEnabled ?? true;
    const atMaxPeriod = props.atMaxWorkersAlarmPeriod ?? Duration.minutes(15);

    if (props.service) {
      const controller = new BacklogController(this, 'Controller', {
        queue: props.queue,
        service: props.service,
        targetBacklogPerWorker: this.targetBacklogPerWorker,
        derivedTarget: this.target.derivedFrom,
        workerConcurrency: props.workerConcurrency ?? 1,
        minWorkers: this.minWorkers,
        maxWorkers: this.maxWorkers,
        includeInFlight: this.includeInFlight,
        interval: props.controlInterval ?? Duration.minutes(1),
        alarmsEnabled,
        alarmTopic: props.alarmTopic,
      });
      this.controllerFunction = controller.function;
      this.controllerSchedule = controller.schedule;
      this.alarms.push(...controller.alarms);
      this.runningWorkers = controller.metric('RunningWorkers', 'Average');
      this.desiredWorkers = controller.metric('DesiredWorkers', 'Average');
      this.neededWorkers = controller.metric('NeededWorkers', 'Minimum');
    } else {
      const dimensionsMap = { AutoScalingGroupName: props.autoScalingGroup!.autoScalingGroupName };
      this.runningWorkers = new cloudwatch.Metric({ namespace: 'AWS/AutoScaling', metricName: 'GroupInServiceInstances', dimensionsMap, statistic: 'Average', period: Duration.minutes(1) });
      this.desiredWorkers = new cloudwatch.Metric({ namespace: 'AWS/AutoScaling', metricName: 'GroupDesiredCapacity', dimensionsMap, statistic: 'Average', period: Duration.minutes(1) });
    }
    this.backlogPerWorker = new cloudwatch.MathExpression({
      label: 'Backlog per worker',
      expression: this.backlogPerWorkerExpression(),
      usingMetrics: this.backlogMetrics(),
      period: Duration.minutes(1),
    });

    if (props.autoScalingGroup) {
      const made = groupPolicies(this, {
        group: props.autoScalingGroup,
        target: this.target,
        minWorkers: this.minWorkers,
        maxWorkers: this.maxWorkers,
        instanceWarmup: props.instanceWarmup ?? Duration.minutes(3),
        metrics: this.backlogMetrics(),
        backlogPerWorkerExpression: this.backlogPerWorkerExpression(),
        visible: this.visibleMetric(),
        desired: this.desiredWorkers,
      });
      this.targetTrackingPolicy = made.targetTrackingPolicy;
      this.scaleOutFromZeroPolicy = made.scaleOutFromZeroPolicy;
      this.scaleOutFromZeroAlarm = made.scaleOutFromZeroAlarm;
    }

    if (alarmsEnabled) {
      const description = `${this.node.path}: the backlog has needed more than ${this.maxWorkers} workers (maxWorkers) for ${describeDuration(atMaxPeriod)}; `
        + 'latency is now set by the limit, not the load. Raise maxWorkers or make processing faster.';
      // ECS: the controller's need before the limit, above maxWorkers. EC2: at the maximum and over target.
      this.alarms.push(createAlarm(this, 'AtMaxWorkersAlarm', {
        metric: this.neededWorkers ?? new cloudwatch.MathExpression({
          label: 'At max workers and over target',
          expression: `IF(${IDS.running} >= ${this.maxWorkers} AND ${this.backlogPerWorkerExpression()} > ${this.targetText()}, 1, 0)`,
          usingMetrics: this.backlogMetrics(),
          period: Duration.minutes(1),
        }),
        threshold: this.neededWorkers ? this.maxWorkers : 0,
        evaluationPeriods: atMaxPeriod.toMinutes(),
        description,
        alarmTopic: props.alarmTopic,
      }));
    }
  }

  /**
   * Widgets for a pattern dashboard: the workers against the need and the limit, and backlog per
   * worker against its target. The target is a horizontal annotation when it is known at synth
   * (a token given as `targetBacklogPerWorker` included); when it is derived from tokens (an
   * annotation cannot hold math) it is drawn as a metric-math line labelled `target`.
   */
  public dashboardWidgets(): cloudwatch.IWidget[] {
    return [
      new cloudwatch.GraphWidget({
        title: `${this.node.id}: workers`,
        left: [
          this.runningWorkers.with({ label: 'running' }),
          this.desiredWorkers.with({ label: 'desired' }),
          ...(this.neededWorkers ? [this.neededWorkers.with({ label: 'needed (before maxWorkers)', statistic: 'Maximum' })] : []),
        ],
        right: [QueueMetrics.visibleMessages(this.queue), QueueMetrics.inFlightMessages(this.queue)],
        leftAnnotations: [{ value: this.maxWorkers, label: 'maxWorkers' }],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: `${this.node.id}: backlog per worker`,
        left: this.targetBacklogPerWorker === undefined ? [this.backlogPerWorker, this.targetLine()] : [this.backlogPerWorker],
        leftAnnotations: this.targetBacklogPerWorker === undefined ? undefined : [{ value: this.targetBacklogPerWorker, label: 'target' }],
        width: 12,
      }),
    ];
  }

  /**
   * ECS: `(visible + in_flight) / IF(running > 0, running, 1)` (for the dashboard: the controller
   * decides from the API). EC2 (the target tracking metric): `(visible + in_flight) / IF(desired >
   * running, desired, IF(running > 0, running, 1))`, backlog per worker that is or will be there:
   * target tracking multiplies the metric's ratio to the target by the capacity it controls, so
   * dividing by the desired count while instances start keeps it from adding workers twice for
   * the same backlog. Never divides by zero.
   */
  private backlogPerWorkerExpression(): string {
    const backlog = this.includeInFlight ? `(${IDS.visible} + ${IDS.inFlight})` : IDS.visible;
    const { running, desired } = IDS;
    return this.neededWorkers
      ? `${backlog} / IF(${running} > 0, ${running}, 1)`
      : `${backlog} / IF(${desired} > ${running}, ${desired}, IF(${running} > 0, ${running}, 1))`;
  }

  /** The target in metric math: the number as today when known, else the expression (CloudFormation renders it with Fn::Join). */
  private targetText(): string {
    return isTokenTarget(this.target) ? `(${this.target.expression})` : `${this.targetBacklogPerWorker}`;
  }

  /** The derived target as a line (metric math needs a metric to draw a constant over time: the visible messages, times 0). */
  private targetLine(): cloudwatch.MathExpression {
    return new cloudwatch.MathExpression({
      label: 'target',
      expression: `${IDS.visible} * 0 + ${this.targetText()}`,
      usingMetrics: { [IDS.visible]: this.visibleMetric() },
      period: Duration.minutes(1),
    });
  }

  private visibleMetric(): cloudwatch.Metric {
    return this.queue.metricApproximateNumberOfMessagesVisible({ statistic: 'Sum', period: Duration.minutes(1) });
  }

  private backlogMetrics(): Record<string, cloudwatch.IMetric> {
    return {
      [IDS.visible]: this.visibleMetric(),
      ...(this.includeInFlight ? { [IDS.inFlight]: this.queue.metricApproximateNumberOfMessagesNotVisible({ statistic: 'Sum', period: Duration.minutes(1) }) } : {}),
      [IDS.running]: this.runningWorkers,
      ...(this.neededWorkers ? {} : { [IDS.desired]: this.desiredWorkers }),
    };
  }
}
