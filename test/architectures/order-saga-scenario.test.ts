/**
 * The order saga scenario's own logic (e2e/harness/scenarios/order-saga.ts), which the e2e test,
 * `npx projen local` and the saga bench rely on: transitions counted from an execution history,
 * and the invariant rows — they must pass on a consistent outcome and name what broke otherwise.
 */
import { HistoryEvent } from '@aws-sdk/client-sfn';
import { branchCatchErrors, checkOrderSaga, ExecutionSummary, ORDER_SAGA_TRAFFIC, planSagaOrders, summarizeHistory } from '../../e2e/harness/scenarios/order-saga';

const entered = (type: string, name: string): HistoryEvent => ({ type, stateEnteredEventDetails: { name } } as HistoryEvent);
const ev = (type: string, extra: Partial<HistoryEvent> = {}): HistoryEvent => ({ type, ...extra } as HistoryEvent);

describe('summarizeHistory', () => {
  test('transitions = states entered + task attempts after the first; errors from ExecutionFailed', () => {
    const s = summarizeHistory('o-1', 'FAILED', [
      ev('ExecutionStarted'),
      entered('TaskStateEntered', 'Claim order'), ev('TaskScheduled'), ev('TaskSucceeded'), ev('TaskStateExited'),
      entered('ParallelStateEntered', 'Reserve stock'), entered('TaskStateEntered', 'Take from stock'), ev('TaskScheduled'), ev('TaskSucceeded'),
      entered('TaskStateEntered', 'Charge payment'),
      ev('LambdaFunctionScheduled'), ev('LambdaFunctionFailed'), ev('TaskScheduled'), ev('TaskFailed'), ev('TaskScheduled'), ev('TaskFailed'),
      entered('TaskStateEntered', 'Refund payment'), ev('TaskScheduled'), ev('TaskSucceeded'),
      entered('FailStateEntered', 'Saga failed'),
      ev('ExecutionFailed', { executionFailedEventDetails: { error: 'Runtime.HandlerError', cause: 'card ending 0002 was declined' } }),
    ]);
    expect(s.entered).toEqual(['Claim order', 'Reserve stock', 'Take from stock', 'Charge payment', 'Refund payment', 'Saga failed']);
    expect(s.retries).toEqual({ 'Charge payment': 2 });
    expect(s.transitions).toBe(6 + 2);
    expect(s.inferredStates).toBe(0);
    expect(s.taskAttempts).toBe(6);
    expect({ error: s.error, cause: s.cause }).toEqual({ error: 'Runtime.HandlerError', cause: 'card ending 0002 was declined' });
  });

  test('MiniStack leaves out the StateEntered of states inside a Parallel: their task attempts and caught failures count instead', () => {
    // As MiniStack 1.5.33 records an out-of-stock order (the branch task fails, its catcher goes to a Fail state).
    const s = summarizeHistory('o-2', 'FAILED', [
      ev('ExecutionStarted'),
      entered('TaskStateEntered', 'Claim business key'), ev('TaskScheduled'), ev('TaskSucceeded'), ev('TaskStateExited'),
      entered('ParallelStateEntered', 'Reserve stock'), ev('TaskScheduled'), ev('TaskFailed', { taskFailedEventDetails: { error: 'DynamoDb.ConditionalCheckFailedException', resourceType: 'aws-sdk:dynamodb', resource: 'updateItem' } }), ev('ParallelStateExited'),
      entered('ParallelStateEntered', 'Release stock'), ev('TaskScheduled'), ev('TaskFailed', { taskFailedEventDetails: { error: 'DynamoDb.ConditionalCheckFailedException', resourceType: 'aws-sdk:dynamodb', resource: 'updateItem' } }), ev('ParallelStateExited'),
      entered('TaskStateEntered', 'Publish OrderCancelled'), ev('TaskScheduled'), ev('TaskSucceeded'), ev('TaskStateExited'),
      entered('FailStateEntered', 'Saga failed'), ev('ExecutionFailed', { executionFailedEventDetails: { error: 'OutOfStock' } }),
    ], ['DynamoDb.ConditionalCheckFailedException']);
    expect(s.retries).toEqual({});
    // 5 recorded + take from stock, out of stock, give back stock, nothing to release
    expect({ entered: s.entered.length, inferred: s.inferredStates, transitions: s.transitions })
      .toEqual({ entered: 5, inferred: 4, transitions: 9 });
  });
});

