import { Duration, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { PatternValidationError, PropViolation } from './errors';

export { PatternValidationError, describeViolation } from './errors';
export type { PropViolation } from './errors';

/** Throws a {@link PatternValidationError} unless `ok` holds. */
export function check(scope: IConstruct, ok: boolean, violation: PropViolation): void {
  if (!ok) {
    throw new PatternValidationError(scope, [violation]);
  }
}

/** Whether a number or duration is a token that only resolves at deploy time (never checked). */
export function isUnresolved(value: number | Duration | string | undefined): boolean {
  if (value === undefined) return false;
  if (value instanceof Duration) return value.isUnresolved();
  return Token.isUnresolved(value);
}

/** Options for {@link checkNumberInRange}. */
export interface NumberRangeOptions {
  readonly min: number;
  readonly max: number;
  /** Require a whole number. Default: true. */
  readonly integer?: boolean;
  /** Unit appended to numbers in the message, e.g. `bytes`. */
  readonly unit?: string;
  /** Overrides the default fix text. */
  readonly fix?: string;
}

/** Checks `min <= value <= max` (inclusive); skips undefined and unresolved tokens. */
export function checkNumberInRange(scope: IConstruct, prop: string, value: number | undefined, opts: NumberRangeOptions): void {
  if (value === undefined || isUnresolved(value)) return;
  const unit = opts.unit ? ` ${opts.unit}` : '';
  const integer = opts.integer ?? true;
  const ok = Number.isFinite(value) && value >= opts.min && value <= opts.max && (!integer || Number.isInteger(value));
  if (ok) return; // the message is built only for a violation (synth allocates less)
  const allowed = `${integer ? 'a whole number ' : ''}from ${fmt(opts.min)} to ${fmt(opts.max)}${unit}`;
  check(scope, ok, {
    prop,
    value: `${value}${unit}`,
    allowed,
    fix: opts.fix ?? `set ${prop} to ${allowed}, or leave it unset for the default`,
  });
}

/** Options for {@link checkDurationInRange}. */
export interface DurationRangeOptions {
  readonly min: Duration;
  readonly max: Duration;
  /**
   * Require a whole number of seconds (CloudFormation takes the value in seconds, and
   * aws-cdk-lib's `toSeconds()` throws for e.g. `Duration.millis(1500)`). Default: false.
   */
  readonly wholeSeconds?: boolean;
  /** Overrides the default fix text. */
  readonly fix?: string;
}

/** Checks `min <= value <= max` for durations (compared in milliseconds); skips undefined and tokens. */
export function checkDurationInRange(scope: IConstruct, prop: string, value: Duration | undefined, opts: DurationRangeOptions): void {
  if (value === undefined || value.isUnresolved()) return;
  const ms = value.toMilliseconds();
  const ok = ms >= opts.min.toMilliseconds() && ms <= opts.max.toMilliseconds();
  if (ok) return; // the message is built only for a violation
  const allowed = `${describeDuration(opts.min)} to ${describeDuration(opts.max)}`;
  check(scope, ok, {
    prop,
    value: describeDuration(value),
    allowed,
    fix: opts.fix ?? `set ${prop} between ${describeDuration(opts.min)} and ${describeDuration(opts.max)}, or leave it unset for the default`,
  });
}

/** Throws when a prop was given although another choice makes it meaningless. */
export function checkNotSetWith(scope: IConstruct, prop: string, value: unknown, because: string, fix: string): void {
  check(scope, value === undefined, {
    prop,
    value: render(value),
    allowed: `no value ${because}`,
    fix,
  });
}

/**
 * Throws for the first setting given alongside an existing resource, which cannot take it.
 * `existingProp` is the prop that passed the resource, e.g. `existingQueue`.
 */
export function checkNoSettingsWithExisting(scope: IConstruct, existingProp: string, settings: Record<string, unknown>): void {
  for (const [prop, value] of Object.entries(settings)) {
    checkNotSetWith(scope, prop, value, `when ${existingProp} is given (an imported resource cannot be reconfigured)`,
      `remove ${prop}, or drop ${existingProp} so the block creates and configures the resource`);
  }
}

/** `Duration.toHumanString()` with the exact seconds when that helps, e.g. `1 day 2 hours (93600 s)`. */
export function describeDuration(d: Duration): string {
  if (d.isUnresolved()) return '<token>';
  const seconds = d.toSeconds({ integral: false });
  if (!Number.isFinite(seconds)) return d.toString();
  const human = d.toHumanString();
  return seconds >= 60 ? `${human} (${fmt(seconds)} s)` : human;
}

function fmt(n: number): string {
  return Number.isInteger(n) && Math.abs(n) >= 1_000 ? groupThousands(n) : String(n);
}

/**
 * `n.toLocaleString('en-US')` (e.g. `1,209,600`) without ICU for safe integers. Messages are
 * built while every check runs, and the first `Number.prototype.toLocaleString` of a process
 * loads ICU's number formatting: ≈ 6-9 MB of resident memory on every synth that only checks
 * (`npx projen bench -- synth`). Other numbers go to `toLocaleString` as before.
 */
export function groupThousands(n: number): string {
  return Number.isSafeInteger(n) && !Object.is(n, -0) ? String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',') : n.toLocaleString('en-US'); // eslint-disable-line no-restricted-properties -- fractions and unsafe integers only: rare, messages of failed checks
}

