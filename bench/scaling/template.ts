/**
 * Reads the scaling behaviour out of a synthesized CloudFormation template: the scalable target's
 * limits, every Application Auto Scaling policy (step scaling with its CloudWatch alarms, target
 * tracking with its customized metric or metric math), and the worker's concurrency from the task
 * definition's environment. Nothing is assumed that the template does not say, except the alarms
 * Application Auto Scaling creates itself for target tracking (documented: scale out after 3
 * one-minute datapoints above the target, scale in after 15 below 90 % of it).
 */

export type Statistic = 'Maximum' | 'Minimum' | 'Average' | 'Sum' | 'SampleCount';

export interface MetricStatRef {
  readonly namespace: string;
  readonly metricName: string;
  readonly stat: Statistic;
  readonly periodSeconds: number;
}

/** One query of a metric-math set: a metric, or an expression over the other ids. */
export interface MetricQuery {
  readonly id: string;
  readonly metric?: MetricStatRef;
  readonly expression?: string;
  readonly returnData: boolean;
}

export type Comparison = 'GreaterThanThreshold' | 'GreaterThanOrEqualToThreshold' | 'LessThanThreshold' | 'LessThanOrEqualToThreshold';

export interface AlarmSpec {
  readonly logicalId: string;
  readonly queries: MetricQuery[];
  readonly periodSeconds: number;
  readonly threshold: number;
  readonly comparison: Comparison;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
}

export interface StepAdjustment {
  /** Relative to the alarm threshold; undefined = unbounded. */
  readonly lower?: number;
  readonly upper?: number;
  readonly adjustment: number;
}

export interface StepPolicySpec {
  readonly kind: 'step';
  readonly logicalId: string;
  readonly adjustmentType: 'ChangeInCapacity' | 'ExactCapacity' | 'PercentChangeInCapacity';
  readonly cooldownSeconds: number;
  readonly steps: StepAdjustment[];
  readonly alarms: AlarmSpec[];
}

export interface TargetTrackingSpec {
  readonly kind: 'target';
  readonly logicalId: string;
  readonly targetValue: number;
  readonly scaleOutCooldownSeconds: number;
  readonly scaleInCooldownSeconds: number;
  readonly disableScaleIn: boolean;
  readonly queries: MetricQuery[];
}

export interface ScalingSpec {
  readonly minCapacity: number;
  readonly maxCapacity: number;
  readonly policies: Array<StepPolicySpec | TargetTrackingSpec>;
  /** WORKER_CONCURRENCY of the worker container, when the template sets it. */
  readonly workerConcurrency?: number;
  /** VISIBILITY_TIMEOUT_SECONDS of the worker container, when the template sets it. */
  readonly visibilityTimeoutSeconds?: number;
}

type Resources = Record<string, { Type: string; Properties?: any }>;

/** Application Auto Scaling's default step-scaling cooldown (CloudFormation: "If not specified, the default value is 300"). */
export const DEFAULT_STEP_COOLDOWN_SECONDS = 300;
/** Target tracking: Application Auto Scaling's own alarms. */
export const TARGET_TRACKING_ALARMS = { scaleOutDatapoints: 3, scaleInDatapoints: 15, scaleInFactor: 0.9, periodSeconds: 60 };

/** Predefined target tracking metrics the simulation publishes. */
const PREDEFINED_METRICS: Record<string, MetricStatRef> = {
  ECSServiceAverageCPUUtilization: { namespace: 'AWS/ECS', metricName: 'CPUUtilization', stat: 'Average', periodSeconds: 60 },
};

const refOf = (v: unknown): string | undefined => (v && typeof v === 'object' && 'Ref' in (v as any) ? String((v as any).Ref) : undefined);

function metricFrom(m: any, stat: string, period: number): MetricStatRef {
  return { namespace: m.Namespace, metricName: m.MetricName, stat: stat as Statistic, periodSeconds: period };
}

