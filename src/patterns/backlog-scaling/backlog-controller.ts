import { Duration, Stack, Tokenization } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { BacklogControllerFunction } from './backlog-controller-function';
import { consumerFunctionProps } from '../../core/consumer/consumer-defaults';
import { acknowledgeWildcardResource } from '../../core/nag-acknowledgements';
import { durationAmount } from '../../core/validation';
import { createAlarm } from '../../monitoring/alarm-factory';

/** Where the controller publishes NeededWorkers, DesiredWorkers and RunningWorkers (dimension `Scaling`). */
export const CONTROLLER_METRIC_NAMESPACE = 'CdkIntegrationPatterns/BacklogScaling';

/** What the controller is told: the queue, the service, and the numbers it decides with. */
export interface BacklogControllerProps {
  readonly queue: sqs.IQueue;
  readonly service: ecs.BaseService;
  /** The target when it is known at synth (a number or a token given as the target). */
  readonly targetBacklogPerWorker?: number;
  /**
   * The target's inputs when it is derived from a token: the controller computes
   * `workerConcurrency x acceptableLatency / averageProcessingTime` at run time.
   */
  readonly derivedTarget?: { readonly acceptableLatency: Duration; readonly averageProcessingTime: Duration };
  readonly workerConcurrency: number;
  readonly minWorkers: number;
  readonly maxWorkers: number;
  readonly includeInFlight: boolean;
  readonly interval: Duration;
  readonly alarmsEnabled: boolean;
  readonly alarmTopic?: sns.ITopic;
}

/**
 * The ECS half of BacklogScaling: a Lambda function (lambda/backlog-controller, bundled) that an
 * EventBridge Scheduler schedule invokes every `interval`. It reads the queue (GetQueueAttributes),
 * the service (DescribeServices), sets the desired count (UpdateService) and publishes what it
 * decided. Least privilege: those calls on this queue and this service only, PutMetricData in its
 * own namespace only, logs to its own log group. Alarmed when it fails and when it stops deciding.
 *
 * Internal to the library (BacklogScaling exposes the parts).
 */
export class BacklogController extends Construct {
  public readonly function: lambda.Function;
  public readonly schedule: scheduler.CfnSchedule;
  public readonly logGroup: logs.LogGroup;
  /** The `Scaling` dimension of the controller's metrics: the construct path of the BacklogScaling. */
  public readonly scalingName: string;
  public readonly alarms: cloudwatch.IAlarm[] = [];

