import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { durationAmount } from '../../core/validation';

/**
 * An alarm on a metric in milliseconds at `threshold`: the metric and the milliseconds when they
 * can be computed here; for a token duration in another unit (e.g. `Duration.minutes(param)`)
 * the metric divided by the unit's milliseconds (metric math), compared with the token amount.
 */
export function millisecondAlarm(metric: cloudwatch.Metric, threshold: Duration): { metric: cloudwatch.IMetric; threshold: number } {
  if (!threshold.isUnresolved()) return { metric, threshold: threshold.toMilliseconds() };
  const { amount, msPerUnit } = durationAmount(threshold);
  if (msPerUnit === 1) return { metric, threshold: amount };
  return {
    metric: new cloudwatch.MathExpression({
      expression: `age / ${msPerUnit}`,
      usingMetrics: { age: metric },
      label: `${metric.metricName} (${threshold.unitLabel()})`,
      period: metric.period,
    }),
    threshold: amount,
  };
}
