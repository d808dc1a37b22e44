import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';

/**
 * Metric definitions for EventBridge rules (namespace `AWS/Events`), kept apart from alarms and
 * dashboards. Rules on a custom bus report with the dimensions `EventBusName` and `RuleName`;
 * rules on the default bus with `RuleName` only. A metric without the right dimensions matches
 * no data and its alarm never fires.
 */
export class EventRouteMetrics {
  /** Invocations of the rule's targets that failed for good (after retries), per minute (Sum). */
  public static failedInvocations(ruleName: string, eventBusName: string): cloudwatch.Metric {
    return EventRouteMetrics.metric('FailedInvocations', ruleName, eventBusName);
  }

  /** Events moved to a target's dead-letter queue, per minute (Sum). */
  public static invocationsSentToDlq(ruleName: string, eventBusName: string): cloudwatch.Metric {
    return EventRouteMetrics.metric('InvocationsSentToDlq', ruleName, eventBusName);
  }

  /** Events that could not even be put on the dead-letter queue (lost), per minute (Sum). */
  public static invocationsFailedToBeSentToDlq(ruleName: string, eventBusName: string): cloudwatch.Metric {
    return EventRouteMetrics.metric('InvocationsFailedToBeSentToDlq', ruleName, eventBusName);
  }

  /** Invocations throttled (the rule's targets were slower than the events), per minute (Sum). */
  public static throttledRules(ruleName: string, eventBusName: string): cloudwatch.Metric {
    return EventRouteMetrics.metric('ThrottledRules', ruleName, eventBusName);
  }

  /** Events that matched the rule, per minute (Sum). */
  public static matchedEvents(ruleName: string, eventBusName: string): cloudwatch.Metric {
    return EventRouteMetrics.metric('MatchedEvents', ruleName, eventBusName);
  }

  /** Target invocations, per minute (Sum). */
  public static invocations(ruleName: string, eventBusName: string): cloudwatch.Metric {
    return EventRouteMetrics.metric('Invocations', ruleName, eventBusName);
  }

  private static metric(metricName: string, ruleName: string, eventBusName: string): cloudwatch.Metric {
    const dimensionsMap: Record<string, string> = eventBusName === 'default'
      ? { RuleName: ruleName }
      : { EventBusName: eventBusName, RuleName: ruleName };
    return new cloudwatch.Metric({
      namespace: 'AWS/Events',
      metricName,
      dimensionsMap,
      statistic: cloudwatch.Stats.SUM,
      period: Duration.minutes(1),
    });
  }
}
