/**
 * Order saga: `OrderPlaced` on the app's bus → intake queue → starter (one Standard execution per
 * order, named by its id) → claim → reserve stock (conditional DynamoDB update, `OutOfStock`
 * from a Fail state) → fraud check (orders ≥ 100,000) → charge (bundled payment Lambda) → wait for
 * settlement → request shipping (SQS) → `OrderConfirmed`; on failure refund, release stock,
 * `OrderCancelled`, Fail.
 *
 * Traffic (the mix): 300 orders — 200 that succeed (every 10th high-value, through the
 * fraud check), 50 paid with the declined test card, 50 for a SKU with no stock — published as
 * `OrderPlaced` events with PutEvents (10 per call), then 20 of the successful orders re-sent.
 *
 * Pacing: the producer keeps at most `maxInFlight` orders between "published" and "execution
 * finished" (counted with one ListExecutions per second), so the emulator never runs hundreds of
 * executions — and hundreds of cold Lambda worker processes — at once; the stack's local profile
 * also bounds the starter (`consumer: { maxConcurrency: 2, batchSize: 10 }`). Nothing is left
 * out: every order is published, every execution is waited for.
 *
 * Everything is read back from the emulator: execution histories (GetExecutionHistory: states
 * entered, task attempts, errors), the shipping queue, the stock and payments tables and the
 * intake queue. The histories are also what `npx projen bench -- saga` counts transitions from.
 *
 * How failures are triggered, honestly: a decline is the real payment handler throwing
 * `PaymentDeclined` for the test card; MiniStack 1.5.33 reports it as `Runtime.HandlerError`, so
 * the saga's States.ALL retrier retries the charge (AWS would not: the name is final) and its
 * States.ALL catch compensates. The rows check the cause is the handler's decline message.
 * Out of stock is DynamoDB's real ConditionalCheckFailedException on the stock item, turned into
 * `OutOfStock` by a Fail state (a name the emulator keeps), caught by name, never retried.
 */
import { randomBytes } from 'crypto';
import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DescribeStateMachineCommand, GetExecutionHistoryCommand, HistoryEvent, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { clientConfig } from '../clients';
import { drainQueue, queueDepth } from '../collect';
import { listIds, output, Row, Scenario, ScenarioContext, ScenarioResult } from './types';

export const ORDER_SAGA_STACK = 'IntegrationPatterns-OrderSaga';
/** The source and detail type `OrderPlaced` is published with (`ORDER_SAGA_SOURCE` of the stack). */
export const ORDER_PLACED = { source: 'shop.orders', detailType: 'OrderPlaced' } as const;
/** The payment handler's declined test card (`DECLINED_TEST_CARD`). */
export const DECLINED_CARD = '4000000000000002';
const GOOD_CARD = '4242424242424242';
const INITIAL_STOCK = 1000;

export interface OrderSagaTraffic {
  /** Orders that succeed (every 10th is high-value and goes through the fraud check). */
  readonly ok: number;
  /** Orders paid with the declined test card. */
  readonly declined: number;
  /** Orders for a SKU with no stock. */
  readonly outOfStock: number;
  /** Successful orders published a second time once their execution exists. */
  readonly resent: number;
  /** Most orders between "published" and "execution finished" at a time. */
  readonly maxInFlight: number;
  /** How long to wait, in all, for every execution to finish. */
  readonly timeoutMs: number;
}

/** The mix: 200 ok, 50 declined, 50 out of stock, 20 re-sent. */
export const ORDER_SAGA_TRAFFIC: OrderSagaTraffic = { ok: 200, declined: 50, outOfStock: 50, resent: 20, maxInFlight: 30, timeoutMs: 600_000 };

export type OrderKind = 'ok' | 'declined' | 'outOfStock';

export interface SagaOrder {
  readonly orderId: string;
  readonly sku: string;
  readonly quantity: number;
  readonly amount: number;
  readonly currency: string;
  readonly card: string;
}

export interface PlannedOrder {
  readonly kind: OrderKind;
  readonly highValue: boolean;
  readonly order: SagaOrder;
}