  constructor(scope: Construct, id: string, props: BacklogControllerProps) {
    super(scope, id);
    this.scalingName = scope.node.path;
    const parts = consumerFunctionProps(this, 'Function', { memorySize: 256, timeout: Duration.seconds(30) });
    this.logGroup = parts.logGroup;
    this.function = new BacklogControllerFunction(this, 'Function', {
      ...parts.props,
      description: `Sets the desired count of ${props.service.node.path} from the backlog of its queue (BacklogScaling controller)`,
      environment: {
        QUEUE_URL: props.queue.queueUrl,
        CLUSTER_NAME: props.service.cluster.clusterName,
        SERVICE_NAME: props.service.serviceName,
        METRIC_NAMESPACE: CONTROLLER_METRIC_NAMESPACE,
        SCALING_NAME: this.scalingName,
        ...targetEnvironment(props),
        WORKER_CONCURRENCY: Tokenization.stringifyNumber(props.workerConcurrency),
        MIN_WORKERS: String(props.minWorkers),
        MAX_WORKERS: String(props.maxWorkers),
        INCLUDE_IN_FLIGHT: String(props.includeInFlight),
      },
    });
    this.grant(parts.role, props);
    // The scheduler invokes the function asynchronously: a failed tick is not retried (Lambda's
    // default is 2 retries, minutes later, with a stale view); the next tick reads the queue afresh
    // and the errors alarm reports the failure.
    this.function.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: Duration.seconds(60) });

    // The scheduler may invoke this function only, for schedules of this account.
    const schedulerRole = new iam.Role(this, 'ScheduleRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } } }),
      description: `Invokes the BacklogScaling controller of ${scope.node.path}`,
    });
    schedulerRole.addToPolicy(new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.function.functionArn] }));
    const minutes = props.interval.toMinutes();
    this.schedule = new scheduler.CfnSchedule(this, 'Schedule', {
      description: `Runs the BacklogScaling controller of ${scope.node.path}`,
      scheduleExpression: `rate(${minutes} ${minutes === 1 ? 'minute' : 'minutes'})`,
      flexibleTimeWindow: { mode: 'OFF' },
      state: 'ENABLED',
      target: {
        arn: this.function.functionArn,
        roleArn: schedulerRole.roleArn,
        // A missed tick is not worth replaying: the next one reads the queue afresh. Failures
        // are seen through the function's errors alarm, so no dead-letter queue is kept.
        retryPolicy: { maximumRetryAttempts: 0, maximumEventAgeInSeconds: 60 },
      },
    });

    if (props.alarmsEnabled) {
      this.alarms.push(createAlarm(this, 'ErrorsAlarm', {
        metric: this.function.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
        threshold: 0,
        evaluationPeriods: 1,
        description: `${scope.node.path}: the scaling controller failed in the last 5 minutes; the fleet keeps its last size until it runs again. Read the function's log group (${this.function.node.path}).`,
        alarmTopic: props.alarmTopic,
      }));
      const silentMinutes = Math.max(5, 3 * minutes);
      this.alarms.push(createAlarm(this, 'SilentAlarm', {
        metric: this.desiredWorkersMetric().with({ statistic: 'SampleCount', period: Duration.minutes(silentMinutes) }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
        description: `${scope.node.path}: the scaling controller has published no decision for ${silentMinutes} minutes (schedule disabled, function throttled or failing); the fleet is not being sized.`,
        alarmTopic: props.alarmTopic,
      }));
    }
  }

  /** A metric the controller publishes (1-minute, dimension `Scaling`). */
  public metric(metricName: 'NeededWorkers' | 'DesiredWorkers' | 'RunningWorkers', statistic = 'Maximum'): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: CONTROLLER_METRIC_NAMESPACE, metricName, dimensionsMap: { Scaling: this.scalingName }, statistic, period: Duration.minutes(1),
    });
  }

  public desiredWorkersMetric(): cloudwatch.Metric {
    return this.metric('DesiredWorkers');
  }

  private grant(role: iam.Role, props: BacklogControllerProps): void {
    role.addToPolicy(new iam.PolicyStatement({ actions: ['sqs:GetQueueAttributes'], resources: [props.queue.queueArn] }));
    role.addToPolicy(new iam.PolicyStatement({ actions: ['ecs:DescribeServices', 'ecs:UpdateService'], resources: [props.service.serviceArn] }));
    const putMetrics = new iam.PolicyStatement({
      actions: ['cloudwatch:PutMetricData'],
      resources: ['*'],
      conditions: { StringEquals: { 'cloudwatch:namespace': CONTROLLER_METRIC_NAMESPACE } },
    });
    role.addToPolicy(putMetrics);
    acknowledgeWildcardResource(role, '*', `cloudwatch:PutMetricData has no resource-level permissions: AWS requires "*". The condition limits it to the ${CONTROLLER_METRIC_NAMESPACE} namespace.`);
  }
}

/**
 * The target in the controller's environment: TARGET_BACKLOG_PER_WORKER when it is known at synth;
 * otherwise its inputs, each duration as its amount in the unit it was made in and that unit in
 * milliseconds (a token duration cannot be converted at synth), for the controller to compute
 * and check at run time (lambda/backlog-controller/config.ts).
 */
function targetEnvironment(props: BacklogControllerProps): Record<string, string> {
  if (props.derivedTarget === undefined) return { TARGET_BACKLOG_PER_WORKER: String(props.targetBacklogPerWorker) };
  const latency = durationAmount(props.derivedTarget.acceptableLatency);
  const processing = durationAmount(props.derivedTarget.averageProcessingTime);
  return {
    ACCEPTABLE_LATENCY: Tokenization.stringifyNumber(latency.amount),
    ACCEPTABLE_LATENCY_UNIT_MS: String(latency.msPerUnit),
    AVERAGE_PROCESSING_TIME: Tokenization.stringifyNumber(processing.amount),
    AVERAGE_PROCESSING_TIME_UNIT_MS: String(processing.msPerUnit),
  };
}
