/**
 * Named Lambda errors through a synthesized definition, in the Step Functions MODEL
 * (test/support/local-sfn.ts: aws-local-stepfunctions with the real payment handler), which
 * MiniStack cannot show (it reports every Lambda error as Runtime.HandlerError).
 */
import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { DECLINED_TEST_CARD, paymentHandler, PaymentLedger, StoredPayment } from '../../../lambda/saga-payment/payment.lambda';
import { newStack } from '../../support';
import { aslErrors, definitionsOf, expectValidDefinitions } from '../../support/asl';
import { runLocally } from '../../support/local-sfn';

function synthesizedDefinition() {
  const stack = newStack();
  const fn = new lambda.Function(stack, 'Payment', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('x') });
  const chargeTask = new tasks.LambdaInvoke(stack, 'Charge payment', {
    lambdaFunction: fn,
    payload: sfn.TaskInput.fromObject({ 'action': 'charge', 'orderId.$': '$.orderId', 'amount.$': '$.amount', 'currency': 'EUR', 'card.$': '$.card' }),
    resultSelector: { 'status.$': '$.Payload.status' },
    resultPath: '$.payment',
    retryOnServiceExceptions: false,
  });
  // A declined card is final; anything else is retried with backoff.
  chargeTask.addRetry({ errors: ['PaymentDeclined'], maxAttempts: 0 });
  chargeTask.addRetry({ errors: [sfn.Errors.ALL], interval: Duration.seconds(1), backoffRate: 2, maxAttempts: 3 });
  const refundTask = new tasks.LambdaInvoke(stack, 'Refund payment', {
    lambdaFunction: fn,
    payload: sfn.TaskInput.fromObject({ 'action': 'refund', 'orderId.$': '$.orderId' }),
    resultPath: sfn.JsonPath.DISCARD,
  });
  const declined = new sfn.Fail(stack, 'Declined', { error: 'PaymentDeclined', causePath: '$.failure.Cause' });
  chargeTask.addCatch(refundTask.next(declined), { errors: ['PaymentDeclined'], resultPath: '$.failure' });
  chargeTask.addCatch(new sfn.Fail(stack, 'Broken', { error: 'Unexpected' }), { errors: [sfn.Errors.ALL], resultPath: '$.failure' });
  new sfn.StateMachine(stack, 'Flow', { definitionBody: sfn.DefinitionBody.fromChainable(chargeTask.next(new sfn.Succeed(stack, 'Charged'))) });
  const template = Template.fromStack(stack);
  const [definition] = Object.values(expectValidDefinitions(template));
  const functionArn = (definition.States as any)['Charge payment'].Parameters.FunctionName as string;
  return { definition, functionArn };
}

function ledger(failFirst = 0): PaymentLedger & { rows: Map<string, StoredPayment> } {
  const rows = new Map<string, StoredPayment>();
  let failures = failFirst;
  return {
    rows,
    async putIfAbsent(p) {
      if (failures-- > 0) throw Object.assign(new Error('Throughput exceeds the current capacity'), { name: 'ProvisionedThroughputExceededException' });
      if (rows.has(p.orderId)) return false;
      rows.set(p.orderId, p);
      return true;
    },
    async markRefunded(id) {
      const p = rows.get(id);
      if (p?.status !== 'CHARGED') return false;
      rows.set(id, { ...p, status: 'REFUNDED' });
      return true;
    },
    async get(id) { return rows.get(id); },
  };
}

beforeEach(() => { jest.spyOn(console, 'log').mockImplementation(() => undefined); });

test('asl-validator refuses what AWS refuses (the helper can fail)', () => {
  expect(aslErrors({ StartAt: 'Missing', States: { A: { Type: 'Pass', End: true } } })).not.toEqual([]);
  expect(aslErrors({ StartAt: 'A', States: { A: { Type: 'Pass', Next: 'Nowhere' } } })).not.toEqual([]);
  expect(aslErrors({ StartAt: 'A', States: { A: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Retry: [{ ErrorEquals: ['States.ALL'], MaxAttempts: -1 }], End: true } } })).not.toEqual([]);
});

test('MODEL: the test card is caught by name (PaymentDeclined), never retried, and compensated', async () => {
  const { definition, functionArn } = synthesizedDefinition();
  const l = ledger();
  const run = await runLocally(definition, { orderId: 'o-1', amount: 500, card: DECLINED_TEST_CARD }, { lambdas: { [functionArn]: paymentHandler(l) } });
  expect(run).toMatchObject({ status: 'FAILED', error: 'PaymentDeclined' });
  expect(run.cause).toContain('ending 0002');
  expect(run.retries).toEqual([]);
  expect(run.catches).toEqual([{ state: 'Charge payment', error: 'PaymentDeclined' }]);
  expect(run.path).toEqual(['Charge payment', 'Refund payment', 'Declined']);
  expect(l.rows.size).toBe(0);
});

test('MODEL: a throttled ledger write is retried (States.ALL, with the SDK error name) and then charges once', async () => {
  const { definition, functionArn } = synthesizedDefinition();
  const l = ledger(2);
  const run = await runLocally(definition, { orderId: 'o-2', amount: 500, card: '4242424242424242' }, { lambdas: { [functionArn]: paymentHandler(l) } });
  expect(run).toMatchObject({ status: 'SUCCEEDED', output: { payment: { status: 'CHARGED' } } });
  expect(run.retries).toEqual([
    { state: 'Charge payment', error: 'ProvisionedThroughputExceededException' },
    { state: 'Charge payment', error: 'ProvisionedThroughputExceededException' },
  ]);
  expect(run.transitions).toBe(4); // Charge ×3 (two retries) + Charged
  expect([...l.rows.values()]).toEqual([expect.objectContaining({ orderId: 'o-2', status: 'CHARGED' })]);
});

test('MODEL: retries are bounded: a ledger that never recovers ends in the States.ALL catch after 1 + 3 attempts', async () => {
  const { definition, functionArn } = synthesizedDefinition();
  const run = await runLocally(definition, { orderId: 'o-3', amount: 500, card: '4242424242424242' }, { lambdas: { [functionArn]: paymentHandler(ledger(99)) } });
  expect(run).toMatchObject({ status: 'FAILED', error: 'Unexpected' });
  expect(run.retries).toHaveLength(3);
  expect(run.catches).toEqual([{ state: 'Charge payment', error: 'ProvisionedThroughputExceededException' }]);
});

test('definitionsOf resolves every intrinsic', () => {
  const { definition } = synthesizedDefinition();
  expect(JSON.stringify(definition)).not.toMatch(/Fn::|"Ref"/);
  expect(Object.keys(definitionsOf({ toJSON: () => ({ Resources: {} }) }))).toEqual([]);
});
