import { Duration, Token } from 'aws-cdk-lib';
import { BacklogScalingOptions, BacklogScalingProps } from './props';
import { describeDuration, Rule } from '../../core/validation';

/** The range of `workerConcurrency` everywhere (BacklogScaling, the worker constructs, the worker runtime). */
export const WORKER_CONCURRENCY_RANGE = { min: 1, max: 100 } as const;

const fixTarget = 'set targetBacklogPerWorker to the messages one worker may have waiting, e.g. acceptable latency / processing time';

/** Whole minutes of a duration, or undefined when it is a token or not whole minutes. */
function wholeMinutes(d: Duration): number | undefined {
  if (d.isUnresolved()) return undefined;
  const minutes = d.toSeconds() / 60;
  return Number.isInteger(minutes) ? minutes : undefined;
}

/** What the scaling rules read: the options, and (for a BacklogScaling) which kind of fleet it scales. */
interface ScalingRuleInput extends BacklogScalingOptions {
  readonly service?: unknown;
  readonly autoScalingGroup?: unknown;
}

/**
 * The rules of the scaling options, under the prefix the user wrote them (`scaling.` inside a
 * worker fleet's props), so the message names `scaling.maxWorkers`. Codes are stable.
 */
export function backlogScalingOptionsRules(P = ''): Rule<ScalingRuleInput>[] {
  return [
    (p, v) => v.numberInRange('BACKLOG_SCALING_MIN_WORKERS', `${P}minWorkers`, p.minWorkers, { min: 0, max: 10_000 }),
    (p, v) => v.numberInRange('BACKLOG_SCALING_MAX_WORKERS', `${P}maxWorkers`, p.maxWorkers, {
      min: 1, max: 10_000, fix: `set ${P}maxWorkers to at least 1 (a fleet of at most 0 workers never processes a message), or leave it unset for 10`,
    }),
    (p, v) => {
      const min = p.minWorkers ?? 0;
      const max = p.maxWorkers ?? 10;
      if (Token.isUnresolved(min) || Token.isUnresolved(max) || !Number.isFinite(min) || !Number.isFinite(max)) return;
      v.check('BACKLOG_SCALING_MIN_OVER_MAX', min <= max, {
        prop: `${P}minWorkers`,
        value: `${min} with ${P}maxWorkers ${max}`,
        allowed: `at most ${P}maxWorkers (${max})`,
        fix: `lower ${P}minWorkers to ${max} or less, or raise ${P}maxWorkers to ${min} or more`,
      });
    },
    (p, v) => v.numberInRange('BACKLOG_SCALING_WORKER_CONCURRENCY', `${P}workerConcurrency`, p.workerConcurrency, {
      ...WORKER_CONCURRENCY_RANGE,
      fix: `set ${P}workerConcurrency from 1 to 100 (the worker runtime's WORKER_CONCURRENCY range); for more parallel jobs, run more workers`,
    }),
    (p, v) => v.durationInRange('BACKLOG_SCALING_INSTANCE_WARMUP', `${P}instanceWarmup`, p.instanceWarmup, { min: Duration.seconds(0), max: Duration.hours(1) }),
    (p, v) => {
      v.durationInRange('BACKLOG_SCALING_CONTROL_INTERVAL', `${P}controlInterval`, p.controlInterval, {
        min: Duration.minutes(1), max: Duration.hours(1), fix: `set ${P}controlInterval to whole minutes between 1 minute and 1 hour, or leave it unset for 1 minute`,
      });
      if (p.controlInterval && !p.controlInterval.isUnresolved()) {
        v.check('BACKLOG_SCALING_CONTROL_INTERVAL_MINUTES', wholeMinutes(p.controlInterval) !== undefined, {
          prop: `${P}controlInterval`, value: describeDuration(p.controlInterval), allowed: 'whole minutes (an EventBridge Scheduler rate is in minutes)', fix: 'round it to whole minutes',
        });
      }
    },
    (p, v) => {
      v.durationInRange('BACKLOG_SCALING_AT_MAX_PERIOD', `${P}atMaxWorkersAlarmPeriod`, p.atMaxWorkersAlarmPeriod, {
        min: Duration.minutes(1), max: Duration.days(1), fix: `set ${P}atMaxWorkersAlarmPeriod to whole minutes between 1 minute and 1 day`,
      });
      if (p.atMaxWorkersAlarmPeriod && !p.atMaxWorkersAlarmPeriod.isUnresolved()) {
        v.check('BACKLOG_SCALING_AT_MAX_PERIOD_MINUTES', wholeMinutes(p.atMaxWorkersAlarmPeriod) !== undefined, {
          prop: `${P}atMaxWorkersAlarmPeriod`, value: describeDuration(p.atMaxWorkersAlarmPeriod), allowed: 'whole minutes (the alarm evaluates 1-minute periods)', fix: 'round it to whole minutes',
        });
      }
    },
    (p, v) => {
      if (p.service) {
        v.notSetWith('BACKLOG_SCALING_WARMUP_ON_ECS', `${P}instanceWarmup`, p.instanceWarmup, 'for an ECS service (it applies to EC2 instances)', `remove ${P}instanceWarmup; the controller reads running tasks itself`);
      } else if (p.autoScalingGroup) {
        v.notSetWith('BACKLOG_SCALING_INTERVAL_ON_EC2', `${P}controlInterval`, p.controlInterval, 'for an Auto Scaling group (EC2 fleets scale with target tracking, not the controller)', `remove ${P}controlInterval; use ${P}instanceWarmup`);
      }
    },
    (p, v) => targetRules(P, p, v),
  ];
}

