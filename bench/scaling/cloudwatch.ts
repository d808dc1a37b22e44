/**
 * A CloudWatch stand-in: one sample per metric per minute (SQS and Container Insights publish
 * 1-minute data), statistics over any period that is a multiple of a minute, a publication delay,
 * and alarm evaluation (M out of N datapoints, metric math per datapoint).
 */
import { evaluate } from './expression';
import { AlarmSpec, Comparison, MetricQuery, Statistic } from './template';

/** The metrics the world publishes, by metric name. */
export const METRIC_NAMES = [
  'ApproximateNumberOfMessagesVisible',
  'ApproximateNumberOfMessagesNotVisible',
  'RunningTaskCount',
  'DesiredTaskCount',
  'CPUUtilization',
] as const;
export type MetricName = typeof METRIC_NAMES[number];

export class MetricStore {
  /** samples[name][minute] */
  private readonly samples = new Map<string, number[]>();

  /** @param delaySeconds how long after its period ends a datapoint becomes visible to alarms */
  constructor(public readonly delaySeconds: number) {}

  /** Records one minute's samples; an undefined value is a missing datapoint (e.g. CPU of no task). */
  record(minute: number, values: Record<MetricName, number | undefined>): void {
    for (const [name, value] of Object.entries(values)) {
      if (!this.samples.has(name)) this.samples.set(name, []);
      if (value !== undefined) this.samples.get(name)![minute] = value;
    }
  }

  /** The statistic of `metricName` over [start, start + period), or undefined when no sample exists. */
  stat(metricName: string, stat: Statistic, startSeconds: number, periodSeconds: number): number | undefined {
    const series = this.samples.get(metricName);
    if (!series) throw new Error(`the simulation publishes no metric named ${metricName} (known: ${METRIC_NAMES.join(', ')})`);
    const values: number[] = [];
    for (let m = startSeconds / 60; m < (startSeconds + periodSeconds) / 60; m++) {
      if (series[m] !== undefined) values.push(series[m]);
    }
    if (values.length === 0) return undefined;
    switch (stat) {
      case 'Maximum': return Math.max(...values);
      case 'Minimum': return Math.min(...values);
      case 'Sum': return values.reduce((a, b) => a + b, 0);
      case 'SampleCount': return values.length;
      case 'Average': return values.reduce((a, b) => a + b, 0) / values.length;
    }
  }

  /** The value of a metric-math query set (the query with returnData) for one period window. */
  queryValue(queries: readonly MetricQuery[], startSeconds: number, periodSeconds: number): number | undefined {
    const values: Record<string, number> = {};
    for (const q of queries) {
      if (!q.metric) continue;
      const v = this.stat(q.metric.metricName, q.metric.stat, startSeconds, periodSeconds);
      if (v === undefined) return undefined;
      values[q.id] = v;
    }
    const out = queries.find(q => q.returnData) ?? queries[queries.length - 1];
    if (out.metric) return values[out.id];
    // Expressions may refer to other expressions: evaluate in order.
    for (const q of queries) if (q.expression) values[q.id] = evaluate(q.expression, values);
    const v = values[out.id];
    return Number.isFinite(v) ? v : undefined;
  }

  /** The latest `count` datapoints (oldest first) visible at `now`; missing ones are undefined. */
  latest(queries: readonly MetricQuery[], periodSeconds: number, count: number, now: number): Array<number | undefined> {
    const lastWindow = Math.floor((now - this.delaySeconds) / periodSeconds) - 1;
    const out: Array<number | undefined> = [];
    for (let k = lastWindow - count + 1; k <= lastWindow; k++) {
      out.push(k < 0 ? undefined : this.queryValue(queries, k * periodSeconds, periodSeconds));
    }
    return out;
  }
}

export function breaches(value: number, comparison: Comparison, threshold: number): boolean {
  switch (comparison) {
    case 'GreaterThanThreshold': return value > threshold;
    case 'GreaterThanOrEqualToThreshold': return value >= threshold;
    case 'LessThanThreshold': return value < threshold;
    case 'LessThanOrEqualToThreshold': return value <= threshold;
  }
}

/** Whether the alarm is in ALARM at `now` (missing data: not breaching), and its latest value. */
export function alarmState(alarm: AlarmSpec, store: MetricStore, now: number): { alarm: boolean; value?: number } {
  const points = store.latest(alarm.queries, alarm.periodSeconds, alarm.evaluationPeriods, now);
  const breaching = points.filter(p => p !== undefined && breaches(p, alarm.comparison, alarm.threshold)).length;
  return { alarm: breaching >= alarm.datapointsToAlarm, value: points[points.length - 1] };
}