function render(value: unknown): string {
  if (value instanceof Duration) return describeDuration(value);
  if ((typeof value === 'number' || typeof value === 'string') && Token.isUnresolved(value)) return '<token>';
  if (typeof value === 'object' && value !== null) {
    const name = (value as { node?: { path?: string } }).node?.path;
    return name ? `construct ${name}` : JSON.stringify(value);
  }
  return String(value);
}

/**
 * One rule of a block's rule table: looks at the props and records what is wrong in `v`.
 * Rules never throw; {@link validateProps} reports every violation at once.
 */
export type Rule<P> = (props: P, v: Violations) => void;

/**
 * Runs a block's rule table over its props and throws one {@link PatternValidationError}
 * listing every violation (aws-cdk-lib's validate-queue-props.ts style: rules are data).
 */
export function validateProps<P>(scope: IConstruct, props: P, rules: ReadonlyArray<Rule<P>>): void {
  const v = new Violations(scope);
  for (const rule of rules) rule(props, v);
  v.throwIfAny();
}

/**
 * The rules of a nested object (e.g. `queueProps`, `consumer`, `subscribers[2]`) applied to the
 * value `get` picks from the props; skipped when it is undefined. The nested rules are built
 * with the prefix the user wrote, so messages name `subscribers[2].consumer.memorySize`.
 */
export function nested<P, C>(get: (props: P) => C | undefined, rules: ReadonlyArray<Rule<C>>): Rule<P> {
  return (props, v) => {
    const value = get(props);
    if (value === undefined) return;
    for (const rule of rules) rule(value, v);
  };
}

/** The seconds of a duration, or undefined when it is a token or not a finite number (then never used in arithmetic). */
export function secondsOf(d: Duration | undefined): number | undefined {
  if (d === undefined || d.isUnresolved()) return undefined;
  const s = d.toSeconds({ integral: false });
  return Number.isFinite(s) ? s : undefined;
}

/** A duration as the amount in the unit it was made in, and that unit in milliseconds. */
export interface DurationAmount {
  /** The amount, in the unit the duration was made in (a token stays a token). */
  readonly amount: number;
  /** Milliseconds in that unit: 1, 1000, 60000, 3600000 or 86400000. */
  readonly msPerUnit: number;
}

const UNITS: Record<string, [number, (d: Duration) => number]> = {
  millis: [1, d => d.toMilliseconds({ integral: false })],
  seconds: [1_000, d => d.toSeconds({ integral: false })],
  minutes: [60_000, d => d.toMinutes({ integral: false })],
  hours: [3_600_000, d => d.toHours({ integral: false })],
  days: [86_400_000, d => d.toDays({ integral: false })],
};

/**
 * The amount of a duration in the unit it was made in, and that unit's milliseconds, token or
 * not. CDK reads a token duration only in its own unit (`Duration.minutes(token).toMilliseconds()`
 * throws), so anything that must turn one into milliseconds at deploy or run time multiplies
 * `amount` (a token renders as a reference) by `msPerUnit` there.
 */
