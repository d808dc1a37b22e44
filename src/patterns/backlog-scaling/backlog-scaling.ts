import { Annotations, CfnResource, Duration, Stack, Token } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { BacklogScalingOptions, BacklogScalingProps } from './props';
import { check, checkDurationInRange, checkNotSetWith, checkNumberInRange, describeDuration } from '../../core/validation';
import { createAlarm } from '../../monitoring/alarm-factory';
import { IMonitoredBlock } from '../../monitoring/monitored-block';
import { QueueMetrics } from '../../monitoring/queue-metrics';

/** Metric math ids, shared by the policies, the alarms and the dashboard (and read by bench/). */
const IDS = { visible: 'visible', inFlight: 'in_flight', running: 'running', desired: 'desired', backlogPerWorker: 'backlog_per_worker' };
/** Worker counts at which the scale-out-from-zero step policy changes its answer (× target backlog per worker). */
const FROM_ZERO_STEPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000];

/**
 * Scales queue workers (an ECS service or an EC2 Auto Scaling group) the way AWS recommends
 * for SQS: target tracking on **backlog per worker** (visible messages, plus in-flight ones by
 * default, divided by the workers that are or will be there: the desired count while workers
 * start, running workers otherwise) with a metric math customized metric, the target being
 * `acceptable latency / average processing time`. A step policy starts workers when
 * messages arrive and the fleet is at zero, which target tracking cannot do.
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
  /** The target of the target tracking policy: messages per worker. */
  public readonly targetBacklogPerWorker: number;
  /** Fewest workers. */
  public readonly minWorkers: number;
  /** Most workers. */
  public readonly maxWorkers: number;
  /** Whether in-flight messages count as backlog. */
  public readonly includeInFlight: boolean;
  /** Backlog per worker as CloudWatch metric math (the metric the policy tracks), for dashboards and alarms. */
  public readonly backlogPerWorker: cloudwatch.MathExpression;
  /** Running workers (ECS tasks or in-service instances). */
  public readonly runningWorkers: cloudwatch.Metric;
  /** Desired workers (the scaled capacity). */
  public readonly desiredWorkers: cloudwatch.Metric;
  /** The target tracking policy (`AWS::ApplicationAutoScaling::ScalingPolicy` or `AWS::AutoScaling::ScalingPolicy`). */
  public readonly targetTrackingPolicy: CfnResource;
  /** The step policy that starts workers from zero; undefined when `minWorkers` is above 0. */
  public readonly scaleOutFromZeroPolicy?: CfnResource;
  /** The alarm that triggers `scaleOutFromZeroPolicy`. */
  public readonly scaleOutFromZeroAlarm?: cloudwatch.Alarm;
  /** The ECS scalable target; undefined for an Auto Scaling group. */
  public readonly scalableTarget?: appscaling.CfnScalableTarget;
  /** The alarms this block created (not the ones the scaling policies drive). */
  public readonly alarms: cloudwatch.IAlarm[] = [];

  private readonly queue: sqs.IQueue;

  constructor(scope: Construct, id: string, props: BacklogScalingProps) {
    super(scope, id);
    this.validate(props);
    this.queue = props.queue;
    this.minWorkers = props.minWorkers ?? 0;
    this.maxWorkers = props.maxWorkers ?? 10;
    this.includeInFlight = props.includeInFlight ?? true;
    this.targetBacklogPerWorker = props.targetBacklogPerWorker ?? computeTarget(props);

    if (props.service) {
      const dimensionsMap = { ClusterName: props.service.cluster.clusterName, ServiceName: props.service.serviceName };
      this.runningWorkers = new cloudwatch.Metric({ namespace: 'ECS/ContainerInsights', metricName: 'RunningTaskCount', dimensionsMap, statistic: 'Average', period: Duration.minutes(1) });
      this.desiredWorkers = new cloudwatch.Metric({ namespace: 'ECS/ContainerInsights', metricName: 'DesiredTaskCount', dimensionsMap, statistic: 'Average', period: Duration.minutes(1) });
      warnUnlessContainerInsights(this, props.service);
    } else {
      const asg = props.autoScalingGroup!;
      const dimensionsMap = { AutoScalingGroupName: asg.autoScalingGroupName };
      this.runningWorkers = new cloudwatch.Metric({ namespace: 'AWS/AutoScaling', metricName: 'GroupInServiceInstances', dimensionsMap, statistic: 'Average', period: Duration.minutes(1) });
      this.desiredWorkers = new cloudwatch.Metric({ namespace: 'AWS/AutoScaling', metricName: 'GroupDesiredCapacity', dimensionsMap, statistic: 'Average', period: Duration.minutes(1) });
    }
    this.backlogPerWorker = new cloudwatch.MathExpression({
      label: 'Backlog per worker',
      expression: this.backlogPerWorkerExpression(),
      usingMetrics: this.backlogMetrics(),
      period: Duration.minutes(1),
    });

    const fromZero = this.minWorkers === 0;
    if (fromZero) {
      this.scaleOutFromZeroAlarm = new cloudwatch.Alarm(this, 'ScaleOutFromZeroAlarm', {
        metric: new cloudwatch.MathExpression({
          label: 'Visible messages while no worker is wanted',
          expression: `IF(${IDS.desired} < 1, ${IDS.visible}, 0)`,
          usingMetrics: { [IDS.visible]: this.visibleMetric(), [IDS.desired]: this.desiredWorkers },
          period: Duration.minutes(1),
        }),
        threshold: 0,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: `${this.node.path}: messages are waiting and the fleet is at zero; starts workers (target tracking cannot scale out from zero).`,
      });
    }

    if (props.service) {
      const service = props.service;
      this.scalableTarget = new appscaling.CfnScalableTarget(this, 'ScalableTarget', {
        serviceNamespace: 'ecs',
        scalableDimension: 'ecs:service:DesiredCount',
        resourceId: `service/${service.cluster.clusterName}/${service.serviceName}`,
        minCapacity: this.minWorkers,
        maxCapacity: this.maxWorkers,
        // No RoleARN: Application Auto Scaling uses its service-linked role for ECS.
      });
      this.targetTrackingPolicy = new appscaling.CfnScalingPolicy(this, 'BacklogPerWorkerPolicy', {
        policyName: `${policyNamePrefix(this)}-backlog-per-worker`,
        policyType: 'TargetTrackingScaling',
        scalingTargetId: this.scalableTarget.ref,
        targetTrackingScalingPolicyConfiguration: {
          targetValue: this.targetBacklogPerWorker,
          scaleInCooldown: (props.scaleInCooldown ?? Duration.minutes(5)).toSeconds(),
          scaleOutCooldown: (props.scaleOutCooldown ?? Duration.seconds(60)).toSeconds(),
          customizedMetricSpecification: { metrics: this.metricDataQueries() },
        },
      });
      if (fromZero) {
        this.scaleOutFromZeroPolicy = new appscaling.CfnScalingPolicy(this, 'ScaleOutFromZeroPolicy', {
          policyName: `${policyNamePrefix(this)}-scale-out-from-zero`,
          policyType: 'StepScaling',
          scalingTargetId: this.scalableTarget.ref,
          stepScalingPolicyConfiguration: {
            adjustmentType: 'ChangeInCapacity',
            metricAggregationType: 'Maximum',
            cooldown: (props.scaleOutCooldown ?? Duration.seconds(60)).toSeconds(),
            stepAdjustments: this.fromZeroSteps(),
          },
        });
      }
    } else {
      const asg = props.autoScalingGroup!;
      this.prepareGroup(asg);
      const warmup = (props.instanceWarmup ?? Duration.minutes(3)).toSeconds();
      this.targetTrackingPolicy = new autoscaling.CfnScalingPolicy(this, 'BacklogPerWorkerPolicy', {
        autoScalingGroupName: asg.autoScalingGroupName,
        policyType: 'TargetTrackingScaling',
        estimatedInstanceWarmup: warmup,
        targetTrackingConfiguration: {
          targetValue: this.targetBacklogPerWorker,
          customizedMetricSpecification: { metrics: this.metricDataQueries() },
        },
      });
      if (fromZero) {
        this.scaleOutFromZeroPolicy = new autoscaling.CfnScalingPolicy(this, 'ScaleOutFromZeroPolicy', {
          autoScalingGroupName: asg.autoScalingGroupName,
          policyType: 'StepScaling',
          adjustmentType: 'ChangeInCapacity',
          metricAggregationType: 'Maximum',
          estimatedInstanceWarmup: warmup,
          stepAdjustments: this.fromZeroSteps(),
        });
      }
    }
    if (this.scaleOutFromZeroAlarm && this.scaleOutFromZeroPolicy) {
      const policyArn = this.scaleOutFromZeroPolicy.ref;
      this.scaleOutFromZeroAlarm.addAlarmAction({ bind: () => ({ alarmActionArn: policyArn }) });
    }

    if (props.alarmsEnabled ?? true) {
      const period = props.atMaxWorkersAlarmPeriod ?? Duration.minutes(15);
      this.alarms.push(createAlarm(this, 'AtMaxWorkersAlarm', {
        metric: new cloudwatch.MathExpression({
          label: 'At max workers and over target',
          expression: `IF(${IDS.running} >= ${this.maxWorkers} AND ${this.backlogPerWorkerExpression()} > ${this.targetBacklogPerWorker}, 1, 0)`,
          usingMetrics: this.backlogMetrics(),
          period: Duration.minutes(1),
        }),
        threshold: 0,
        evaluationPeriods: period.toMinutes(),
        description: `${this.node.path}: ${this.maxWorkers} workers (maxWorkers) have had more than ${this.targetBacklogPerWorker} messages each for ${describeDuration(period)}; latency is now set by the limit. Raise maxWorkers or make processing faster.`,
        alarmTopic: props.alarmTopic,
      }));
    }
  }

  /** Widgets for a pattern dashboard: backlog per worker against its target, and the workers. */
  public dashboardWidgets(): cloudwatch.IWidget[] {
    return [
      new cloudwatch.GraphWidget({
        title: `${this.node.id}: backlog per worker`,
        left: [this.backlogPerWorker],
        leftAnnotations: [{ value: this.targetBacklogPerWorker, label: 'target' }],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: `${this.node.id}: workers`,
        left: [this.runningWorkers.with({ label: 'running' }), this.desiredWorkers.with({ label: 'desired' })],
        right: [QueueMetrics.visibleMessages(this.queue), QueueMetrics.inFlightMessages(this.queue)],
        leftAnnotations: [{ value: this.maxWorkers, label: 'maxWorkers' }],
        width: 12,
      }),
    ];
  }

  /**
   * `(visible + in_flight) / IF(desired > running, desired, IF(running > 0, running, 1))`: backlog
   * per worker that is or will be there. Target tracking multiplies the metric's ratio to the
   * target by the capacity it controls (the desired count), so while new workers are still
   * starting (running < desired) dividing by running workers would inflate the metric and add
   * workers again for the same backlog; dividing by desired makes the proposal
   * `backlog / target`. When stable this is backlog per running worker; while scaling in (workers
   * finishing their jobs, running > desired) it divides by the workers still running. Never
   * divides by zero.
   */
  private backlogPerWorkerExpression(): string {
    const backlog = this.includeInFlight ? `(${IDS.visible} + ${IDS.inFlight})` : IDS.visible;
    const { running, desired } = IDS;
    return `${backlog} / IF(${desired} > ${running}, ${desired}, IF(${running} > 0, ${running}, 1))`;
  }

  private visibleMetric(): cloudwatch.Metric {
    return this.queue.metricApproximateNumberOfMessagesVisible({ statistic: 'Sum', period: Duration.minutes(1) });
  }

  private backlogMetrics(): Record<string, cloudwatch.IMetric> {
    return {
      [IDS.visible]: this.visibleMetric(),
      ...(this.includeInFlight ? { [IDS.inFlight]: this.queue.metricApproximateNumberOfMessagesNotVisible({ statistic: 'Sum', period: Duration.minutes(1) }) } : {}),
      [IDS.running]: this.runningWorkers,
      [IDS.desired]: this.desiredWorkers,
    };
  }

  /** The customized metric: the same metric math as `backlogPerWorker`, as metric data queries. */
  private metricDataQueries(): MetricDataQuery[] {
    const stat = (m: cloudwatch.Metric) => ({
      metric: {
        namespace: m.namespace,
        metricName: m.metricName,
        dimensions: Object.entries(m.dimensions ?? {}).map(([name, value]) => ({ name, value: String(value) })),
      },
      stat: m.statistic,
    });
    const queries: MetricDataQuery[] = [];
    for (const [queryId, metric] of Object.entries(this.backlogMetrics())) {
      queries.push({ id: queryId, metricStat: stat(metric as cloudwatch.Metric), returnData: false });
    }
    queries.push({ id: IDS.backlogPerWorker, label: 'Backlog per worker', expression: this.backlogPerWorkerExpression(), returnData: true });
    return queries;
  }

  /**
   * Steps on the visible backlog while the fleet is at zero: enough workers at once for the
   * backlog at the target (1 up to 1 x target, 2 up to 2 x target, 5, 10, ...), capped at
   * maxWorkers. Target tracking takes over once workers run.
   */
  private fromZeroSteps(): { metricIntervalLowerBound: number; metricIntervalUpperBound?: number; scalingAdjustment: number }[] {
    const steps: { metricIntervalLowerBound: number; metricIntervalUpperBound?: number; scalingAdjustment: number }[] = [];
    let lower = 0;
    for (const workers of FROM_ZERO_STEPS) {
      if (workers >= this.maxWorkers) break;
      const upper = round(workers * this.targetBacklogPerWorker);
      if (upper <= lower) continue;
      steps.push({ metricIntervalLowerBound: lower, metricIntervalUpperBound: upper, scalingAdjustment: workers });
      lower = upper;
    }
    steps.push({ metricIntervalLowerBound: lower, scalingAdjustment: this.maxWorkers });
    return steps;
  }

  /** Sets the group's min and max, and switches on the group metrics the policies read. */
  private prepareGroup(asg: autoscaling.AutoScalingGroup): void {
    const cfn = asg.node.defaultChild as autoscaling.CfnAutoScalingGroup;
    cfn.minSize = String(this.minWorkers);
    cfn.maxSize = String(this.maxWorkers);
    if (cfn.desiredCapacity !== undefined) {
      Annotations.of(this).addWarningV2('cdk-integration-patterns:backlogScalingDesiredCapacity',
        `${asg.node.path} has a fixed desiredCapacity (${cfn.desiredCapacity}); every deployment resets it and overrides the scaling. Remove desiredCapacity.`);
    }
    const collected = Stack.of(this).resolve(cfn.metricsCollection) as { metrics?: string[] }[] | undefined;
    const needed = ['GroupDesiredCapacity', 'GroupInServiceInstances'];
    if (collected === undefined || collected.length === 0) {
      cfn.addPropertyOverride('MetricsCollection', [{ Granularity: '1Minute', Metrics: needed }]);
      return;
    }
    const names = collected.flatMap(c => c.metrics ?? needed); // no list = every group metric
    for (const metric of needed) {
      check(this, names.includes(metric), {
        prop: 'autoScalingGroup',
        value: `${asg.node.path}, whose groupMetrics leave out ${metric}`,
        allowed: `a group that collects ${needed.join(' and ')} (the scaling policies read them)`,
        fix: 'add autoscaling.GroupMetric.DESIRED_CAPACITY and GroupMetric.IN_SERVICE_INSTANCES to the group\'s groupMetrics, or remove groupMetrics',
      });
    }
  }

  private validate(props: BacklogScalingProps): void {
    check(this, (props.service === undefined) !== (props.autoScalingGroup === undefined), {
      prop: 'service',
      value: props.service ? 'both service and autoScalingGroup' : 'neither service nor autoScalingGroup',
      allowed: 'exactly one of service (ECS) and autoScalingGroup (EC2)',
      fix: 'pass the ECS service or the Auto Scaling group the workers run in, not both',
    });
    checkNumberInRange(this, 'minWorkers', props.minWorkers, { min: 0, max: 10_000 });
    checkNumberInRange(this, 'maxWorkers', props.maxWorkers, {
      min: 1, max: 10_000, fix: 'set maxWorkers to at least 1 (a fleet of at most 0 workers never processes a message), or leave it unset for 10',
    });
    const min = props.minWorkers ?? 0;
    const max = props.maxWorkers ?? 10;
    if (!Token.isUnresolved(min) && !Token.isUnresolved(max)) {
      check(this, min <= max, {
        prop: 'minWorkers',
        value: `${min} with maxWorkers ${max}`,
        allowed: `at most maxWorkers (${max})`,
        fix: `lower minWorkers to ${max} or less, or raise maxWorkers to ${min} or more`,
      });
    }
    checkNumberInRange(this, 'workerConcurrency', props.workerConcurrency, { min: 1, max: 1000 });
    checkDurationInRange(this, 'scaleInCooldown', props.scaleInCooldown, { min: Duration.seconds(0), max: Duration.hours(1) });
    checkDurationInRange(this, 'scaleOutCooldown', props.scaleOutCooldown, { min: Duration.seconds(0), max: Duration.hours(1) });
    checkDurationInRange(this, 'instanceWarmup', props.instanceWarmup, { min: Duration.seconds(0), max: Duration.hours(1) });
    checkDurationInRange(this, 'atMaxWorkersAlarmPeriod', props.atMaxWorkersAlarmPeriod, {
      min: Duration.minutes(1), max: Duration.days(1), fix: 'set atMaxWorkersAlarmPeriod to whole minutes between 1 minute and 1 day',
    });
    if (props.atMaxWorkersAlarmPeriod && !props.atMaxWorkersAlarmPeriod.isUnresolved()) {
      check(this, Number.isInteger(props.atMaxWorkersAlarmPeriod.toSeconds() / 60), {
        prop: 'atMaxWorkersAlarmPeriod', value: describeDuration(props.atMaxWorkersAlarmPeriod), allowed: 'whole minutes (the alarm evaluates 1-minute periods)', fix: 'round it to whole minutes',
      });
    }
    if (props.service) {
      checkNotSetWith(this, 'instanceWarmup', props.instanceWarmup, 'for an ECS service (it applies to EC2 instances)', 'remove instanceWarmup, or use scaleOutCooldown');
    } else {
      checkNotSetWith(this, 'scaleInCooldown', props.scaleInCooldown, 'for an Auto Scaling group (EC2 target tracking has no scale-in cooldown)', 'remove scaleInCooldown; use instanceWarmup');
      checkNotSetWith(this, 'scaleOutCooldown', props.scaleOutCooldown, 'for an Auto Scaling group (EC2 target tracking has no cooldowns)', 'remove scaleOutCooldown; use instanceWarmup');
    }

    if (props.targetBacklogPerWorker !== undefined) {
      const because = 'together with targetBacklogPerWorker (the target is given, not computed)';
      const fix = (p: string) => `remove ${p}, or remove targetBacklogPerWorker to compute it from acceptableLatency / averageProcessingTime`;
      checkNotSetWith(this, 'acceptableLatency', props.acceptableLatency, because, fix('acceptableLatency'));
      checkNotSetWith(this, 'averageProcessingTime', props.averageProcessingTime, because, fix('averageProcessingTime'));
      checkNotSetWith(this, 'workerConcurrency', props.workerConcurrency, because, fix('workerConcurrency'));
      if (!Token.isUnresolved(props.targetBacklogPerWorker)) {
        check(this, Number.isFinite(props.targetBacklogPerWorker) && props.targetBacklogPerWorker > 0, {
          prop: 'targetBacklogPerWorker',
          value: String(props.targetBacklogPerWorker),
          allowed: 'a number greater than 0 (messages per worker)',
          fix: 'set targetBacklogPerWorker to the messages one worker may have waiting, e.g. acceptable latency / processing time',
        });
      }
      return;
    }
    for (const [prop, value] of [['acceptableLatency', props.acceptableLatency], ['averageProcessingTime', props.averageProcessingTime]] as const) {
      check(this, value !== undefined, {
        prop,
        value: 'not set',
        allowed: 'a duration (with the other of acceptableLatency and averageProcessingTime), or targetBacklogPerWorker instead',
        fix: 'give acceptableLatency and averageProcessingTime, e.g. Duration.minutes(5) and Duration.seconds(30), or give targetBacklogPerWorker',
      });
    }
    const latency = props.acceptableLatency!;
    const processing = props.averageProcessingTime!;
    if (latency.isUnresolved() || processing.isUnresolved()) return;
    check(this, processing.toMilliseconds() > 0, {
      prop: 'averageProcessingTime', value: describeDuration(processing), allowed: 'more than 0', fix: 'give the measured average time one message takes',
    });
    check(this, processing.toMilliseconds() < latency.toMilliseconds(), {
      prop: 'averageProcessingTime',
      value: `${describeDuration(processing)} with acceptableLatency ${describeDuration(latency)}`,
      allowed: `less than acceptableLatency (${describeDuration(latency)}); a message that takes longer to process than it may wait in total can never meet the latency, whatever the fleet size`,
      fix: 'raise acceptableLatency above the processing time, or make processing faster',
    });
  }
}

