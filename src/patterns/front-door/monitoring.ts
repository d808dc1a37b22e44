import { Duration, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { createAlarm } from '../../monitoring/alarm-factory';

/** The API's metrics with their dimensions (REST: ApiName + Stage; HTTP: ApiId + Stage). Internal. */
export class FrontDoorMetrics {
  constructor(
    private readonly dimensions: Record<string, string>,
    /** Metric names differ by API kind: 5XXError / 5xx, 4XXError / 4xx. */
    private readonly rest: boolean,
  ) {}

  public requests(): cloudwatch.Metric {
    return this.metric('Count', 'Sum');
  }
  public serverErrors(): cloudwatch.Metric {
    return this.metric(this.rest ? '5XXError' : '5xx', 'Sum');
  }
  /** Average of a 0/1 per-request metric = share of requests answered 4XX. */
  public clientErrorRate(): cloudwatch.Metric {
    return this.metric(this.rest ? '4XXError' : '4xx', 'Average');
  }
  public latencyP99(): cloudwatch.Metric {
    return this.metric('Latency', 'p99');
  }
  public integrationLatencyP99(): cloudwatch.Metric {
    return this.metric('IntegrationLatency', 'p99');
  }

  /** No label here: an alarm on a labelled metric is written as metric math (graphs add labels). */
  private metric(metricName: string, statistic: string): cloudwatch.Metric {
    return new cloudwatch.Metric({ namespace: 'AWS/ApiGateway', metricName, dimensionsMap: this.dimensions, statistic, period: Duration.minutes(5) });
  }
}

/** Thresholds of the front door's alarms. Internal. */
export interface FrontDoorAlarmThresholds {
  readonly latencyP99: Duration;
  readonly integrationLatencyP99: Duration;
  readonly clientErrorRate: number;
  readonly alarmTopic?: sns.ITopic;
}

/** The four alarms: 5XX, 4XX rate, latency p99, integration latency p99. */
export function frontDoorAlarms(scope: Construct, metrics: FrontDoorMetrics, t: FrontDoorAlarmThresholds): cloudwatch.Alarm[] {
  return [
    createAlarm(scope, 'ServerErrorsAlarm', {
      metric: metrics.serverErrors().with({ period: Duration.minutes(1) }),
      threshold: 0,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      description: 'The front door answered 5XX (its fault or a backend\'s): read the access logs (status, integrationError), then the integration role and the backend\'s health.',
      alarmTopic: t.alarmTopic,
    }),
    createAlarm(scope, 'ClientErrorRateAlarm', {
      metric: metrics.clientErrorRate(),
      threshold: t.clientErrorRate,
      evaluationPeriods: 3,
      description: `More than ${Token.isUnresolved(t.clientErrorRate) ? 'clientErrorRateThreshold' : `${t.clientErrorRate * 100} %`} of requests were answered 4XX for 15 minutes: a caller sends invalid bodies, a key or token broke, or throttling is set too low (429 in the access logs).`,
      alarmTopic: t.alarmTopic,
    }),
    createAlarm(scope, 'LatencyAlarm', {
      metric: metrics.latencyP99(),
      threshold: t.latencyP99.toMilliseconds(),
      evaluationPeriods: 3,
      description: `Callers wait more than ${t.latencyP99.toHumanString()} (p99) for 15 minutes: compare with the integration latency to see whether the backend or the API is slow.`,
      alarmTopic: t.alarmTopic,
    }),
    createAlarm(scope, 'IntegrationLatencyAlarm', {
      metric: metrics.integrationLatencyP99(),
      threshold: t.integrationLatencyP99.toMilliseconds(),
      evaluationPeriods: 3,
      description: `The backends answer slower than ${t.integrationLatencyP99.toHumanString()} (p99) for 15 minutes: look at the backend (queue/stream/bus/workflow) throttling and, for synchronous workflows, their duration.`,
      alarmTopic: t.alarmTopic,
    }),
  ];
}

/** Widgets of the front door's section on a dashboard. */
export function frontDoorWidgets(metrics: FrontDoorMetrics): cloudwatch.IWidget[] {
  return [
    new cloudwatch.GraphWidget({ title: 'Requests and 5XX', left: [metrics.requests().with({ label: 'requests' })], right: [metrics.serverErrors().with({ label: '5XX answers' })], width: 8 }),
    new cloudwatch.GraphWidget({ title: '4XX rate', left: [metrics.clientErrorRate().with({ label: 'share of requests answered 4XX' })], width: 8 }),
    new cloudwatch.GraphWidget({
      title: 'Latency p99 (ms)',
      left: [metrics.latencyP99().with({ label: 'what callers see' }), metrics.integrationLatencyP99().with({ label: 'backend' })],
      width: 8,
    }),
  ];
}