/** Orders of one run (ids unique to `run`), interleaved so every kind flows all along. */
export function planSagaOrders(run: string, traffic: OrderSagaTraffic): { orders: PlannedOrder[]; skus: string[]; rareSku: string } {
  const skus = [0, 1, 2, 3, 4].map(i => `SKU-${run}-${i}`);
  const rareSku = `SKU-${run}-RARE`;
  const ok: PlannedOrder[] = Array.from({ length: traffic.ok }, (_, i) => ({
    kind: 'ok',
    highValue: i % 10 === 0,
    order: { orderId: `s-ok-${run}-${i}`, sku: skus[i % 5], quantity: 1 + (i % 3), amount: i % 10 === 0 ? 250_000 : 1_000 + i, currency: 'EUR', card: GOOD_CARD },
  }));
  const declined: PlannedOrder[] = Array.from({ length: traffic.declined }, (_, i) => ({
    kind: 'declined',
    highValue: false,
    order: { orderId: `s-declined-${run}-${i}`, sku: skus[i % 5], quantity: 2, amount: 5_000, currency: 'EUR', card: DECLINED_CARD },
  }));
  const short: PlannedOrder[] = Array.from({ length: traffic.outOfStock }, (_, i) => ({
    kind: 'outOfStock',
    highValue: false,
    order: { orderId: `s-short-${run}-${i}`, sku: rareSku, quantity: 1, amount: 7_000, currency: 'EUR', card: GOOD_CARD },
  }));
  // Interleave: ok, ok, ok, ok, declined, short, … so failures are spread over the run.
  const orders: PlannedOrder[] = [];
  const queues = [ok, declined, short];
  const weights = [4, 1, 1];
  while (queues.some(q => q.length > 0)) {
    queues.forEach((q, k) => orders.push(...q.splice(0, weights[k])));
  }
  return { orders, skus, rareSku };
}

/** What one execution did, read from its history. */
export interface ExecutionSummary {
  readonly name: string;
  readonly status: string;
  /** ExecutionFailed error / cause. */
  readonly error?: string;
  readonly cause?: string;
  /** Names of the states entered, in order (Parallel branches included). */
  readonly entered: readonly string[];
  /** State transitions as Step Functions Standard bills them: states entered + retries. */
  readonly transitions: number;
  /** Task attempts after the first, per state. */
  readonly retries: Readonly<Record<string, number>>;
  /** Task attempts in all (each a request to a Lambda function or another service). */
  readonly taskAttempts: number;
  /** States inside Parallel branches counted from their task events (MiniStack leaves out their StateEntered). */
  readonly inferredStates: number;
  readonly events: number;
}

/**
 * Transitions from an execution history: every `*StateEntered` event, plus every task attempt
 * after the first (AWS counts a retry as a transition). Task attempts are the `TaskScheduled` /
 * `LambdaFunctionScheduled` / `ActivityScheduled` events of a Task state.
 *
 * MiniStack 1.5.33 writes no `*StateEntered` events for the states inside a Parallel branch (AWS
 * does): there a task attempt with no Task state of its own counts as one state entered, and a
 * branch task that failed with an error its branch catches (`branchCatchErrors`, read from the
 * definition) as one more (the catcher's target: `Out of stock`, `Nothing to release`). Counted
 * separately as `inferredStates`. On an AWS history nothing is inferred.
 */