/** A metric data query both Application Auto Scaling and EC2 Auto Scaling accept. */
interface MetricDataQuery {
  readonly id: string;
  readonly label?: string;
  readonly expression?: string;
  readonly metricStat?: {
    readonly metric: {
      readonly namespace: string;
      readonly metricName: string;
      readonly dimensions: { readonly name: string; readonly value: string }[];
    };
    readonly stat: string;
  };
  readonly returnData: boolean;
}

function computeTarget(props: BacklogScalingOptions): number {
  const latency = props.acceptableLatency!;
  const processing = props.averageProcessingTime!;
  return round((props.workerConcurrency ?? 1) * latency.toMilliseconds() / processing.toMilliseconds());
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

/** Scaling policy names must be unique per scalable target; the construct path makes them readable. */
function policyNamePrefix(scope: Construct): string {
  return scope.node.path.replace(/[^A-Za-z0-9-]/g, '-').slice(-200);
}

function warnUnlessContainerInsights(scope: Construct, service: ecs.BaseService): void {
  const cfn = service.cluster.node.defaultChild as ecs.CfnCluster | undefined;
  const settings = cfn ? Stack.of(scope).resolve(cfn.clusterSettings) as { name: string; value: string }[] | undefined : undefined;
  const on = settings?.some(s => s.name === 'containerInsights' && s.value !== 'disabled') ?? false;
  if (!on) {
    Annotations.of(scope).addWarningV2('cdk-integration-patterns:backlogScalingContainerInsights',
      `Cannot see Container Insights on the cluster of ${service.node.path}. The scaling reads ECS/ContainerInsights RunningTaskCount and DesiredTaskCount: `
      + 'create the cluster with containerInsightsV2: ecs.ContainerInsights.ENABLED (or enable it on the imported cluster), or the fleet will not scale.');
  }
}
