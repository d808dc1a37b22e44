import { Duration, Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { PatternDashboard, Saga, SagaProps, SagaStep } from '../../../src';
import { BadInputCase, expectBadInput, newStack, templateOf } from '../../support';
import { allStates, expectValidDefinitions } from '../../support/asl';
import { runLocally } from '../../support/local-sfn';

/** Three steps of Pass-backed tasks (Parallels wrapping a Pass can fail and take retry/catch). */
function task(stack: Stack, name: string): sfn.Parallel {
  return new sfn.Parallel(stack, name, { resultPath: sfn.JsonPath.DISCARD }).branch(new sfn.Pass(stack, `${name} work`));
}
/** The steps named in `which` (states that end up in no graph would fail CDK's validation). */
function steps(stack: Stack, which = 'ABCD'): SagaStep[] {
  const all: Record<string, () => SagaStep> = {
    A: () => ({ name: 'A', action: task(stack, 'Do A'), compensation: task(stack, 'Undo A') }),
    B: () => ({ name: 'B', action: task(stack, 'Do B'), compensation: task(stack, 'Undo B'), finalErrors: ['Declined'] }),
    C: () => ({ name: 'C', action: task(stack, 'Do C'), pivot: true }),
    D: () => ({ name: 'D', action: task(stack, 'Do D') }),
  };
  return [...which].map(k => all[k]());
}
function build(props: Partial<SagaProps> = {}) {
  const stack = newStack();
  const saga = new Saga(stack, 'Saga', { steps: steps(stack), ...props });
  const template = templateOf(stack);
  const [definition] = Object.values(expectValidDefinitions(template));
  return { stack, saga, template, definition, states: Object.fromEntries(allStates(definition)) as Record<string, any> };
}

describe('defaults', () => {
  const { saga, template, states, definition } = build();

  test('steps in order, each retried (every error, 3 attempts, backoff 2, jitter) and caught into the compensation', () => {
    expect(definition.StartAt).toBe('Do A');
    expect(states['Do A'].Next).toBe('Do B');
    expect(states['Do D'].Next).toBe('Saga succeeded');
    expect(states['Do A'].Retry).toEqual([{ ErrorEquals: ['States.ALL'], IntervalSeconds: 1, MaxAttempts: 3, BackoffRate: 2, JitterStrategy: 'FULL' }]);
    expect(states['Do B'].Retry[0]).toEqual({ ErrorEquals: ['Declined'], MaxAttempts: 0 });
  });

  test('compensation in reverse, starting with the failed step itself; the pivot has none; after the pivot a person decides', () => {
    expect(states['Do A'].Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.saga.error', Next: 'Undo A' }]);
    expect(states['Do B'].Catch[0].Next).toBe('Undo B');
    expect(states['Do C'].Catch[0].Next).toBe('Undo B');
    expect(states['Undo B'].Next).toBe('Undo A');
    expect(states['Undo A'].Next).toBe('Compensation complete');
    expect(states['Do D'].Catch[0].Next).toBe('Needs a person after pivot');
    expect(states['Needs a person after pivot'].Next).toBe('Saga needs a person');
  });

  test('compensations retry with backoff (6 attempts, 2 s doubling to 1 min) and escalate, then undoing goes on', () => {
    expect(states['Undo B'].Retry).toEqual([{ ErrorEquals: ['States.ALL'], IntervalSeconds: 2, MaxAttempts: 6, BackoffRate: 2, MaxDelaySeconds: 60, JitterStrategy: 'FULL' }]);
    expect(states['Undo B'].Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.saga.compensationError', Next: 'Needs a person B' }]);
    expect(states['Needs a person B']).toMatchObject({ Resource: 'arn:aws:states:::sqs:sendMessage', ResultPath: '$.saga.escalated', Next: 'Undo A' });
  });

  test('the execution ends in Fail with the original error and cause, or SagaNeedsAPerson when a person was called', () => {
    expect(states['Compensation complete']).toMatchObject({ Type: 'Choice', Choices: [{ Variable: '$.saga.escalated', IsPresent: true, Next: 'Saga needs a person' }], Default: 'Saga failed' });
    expect(states['Saga failed']).toEqual({ Type: 'Fail', ErrorPath: '$.saga.error.Error', CausePath: '$.saga.error.Cause' });
    expect(states['Saga needs a person']).toMatchObject({ Type: 'Fail', Error: 'SagaNeedsAPerson' });
  });

  test('needs-a-person queue: SecureQueue (14 days), alarmed when not empty; alarms and one dashboard', () => {
    template.hasResourceProperties('AWS::SQS::Queue', { MessageRetentionPeriod: 1_209_600, RedrivePolicy: Match.anyValue() });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ApproximateNumberOfMessagesVisible', Threshold: 0, AlarmDescription: Match.stringLikeRegexp('needs-a-person queue') });
    expect(saga.alarms.length).toBeGreaterThanOrEqual(6);
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    const body = JSON.stringify(template.findResources('AWS::CloudWatch::Dashboard'));
    expect(body).toContain('Needs a person');
    expect(body).toContain('Workflow Workflow');
    expect(saga.dashboardWidgets().length).toBeGreaterThan(2);
  });
});

describe('options', () => {
  test('runIf skips a step with a Choice; onSuccess and onCompensated hooks', () => {
    const stack = newStack();
    const s = steps(stack);
    new Saga(stack, 'Saga', {
      steps: [s[0], { ...s[1], runIf: sfn.Condition.numberGreaterThan('$.amount', 100) }, s[2], s[3]],
      onSuccess: task(stack, 'Announce'),
      onCompensated: task(stack, 'Apologise'),
    });
    const [d] = Object.values(expectValidDefinitions(templateOf(stack)));
    const states = Object.fromEntries(allStates(d)) as Record<string, any>;
    expect(states['Do A'].Next).toBe('Run B');
    expect(states['Run B']).toMatchObject({ Choices: [{ Variable: '$.amount', NumericGreaterThan: 100, Next: 'Do B' }], Default: 'Do C' });
    expect(states['Do D'].Next).toBe('Announce');
    expect(states.Announce.Next).toBe('Saga succeeded');
    expect(states['Undo A'].Next).toBe('Apologise');
    expect(states.Apologise.Next).toBe('Compensation complete');
    expect(states.Apologise.Catch[0].Next).toBe('Needs a person on compensated');
  });

  test('idempotency: a conditional claim of the business key first; a duplicate succeeds without doing anything', () => {
    const stack = newStack();
    const table = new dynamodb.TableV2(stack, 'Claims', { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING }, pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true } });
    new Saga(stack, 'Saga', { steps: steps(stack), idempotency: { table, partitionKey: 'id', businessKeyPath: '$.orderId' } });
    const [d] = Object.values(expectValidDefinitions(templateOf(stack)));
    const states = Object.fromEntries(allStates(d)) as Record<string, any>;
    expect(d.StartAt).toBe('Claim business key');
    expect(states['Claim business key']).toMatchObject({
      Parameters: { Item: { id: { 'S.$': '$.orderId' } }, ConditionExpression: 'attribute_not_exists(#pk)', ExpressionAttributeNames: { '#pk': 'id' } },
      Catch: [{ ErrorEquals: ['DynamoDB.ConditionalCheckFailedException'], Next: 'Duplicate ignored' }, { ErrorEquals: ['States.ALL'], ResultPath: '$.saga.error', Next: 'Saga failed' }],
    });
  });

  test('workflow settings pass through (Express, timeout), dashboard shared or off', () => {
    const { template, definition } = build({ stateMachineType: sfn.StateMachineType.EXPRESS, timeout: Duration.minutes(2), dashboardEnabled: false });
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', { StateMachineType: 'EXPRESS' });
    expect(definition.TimeoutSeconds).toBe(120);
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 0);
    const stack = newStack();
    const shared = new PatternDashboard(stack, 'Shared');
    new Saga(stack, 'Saga', { steps: steps(stack), dashboard: shared });
    templateOf(stack).resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });
});