function alarmQueries(props: any): { queries: MetricQuery[]; period: number } {
  if (Array.isArray(props.Metrics)) {
    const queries = props.Metrics.map((q: any): MetricQuery => ({
      id: q.Id,
      expression: q.Expression,
      metric: q.MetricStat ? metricFrom(q.MetricStat.Metric, q.MetricStat.Stat, q.MetricStat.Period) : undefined,
      returnData: q.ReturnData !== false,
    }));
    const period = props.Metrics.find((q: any) => q.Period)?.Period ?? props.Metrics.find((q: any) => q.MetricStat)?.MetricStat.Period ?? 60;
    return { queries, period };
  }
  return {
    queries: [{ id: 'm', metric: metricFrom(props, props.Statistic, props.Period), returnData: true }],
    period: props.Period,
  };
}

/** Parses one template; `filter` picks the scalable target when a template has several. */
export function parseScaling(template: { Resources: Resources }, filter?: (logicalId: string) => boolean): ScalingSpec {
  const resources = template.Resources;
  const targets = Object.entries(resources).filter(([id, r]) => r.Type === 'AWS::ApplicationAutoScaling::ScalableTarget' && (!filter || filter(id)));
  if (targets.length !== 1) throw new Error(`expected one AWS::ApplicationAutoScaling::ScalableTarget, found ${targets.length}`);
  const [targetId, target] = targets[0];
  const policies: Array<StepPolicySpec | TargetTrackingSpec> = [];
  for (const [id, r] of Object.entries(resources)) {
    if (r.Type !== 'AWS::ApplicationAutoScaling::ScalingPolicy') continue;
    const p = r.Properties;
    if (refOf(p.ScalingTargetId) !== targetId) continue;
    if (p.PolicyType === 'StepScaling') {
      const c = p.StepScalingPolicyConfiguration;
      const alarms = Object.entries(resources)
        .filter(([, a]) => a.Type === 'AWS::CloudWatch::Alarm' && (a.Properties.AlarmActions ?? []).some((x: unknown) => refOf(x) === id))
        .map(([alarmId, a]): AlarmSpec => {
          const { queries, period } = alarmQueries(a.Properties);
          return {
            logicalId: alarmId,
            queries,
            periodSeconds: period,
            threshold: a.Properties.Threshold,
            comparison: a.Properties.ComparisonOperator,
            evaluationPeriods: a.Properties.EvaluationPeriods,
            datapointsToAlarm: a.Properties.DatapointsToAlarm ?? a.Properties.EvaluationPeriods,
          };
        });
      if (alarms.length === 0) throw new Error(`step scaling policy ${id} has no alarm that invokes it`);
      policies.push({
        kind: 'step',
        logicalId: id,
        adjustmentType: c.AdjustmentType,
        cooldownSeconds: c.Cooldown ?? DEFAULT_STEP_COOLDOWN_SECONDS,
        steps: c.StepAdjustments.map((s: any) => ({
          lower: s.MetricIntervalLowerBound, upper: s.MetricIntervalUpperBound, adjustment: s.ScalingAdjustment,
        })),
        alarms,
      });
    } else if (p.PolicyType === 'TargetTrackingScaling') {
      const c = p.TargetTrackingScalingPolicyConfiguration;
      const spec = c.CustomizedMetricSpecification;
      const predefined = c.PredefinedMetricSpecification?.PredefinedMetricType;
      if (!spec && !(predefined in PREDEFINED_METRICS)) {
        const known = Object.keys(PREDEFINED_METRICS).join(', ');
        throw new Error(`target tracking policy ${id}: metric ${predefined ?? 'unknown'} is not modelled (modelled: customized metrics, ${known})`);
      }
      const queries: MetricQuery[] = !spec ? [{ id: 'm', metric: PREDEFINED_METRICS[predefined], returnData: true }] : Array.isArray(spec.Metrics)
        ? spec.Metrics.map((q: any) => ({
          id: q.Id,
          expression: q.Expression,
          metric: q.MetricStat ? metricFrom(q.MetricStat.Metric, q.MetricStat.Stat, 60) : undefined,
          returnData: q.ReturnData !== false,
        }))
        : [{ id: 'm', metric: metricFrom(spec, spec.Statistic, 60), returnData: true }];
      policies.push({
        kind: 'target',
        logicalId: id,
        targetValue: c.TargetValue,
        scaleOutCooldownSeconds: c.ScaleOutCooldown ?? 300,
        scaleInCooldownSeconds: c.ScaleInCooldown ?? 300,
        disableScaleIn: c.DisableScaleIn === true,
        queries,
      });
    }
  }
  let workerConcurrency: number | undefined;
  let visibilityTimeoutSeconds: number | undefined;
  for (const r of Object.values(resources)) {
    if (r.Type !== 'AWS::ECS::TaskDefinition') continue;
    for (const c of r.Properties.ContainerDefinitions ?? []) {
      for (const e of c.Environment ?? []) {
        if (e.Name === 'WORKER_CONCURRENCY') workerConcurrency = Number(e.Value);
        if (e.Name === 'VISIBILITY_TIMEOUT_SECONDS') visibilityTimeoutSeconds = Number(e.Value);
      }
    }
  }
  return {
    minCapacity: target.Properties.MinCapacity, maxCapacity: target.Properties.MaxCapacity, policies, workerConcurrency, visibilityTimeoutSeconds,
  };
}

