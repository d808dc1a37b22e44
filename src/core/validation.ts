import { Duration, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * What was wrong with one prop, in the words a user needs to fix it.
 *
 * Internal: the message format is the contract, not this type.
 */
export interface PropViolation {
  /** The prop as the user wrote it, e.g. `retentionPeriod` or `subscribers[2].filterPolicy`. */
  readonly prop: string;
  /** The value given, rendered for humans. */
  readonly value: string;
  /** What is allowed, e.g. `60 seconds to 14 days`. */
  readonly allowed: string;
  /** How to fix it, as an instruction. */
  readonly fix: string;
}

/**
 * Thrown at synth time for input that cannot produce a working deployment.
 */
export class PatternValidationError extends Error {
  constructor(scope: IConstruct, violation: PropViolation) {
    super(`[${scope.node.path}] ${describeViolation(violation)}`);
    this.name = 'PatternValidationError';
  }
}

/**
 * The message without the construct path, for `node.addValidation()` results (CDK prefixes
 * those with the path itself).
 */
export function describeViolation(violation: PropViolation): string {
  return `invalid ${violation.prop}: ${violation.value}. Allowed: ${violation.allowed}. Fix: ${violation.fix}`;
}

/** Throws a {@link PatternValidationError} unless `ok` holds. */
export function check(scope: IConstruct, ok: boolean, violation: PropViolation): void {
  if (!ok) {
    throw new PatternValidationError(scope, violation);
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
  const allowed = `${integer ? 'a whole number ' : ''}from ${fmt(opts.min)} to ${fmt(opts.max)}${unit}`;
  const ok = Number.isFinite(value) && value >= opts.min && value <= opts.max && (!integer || Number.isInteger(value));
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
  /** Overrides the default fix text. */
  readonly fix?: string;
}

/** Checks `min <= value <= max` for durations (compared in milliseconds); skips undefined and tokens. */
export function checkDurationInRange(scope: IConstruct, prop: string, value: Duration | undefined, opts: DurationRangeOptions): void {
  if (value === undefined || value.isUnresolved()) return;
  const ms = value.toMilliseconds();
  const allowed = `${describeDuration(opts.min)} to ${describeDuration(opts.max)}`;
  check(scope, ms >= opts.min.toMilliseconds() && ms <= opts.max.toMilliseconds(), {
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
  const seconds = d.toMilliseconds() / 1000;
  const human = d.toHumanString();
  return seconds >= 60 ? `${human} (${fmt(seconds)} s)` : human;
}

function fmt(n: number): string {
  return Number.isInteger(n) && Math.abs(n) >= 1_000 ? n.toLocaleString('en-US') : String(n);
}

function render(value: unknown): string {
  if (value instanceof Duration) return describeDuration(value);
  if (typeof value === 'object' && value !== null) {
    const name = (value as { node?: { path?: string } }).node?.path;
    return name ? `construct ${name}` : JSON.stringify(value);
  }
  return String(value);
}
