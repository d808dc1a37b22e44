import { Duration } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AlarmOptions } from '../../monitoring/alarm-options';

/**
 * How {@link BacklogScaling} sizes the fleet: the scaling target, the limits and the clocks.
 * Shared by `BacklogScaling` and `QueueWorkerService`.
 */
export interface BacklogScalingOptions {
  /**
   * Messages each worker may have waiting (or in hand, with `includeInFlight`) before the
   * fleet grows: the target of the target tracking policy. Give it directly, or give
   * `acceptableLatency` and `averageProcessingTime` to have it computed. Must be more than 0.
   *
   * @default - `workerConcurrency x acceptableLatency / averageProcessingTime`
   */
  readonly targetBacklogPerWorker?: number;

  /**
   * How long a message may wait before a worker finishes it: the service level the fleet is
   * sized for. With `averageProcessingTime` it gives the target backlog per worker (AWS's
   * "acceptable latency / average processing time"). Must be longer than `averageProcessingTime`.
   *
   * @default - none; required unless `targetBacklogPerWorker` is given
   */
  readonly acceptableLatency?: Duration;

  /**
   * How long a worker takes to process one message, on average.
   *
   * @default - none; required unless `targetBacklogPerWorker` is given
   */
  readonly averageProcessingTime?: Duration;

  /**
   * Messages one worker (task or instance) processes at the same time. Multiplies the computed
   * target: a worker with 4 slots clears 4 messages per processing time. Range: 1 to 1,000.
   *
   * @default 1
   */
  readonly workerConcurrency?: number;

  /**
   * Fewest workers. 0 lets the fleet scale to zero when the queue is empty; a step policy then
   * starts workers when messages arrive (target tracking cannot leave zero). Range: 0 to `maxWorkers`.
   *
   * @default 0
   */
  readonly minWorkers?: number;

  /**
   * Most workers. Range: 1 to 10,000, at least `minWorkers`.
   *
   * @default 10
   */
  readonly maxWorkers?: number;

  /**
   * Count messages in flight (received, not yet deleted) as backlog too. Without them, a queue
   * that has been drained into the workers' hands reads 0 and the fleet scales in while every
   * worker is busy.
   *
   * @default true
   */
  readonly includeInFlight?: boolean;

  /**
   * ECS only: time after a scale-in before another scale-in. Range: 0 to 1 hour. EC2 Auto
   * Scaling target tracking has no scale-in cooldown (it uses `instanceWarmup`).
   *
   * @default Duration.minutes(5)
   */
  readonly scaleInCooldown?: Duration;

  /**
   * ECS only: time after a scale-out before another scale-out that is not larger. Range: 0 to 1 hour.
   *
   * @default Duration.seconds(60)
   */
  readonly scaleOutCooldown?: Duration;

  /**
   * EC2 Auto Scaling only: seconds until a new instance counts towards the group's metrics.
   * Range: 0 to 1 hour.
   *
   * @default Duration.minutes(3)
   */
  readonly instanceWarmup?: Duration;

  /**
   * Alarm when the fleet has run at `maxWorkers` with more backlog per worker than the target
   * for this long: the limit, not the load, sets the latency. Range: 1 minute to 1 day.
   *
   * @default Duration.minutes(15)
   */
  readonly atMaxWorkersAlarmPeriod?: Duration;
}

/**
 * Properties of a {@link BacklogScaling}: what to scale (an ECS service or an EC2 Auto Scaling
 * group, exactly one), on which queue, and how.
 */
export interface BacklogScalingProps extends BacklogScalingOptions, AlarmOptions {
  /** The queue whose backlog drives the scaling. */
  readonly queue: sqs.IQueue;

  /**
   * The ECS service whose desired task count is scaled. Its cluster must have CloudWatch
   * Container Insights on (`containerInsightsV2`): the running and desired task counts come
   * from `ECS/ContainerInsights`. Do not also call `service.autoScaleTaskCount()`.
   *
   * @default - none; give `service` or `autoScalingGroup`
   */
  readonly service?: ecs.BaseService;

  /**
   * The EC2 Auto Scaling group whose capacity is scaled. Its min and max size are set to
   * `minWorkers` and `maxWorkers`, and group metrics (desired and in-service instances) are
   * switched on when the group collects none.
   *
   * @default - none; give `service` or `autoScalingGroup`
   */
  readonly autoScalingGroup?: autoscaling.AutoScalingGroup;
}
