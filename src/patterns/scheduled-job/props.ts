import { Duration } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { ScheduledJobTarget } from './scheduled-job-target';
import { AlarmOptions } from '../../monitoring/alarm-options';
import { DashboardOptions } from '../../monitoring/dashboard-options';

/** Properties of a {@link ScheduledJob}. Give exactly one of `cronExpression`, `rate` and `at`. */
export interface ScheduledJobProps extends AlarmOptions, DashboardOptions {
  /** What the schedule runs. */
  readonly target: ScheduledJobTarget;

  /**
   * EventBridge's six-field cron: minutes hours day-of-month month day-of-week year, e.g.
   * `0 21 ? * MON-FRI *` (21:00 on weekdays). One of day-of-month and day-of-week must be `?`.
   *
   * @default - none; give `cronExpression`, `rate` or `at`
   */
  readonly cronExpression?: string;

  /**
   * Run every `rate` (whole minutes, at least 1 minute).
   *
   * @default - none
   */
  readonly rate?: Duration;

  /**
   * Run once at this time (then the schedule stays, inactive). Must be in the future at synth.
   *
   * @default - none
   */
  readonly at?: Date;

  /**
   * IANA time zone of `cronExpression` and `at`, e.g. `America/New_York` (daylight saving time
   * followed).
   *
   * @default 'UTC'
   */
  readonly timeZone?: string;

  /**
   * First time the schedule may run.
   *
   * @default - from creation
   */
  readonly startDate?: Date;

  /**
   * Last time the schedule may run.
   *
   * @default - no end
   */
  readonly endDate?: Date;

  /**
   * Flexible time window: Scheduler may start the job up to this long after the scheduled time,
   * spreading load. Range: 1 minute to 1,440 minutes (24 hours).
   *
   * @default - off (the job starts at the scheduled time)
   */
  readonly flexibleWindow?: Duration;

  /**
   * Retries when the target cannot be invoked. Range: 0 to 185.
   *
   * @default 185
   */
  readonly retryAttempts?: number;

  /**
   * How long Scheduler keeps retrying one invocation. Range: 60 seconds to 24 hours.
   *
   * @default Duration.hours(24)
   */
  readonly maxEventAge?: Duration;

  /**
   * Where invocations go that failed after the retries.
   *
   * @default - a new queue (SQS-managed encryption, TLS only, 14 days), alarmed when not empty
   */
  readonly deadLetterQueue?: sqs.IQueue;

  /**
   * Schedule group. Metrics and alarms are per group (dimension `ScheduleGroup`), so a group of
   * its own keeps them about this job.
   *
   * @default - a new group for this job
   */
  readonly scheduleGroup?: scheduler.IScheduleGroup;

  /**
   * Name of the schedule (1 to 64 letters, digits, . - _).
   *
   * @default - generated
   */
  readonly scheduleName?: string;

  /**
   * Customer-managed key for the schedule's target input at rest.
   *
   * @default - an AWS-owned key
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * Whether the schedule is enabled.
   *
   * @default true
   */
  readonly enabled?: boolean;

  /**
   * Description of the schedule.
   *
   * @default - the construct path
   */
  readonly description?: string;
}
