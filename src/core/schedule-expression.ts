/**
 * EventBridge Scheduler's expressions, shared by ScheduledJob and the Workflow schedule starter:
 * time zones as Scheduler takes them and cron expressions (syntax, and crons that never fire).
 */

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
