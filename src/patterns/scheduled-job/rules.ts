import { Duration, Token } from 'aws-cdk-lib';
import { ScheduledJobProps } from './props';
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

/** IANA zones this Node.js knows (Intl), plus the UTC aliases Scheduler accepts. */
function knownTimeZones(): Set<string> {
  const zones = new Set<string>((Intl as unknown as { supportedValuesOf(k: string): string[] }).supportedValuesOf('timeZone'));
  for (const alias of ['UTC', 'Etc/UTC', 'GMT', 'Etc/GMT']) zones.add(alias);
  return zones;
}

/**
 * Whether `tz` is a time zone of the tz database. `Intl.supportedValuesOf` lists canonical names
 * only, but Scheduler takes every tz database name, links included (`US/Eastern`, `Etc/GMT+5`,
 * `Asia/Calcutta`): those are accepted when Intl knows them and they are spelled as the database
 * spells them (Intl itself is case-insensitive; Scheduler is not).
 */
export function isTimeZone(tz: string): boolean {
  if (knownTimeZones().has(tz)) return true;
  if (!/^[A-Z][A-Za-z0-9_+-]*(\/[A-Z][A-Za-z0-9_+-]*)*$/.test(tz) && !/^Etc\/GMT[+-]\d{1,2}$/.test(tz)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
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
  const zero = fields.findIndex(f => /\/0+(?!\d)/.test(f));
  if (zero >= 0) return `field ${zero + 1} (${CRON_FIELDS[zero].name}) "${fields[zero]}" has an increment of 0`;
  return undefined;
}

const MONTH_NAMES = MONTHS.split('|');
/** The whole numbers a numeric cron field names (values, ranges, lists, increments); undefined for wildcards and L/W/# forms. */
function cronValues(field: string, min: number, max: number, names: string[] = []): Set<number> | undefined {
  const out = new Set<number>();
  const num = (x: string) => {
    const i = names.indexOf(x.toUpperCase());
    return i >= 0 ? i + 1 : Number(x);
  };
  for (const part of field.split(',')) {
    const m = /^(\*|[A-Za-z0-9]+)(?:-([A-Za-z0-9]+))?(?:\/(\d+))?$/.exec(part);
    if (!m) return undefined;
    const step = m[3] ? Number(m[3]) : 1;
    const from = m[1] === '*' ? min : num(m[1]);
    const to = m[2] !== undefined ? num(m[2]) : (m[1] === '*' || m[3] ? max : from);
    if (!Number.isInteger(from) || !Number.isInteger(to) || step < 1 || to < from) return undefined;
    for (let n = from; n <= to; n += step) out.add(n);
  }
  return out;
}

/**
 * Why a valid cron never fires, or undefined: a day of the month no month named has (e.g. 30 and
 * 31 of February), or only years before `year`. Scheduler accepts such a schedule; it never runs.
 */
export function cronNeverFires(cron: string, year: number): string | undefined {
  const fields = cron.trim().split(/\s+/);
  const days = cronValues(fields[2], 1, 31);
  const months = cronValues(fields[3], 1, 12, MONTH_NAMES);
  if (days && months) {
    const length = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    const fires = [...months].some(m => [...days].some(d => d <= length[m - 1]));
    if (!fires) return `day ${[...days].join(',')} of month ${[...months].map(m => MONTH_NAMES[m - 1]).join(',')} never occurs`;
  }
  const years = cronValues(fields[5], 1970, 2199);
  if (years && ![...years].some(y => y >= year)) return `its year ${fields[5]} is over (it is ${year})`;
  return undefined;
}

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
