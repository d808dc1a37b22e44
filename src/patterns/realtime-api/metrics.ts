import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';

/**
 * AppSync's metrics of one API (namespace `AWS/AppSync`, dimension `GraphQLAPIId`): without the
 * dimension an alarm watches a metric nobody publishes and never fires.
 *
 * Internal to the library.
 */
export class RealtimeApiMetrics {
  constructor(private readonly apiId: string) {}

  /** One AppSync metric of this API. */
  public metric(metricName: string, statistic: string, period: Duration = Duration.minutes(1)): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/AppSync',
      metricName,
      dimensionsMap: { GraphQLAPIId: this.apiId },
      statistic,
      period,
    });
  }

  /** Requests that failed with a server error (5XX). */
  public serverErrors(): cloudwatch.Metric {
    return this.metric('5XXError', 'Sum');
  }

  /** Requests that failed with a client error (4XX: bad query, unauthorized, throttled). */
  public clientErrors(): cloudwatch.Metric {
    return this.metric('4XXError', 'Sum');
  }

  /** Requests (queries and mutations). */
  public requests(): cloudwatch.Metric {
    return this.metric('Requests', 'Sum');
  }

  /** Percentage of requests that failed with a client error. */
  public clientErrorRate(): cloudwatch.MathExpression {
    return new cloudwatch.MathExpression({
      expression: 'IF(requests > 0, 100 * clientErrors / requests, 0)',
      usingMetrics: { clientErrors: this.clientErrors(), requests: this.requests() },
      label: '4XX error rate (%)',
      period: Duration.minutes(1),
    });
  }

  /** p99 latency of requests, in milliseconds. */
  public latencyP99(): cloudwatch.Metric {
    return this.metric('Latency', 'p99');
  }

  /** Real-time: WebSocket connections refused by a server error. */
  public connectServerErrors(): cloudwatch.Metric {
    return this.metric('ConnectServerError', 'Sum');
  }

  /** Real-time: subscriptions refused by a server error. */
  public subscribeServerErrors(): cloudwatch.Metric {
    return this.metric('SubscribeServerError', 'Sum');
  }

  /** Real-time: messages that could not be delivered to subscribers because of a server error. */
  public publishServerErrors(): cloudwatch.Metric {
    return this.metric('PublishDataMessageServerError', 'Sum');
  }

  /** Real-time: open WebSocket connections. */
  public activeConnections(): cloudwatch.Metric {
    return this.metric('ActiveConnections', 'Sum');
  }

  /** Real-time: active subscriptions. */
  public activeSubscriptions(): cloudwatch.Metric {
    return this.metric('ActiveSubscriptions', 'Sum');
  }

  /** Real-time: messages delivered to subscribers. */
  public publishedMessages(): cloudwatch.Metric {
    return this.metric('PublishDataMessageSuccess', 'Sum');
  }
}
