import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';

/**
 * The amount and the milliseconds per unit of a duration, also of a token one (`Duration.minutes(token)`),
 * whose amount cannot be converted without arithmetic on the token.
 * (h-tokens writes the same helper for BacklogScaling: merge the two into src/core.)
 */
export function amountAndUnit(d: Duration): { amount: number; msPerUnit: number; unit: string } {
  const raw = d as unknown as { amount: number; unit: { inMillis: number; label: string } };
  return { amount: raw.amount, msPerUnit: raw.unit.inMillis, unit: raw.unit.label };
}

/**
 * An alarm on a metric in milliseconds at `threshold`: the metric and the milliseconds when they
 * can be computed here; for a token duration in another unit (e.g. `Duration.minutes(param)`)
 * the metric divided by the unit's milliseconds (metric math), compared with the token amount.
 */
export function millisecondAlarm(metric: cloudwatch.Metric, threshold: Duration): { metric: cloudwatch.IMetric; threshold: number } {
  if (!threshold.isUnresolved()) return { metric, threshold: threshold.toMilliseconds() };
  const { amount, msPerUnit, unit } = amountAndUnit(threshold);
  if (msPerUnit === 1) return { metric, threshold: amount };
  return {
    metric: new cloudwatch.MathExpression({
      expression: `age / ${msPerUnit}`,
      usingMetrics: { age: metric },
      label: `${metric.metricName} (${unit})`,
      period: metric.period,
    }),
    threshold: amount,
  };
}
