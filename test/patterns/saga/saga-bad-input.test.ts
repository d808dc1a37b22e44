import { CfnParameter, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Saga, SagaProps } from '../../../src';
import { BadInputCase, expectBadInput, newStack } from '../../support';

// Issue #11, second pass: saga inputs that used to fail with a raw aws-cdk-lib / JavaScript
// message, be named at the inner workflow's path, or be ignored silently.

/** A state that can fail (takes retry and catch). */
const task = (s: Stack, id: string) => new sfn.Parallel(s, id, { resultPath: sfn.JsonPath.DISCARD }).branch(new sfn.Pass(s, `${id} work`));
const saga = (s: Stack, props: Partial<SagaProps>) => new Saga(s, 'Saga', { steps: [{ name: 'A', action: task(s, 'Do A') }], ...props } as SagaProps);
const table = (s: Stack, props: Partial<dynamodb.TableProps> = {}) =>
  new dynamodb.Table(s, 'Claims', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING }, ...props });
const P = 'TestStack/Saga';

describe('Saga bad input, second pass', () => {
  const cases: BadInputCase[] = [
    {
      build: s => saga(s, { steps: [{ name: 'Charge', action: task(s, 'T1'), compensation: task(s, 'C1') }, { name: 'Charge', action: task(s, 'T2') }] }),
      path: P,
      code: 'SAGA_STEP_NAME_TAKEN',
      prop: 'steps[1].name',
      value: '"Charge" (steps[0] has it)',
      allowed: 'a name no other step uses',
      fix: 'its own name',
    },
    {
      build: s => saga(s, { steps: [{ name: '', action: task(s, 'T1') }] }),
      path: P,
      code: 'SAGA_STEP_NAME',
      prop: 'steps[0].name',
      value: '"" (0 characters)',
      allowed: '1 to 65 characters',
      fix: 'name the step',
    },
    {
      build: s => saga(s, { steps: [{ name: 'n'.repeat(66), action: task(s, 'T1') }] }),
      path: P,
      code: 'SAGA_STEP_NAME',
      prop: 'steps[0].name',
      value: '(66 characters)',
      allowed: '1 to 65 characters',
      fix: 'name the step',
    },
    {
      build: s => { const t = task(s, 'T1'); return saga(s, { steps: [{ name: 'A', action: t, compensation: task(s, 'C1') }, { name: 'B', action: t }] }); },
      path: P,
      code: 'SAGA_STATE_REUSED',
      prop: 'steps[1].action',
      value: 'TestStack/T1 (already steps[0].action)',
      allowed: 'a state of its own',
      fix: 'create a second state for steps[1].action',
    },
    {
      build: s => { const t = task(s, 'T1'); return saga(s, { steps: [{ name: 'A', action: t, compensation: t }, { name: 'B', action: task(s, 'T2') }] }); },
      path: P,
      code: 'SAGA_STATE_REUSED',
      prop: 'steps[0].compensation',
      value: 'TestStack/T1 (already steps[0].action)',
      allowed: 'a state of its own',
      fix: 'create a second state',
    },
    {
      build: s => { const t = task(s, 'T1'); t.next(new sfn.Pass(s, 'Then')); return saga(s, { steps: [{ name: 'A', action: t }] }); },
      path: P,
      code: 'SAGA_STATE_CHAINED',
      prop: 'steps[0].action',
      value: 'TestStack/T1 (already followed by Then)',
      allowed: 'a state not yet chained',
      fix: 'without .next(...)',
    },
    {
      build: s => saga(s, { onSuccess: new sfn.Succeed(s, 'Done') }),
      path: P,
      code: 'SAGA_STATE_TERMINAL',
      prop: 'onSuccess',
      value: 'TestStack/Done (a Succeed',
      allowed: 'a state that continues',
      fix: 'use a task or Pass state as onSuccess',
    },
    {
      build: s => saga(s, { onCompensated: new sfn.Fail(s, 'Gave up') }),
      path: P,
      code: 'SAGA_STATE_TERMINAL',
      prop: 'onCompensated',
      value: 'TestStack/Gave up (a Fail',
      allowed: 'a state that continues',
      fix: 'as onCompensated',
    },
    {
      build: s => saga(s, { steps: [{ name: 'A', action: task(s, 'T1'), retry: { maxAttempts: -1 } }] }),
      path: P,
      code: 'SAGA_RETRY',
      prop: 'steps[0].retry.maxAttempts',
      value: '-1',
      allowed: 'a whole number from 0 to 99,999,999',
      fix: 'set steps[0].retry.maxAttempts',
    },
    {
      build: s => saga(s, { steps: [{ name: 'A', action: task(s, 'T1'), compensation: task(s, 'C1'), compensationRetry: { backoffRate: 0.5 } }, { name: 'B', action: task(s, 'T2') }] }),
      path: P,
      code: 'SAGA_RETRY',
      prop: 'steps[0].compensationRetry.backoffRate',
      value: '0.5',
      allowed: 'a number of 1.0 or more',
      fix: 'set steps[0].compensationRetry.backoffRate',
    },
    {
      build: s => saga(s, { steps: [{ name: 'A', action: task(s, 'T1'), retry: { interval: Duration.millis(500) } }] }),
      path: P,
      code: 'SAGA_RETRY',
      prop: 'steps[0].retry.interval',
      value: '500 millis',
      allowed: 'whole seconds from 1',
      fix: 'Duration.seconds(n)',
    },
    {
      build: s => saga(s, { steps: [{ name: 'A', action: new sfn.Pass(s, 'Note'), retry: { maxAttempts: 5 } }] }),
      path: P,
      code: 'SAGA_RETRY_UNUSED',
      prop: 'steps[0].retry',
      value: '{"maxAttempts":5}',
      allowed: 'no value on a Pass action',
      fix: 'remove steps[0].retry',
    },
    {
      build: s => saga(s, { steps: [{ name: 'A', action: task(s, 'T1'), pivot: true, compensationRetry: { maxAttempts: 5 } }] }),
      path: P,
      code: 'SAGA_RETRY_UNUSED',
      prop: 'steps[0].compensationRetry',
      value: '{"maxAttempts":5}',
      allowed: 'no value without a compensation',
      fix: 'remove steps[0].compensationRetry',
    },
    {
      build: s => saga(s, { steps: [{ name: 'A', action: task(s, 'T1'), finalErrors: [''] }] }),
      path: P,
      code: 'SAGA_FINAL_ERRORS',
      prop: 'steps[0].finalErrors',
      value: '[""]',
      allowed: 'error names (non-empty strings)',
      fix: 'remove the empty names',
    },
    {
      build: s => saga(s, { needsAPersonQueueProps: { retentionPeriod: Duration.days(15) } }),
      path: P,
      code: 'SECURE_QUEUE_RETENTION',
      prop: 'needsAPersonQueueProps.retentionPeriod',
      value: '15 days',
      allowed: '1 minute (60 s) to 14 days',
      fix: 'needsAPersonQueueProps.retentionPeriod',
    },
    {
      build: s => saga(s, { idempotency: { table: table(s), businessKeyPath: 'orderId' } }),
      path: P,
      code: 'SAGA_BUSINESS_KEY_PATH',
      prop: 'idempotency.businessKeyPath',
      value: '"orderId"',
      allowed: 'a JSONPath into the execution input',
      fix: '"$.order.id"',
    },
    {
      build: s => saga(s, { idempotency: { table: table(s, { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING } }), businessKeyPath: '$.orderId' } }),
      path: P,
      code: 'SAGA_IDEMPOTENCY_TABLE_KEY',
      prop: 'idempotency.table',
      value: 'TestStack/Claims keyed by id (S)',
      allowed: 'only key is the partition key "pk" of type STRING',
      fix: 'set idempotency.partitionKey',
    },
    {
      build: s => saga(s, { idempotency: { table: table(s, { sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING } }), businessKeyPath: '$.orderId' } }),
      path: P,
      code: 'SAGA_IDEMPOTENCY_TABLE_KEY',
      prop: 'idempotency.table',
      value: 'keyed by pk (S) + sort key sk',
      allowed: 'only key is the partition key',
      fix: 'without a sort key',
    },
    {
      build: s => saga(s, { idempotency: { table: table(s, { partitionKey: { name: 'pk', type: dynamodb.AttributeType.NUMBER } }), businessKeyPath: '$.orderId' } }),
      path: P,
      code: 'SAGA_IDEMPOTENCY_TABLE_KEY',
      prop: 'idempotency.table',
      value: 'keyed by pk (N)',
      allowed: 'of type STRING',
      fix: '(STRING)',
    },
  ];
  test.each(cases.map(c => [`${c.code} ${c.prop}: ${c.value}`, c] as const))('%s', (_name, c) => {
    expectBadInput(c);
  });

  test('boundaries are accepted: 65-character step name, a Pass compensation, onSuccess/onCompensated tasks, a matching idempotency table', () => {
    const s = newStack();
    new Saga(s, 'Saga', {
      steps: [
        { name: 'n'.repeat(65), action: task(s, 'T1'), compensation: new sfn.Pass(s, 'Nothing to undo'), retry: { maxAttempts: 0, interval: Duration.seconds(1), backoffRate: 1 } },
        { name: 'B', action: task(s, 'T2'), compensation: task(s, 'C2'), compensationRetry: { maxAttempts: 10, maxDelay: Duration.days(366) } },
        { name: 'C', action: new sfn.Pass(s, 'Note') },
      ],
      onSuccess: new sfn.Pass(s, 'Notify'),
      onCompensated: task(s, 'Tell'),
      idempotency: { table: table(s), businessKeyPath: "$.order['id']" },
    });
    expect(() => Template.fromStack(s)).not.toThrow();
  });

  test('tokens are not checked: a CfnParameter businessKeyPath / partitionKey and an imported table', () => {
    const s = newStack();
    const p = (id: string) => new CfnParameter(s, id, { type: 'String' }).valueAsString;
    saga(s, { idempotency: { table: dynamodb.Table.fromTableName(s, 'T', 'claims'), partitionKey: p('Pk'), businessKeyPath: '$.orderId' } });
    expect(() => Template.fromStack(s)).not.toThrow();
  });
});
