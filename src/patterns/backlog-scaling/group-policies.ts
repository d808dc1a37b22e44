import { Annotations, CfnResource, Duration, Stack } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { isTokenTarget, ScalingTarget } from './target';
import { check } from '../../core/validation';

/** Metric math ids, shared by the policies, the alarms and the dashboard (and read by bench/). */
export const IDS = {
  visible: 'visible', inFlight: 'in_flight', running: 'running', desired: 'desired', backlogPerWorker: 'backlog_per_worker', backlogPerTarget: 'backlog_per_target',
};
/** Worker counts at which the scale-out-from-zero step policy changes its answer (× target backlog per worker). */
const FROM_ZERO_STEPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000];

/** What the EC2 policies need from BacklogScaling. */
export interface GroupPolicyInputs {
  readonly group: autoscaling.AutoScalingGroup;
  /** The target backlog per worker: a number, or (a token) metric math. */
  readonly target: ScalingTarget;
  readonly minWorkers: number;
  readonly maxWorkers: number;
  readonly instanceWarmup: Duration;
  /** The metrics of the backlog-per-worker expression, by id. */
  readonly metrics: Record<string, cloudwatch.IMetric>;
  readonly backlogPerWorkerExpression: string;
  readonly visible: cloudwatch.IMetric;
  readonly desired: cloudwatch.IMetric;
}

/** What the EC2 policies made. */
export interface GroupPolicies {
  readonly targetTrackingPolicy: CfnResource;
  readonly scaleOutFromZeroPolicy?: CfnResource;
  readonly scaleOutFromZeroAlarm?: cloudwatch.Alarm;
}

/**
 * EC2 Auto Scaling: target tracking on backlog per worker (metric math customized metric) and, with
 * `minWorkers` 0, a step policy that starts instances when messages arrive and the group is at zero
 * (target tracking cannot leave zero). Instances have no scale-in protection from the worker
 * runtime, so the controller's faster scale-in (ECS) is not used here.
 *
 * A token target (given, or derived from token inputs: CloudFormation cannot divide, and
 * TargetValue must be a number) is normalized instead: target tracking on `backlog per worker /
 * target` (the target written as metric math from the tokens) with TargetValue 1, which sizes the
 * fleet the same (target tracking scales by the metric's ratio to its target), and the from-zero
 * steps on `visible / target` with bounds in workers (1, 2, 5, ...). The token values are not
 * checked: a processing time of 0 makes the math divide by 0 (no data: the policies do not act),
 * and one at or above the latency gives a target below workerConcurrency (more workers than needed).
 */
export function groupPolicies(scope: Construct, inputs: GroupPolicyInputs): GroupPolicies {
  prepareGroup(scope, inputs);
  const normalized = isTokenTarget(inputs.target);
  const target = `(${inputs.target.expression})`;
  const warmup = inputs.instanceWarmup.toSeconds();
  const targetTrackingPolicy = new autoscaling.CfnScalingPolicy(scope, 'BacklogPerWorkerPolicy', {
    autoScalingGroupName: inputs.group.autoScalingGroupName,
    policyType: 'TargetTrackingScaling',
    estimatedInstanceWarmup: warmup,
    targetTrackingConfiguration: {
      targetValue: normalized ? 1 : inputs.target.value!,
      customizedMetricSpecification: { metrics: metricDataQueries(inputs, normalized ? target : undefined) },
    },
  });
  if (inputs.minWorkers !== 0) return { targetTrackingPolicy };
  const scaleOutFromZeroAlarm = new cloudwatch.Alarm(scope, 'ScaleOutFromZeroAlarm', {
    metric: new cloudwatch.MathExpression({
      label: normalized ? 'Workers the visible messages need while no worker is wanted' : 'Visible messages while no worker is wanted',
      expression: `IF(${IDS.desired} < 1, ${normalized ? `${IDS.visible} / ${target}` : IDS.visible}, 0)`,
      usingMetrics: { [IDS.visible]: inputs.visible, [IDS.desired]: inputs.desired },
      period: Duration.minutes(1),
    }),
    threshold: 0,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    alarmDescription: `${scope.node.path}: messages are waiting and the fleet is at zero; starts workers (target tracking cannot scale out from zero).`,
  });
  const scaleOutFromZeroPolicy = new autoscaling.CfnScalingPolicy(scope, 'ScaleOutFromZeroPolicy', {
    autoScalingGroupName: inputs.group.autoScalingGroupName,
    policyType: 'StepScaling',
    adjustmentType: 'ChangeInCapacity',
    metricAggregationType: 'Maximum',
    estimatedInstanceWarmup: warmup,
    // Normalized, the metric counts workers already: the bounds are the worker counts (target 1).
    stepAdjustments: fromZeroSteps(normalized ? 1 : inputs.target.value!, inputs.maxWorkers),
  });
  const policyArn = scaleOutFromZeroPolicy.ref;
  scaleOutFromZeroAlarm.addAlarmAction({ bind: () => ({ alarmActionArn: policyArn }) });
  return { targetTrackingPolicy, scaleOutFromZeroPolicy, scaleOutFromZeroAlarm };
}

