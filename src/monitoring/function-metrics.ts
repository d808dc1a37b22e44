import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';

/**
 * Metric definitions for consumer functions, each with the `FunctionName` dimension.
 */
export class FunctionMetrics {
  /** Invocations that ended in an error, per minute (Sum). */
  public static errors(fn: lambda.IFunction): cloudwatch.Metric {
    return fn.metricErrors({ statistic: cloudwatch.Stats.SUM, period: Duration.minutes(1) });
  }

  /** Invocations rejected for lack of concurrency, per minute (Sum). */
  public static throttles(fn: lambda.IFunction): cloudwatch.Metric {
    return fn.metricThrottles({ statistic: cloudwatch.Stats.SUM, period: Duration.minutes(1) });
  }

  /** Invocations per minute (Sum). */
  public static invocations(fn: lambda.IFunction): cloudwatch.Metric {
    return fn.metricInvocations({ statistic: cloudwatch.Stats.SUM, period: Duration.minutes(1) });
  }

  /** p99 duration over 1 minute. */
  public static durationP99(fn: lambda.IFunction): cloudwatch.Metric {
    return fn.metricDuration({ statistic: cloudwatch.Stats.p(99), period: Duration.minutes(1) });
  }
}