export function summarizeHistory(name: string, status: string, events: readonly HistoryEvent[],
  caughtInBranches: readonly string[] = []): ExecutionSummary {
  const entered: string[] = [];
  const retries: Record<string, number> = {};
  let current: string | undefined;
  let attempts = 0;
  let error: string | undefined;
  let cause: string | undefined;
  let taskAttempts = 0;
  let inferredStates = 0;
  for (const e of events) {
    const type = e.type ?? '';
    if (type.endsWith('StateEntered')) {
      entered.push(e.stateEnteredEventDetails?.name ?? '?');
      current = type === 'TaskStateEntered' ? e.stateEnteredEventDetails?.name : undefined;
      attempts = 0;
    } else if (type.endsWith('StateExited')) {
      current = undefined;
    } else if (['TaskScheduled', 'LambdaFunctionScheduled', 'ActivityScheduled'].includes(type)) {
      taskAttempts++;
      if (current) {
        attempts++;
        if (attempts > 1) retries[current] = (retries[current] ?? 0) + 1;
      } else {
        inferredStates++; // a branch task whose StateEntered the emulator left out
      }
    } else if (type === 'TaskFailed' && !current && caughtInBranches.includes(e.taskFailedEventDetails?.error ?? '')) {
      inferredStates++; // the branch catcher's target state
    } else if (type === 'ExecutionFailed') {
      error = e.executionFailedEventDetails?.error;
      cause = e.executionFailedEventDetails?.cause;
    }
  }
  const retried = Object.values(retries).reduce((n, r) => n + r, 0);
  return {
    name,
    status,
    error,
    cause,
    entered,
    inferredStates,
    retries,
    taskAttempts,
    transitions: entered.length + inferredStates + retried,
    events: events.length,
  };
}

/** Errors that Task states inside a Parallel branch catch (any depth), from an ASL definition. */
export function branchCatchErrors(definition: string): string[] {
  const found = new Set<string>();
  const walk = (states: Record<string, any>, inBranch: boolean) => {
    for (const state of Object.values(states ?? {})) {
      if (inBranch && state.Type === 'Task') for (const c of state.Catch ?? []) for (const err of c.ErrorEquals ?? []) found.add(err);
      for (const b of state.Branches ?? []) walk(b.States, true);
      if (state.ItemProcessor ?? state.Iterator) walk((state.ItemProcessor ?? state.Iterator).States, true);
    }
  };
  walk(JSON.parse(definition).States, false);
  return [...found].sort();
}

async function history(sfn: SFNClient, executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, includeExecutionData: false, nextToken }));
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