/** A metric data query EC2 Auto Scaling accepts. */
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

/**
 * The customized metric: the backlog-per-worker metric math, as metric data queries; with a token
 * target, that divided by the target (`target`, metric math text) to be tracked at 1.
 */
function metricDataQueries(inputs: GroupPolicyInputs, target?: string): MetricDataQuery[] {
  const queries: MetricDataQuery[] = Object.entries(inputs.metrics).map(([id, m]) => {
    const metric = m as cloudwatch.Metric;
    return {
      id,
      metricStat: {
        metric: {
          namespace: metric.namespace,
          metricName: metric.metricName,
          dimensions: Object.entries(metric.dimensions ?? {}).map(([name, value]) => ({ name, value: String(value) })),
        },
        stat: metric.statistic,
      },
      returnData: false,
    };
  });
  queries.push(target === undefined
    ? { id: IDS.backlogPerWorker, label: 'Backlog per worker', expression: inputs.backlogPerWorkerExpression, returnData: true }
    : { id: IDS.backlogPerTarget, label: 'Backlog per worker / target', expression: `(${inputs.backlogPerWorkerExpression}) / ${target}`, returnData: true });
  return queries;
}

/** One step adjustment of the from-zero policy. */
interface Step { metricIntervalLowerBound: number; metricIntervalUpperBound?: number; scalingAdjustment: number }

/**
 * Steps on the visible backlog while the group is at zero: enough workers at once for the
 * backlog at the target (1 up to 1 x target, 2 up to 2 x target, 5, 10, ...), capped at
 * maxWorkers. Target tracking takes over once workers run.
 */
function fromZeroSteps(target: number, max: number): Step[] {
  const steps: Step[] = [];
  let lower = 0;
  for (const workers of FROM_ZERO_STEPS) {
    if (workers >= max) break;
    const upper = Math.round(workers * target * 100) / 100;
    if (upper <= lower) continue;
    steps.push({ metricIntervalLowerBound: lower, metricIntervalUpperBound: upper, scalingAdjustment: workers });
    lower = upper;
  }
  steps.push({ metricIntervalLowerBound: lower, scalingAdjustment: max });
  return steps;
}

/** Sets the group's min and max, and switches on the group metrics the policies read. */
function prepareGroup(scope: Construct, inputs: GroupPolicyInputs): void {
  const asg = inputs.group;
  const cfn = asg.node.defaultChild as autoscaling.CfnAutoScalingGroup;
  cfn.minSize = String(inputs.minWorkers);
  cfn.maxSize = String(inputs.maxWorkers);
  if (cfn.desiredCapacity !== undefined) {
    Annotations.of(scope).addWarningV2('cdk-integration-patterns:backlogScalingDesiredCapacity',
      `${asg.node.path} has a fixed desiredCapacity (${cfn.desiredCapacity}); every deployment resets it and overrides the scaling. Remove desiredCapacity.`);
  }
  const collected = Stack.of(scope).resolve(cfn.metricsCollection) as { metrics?: string[] }[] | undefined;
  const needed = ['GroupDesiredCapacity', 'GroupInServiceInstances'];
  if (collected === undefined || collected.length === 0) {
    cfn.addPropertyOverride('MetricsCollection', [{ Granularity: '1Minute', Metrics: needed }]);
    return;
  }
  const names = collected.flatMap(c => c.metrics ?? needed); // no list = every group metric
  for (const metric of needed) {
    check(scope, names.includes(metric), {
      code: 'BACKLOG_SCALING_GROUP_METRICS',
      prop: 'autoScalingGroup',
      value: `${asg.node.path}, whose groupMetrics leave out ${metric}`,
      allowed: `a group that collects ${needed.join(' and ')} (the scaling policies read them)`,
      fix: 'add autoscaling.GroupMetric.DESIRED_CAPACITY and GroupMetric.IN_SERVICE_INSTANCES to the group\'s groupMetrics, or remove groupMetrics',
    });
  }
}
