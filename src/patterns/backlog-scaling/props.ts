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
   * Messages each worker may have waiting before the fleet grows. ECS: the controller sizes the
   * fleet to `ceil(inFlight / (2 x workerConcurrency) + visible / targetBacklogPerWorker)`; EC2:
   * the target of the target tracking policy on backlog per worker. Give it directly, or give
   * `acceptableLatency` and `averageProcessingTime` to have it computed. Must be more than 0.
   * A token (a CfnParameter) is fine here, and so are tokens in `acceptableLatency`,
   * `averageProcessingTime` and `workerConcurrency`: CloudFormation cannot divide, so a target
   * derived from a token is computed at run time by the controller (ECS, which checks the values
   * and fails, alarmed, on a bad one) or carried as metric math by the EC2 policies (target
   * tracking on backlog per worker / target, at 1).
   *
   * @default - `workerConcurrency x acceptableLatency / averageProcessingTime`
   */
  readonly targetBacklogPerWorker?: number;

  /**
   * How long a message may wait before a worker finishes it: the service level the fleet is
   * sized for. With `averageProcessingTime` it gives the target backlog per worker (AWS's
   * "acceptable latency / average processing time"). Must be longer than `averageProcessingTime`.
   * A token is accepted and read in the unit it was made in (`Duration.minutes(param.valueAsNumber)`
   * is minutes); it is not compared with the processing time at synth (see `targetBacklogPerWorker`).
   *
   * @default - none; required unless `targetBacklogPerWorker` is given
   */
  readonly acceptableLatency?: Duration;

  /**
   * How long a worker takes to process one message, on average. More than 0, less than
   * `acceptableLatency`. A token is accepted, read in the unit it was made in.
   *
   * @default - none; required unless `targetBacklogPerWorker` is given
   */
  readonly averageProcessingTime?: Duration;

  /**
   * Messages one worker (task or instance) processes at the same time. Multiplies the computed
   * target: a worker with 4 slots clears 4 messages per processing time. Range: 1 to 100, the
   * range of the queue-worker runtime's `WORKER_CONCURRENCY` (one process receives at most 10
   * messages per call; more than 100 jobs in one process is better spread over more workers).
   *
   * @default 1
   */
  readonly workerConcurrency?: number;

  /**
   * Fewest workers. 0 lets the fleet scale to zero when the queue is empty; the controller (ECS)
   * or a step policy (EC2, as target tracking cannot leave zero) starts workers when messages
   * arrive. Range: 0 to `maxWorkers`.
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
   * Count messages in flight (received, not yet deleted) too: they hold a worker until done.
   * Without them, a queue that has been drained into the workers' hands reads 0 and the fleet
   * is sized for the waiting messages only.
   *
   * @default true
   */
  readonly includeInFlight?: boolean;

  /**
   * ECS only: how often the controller sizes the fleet (an EventBridge Scheduler `rate(...)`
   * schedule invoking the controller function). Whole minutes, 1 minute to 1 hour. One minute
   * reacts like KEDA's 30-second polling plus its HPA's 15-second sync, within a task start.
   *
   * @default Duration.minutes(1)
   */
  readonly controlInterval?: Duration;

  /**
   * EC2 Auto Scaling only: seconds until a new instance counts towards the group's metrics.
   * Range: 0 to 1 hour.
   *
   * @default Duration.minutes(3)
   */
  readonly instanceWarmup?: Duration;

  /**
   * Alarm when the backlog has needed more than `maxWorkers` workers for this long: the limit,
   * not the load, sets the latency. Whole minutes, 1 minute to 1 day.
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
   * The ECS service whose desired task count is set by the controller (a Lambda function run
   * on a schedule; it calls `ecs:UpdateService` on this service only). Do not also call
   * `service.autoScaleTaskCount()`: two scalers would fight over the count.
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
