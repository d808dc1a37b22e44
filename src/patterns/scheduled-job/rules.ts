import { Duration, Token } from 'aws-cdk-lib';
import { ScheduledJobProps } from './props';
import { cronNeverFires, cronProblem, isTimeZone } from '../../core/schedule-expression';
import { describeDuration, NAME_RULES, Rule, secondsOf } from '../../core/validation';

/** AWS's limits on a schedule (EventBridge Scheduler CreateSchedule). */
export const SCHEDULED_JOB_LIMITS = {
  minFlexibleWindow: Duration.minutes(1),
  maxFlexibleWindow: Duration.minutes(1440),
  minEventAge: Duration.seconds(60),
  maxEventAge: Duration.hours(24),
  maxRetryAttempts: 185,
  /** Lambda's own retries of an asynchronous invocation (EventInvokeConfig MaximumRetryAttempts: 0 to 2). */
  maxLambdaRetryAttempts: 2,
  /**
   * A PutEvents target (AWS's Scheduler API model, `EventBridgeParameters`: DetailType 1 to 128
   * characters, Source 1 to 256 and not starting with `aws.`), and the PutEvents entry it becomes:
   * at most 256 KB (262,144 bytes) counted as EventBridge counts an entry (UTF-8 bytes of Source,
   * DetailType and Detail, plus Time and Resources when set; "Calculating PutEvents event entry
   * size", EventBridge User Guide).
   */
  maxDetailTypeLength: 128,
  maxSourceLength: 256,
  maxPutEventsEntryBytes: 256 * 1024,
};

/** Whether a Date holds a time (new Date('garbage') does not). */
const validDate = (d: Date | undefined): boolean => d === undefined || Number.isFinite(d.getTime());


