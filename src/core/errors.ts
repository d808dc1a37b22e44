import { IConstruct } from 'constructs';

/**
 * What was wrong with one prop, in the words a user needs to fix it.
 */
export interface PropViolation {
  /**
   * Stable code of the rule that failed, e.g. `EVENT_ROUTER_TARGETS_PER_ROUTE`: match on it
   * instead of on the message, which may be reworded.
   *
   * @default - the rule has no code yet (older checks)
   */
  readonly code?: string;
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
 *
 * Not part of the jsii API (jsii cannot export a subclass of `Error`): TypeScript users import it
 * from `cdk-integration-patterns/lib/core/errors`; in every language the message ends each
 * violation with its stable code in brackets, e.g. `[EVENT_ROUTER_TARGETS_PER_ROUTE]`. The message names
 * the construct path, the prop, the value, what is allowed and the fix; with several
 * violations of one construct, all of them are listed in one error.
 */
export class PatternValidationError extends Error {
  /** The construct path of the construct whose props were invalid. */
  public readonly constructPath: string;
  /** Every violation found, in the order the rules ran. */
  public readonly violations: PropViolation[];
  /** The code of the first violation (see `violations` for all of them). */
  public readonly code: string;

  constructor(scope: IConstruct, violations: PropViolation[]) {
    super(describeViolations(scope.node.path, violations));
    this.name = 'PatternValidationError';
    this.constructPath = scope.node.path;
    this.violations = violations;
    this.code = violations[0]?.code ?? 'INVALID_PROP';
  }
}

/**
 * The message of one violation without the construct path (CDK prefixes `node.addValidation()`
 * results with the path itself).
 */
export function describeViolation(violation: PropViolation): string {
  const code = violation.code ? ` [${violation.code}]` : '';
  return `invalid ${violation.prop}: ${violation.value}. Allowed: ${violation.allowed}. Fix: ${violation.fix}${code}`;
}

function describeViolations(path: string, violations: PropViolation[]): string {
  if (violations.length === 1) return `[${path}] ${describeViolation(violations[0])}`;
  return `[${path}] ${violations.length} invalid settings:\n` + violations.map((v, i) => `  ${i + 1}. ${describeViolation(v)}`).join('\n');
}
