import { Duration, Token } from 'aws-cdk-lib';
import { ScheduledJobProps } from './props';
import { NAME_RULES, Rule } from '../../core/validation';

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

/** IANA zones this Node.js knows (Intl), plus the UTC aliases Scheduler accepts. */
function knownTimeZones(): Set<string> {
  const zones = new Set<string>((Intl as unknown as { supportedValuesOf(k: string): string[] }).supportedValuesOf('timeZone'));
  for (const alias of ['UTC', 'Etc/UTC', 'GMT', 'Etc/GMT']) zones.add(alias);
  return zones;
}

const DAYS = 'SUN|MON|TUE|WED|THU|FRI|SAT';
const MONTHS = 'JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC';
/** One field of EventBridge's cron: values, ranges, lists, increments, and the field's wildcards. */
function fieldPattern(value: string, extra: string): RegExp {
  const item = `(${value})(-(${value}))?(\\/\\d+)?`;
  return new RegExp(`^((\\*|${extra})|${item}(,${item})*|\\*\\/\\d+)$`, 'i');
}
const CRON_FIELDS: Array<{ name: string; re: RegExp; min: number; max: number }> = [
  { name: 'minutes', re: fieldPattern('\\d{1,2}', '\\*'), min: 0, max: 59 },
  { name: 'hours', re: fieldPattern('\\d{1,2}', '\\*'), min: 0, max: 23 },
  { name: 'day-of-month', re: fieldPattern('\\d{1,2}W?', '\\?|L|LW'), min: 1, max: 31 },
  { name: 'month', re: fieldPattern(`\\d{1,2}|${MONTHS}`, '\\*'), min: 1, max: 12 },
  { name: 'day-of-week', re: fieldPattern(`[1-7](#[1-5])?|[1-7]L|${DAYS}|(${DAYS})(#[1-5]|L)`, '\\?|L'), min: 1, max: 7 },
  { name: 'year', re: fieldPattern('\\d{4}', '\\*'), min: 1970, max: 2199 },
];

/** The first problem of an EventBridge six-field cron, or undefined. Exported for tests. */
export function cronProblem(cron: string): string | undefined {
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 6) return `${fields.length} fields (EventBridge's cron has 6: minutes hours day-of-month month day-of-week year)`;
  for (const [i, f] of CRON_FIELDS.entries()) {
    if (!f.re.test(fields[i])) return `field ${i + 1} (${f.name}) "${fields[i]}" is not valid`;
    for (const n of fields[i].match(/(?<![#/])\b\d+\b(?!#)/g) ?? []) {
      const value = Number(n);
      if (value < f.min || value > f.max) return `field ${i + 1} (${f.name}) value ${value} is outside ${f.min}-${f.max}`;
    }
  }
  if ((fields[2] === '?') === (fields[4] === '?')) return 'exactly one of day-of-month (field 3) and day-of-week (field 5) must be "?"';
  return undefined;
}

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
      const r = p.rate;
      if (r === undefined || r.isUnresolved()) return;
      const minutes = r.toMilliseconds() / 60_000;
      v.check('SCHEDULED_JOB_RATE', Number.isInteger(minutes) && minutes >= 1, {
        prop: 'rate', value: r.toHumanString(), allowed: 'whole minutes, at least 1 minute', fix: 'set rate to Duration.minutes(n) (or hours/days)',
      });
    },
    (p, v) => {
      if (p.at === undefined) return;
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
      v.check('SCHEDULED_JOB_TIME_ZONE', knownTimeZones().has(tz), {
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
      if (p.startDate === undefined || p.endDate === undefined) return;
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