/** The job's rule table. `now` is injectable for tests. */
export function scheduledJobRules(now: () => number = Date.now): ReadonlyArray<Rule<ScheduledJobProps>> {
  return [
    (p, v) => {
      const given = [p.cronExpression !== undefined && 'cronExpression', p.rate !== undefined && 'rate', p.at !== undefined && 'at'].filter(Boolean);
      v.check('SCHEDULED_JOB_ONE_SCHEDULE', given.length === 1, {
        prop: 'cronExpression | rate | at',
        value: given.length === 0 ? 'none given' : `${given.join(' and ')} given`,
        allowed: 'exactly one of cronExpression, rate and at',
        fix: 'keep one of them',
      });
    },
    (p, v) => {
      const c = p.cronExpression;
      if (c === undefined || Token.isUnresolved(c)) return;
      const problem = cronProblem(c);
      v.check('SCHEDULED_JOB_CRON', problem === undefined, {
        prop: 'cronExpression',
        value: `"${c}": ${problem}`,
        allowed: 'EventBridge\'s six-field cron, e.g. "0 21 * * ? *" (21:00 every day)',
        fix: 'write minutes hours day-of-month month day-of-week year, with "?" in day-of-month or day-of-week',
      });
    },
    (p, v) => {
      const c = p.cronExpression;
      if (c === undefined || Token.isUnresolved(c) || cronProblem(c) !== undefined) return;
      const never = cronNeverFires(c, new Date(now()).getUTCFullYear());
      v.check('SCHEDULED_JOB_CRON_NEVER_FIRES', never === undefined, {
        prop: 'cronExpression',
        value: `"${c}": ${never}`,
        allowed: 'a cron that fires at least once (EventBridge Scheduler accepts one that never does, and it never runs)',
        fix: 'use "L" for the last day of the month (e.g. "0 0 L 2 ? *"), a day every month named has, or a year still to come',
      });
    },
    (p, v) => {
      for (const [prop, d] of [['at', p.at], ['startDate', p.startDate], ['endDate', p.endDate]] as const) {
        v.check('SCHEDULED_JOB_DATE_INVALID', validDate(d), {
          prop, value: 'Invalid Date', allowed: 'a valid Date', fix: `give ${prop} as new Date('2030-01-01T09:00:00Z') (an ISO 8601 string Date can parse)`,
        });
      }
    },
    (p, v) => {
      if (p.at === undefined) return;
      // "EventBridge Scheduler ignores StartDate/EndDate for one-time schedules" (CreateSchedule API reference).
      for (const [prop, d] of [['startDate', p.startDate], ['endDate', p.endDate]] as const) {
        v.notSetWith('SCHEDULED_JOB_WINDOW_WITH_AT', prop, d && validDate(d) ? d.toISOString() : undefined,
          'with at (EventBridge Scheduler ignores StartDate and EndDate for one-time schedules)', `remove ${prop}: the job runs once, at ${validDate(p.at) ? p.at.toISOString() : 'at'}`);
      }
    },
    (p, v) => {
      if (p.endDate === undefined || p.at !== undefined || !validDate(p.endDate)) return;
      v.check('SCHEDULED_JOB_END_IN_PAST', p.endDate.getTime() > now(), {
        prop: 'endDate',
        value: `${p.endDate.toISOString()} (in the past at synth)`,
        allowed: 'a time in the future (a schedule past its end date never runs)',
        fix: 'move endDate into the future, or remove the job',
      });
    },
    (p, v) => {
      // CreateSchedule Description: at most 512 characters (https://docs.aws.amazon.com/scheduler/latest/APIReference/API_CreateSchedule.html).
      const d = p.description;
      if (d === undefined || Token.isUnresolved(d)) return;
      v.check('SCHEDULED_JOB_DESCRIPTION', d.length <= 512, {
        prop: 'description', value: `${d.length} characters`, allowed: 'at most 512 characters', fix: 'shorten description',
      });
    },
    (p, v) => {
      // FlexibleTimeWindow.MaximumWindowInMinutes is a whole number of minutes (aws-cdk-lib throws otherwise).
      const w = p.flexibleWindow;
      const seconds = secondsOf(w);
      if (w === undefined || seconds === undefined || seconds < 60) return; // under a minute (or NaN): the range rule says it
      v.check('SCHEDULED_JOB_FLEXIBLE_WINDOW', Number.isInteger(seconds / 60), {
        prop: 'flexibleWindow', value: describeDuration(w), allowed: 'whole minutes (MaximumWindowInMinutes)', fix: 'give flexibleWindow in whole minutes, e.g. Duration.minutes(2)',
      });
    },
    (p, v) => {
      const r = p.rate;
      if (r === undefined || r.isUnresolved()) return;
      const minutes = r.toMilliseconds() / 60_000;
      v.check('SCHEDULED_JOB_RATE', Number.isInteger(minutes) && minutes >= 1, {
        prop: 'rate', value: r.toHumanString(), allowed: 'whole minutes, at least 1 minute', fix: 'set rate to Duration.minutes(n) (or hours/days)',
      });
    },
    (p, v) => {
      if (p.at === undefined) return;
      if (!validDate(p.at)) return;
      v.check('SCHEDULED_JOB_AT_IN_PAST', p.at.getTime() > now(), {
        prop: 'at',
        value: `${p.at.toISOString()} (in the past at synth)`,
        allowed: 'a time in the future',
        fix: 'set at to a future time, or remove the job',
      });
    },
    (p, v) => {
      const tz = p.timeZone;
      if (tz === undefined || Token.isUnresolved(tz)) return;
      v.check('SCHEDULED_JOB_TIME_ZONE', isTimeZone(tz), {
        prop: 'timeZone',
        value: `"${tz}"`,
        allowed: 'an IANA time zone name, e.g. "America/New_York" or "UTC"',
        fix: 'use the zone\'s IANA name (Intl.supportedValuesOf(\'timeZone\') lists them)',
      });
      v.check('SCHEDULED_JOB_TIME_ZONE_WITH_RATE', p.rate === undefined, {
        prop: 'timeZone', value: `"${tz}" with rate`, allowed: 'a time zone only with cronExpression or at', fix: 'remove timeZone (a rate has no wall-clock time)',
      });
    },
    (p, v) => v.durationInRange('SCHEDULED_JOB_FLEXIBLE_WINDOW', 'flexibleWindow', p.flexibleWindow, {
      min: SCHEDULED_JOB_LIMITS.minFlexibleWindow, max: SCHEDULED_JOB_LIMITS.maxFlexibleWindow,
    }),
    (p, v) => v.numberInRange('SCHEDULED_JOB_RETRY_ATTEMPTS', 'retryAttempts', p.retryAttempts, { min: 0, max: SCHEDULED_JOB_LIMITS.maxRetryAttempts }),
    (p, v) => v.durationInRange('SCHEDULED_JOB_MAX_EVENT_AGE', 'maxEventAge', p.maxEventAge, {
      min: SCHEDULED_JOB_LIMITS.minEventAge, max: SCHEDULED_JOB_LIMITS.maxEventAge,
    }),
    (p, v) => {
      if (p.startDate === undefined || p.endDate === undefined || !validDate(p.startDate) || !validDate(p.endDate)) return;
      v.check('SCHEDULED_JOB_START_AFTER_END', p.startDate.getTime() < p.endDate.getTime(), {
        prop: 'endDate',
        value: `${p.endDate.toISOString()} (startDate ${p.startDate.toISOString()})`,
        allowed: 'a time after startDate',
        fix: 'swap startDate and endDate, or move endDate later',
      });
    },
    (p, v) => v.name('SCHEDULED_JOB_NAME', 'scheduleName', p.scheduleName, NAME_RULES.schedule),
  ];
}