/** The rules every BacklogScaling obeys. Codes are stable. */
export const BACKLOG_SCALING_RULES: ReadonlyArray<Rule<BacklogScalingProps>> = [
  (p, v) => v.check('BACKLOG_SCALING_TARGET_KIND', (p.service === undefined) !== (p.autoScalingGroup === undefined), {
    prop: 'service',
    value: p.service ? 'both service and autoScalingGroup' : 'neither service nor autoScalingGroup',
    allowed: 'exactly one of service (ECS) and autoScalingGroup (EC2)',
    fix: 'pass the ECS service or the Auto Scaling group the workers run in, not both',
  }),
  ...backlogScalingOptionsRules(),
];

/** The target: given, or computed from latency and processing time (not both, not neither). */
function targetRules(P: string, p: BacklogScalingOptions, v: Parameters<Rule<BacklogScalingProps>>[1]): void {
  if (p.targetBacklogPerWorker !== undefined) {
    const because = `together with ${P}targetBacklogPerWorker (the target is given, not computed)`;
    const fix = (prop: string) => `remove ${prop}, or remove ${P}targetBacklogPerWorker to compute it from ${P}acceptableLatency / ${P}averageProcessingTime`;
    v.notSetWith('BACKLOG_SCALING_TARGET_AND_LATENCY', `${P}acceptableLatency`, p.acceptableLatency, because, fix(`${P}acceptableLatency`));
    v.notSetWith('BACKLOG_SCALING_TARGET_AND_PROCESSING', `${P}averageProcessingTime`, p.averageProcessingTime, because, fix(`${P}averageProcessingTime`));
    v.notSetWith('BACKLOG_SCALING_TARGET_AND_CONCURRENCY', `${P}workerConcurrency`, p.workerConcurrency, because, fix(`${P}workerConcurrency`));
    if (!Token.isUnresolved(p.targetBacklogPerWorker)) {
      v.check('BACKLOG_SCALING_TARGET', Number.isFinite(p.targetBacklogPerWorker) && p.targetBacklogPerWorker > 0 && p.targetBacklogPerWorker <= 1_000_000, {
        prop: `${P}targetBacklogPerWorker`, value: String(p.targetBacklogPerWorker), allowed: 'a number greater than 0, up to 1,000,000 (messages per worker)', fix: fixTarget,
      });
    }
    return;
  }
  const missing = ([[`${P}acceptableLatency`, p.acceptableLatency], [`${P}averageProcessingTime`, p.averageProcessingTime]] as const).filter(([, value]) => value === undefined);
  for (const [prop] of missing) {
    v.check('BACKLOG_SCALING_TARGET_MISSING', false, {
      prop,
      value: 'not set',
      allowed: `a duration (with the other of ${P}acceptableLatency and ${P}averageProcessingTime), or ${P}targetBacklogPerWorker instead`,
      fix: `give ${P}acceptableLatency and ${P}averageProcessingTime, e.g. Duration.minutes(5) and Duration.seconds(30), or give ${P}targetBacklogPerWorker`,
    });
  }
  if (missing.length > 0) return;
  // A token input is never checked: the target is then derived at run time (ECS: the controller
  // computes and checks it; EC2: metric math, see groupPolicies). Known values are compared here.
  const latency = p.acceptableLatency!;
  const processing = p.averageProcessingTime!;
  if (processing.isUnresolved()) return;
  v.check('BACKLOG_SCALING_PROCESSING_TIME', Number.isFinite(processing.toMilliseconds()) && processing.toMilliseconds() > 0, {
    prop: `${P}averageProcessingTime`, value: describeDuration(processing), allowed: 'more than 0', fix: 'give the measured average time one message takes',
  });
  if (latency.isUnresolved()) return;
  v.check('BACKLOG_SCALING_LATENCY_UNDER_PROCESSING', !(processing.toMilliseconds() >= latency.toMilliseconds()), {
    prop: `${P}averageProcessingTime`,
    value: `${describeDuration(processing)} with ${P}acceptableLatency ${describeDuration(latency)}`,
    allowed: `less than ${P}acceptableLatency (${describeDuration(latency)}); a message that takes longer to process than it may wait in total can never meet the latency, whatever the fleet size`,
    fix: `raise ${P}acceptableLatency above the processing time, or make processing faster`,
  });
}
