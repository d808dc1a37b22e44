import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sns from 'aws-cdk-lib/aws-sns';

/**
 * Metric definitions for SNS topics, kept apart from alarms and dashboards. Each carries the
 * `TopicName` dimension through the topic's L2 metric methods.
 */
export class TopicMetrics {
  /** Messages published per minute (Sum). */
  public static publishedMessages(topic: sns.ITopic): cloudwatch.Metric {
    return topic.metricNumberOfMessagesPublished({ statistic: cloudwatch.Stats.SUM, period: Duration.minutes(1) });
  }

  /** Notifications delivered per minute (Sum). */
  public static deliveredNotifications(topic: sns.ITopic): cloudwatch.Metric {
    return topic.metricNumberOfNotificationsDelivered({ statistic: cloudwatch.Stats.SUM, period: Duration.minutes(1) });
  }

  /** Notifications SNS failed to deliver per minute (Sum), after its retries. */
  public static failedNotifications(topic: sns.ITopic): cloudwatch.Metric {
    return topic.metricNumberOfNotificationsFailed({ statistic: cloudwatch.Stats.SUM, period: Duration.minutes(1) });
  }
}