/** Executions of the state machine whose name contains `marker`: name → { arn, status }. */
async function listExecutions(sfn: SFNClient, stateMachineArn: string, marker: string): Promise<Map<string, { arn: string; status: string }>> {
  const found = new Map<string, { arn: string; status: string }>();
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(new ListExecutionsCommand({ stateMachineArn, maxResults: 1000, nextToken }));
    for (const e of page.executions ?? []) {
      if (e.name?.includes(marker)) found.set(e.name, { arn: e.executionArn!, status: e.status! });
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return found;
}

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

/** Everything a run produced: the rows, and per order its plan and its execution. */
export interface OrderSagaRunResult extends ScenarioResult {
  readonly run: string;
  readonly traffic: OrderSagaTraffic;
  readonly orders: readonly PlannedOrder[];
  /** Execution per order id (missing: never started). */
  readonly executions: ReadonlyMap<string, ExecutionSummary>;
  /** Distinct execution names of this run (duplicates must not add any). */
  readonly executionCount: number;
  /** Shipping requests of this run's orders, one entry per message. */
  readonly shipped: readonly string[];
  /** Payment status per order id (absent: no payment row). */
  readonly payments: ReadonlyMap<string, string>;
  /** Seconds from the first publication to the last execution finished. */
  readonly sagaSeconds: number;
  /** Most executions seen RUNNING at once. */
  readonly peakRunning: number;
}

/** Runs the mix against a deployed OrderSaga stack and checks every invariant. */
export async function runOrderSaga(ctx: ScenarioContext, traffic: OrderSagaTraffic = ORDER_SAGA_TRAFFIC): Promise<OrderSagaRunResult> {
  const started = Date.now();
  const out = (key: string) => output(ctx.outputs, ctx.stackName, key);
  const stateMachineArn = out('StateMachineArn');
  const run = randomBytes(3).toString('hex');
  const { orders, skus, rareSku } = planSagaOrders(run, traffic);
  const config = clientConfig(ctx.clients.endpoint);
  const sfn = new SFNClient(config);
  const events = new EventBridgeClient(config);
  try {
    for (const sku of [...skus, rareSku]) {
      await ctx.clients.dynamodb.send(new PutItemCommand({
        TableName: out('StockTableName'),
        Item: { sku: { S: sku }, available: { N: sku === rareSku ? '0' : String(INITIAL_STOCK) }, reserved: { N: '0' } },
      }));
    }
    const publish = async (batch: readonly SagaOrder[]) => {
      const res = await events.send(new PutEventsCommand({
        Entries: batch.map(o => ({ EventBusName: out('EventBusName'), Source: ORDER_PLACED.source, DetailType: ORDER_PLACED.detailType, Detail: JSON.stringify(o) })),
      }));
      if (res.FailedEntryCount) throw new Error(`PutEvents refused ${res.FailedEntryCount} of ${batch.length} OrderPlaced events`);
    };

    // Publish in batches of 10, keeping at most maxInFlight orders unfinished.
    const sagaStart = Date.now();
    const deadline = sagaStart + traffic.timeoutMs;
    let sent = 0;
    let peakRunning = 0;
    let lastLog = 0;
    let seen = new Map<string, { arn: string; status: string }>();
    const finished = () => [...seen.values()].filter(e => e.status !== 'RUNNING').length;
    while (Date.now() < deadline) {
      seen = await listExecutions(sfn, stateMachineArn, run);
      const running = [...seen.values()].filter(e => e.status === 'RUNNING').length;
      peakRunning = Math.max(peakRunning, running);
      const done = finished();
      if (done >= orders.length) break;
      while (sent < orders.length && sent - done + 10 <= traffic.maxInFlight) {
        await publish(orders.slice(sent, sent + 10).map(o => o.order));
        sent += Math.min(10, orders.length - sent);
      }
      if (Date.now() - lastLog > 10_000) {
        ctx.log(`order saga: ${sent}/${orders.length} published, ${seen.size} started, ${running} running, ${done} finished (${Math.round((Date.now() - sagaStart) / 1000)} s)`);
        lastLog = Date.now();
      }
      await sleep(1000);
    }
    const sagaSeconds = (Date.now() - sagaStart) / 1000;

    // Re-send orders whose execution exists (its name is taken): each must start nothing new.
    const resend = orders.filter(o => o.kind === 'ok' && seen.has(o.order.orderId)).slice(0, traffic.resent).map(o => o.order);
    for (let i = 0; i < resend.length; i += 10) await publish(resend.slice(i, i + 10));
    ctx.log(`order saga: ${resend.length} orders re-sent; waiting for the intake queue to empty`);
    const intakeDeadline = Date.now() + 120_000;
    let intakeLeft = -1;
    while (Date.now() < intakeDeadline) {
      // EventBridge delivers in the background: give it a moment before the queue is read.
      await sleep(2000);
      const depth = await queueDepth(ctx.clients, out('IntakeQueueUrl'));
      intakeLeft = depth.visible + depth.inFlight;
      if (intakeLeft === 0) break;
    }
    await sleep(3000); // a duplicate that did start something would be listed by now
    seen = await listExecutions(sfn, stateMachineArn, run);

    const definition = (await sfn.send(new DescribeStateMachineCommand({ stateMachineArn }))).definition ?? '{}';
    const caught = branchCatchErrors(definition);
    const executions = new Map<string, ExecutionSummary>();
    for (const [name, e] of seen) executions.set(name, summarizeHistory(name, e.status, await history(sfn, e.arn), caught));
    const shipped = (await drainQueue(ctx.clients, out('ShippingQueueUrl'), { emptyReceives: 3 }))
      .map(m => JSON.parse(m.Body ?? '{}').orderId as string).filter(id => id?.includes(run));
    const payments = new Map<string, string>();
    for (const o of orders) {
      const item = (await ctx.clients.dynamodb.send(new GetItemCommand({ TableName: out('PaymentsTableName'), Key: { orderId: { S: o.order.orderId } }, ConsistentRead: true }))).Item;
      if (item?.status?.S) payments.set(o.order.orderId, item.status.S);
    }
    const stock = new Map<string, { available: number; reserved: number; holds: string[] }>();
    for (const sku of [...skus, rareSku]) {
      const item = (await ctx.clients.dynamodb.send(new GetItemCommand({ TableName: out('StockTableName'), Key: { sku: { S: sku } }, ConsistentRead: true }))).Item!;
      stock.set(sku, { available: Number(item.available.N), reserved: Number(item.reserved.N), holds: [...(item.holds?.SS ?? [])].sort() });
    }

    const rows = checkOrderSaga({ orders, skus, rareSku, executions, shipped, payments, stock, intakeLeft, resent: resend.length });
    ctx.log(`order saga: ${orders.length} orders (+${resend.length} re-sent) in ${sagaSeconds.toFixed(0)} s, at most ${peakRunning} executions running at once`);
    return {
      architecture: 'order-saga',
      stackName: ctx.stackName,
      rows,
      durationMs: Date.now() - started,
      run,
      traffic,
      orders,
      executions,
      executionCount: seen.size,
      shipped,
      payments,
      sagaSeconds,
      peakRunning,
    };
  } finally {
    sfn.destroy();
    events.destroy();
  }
}

interface Observed {
  readonly orders: readonly PlannedOrder[];
  readonly skus: readonly string[];
  readonly rareSku: string;
  readonly executions: ReadonlyMap<string, ExecutionSummary>;
  readonly shipped: readonly string[];
  readonly payments: ReadonlyMap<string, string>;
  readonly stock: ReadonlyMap<string, { available: number; reserved: number; holds: string[] }>;
  readonly intakeLeft: number;
  readonly resent: number;
}

/** The saga's invariants as rows. */
export function checkOrderSaga(o: Observed): Row[] {
  const architecture = 'order-saga';
  const row = (what: string, where: string, expected: number, bad: string[], problem: (ids: string) => string,
    arrived = expected - bad.length): Row => {
    const ok = bad.length === 0 && arrived === expected;
    return { architecture, what, where, expected, arrived, ok, problem: ok ? undefined : problem(listIds(bad)) };
  };
  const of = (kind: OrderKind) => o.orders.filter(p => p.kind === kind);
  const ex = (p: PlannedOrder) => o.executions.get(p.order.orderId);
  const count = (e: ExecutionSummary | undefined, state: string) => e?.entered.filter(s => s === state).length ?? 0;
  const rows: Row[] = [];

  const names = [...o.executions.keys()];
  const planned = new Set(o.orders.map(p => p.order.orderId));
  const strangers = names.filter(n => !planned.has(n));
  const missing = o.orders.filter(p => !ex(p)).map(p => p.order.orderId);
  rows.push(row(`one execution per order, named by its id (${o.resent} re-sent orders started nothing)`, 'ListExecutions', o.orders.length,
    [...missing, ...strangers], ids => `${missing.length} orders have no execution, ${strangers.length} unexpected executions: ${ids}`, names.length - strangers.length));
  rows.push(row('intake queue drained (re-sent orders consumed as duplicates)', 'intake queue', 0, o.intakeLeft === 0 ? [] : [`${o.intakeLeft} messages`],
    ids => `the intake queue still holds ${ids}`, 0));

  const okBad = of('ok').filter(p => {
    const e = ex(p);
    return e?.status !== 'SUCCEEDED' || count(e, 'Publish OrderConfirmed') !== 1 || count(e, 'Request shipping') !== 1
      || count(e, 'Fraud check') !== (p.highValue ? 1 : 0) || count(e, 'Refund payment') > 0;
  }).map(p => `${p.order.orderId} (${ex(p)?.status ?? 'not started'})`);
  rows.push(row('successes: SUCCEEDED, fraud-checked when high-value, shipped and confirmed once, nothing undone', 'execution history', of('ok').length, okBad,
    ids => `${okBad.length} successful orders did not run the happy path: ${ids}`));

  const compensated = (e: ExecutionSummary | undefined) => e?.status === 'FAILED' && count(e, 'Release stock') === 1 && count(e, 'Publish OrderCancelled') === 1
    && count(e, 'Request shipping') === 0 && count(e, 'Publish OrderConfirmed') === 0;
  const declinedBad = of('declined').filter(p => {
    const e = ex(p);
    // The real handler's decline (its message is in the cause), compensated in reverse: refund, release, cancel.
    return !compensated(e) || count(e, 'Refund payment') !== 1 || !(e?.cause ?? '').includes(`was declined for order ${p.order.orderId}`);
  }).map(p => `${p.order.orderId} (${ex(p)?.status ?? 'not started'} ${ex(p)?.error ?? ''})`);
  rows.push(row('declined cards: FAILED with the handler\'s decline, refunded, stock released, OrderCancelled', 'execution history', of('declined').length, declinedBad,
    ids => `${declinedBad.length} declined orders were not fully compensated: ${ids}`));

  const shortBad = of('outOfStock').filter(p => {
    const e = ex(p);
    return !compensated(e) || e?.error !== 'OutOfStock' || count(e, 'Charge payment') > 0 || count(e, 'Reserve stock') !== 1;
  }).map(p => `${p.order.orderId} (${ex(p)?.status ?? 'not started'} ${ex(p)?.error ?? ''})`);
  rows.push(row('out of stock: FAILED with OutOfStock (caught by name, not retried), never charged, OrderCancelled', 'execution history', of('outOfStock').length, shortBad,
    ids => `${shortBad.length} out-of-stock orders went wrong: ${ids}`));

  const times = new Map<string, number>();
  for (const id of o.shipped) times.set(id, (times.get(id) ?? 0) + 1);
  const okIds = new Set(of('ok').map(p => p.order.orderId));
  const shipBad = [
    ...[...okIds].filter(id => times.get(id) !== 1).map(id => `${id} ×${times.get(id) ?? 0}`),
    ...[...times.keys()].filter(id => !okIds.has(id)).map(id => `${id} (a failed order)`),
  ];
  rows.push(row('every success shipped exactly once, no failure shipped', 'shipping queue', okIds.size, shipBad, ids => `shipping requests wrong: ${ids}`));

  const stockBad: string[] = [];
  for (const sku of [...o.skus, o.rareSku]) {
    const s = o.stock.get(sku)!;
    const holders = of('ok').filter(p => p.order.sku === sku);
    const initial = sku === o.rareSku ? 0 : INITIAL_STOCK;
    const reserved = holders.reduce((n, p) => n + p.order.quantity, 0);
    const holds = holders.map(p => p.order.orderId).sort();
    if (s.available + s.reserved !== initial || s.reserved !== reserved || JSON.stringify(s.holds) !== JSON.stringify(holds)) {
      stockBad.push(`${sku}: available ${s.available} + reserved ${s.reserved} (expected ${initial}, reserved ${reserved}), ${s.holds.length} holds (expected ${holds.length})`);
    }
  }
  rows.push(row('stock: reserved + available = initial per SKU; reserved and holds = the successful orders', 'stock table', o.skus.length + 1, stockBad, ids => `stock invariant broken: ${ids}`));

  const payBad = o.orders.filter(p => {
    const status = o.payments.get(p.order.orderId);
    const shipped = (times.get(p.order.orderId) ?? 0) > 0;
    if (status === 'CHARGED') return !shipped; // a charge needs a shipment …
    if (status === 'REFUNDED') return shipped; // … or a refund
    return p.kind === 'ok'; // a success must have been charged
  }).map(p => `${p.order.orderId} (${o.payments.get(p.order.orderId) ?? 'no payment'})`);
  rows.push(row('no charge without a shipment or a refund; every success charged', 'payments table', o.orders.length, payBad, ids => `payments wrong: ${ids}`));
  return rows;
}

export function orderSagaScenario(traffic: OrderSagaTraffic = ORDER_SAGA_TRAFFIC): Scenario {
  return {
    architecture: 'order-saga',
    stackName: ORDER_SAGA_STACK,
    run: (ctx: ScenarioContext) => runOrderSaga(ctx, traffic),
  };
}
