import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sqs from 'aws-cdk-lib/aws-sqs';

/**
 * Metric definitions for SQS queues, kept apart from alarms and dashboards.
 *
 * Every metric comes from the queue's own L2 metric methods, so it always carries the
 * `QueueName` dimension (a metric without it matches nothing and an alarm on it never fires).
 */
export class QueueMetrics {
  /** Age of the oldest message, in seconds (Maximum over 1 minute): the lag of the consumers. */
  public static ageOfOldestMessage(queue: sqs.IQueue): cloudwatch.Metric {
    return queue.metricApproximateAgeOfOldestMessage({ statistic: cloudwatch.Stats.MAXIMUM, period: Duration.minutes(1) });
  }

  /** Messages waiting to be received (Maximum over 1 minute): the backlog. */
  public static visibleMessages(queue: sqs.IQueue): cloudwatch.Metric {
    return queue.metricApproximateNumberOfMessagesVisible({ statistic: cloudwatch.Stats.MAXIMUM, period: Duration.minutes(1) });
  }

  /** Messages received but not yet deleted (Maximum over 1 minute): work in progress. */
  public static inFlightMessages(queue: sqs.IQueue): cloudwatch.Metric {
    return queue.metricApproximateNumberOfMessagesNotVisible({ statistic: cloudwatch.Stats.MAXIMUM, period: Duration.minutes(1) });
  }

  /** Messages sent per minute (Sum): the arrival rate. */
  public static sentMessages(queue: sqs.IQueue): cloudwatch.Metric {
    return queue.metricNumberOfMessagesSent({ statistic: cloudwatch.Stats.SUM, period: Duration.minutes(1) });
  }

  /** Messages deleted per minute (Sum): the completion rate. */
  public static deletedMessages(queue: sqs.IQueue): cloudwatch.Metric {
    return queue.metricNumberOfMessagesDeleted({ statistic: cloudwatch.Stats.SUM, period: Duration.minutes(1) });
  }

  /**
   * Estimated minutes until the backlog is gone at the current completion rate
   * (visible ÷ deleted per minute); empty while nothing is deleted.
   */
  public static minutesToDrain(queue: sqs.IQueue): cloudwatch.MathExpression {
    return new cloudwatch.MathExpression({
      label: 'Minutes to drain',
      expression: 'IF(deleted > 0, visible / deleted)',
      usingMetrics: { visible: QueueMetrics.visibleMessages(queue), deleted: QueueMetrics.deletedMessages(queue) },
      period: Duration.minutes(1),
    });
  }
}