describe('branchCatchErrors', () => {
  test('the errors Task states inside Parallel branches catch, from the definition', () => {
    const definition = JSON.stringify({
      StartAt: 'A',
      States: {
        A: { Type: 'Task', Catch: [{ ErrorEquals: ['States.ALL'], Next: 'B' }], Next: 'B' },
        B: {
          Type: 'Parallel',
          End: true,
          Branches: [{ StartAt: 'T', States: { T: { Type: 'Task', Catch: [{ ErrorEquals: ['X.Y'], Next: 'F' }], End: true }, F: { Type: 'Fail' } } }],
        },
      },
    });
    expect(branchCatchErrors(definition)).toEqual(['X.Y']);
  });
});

describe('checkOrderSaga', () => {
  const traffic = { ...ORDER_SAGA_TRAFFIC, ok: 10, declined: 3, outOfStock: 2, resent: 2 };
  const { orders, skus, rareSku } = planSagaOrders('t1', traffic);
  const summary = (name: string, status: string, states: string[], extra: Partial<ExecutionSummary> = {}): ExecutionSummary =>
    ({ name, status, entered: states, transitions: states.length, retries: {}, taskAttempts: 0, inferredStates: 0, events: 0, ...extra });
  const consistent = () => {
    const executions = new Map<string, ExecutionSummary>();
    const payments = new Map<string, string>();
    const shipped: string[] = [];
    for (const p of orders) {
      const id = p.order.orderId;
      if (p.kind === 'ok') {
        executions.set(id, summary(id, 'SUCCEEDED', ['Reserve stock', ...(p.highValue ? ['Fraud check'] : []), 'Charge payment', 'Request shipping', 'Publish OrderConfirmed']));
        payments.set(id, 'CHARGED');
        shipped.push(id);
      } else if (p.kind === 'declined') {
        executions.set(id, summary(id, 'FAILED', ['Reserve stock', 'Charge payment', 'Refund payment', 'Release stock', 'Publish OrderCancelled'],
          { error: 'Runtime.HandlerError', cause: `{"errorMessage":"card ending 0002 was declined for order ${id}"}` }));
      } else {
        executions.set(id, summary(id, 'FAILED', ['Reserve stock', 'Release stock', 'Publish OrderCancelled'], { error: 'OutOfStock' }));
      }
    }
    const stock = new Map<string, { available: number; reserved: number; holds: string[] }>();
    for (const sku of skus) {
      const mine = orders.filter(p => p.kind === 'ok' && p.order.sku === sku);
      const reserved = mine.reduce((n, p) => n + p.order.quantity, 0);
      stock.set(sku, { available: 1000 - reserved, reserved, holds: mine.map(p => p.order.orderId).sort() });
    }
    stock.set(rareSku, { available: 0, reserved: 0, holds: [] });
    return { orders, skus, rareSku, executions, shipped, payments, stock, intakeLeft: 0, resent: 2 };
  };

  test('a consistent outcome: every row ok', () => {
    const rows = checkOrderSaga(consistent());
    expect(rows.filter(r => !r.ok)).toEqual([]);
    expect(rows).toHaveLength(8);
  });

  test('a broken outcome: the rows name the orders and SKUs that broke each invariant', () => {
    const o = consistent();
    const [ok0, ok1] = orders.filter(p => p.kind === 'ok').map(p => p.order.orderId);
    const declined0 = orders.find(p => p.kind === 'declined')!.order.orderId;
    const short0 = orders.find(p => p.kind === 'outOfStock')!.order.orderId;
    o.shipped.push(ok0); // shipped twice
    o.executions.set(declined0, { ...o.executions.get(declined0)!, entered: ['Reserve stock', 'Charge payment', 'Release stock', 'Publish OrderCancelled'] }); // no refund
    o.executions.set(short0, { ...o.executions.get(short0)!, error: 'States.TaskFailed' });
    o.executions.set('s-ok-t1-stranger', summary('s-ok-t1-stranger', 'SUCCEEDED', []));
    o.stock.set(skus[0], { ...o.stock.get(skus[0])!, available: 990 });
    o.payments.set(declined0, 'CHARGED'); // charged, never shipped, not refunded
    o.payments.delete(ok1);
    const bad = Object.fromEntries(checkOrderSaga({ ...o, intakeLeft: 3 }).filter(r => !r.ok).map(r => [r.what.split(' ')[0], r.problem]));
    expect(Object.keys(bad).sort()).toEqual(['declined', 'every', 'intake', 'no', 'one', 'out', 'stock:'].sort());
    expect(bad.one).toContain('s-ok-t1-stranger');
    expect(bad.intake).toContain('3 messages');
    expect(bad.every).toContain(`${ok0} ×2`);
    expect(bad.declined).toContain(declined0);
    expect(bad.out).toContain(`${short0} (FAILED States.TaskFailed)`);
    expect(bad['stock:']).toContain(skus[0]);
    expect(bad.no).toContain(`${declined0} (CHARGED)`);
    expect(bad.no).toContain(`${ok1} (no payment)`);
  });
});