/** A controller-driven fleet read from a template: the schedule and the controller's environment. */
export interface ControllerTemplateSpec {
  readonly scheduleLogicalId: string;
  readonly functionLogicalId: string;
  readonly scheduleSeconds: number;
  readonly settings: {
    readonly targetBacklogPerWorker: number;
    readonly workerConcurrency: number;
    readonly minWorkers: number;
    readonly maxWorkers: number;
    readonly includeInFlight: boolean;
  };
}

const RATE_UNITS: Record<string, number> = { minute: 60, minutes: 60, hour: 3600, hours: 3600, day: 86400, days: 86400 };

/** Seconds between runs of an EventBridge Scheduler `rate(...)` expression (cron is not modelled). */
export function rateSeconds(expression: string): number {
  const m = /^rate\((\d+)\s+(minutes?|hours?|days?)\)$/.exec(expression.trim());
  if (!m) throw new Error(`schedule expression ${JSON.stringify(expression)} is not modelled (modelled: rate(N minute[s]|hour[s]|day[s]))`);
  return Number(m[1]) * RATE_UNITS[m[2]];
}

/**
 * The backlog controller of a template: an enabled `AWS::Scheduler::Schedule` whose target is a
 * Lambda function with the controller's environment (TARGET_BACKLOG_PER_WORKER, MIN_WORKERS, ...).
 * Undefined when the template has none.
 */
export function parseController(template: { Resources: Resources }): ControllerTemplateSpec | undefined {
  const resources = template.Resources;
  for (const [scheduleId, r] of Object.entries(resources)) {
    if (r.Type !== 'AWS::Scheduler::Schedule' || r.Properties?.State === 'DISABLED') continue;
    const arn = r.Properties.Target?.Arn;
    const functionId = Array.isArray(arn?.['Fn::GetAtt']) ? String(arn['Fn::GetAtt'][0]) : undefined;
    const fn = functionId ? resources[functionId] : undefined;
    const env = fn?.Type === 'AWS::Lambda::Function' ? fn.Properties?.Environment?.Variables : undefined;
    if (!env || env.TARGET_BACKLOG_PER_WORKER === undefined) continue;
    const num = (name: string) => {
      const v = Number(env[name]);
      if (!Number.isFinite(v)) throw new Error(`controller ${functionId}: ${name}=${JSON.stringify(env[name])} is not a number`);
      return v;
    };
    return {
      scheduleLogicalId: scheduleId,
      functionLogicalId: functionId!,
      scheduleSeconds: rateSeconds(r.Properties.ScheduleExpression),
      settings: {
        targetBacklogPerWorker: num('TARGET_BACKLOG_PER_WORKER'),
        workerConcurrency: env.WORKER_CONCURRENCY === undefined ? 1 : num('WORKER_CONCURRENCY'),
        minWorkers: num('MIN_WORKERS'),
        maxWorkers: num('MAX_WORKERS'),
        includeInFlight: env.INCLUDE_IN_FLIGHT !== 'false',
      },
    };
  }
  return undefined;
}
