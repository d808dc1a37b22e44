import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';

/**
 * A fresh stack in a fresh app, in a fixed environment so ARNs are comparable. CDK's built-in
 * template validation (CloudFormation resource schemas) turns its warnings into errors here.
 */
export function newStack(id = 'TestStack'): Stack {
  const app = new App({ context: { '@aws-cdk/core:validateAgainstDefaultRules': true } });
  return new Stack(app, id, { env: { account: '111111111111', region: 'us-east-1' } });
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