export function durationAmount(d: Duration): DurationAmount {
  const unit = UNITS[d.unitLabel()];
  if (!unit) throw new Error(`durationAmount: unknown Duration unit ${d.unitLabel()}`);
  return { amount: unit[1](d), msPerUnit: unit[0] };
}

/** Whether a number can be used in arithmetic: given, not a token, finite. */
export function usable(n: number | undefined): n is number {
  return n !== undefined && !Token.isUnresolved(n) && Number.isFinite(n);
}

/** AWS's naming rules for the resources the patterns create (length and characters). */
export interface NameRule {
  /** What the name is of, for the message, e.g. `SQS queue name`. */
  readonly what: string;
  readonly minLength: number;
  readonly maxLength: number;
  /** Every character must match, e.g. /^[A-Za-z0-9_-]+$/. */
  readonly pattern: RegExp;
  /** The characters allowed, in words. */
  readonly characters: string;
}

/** Naming rules, each from the service's API reference. */
export const NAME_RULES = {
  queue: { what: 'SQS queue name', minLength: 1, maxLength: 80, pattern: /^[A-Za-z0-9_-]+(\.fifo)?$/, characters: 'letters, digits, - and _ (FIFO queues end in .fifo)' },
  topic: { what: 'SNS topic name', minLength: 1, maxLength: 256, pattern: /^[A-Za-z0-9_-]+(\.fifo)?$/, characters: 'letters, digits, - and _ (FIFO topics end in .fifo)' },
  stream: { what: 'Kinesis stream name', minLength: 1, maxLength: 128, pattern: /^[A-Za-z0-9_.-]+$/, characters: 'letters, digits, -, _ and .' },
  streamConsumer: { what: 'Kinesis stream consumer name', minLength: 1, maxLength: 128, pattern: /^[A-Za-z0-9_.-]+$/, characters: 'letters, digits, -, _ and .' },
  dashboard: { what: 'CloudWatch dashboard name', minLength: 1, maxLength: 255, pattern: /^[A-Za-z0-9_-]+$/, characters: 'letters, digits, - and _' },
  eventBus: { what: 'EventBridge event bus name', minLength: 1, maxLength: 256, pattern: /^[A-Za-z0-9._-]+$/, characters: 'letters, digits, ., - and _ (no /: that is for partner buses)' },
  rule: { what: 'EventBridge rule name', minLength: 1, maxLength: 64, pattern: /^[A-Za-z0-9._-]+$/, characters: 'letters, digits, ., - and _' },
  archive: { what: 'EventBridge archive name', minLength: 1, maxLength: 48, pattern: /^[A-Za-z0-9._-]+$/, characters: 'letters, digits, ., - and _' },
  schedule: { what: 'EventBridge Scheduler schedule name', minLength: 1, maxLength: 64, pattern: /^[A-Za-z0-9._-]+$/, characters: 'letters, digits, ., - and _' },
  scheduleGroup: { what: 'EventBridge Scheduler group name', minLength: 1, maxLength: 64, pattern: /^[A-Za-z0-9._-]+$/, characters: 'letters, digits, ., - and _' },
  stateMachine: { what: 'Step Functions state machine name', minLength: 1, maxLength: 80, pattern: /^[A-Za-z0-9_-]+$/, characters: 'letters, digits, - and _ (no spaces, brackets, wildcards or punctuation)' },
  logGroup: { what: 'CloudWatch Logs log group name', minLength: 1, maxLength: 512, pattern: /^[A-Za-z0-9._\-/#]+$/, characters: 'letters, digits, ., -, _, / and #' },
  graphqlApi: { what: 'AppSync API name', minLength: 1, maxLength: 65_536, pattern: /^[A-Za-z0-9_\- ]+$/, characters: 'letters, digits, spaces, - and _' },
  restApi: { what: 'API Gateway API name', minLength: 1, maxLength: 1_024, pattern: /^[^\u0000-\u001f]+$/, characters: 'any printable characters' },
} satisfies Record<string, NameRule>;

/**
 * Collects the violations of one construct's props, so the user sees all of them in one
 * error. Each method records a violation with its stable code; tokens are never checked.
 */
export class Violations {
  private readonly found: PropViolation[] = [];

  constructor(private readonly scope: IConstruct) {}

  /** How many violations were recorded so far. */
  public get count(): number {
    return this.found.length;
  }

  /** Records a violation. */
  public add(violation: PropViolation): void {
    this.found.push(violation);
  }

  /** Records the violation unless `ok` holds. */
  public check(code: string, ok: boolean, violation: Omit<PropViolation, 'code'>): void {
    if (!ok) this.found.push({ code, ...violation });
  }

  /** `min <= value <= max` (whole numbers unless `integer: false`); NaN and Infinity fail; tokens pass. */
  public numberInRange(code: string, prop: string, value: number | undefined, opts: NumberRangeOptions): void {
    if (value === undefined || isUnresolved(value)) return;
    const unit = opts.unit ? ` ${opts.unit}` : '';
    const integer = opts.integer ?? true;
    const ok = Number.isFinite(value) && value >= opts.min && value <= opts.max && (!integer || Number.isInteger(value));
    if (ok) return; // the message is built only for a violation (synth allocates less)
    const allowed = `${integer ? 'a whole number ' : ''}from ${fmt(opts.min)} to ${fmt(opts.max)}${unit}`;
    this.check(code, ok, { prop, value: `${value}${unit}`, allowed, fix: opts.fix ?? `set ${prop} to ${allowed}, or leave it unset for the default` });
  }

  /** `min <= value <= max` for durations; tokens pass. */
  public durationInRange(code: string, prop: string, value: Duration | undefined, opts: DurationRangeOptions): void {
    if (value === undefined || value.isUnresolved()) return;
    const ms = value.toSeconds({ integral: false }) * 1000;
    const whole = !opts.wholeSeconds || Number.isInteger(ms / 1000);
    const ok = Number.isFinite(ms) && ms >= opts.min.toMilliseconds() && ms <= opts.max.toMilliseconds() && whole;
    if (ok) return; // the message is built only for a violation
    const allowed = `${opts.wholeSeconds ? 'a whole number of seconds from ' : ''}${describeDuration(opts.min)} to ${describeDuration(opts.max)}`;
    this.check(code, ok, {
      prop,
      value: describeDuration(value),
      allowed,
      fix: opts.fix ?? `set ${prop} between ${describeDuration(opts.min)} and ${describeDuration(opts.max)}${whole ? '' : ' in whole seconds (e.g. Duration.seconds(2), not Duration.millis(1500))'}, or leave it unset for the default`,
    });
  }

  /** A prop that must not be given because of another choice. */
  public notSetWith(code: string, prop: string, value: unknown, because: string, fix: string): void {
    this.check(code, value === undefined, { prop, value: render(value), allowed: `no value ${because}`, fix });
  }

  /** A resource name AWS would refuse (length, characters); tokens pass. */
  public name(code: string, prop: string, value: string | undefined, rule: NameRule): void {
    if (value === undefined || Token.isUnresolved(value)) return;
    const problems: string[] = [];
    if (value.length < rule.minLength || value.length > rule.maxLength) problems.push(`${value.length} characters`);
    if (!rule.pattern.test(value)) problems.push('characters outside the allowed set');
    if (problems.length === 0) return; // the message is built only for a violation
    this.check(code, false, {
      prop,
      value: `"${value}" (${problems.join(', ')})`,
      allowed: `a ${rule.what} of ${fmt(rule.minLength)} to ${fmt(rule.maxLength)} characters: ${rule.characters}`,
      fix: `rename it within those rules, or leave ${prop} unset for a generated name`,
    });
  }

  /** A list that, when given, must have at least one element. */
  public nonEmpty(code: string, prop: string, list: readonly unknown[] | undefined, fix: string): void {
    if (list === undefined) return;
    this.check(code, list.length > 0, { prop, value: 'an empty list', allowed: 'at least one element, or no value', fix });
  }

  /** Throws one {@link PatternValidationError} with every recorded violation, if any. */
  public throwIfAny(): void {
    if (this.found.length > 0) throw new PatternValidationError(this.scope, [...this.found]);
  }
}