test('MODEL: a failing step compensates the completed steps in reverse (aws-local-stepfunctions)', async () => {
  const stack = newStack();
  const s = steps(stack, 'ABD');
  // Step C fails (a Fail in its branch), so B and A are undone, in that order.
  const failingC = new sfn.Parallel(stack, 'Do C fails', { resultPath: sfn.JsonPath.DISCARD }).branch(new sfn.Fail(stack, 'Boom', { error: 'CarrierDown', cause: 'no carrier' }));
  new Saga(stack, 'Saga', { steps: [s[0], s[1], { name: 'C', action: failingC, pivot: true, retry: { maxAttempts: 1 } }, s[2]] });
  const [d] = Object.values(expectValidDefinitions(templateOf(stack)));
  const run = await runLocally(d, {}, { lambdas: {} });
  expect(run).toMatchObject({ status: 'FAILED', error: 'CarrierDown', cause: 'no carrier' });
  expect(run.path.filter(p => ['Undo A', 'Undo B', 'Do C fails'].includes(p))).toEqual(['Do C fails', 'Undo B', 'Undo A']);
  expect(run.retries).toEqual([{ state: 'Do C fails', error: 'CarrierDown' }]);
});

const S = 'TestStack/Saga';
const cases: Array<BadInputCase & { name: string }> = [
  { name: 'a step without compensation', build: (st) => { const s = steps(st); new Saga(st, 'Saga', { steps: [{ ...s[0], compensation: undefined }, s[1], s[2], s[3]] }); }, path: S, code: 'SAGA_STEP_COMPENSATION', prop: 'steps[0].compensation', value: 'missing for "A"', allowed: 'unless the step is the pivot, the last step, or a Pass or Wait', fix: 'give "A" a compensation' },
  { name: 'no steps', build: (st) => { new Saga(st, 'Saga', { steps: [] }); }, path: S, code: 'SAGA_STEPS', prop: 'steps', value: '[] (empty)', allowed: 'at least one step', fix: 'add the saga' },
  { name: 'two pivots', build: (st) => { const s = steps(st); new Saga(st, 'Saga', { steps: [s[0], s[1], s[2], { ...s[3], pivot: true }] }); }, path: S, code: 'SAGA_ONE_PIVOT', prop: 'steps[3].pivot', value: 'true (steps[2] is the pivot already)', allowed: 'one pivot', fix: 'mark only the step' },
  { name: 'a compensation on the pivot', build: (st) => { const s = steps(st); new Saga(st, 'Saga', { steps: [s[0], s[1], { ...s[2], compensation: new sfn.Pass(st, 'X') }, s[3]] }); }, path: S, code: 'SAGA_PIVOT_COMPENSATION', prop: 'steps[2].compensation', value: 'given for the pivot "C"', allowed: 'no compensation on the pivot', fix: 'remove the compensation' },
  { name: 'States.ALL as a final error', build: (st) => { const s = steps(st); new Saga(st, 'Saga', { steps: [{ ...s[0], finalErrors: ['States.ALL'] }, s[1], s[2], s[3]] }); }, path: S, code: 'SAGA_FINAL_ERRORS', prop: 'steps[0].finalErrors', value: '["States.ALL"]', allowed: 'named errors', fix: 'list the errors retrying cannot fix' },
  { name: 'a step ending in Succeed', build: (st) => { new Saga(st, 'Saga', { steps: [{ name: 'End', action: new sfn.Succeed(st, 'Done') }] }); }, path: S, code: 'SAGA_STEP_ACTION', prop: 'steps[0].action', value: 'Done', allowed: 'a state that continues', fix: 'do not end a step with Succeed or Fail' },
  { name: 'a definition of its own', build: (st) => { new Saga(st, 'Saga', { steps: steps(st), definition: new sfn.Pass(st, 'Mine') }); }, path: S, code: 'SAGA_OWN_DEFINITION', prop: 'definition', value: 'given', allowed: 'unset: the saga builds its definition from steps', fix: 'use Workflow' },
  { name: 'an Express saga with a 10 minute timeout (the workflow rules apply)', build: (st) => { new Saga(st, 'Saga', { steps: steps(st), stateMachineType: sfn.StateMachineType.EXPRESS, timeout: Duration.minutes(10) }); }, path: `${S}/Workflow`, code: 'WORKFLOW_TIMEOUT', prop: 'timeout', value: '10 minutes (600 s)', allowed: 'to 5 minutes (300 s)', fix: 'Express workflows run at most 5 minutes' },
  // Checked on the saga's props, named as written (it was reported at the inner workflow, by state).
  { name: 'a step retry with backoff below 1', build: (st) => { const s = steps(st); new Saga(st, 'Saga', { steps: [{ ...s[0], retry: { backoffRate: 0.5 } }, s[1], s[2], s[3]] }); }, path: S, code: 'SAGA_RETRY', prop: 'steps[0].retry.backoffRate', value: '0.5', allowed: '1.0 or more', fix: 'backoffRate' },
];
test.each(cases)('bad input: $name', (c) => {
  expectBadInput(c);
});
test('Pass and Wait steps need no compensation', () => {
  const stack = newStack();
  const s = steps(stack, 'ACD');
  new Saga(stack, 'Saga', { steps: [s[0], { name: 'Wait', action: new sfn.Wait(stack, 'Settle', { time: sfn.WaitTime.duration(Duration.seconds(1)) }) }, s[1], s[2]] });
  expectValidDefinitions(templateOf(stack));
});
