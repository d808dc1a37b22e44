import { appendFileSync } from 'fs';
import { App, CfnParameter, Stack, StackProps } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Construct, IConstruct } from 'constructs';

/** The fixed environment of every stack the tests build, so ARNs are comparable. */
export const TEST_ENV = { account: '111111111111', region: 'us-east-1' };

/** A fresh app in which CDK's built-in template validation (CloudFormation resource schemas) turns its warnings into errors. */
export function newApp(): App {
  return new App({ context: { '@aws-cdk/core:validateAgainstDefaultRules': true } });
}

/** A fresh stack in a fresh app (newApp), in TEST_ENV. */
export function newStack(id = 'TestStack'): Stack {
  return new Stack(newApp(), id, { env: TEST_ENV });
}

/** A reference architecture (a Stack class) as the tests build it: in a fresh app (newApp), in TEST_ENV, with its template. */
export function buildArchitecture<S extends Stack, P extends StackProps>(
  architecture: new (scope: Construct, id: string, props: P) => S, id: string, props: P): { stack: S; template: Template } {
  const stack = new architecture(newApp(), id, { env: TEST_ENV, ...props });
  return { stack, template: Template.fromStack(stack) };
}

/** cdk-nag AwsSolutions findings that nobody acknowledged, as readable lines. */
export function nagFindings(scope: IConstruct): string[] {
  const report = new AwsSolutionsChecks().validateScope(scope);
  return report.violations.flatMap(v => v.violatingResources.map(r =>
    `${v.ruleName} at ${r.constructPath ?? r.resourceLogicalId}: ${v.description.split('\n')[0]}`));
}

/**
 * The template of a stack, after asserting that cdk-nag AwsSolutions has no unacknowledged
 * finding on it. Every test that looks at a template goes through here, so every stack the
 * tests build is checked.
 */
export function templateOf(stack: Stack): Template {
  expect(nagFindings(stack)).toEqual([]);
  return Template.fromStack(stack);
}

/** The message of the error `build` throws; fails the test when it throws nothing. */
export function errorMessageOf(build: () => unknown): string {
  try {
    build();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected an error, but none was thrown');
}

/** Asserts that every fragment appears in the message, in this order. */
export function expectFragmentsInOrder(message: string, fragments: readonly string[]): void {
  let from = 0;
  for (const fragment of fragments) {
    const at = message.indexOf(fragment, from);
    if (at < 0) throw new Error(`expected "${fragment}" in the message (after position ${from}):\n${message}`);
    from = at + fragment.length;
  }
}

/** One bad-input case: what the user wrote, and the four parts the error must name. */
export interface BadInputCase {
  /** Builds the construct(s) with the bad input in a fresh stack. */
  readonly build: (stack: Stack) => void;
  /** The construct path that must appear first, e.g. `TestStack/Router`. */
  readonly path: string;
  /** The stable code of the rule, e.g. `EVENT_ROUTER_TARGETS_PER_ROUTE`. */
  readonly code?: string;
  /** The prop as the user wrote it, e.g. `routes[0].targets`. */
  readonly prop: string;
  /** The value as rendered in the message. */
  readonly value: string;
  /** A fragment of the allowed range. */
  readonly allowed: string;
  /** A fragment of the fix. */
  readonly fix: string;
}

/**
 * The one bad-input assertion of the library: building `c` throws a PatternValidationError
 * whose message names the construct path, the prop with its value, the allowed range and the
 * fix (and, when given, carries the rule's code). Returns the message.
 */
export function expectBadInput(c: BadInputCase): string {
  const stack = newStack();
  let error: unknown;
  try {
    c.build(stack);
  } catch (err) {
    error = err;
  }
  if (error === undefined) throw new Error(`expected a PatternValidationError for ${c.prop}, but synth-time construction succeeded`);
  const e = error as Error & { violations?: Array<{ code?: string; prop: string }> };
  // Rules that need the whole stack run at synth (node.addValidation): CDK reports them as ValidationFailedWithErrors.
  if (e.name !== 'PatternValidationError' && e.name !== 'ValidationFailedWithErrors') {
    throw new Error(`expected a PatternValidationError, got ${e.name}: ${e.message}`);
  }
  const message = e.message;
  expectFragmentsInOrder(message, [`[${c.path}]`]);
  const line = message.split('\n').find(l => l.includes(`invalid ${c.prop}: `) && l.includes(c.value));
  if (!line) throw new Error(`expected "invalid ${c.prop}: ${c.value}" in the message:\n${message}`);
  expectFragmentsInOrder(line, [`invalid ${c.prop}: `, c.value, 'Allowed: ', c.allowed, 'Fix: ', c.fix]);
  if (c.code) {
    const codes = (e.violations ?? []).map(v => v.code);
    if (!codes.includes(c.code) && !line.includes(`[${c.code}]`)) throw new Error(`expected rule code ${c.code} among ${JSON.stringify(codes)}:\n${message}`);
  }
  recordBadInputCase(stack, c, line);
  return message;
}

/**
 * Asserts that a numeric prop given as a CfnParameter token synthesizes (tokens are never
 * checked, and never break another check's arithmetic).
 */
export function expectNumberTokenAccepted(build: (stack: Stack, token: number) => void): Template {
  const stack = newStack();
  const token = new CfnParameter(stack, 'NumberParam', { type: 'Number', default: 1 }).valueAsNumber;
  build(stack, token);
  return Template.fromStack(stack);
}

/**
 * With BAD_INPUT_LOG set (scripts/count-bad-input.js), every passing expectBadInput case is
 * appended there as one JSON line: the construct class at the error's path, the rule code, the prop.
 */
function recordBadInputCase(stack: Stack, c: BadInputCase, line: string): void {
  const log = process.env.BAD_INPUT_LOG;
  if (!log) return;
  const at = stack.node.findAll().find(n => n.node.path === c.path);
  const code = c.code ?? /\[([A-Z0-9_]+)\]\s*$/.exec(line)?.[1];
  const state = expect.getState();
  appendFileSync(log, JSON.stringify({
    file: state.testPath, test: state.currentTestName, construct: at?.constructor.name, path: c.path, code, prop: c.prop, value: c.value,
  }) + '\n');
}
