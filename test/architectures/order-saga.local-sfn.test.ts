/**
 * MODEL (labelled as such in the output and in docs/local-aws-fidelity.md): the synthesized
 * OrderSaga definition runs in aws-local-stepfunctions (test/support/local-sfn.ts) with the REAL
 * bundled handler code (lambda/saga-payment, lambda/saga-fraud-check, lambda/workflow-starter),
 * configured from the environment the template gives them, against in-memory models of
 * DynamoDB, SQS and EventBridge (test/support/local-services.ts).
 *
 * Why a model: MiniStack runs the state machine but reports every Lambda error as
 * Runtime.HandlerError, so Retry/Catch on PaymentDeclined, FraudSuspected or OutOfStock can
 * never match there. What is not covered here: EventBridge → SQS delivery of OrderPlaced
 * (proven for MiniStack elsewhere), IAM, real DynamoDB expression parsing beyond the subset.
 */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { SQSRecord } from 'aws-lambda';
import { readRules, screen } from '../../lambda/saga-fraud-check/fraud-check.lambda';
import { DECLINED_TEST_CARD, dynamoLedger, paymentHandler, readConfig } from '../../lambda/saga-payment/payment.lambda';
import { processBatch, readConfig as readStarterConfig, sfnStarter, Starter } from '../../lambda/workflow-starter/start-execution.lambda';
import { OrderSagaStack } from '../../src';
import { definitionsOf, resolveIntrinsics } from '../support/asl';
import { LocalServices } from '../support/local-services';
import { LocalRunResult, runLocally } from '../support/local-sfn';

const app = new App();
const stack = new OrderSagaStack(app, 'OrderSaga', { env: { account: '111111111111', region: 'us-east-1' } });
const template = Template.fromStack(stack);
const resources = template.toJSON().Resources as Record<string, any>;
const [definition] = Object.values(definitionsOf(template));
const logicalId = (c: any) => stack.getLogicalId(c.node.defaultChild);

/** The environment the template gives a function (the runtime ⇄ construct contract). */
function envOf(fn: any): NodeJS.ProcessEnv {
  const vars = resources[logicalId(fn)].Properties.Environment.Variables;
  return resolveIntrinsics(vars, resources) as NodeJS.ProcessEnv;
}
const functionArn = (fn: any) => `arn:aws:lambda:us-east-1:111111111111:function:${logicalId(fn)}`;

interface Order { orderId: string; sku: string; quantity: number; amount: number; currency: string; card: string }

/** The world one run sees: service models, handlers bound to the template's ARNs, a Step Functions name registry. */
function world(options: { failFirstLedgerWrite?: Set<string>; refundAlwaysFails?: Set<string> } = {}) {
  const services = new LocalServices();
  const stock = services.addTable(logicalId(stack.stockTable), 'sku');
  const payments = services.addTable(logicalId(stack.paymentsTable), 'orderId');
  services.addTable(logicalId(stack.claimsTable), 'pk');
  const client = services.dynamodbClient();
  const failOnce = new Set(options.failFirstLedgerWrite ?? []);
  // The payment handler's DynamoDB calls, with injected faults where asked.
  const faultyClient = {
    send: async (command: any) => {
      const orderId = command.input.Item?.orderId?.S ?? command.input.Key?.orderId?.S;
      if (command.constructor.name === 'PutItemCommand' && failOnce.delete(orderId)) {
        throw Object.assign(new Error('Throughput exceeds the current capacity'), { name: 'ProvisionedThroughputExceededException' });
      }
      if (command.constructor.name === 'UpdateItemCommand' && options.refundAlwaysFails?.has(orderId)) {
        throw Object.assign(new Error('Service unavailable'), { name: 'ServiceUnavailable' });
      }
      return client.send(command);
    },
  };
  const payment = paymentHandler(dynamoLedger(faultyClient as any, readConfig(envOf(stack.paymentFunction))));
  const rules = readRules(envOf(stack.fraudCheckFunction));
  const lambdas = { [functionArn(stack.paymentFunction)]: payment, [functionArn(stack.fraudCheckFunction)]: (e: unknown) => screen(e, rules) };

  const executions = new Map<string, LocalRunResult>();
  // The Step Functions API as the starter's SDK client sees it (Standard): a used name is
  // ExecutionAlreadyExists; otherwise the execution runs (here: to the end, before answering).
  const sfnClient = {
    send: async (command: any) => {
      const { name, input } = command.input;
      if (executions.has(name)) throw Object.assign(new Error(`Execution Already Exists: '${name}'`), { name: 'ExecutionAlreadyExists' });
      executions.set(name, undefined as any);
      executions.set(name, await runLocally(definition, JSON.parse(input), { lambdas, services: services.model, executionName: name }));
      return { executionArn: `arn:aws:states:us-east-1:111111111111:execution:OrderSaga:${name}` };
    },
  };
  const starterConfig = readStarterConfig(envOf(stack.intake.function));
  const start: Starter = sfnStarter(sfnClient as any, starterConfig);
  return { services, stock, payments, executions, start, starterConfig, lambdas };
}

const queueUrl = (q: any) => `https://sqs.us-east-1.amazonaws.com/111111111111/${logicalId(q)}`;
const record = (i: number, body: unknown): SQSRecord => ({
  messageId: `m-${i}`,
  body: JSON.stringify(body),
  receiptHandle: 'rh',
  attributes: {} as any,
  messageAttributes: {},
  md5OfBody: '',
  eventSource: 'aws:sqs',
  eventSourceARN: 'arn:aws:sqs:us-east-1:111111111111:intake',
  awsRegion: 'us-east-1',
});

const SKUS = ['SKU-A', 'SKU-B', 'SKU-C', 'SKU-D', 'SKU-E'];
const INITIAL = 1000;

function orders(): { ok: Order[]; declined: Order[]; short: Order[] } {
  const ok: Order[] = [];
  for (let i = 0; i < 200; i++) {
    // every tenth order is high-value and goes through the fraud check
    ok.push({ orderId: `ok-${i}`, sku: SKUS[i % 5], quantity: 1 + (i % 3), amount: i % 10 === 0 ? 250_000 + i : 1_000 + i, currency: 'EUR', card: '4242424242424242' });
  }
  const declined = Array.from({ length: 50 }, (_, i) => ({ orderId: `declined-${i}`, sku: SKUS[i % 5], quantity: 2, amount: 5_000, currency: 'EUR', card: DECLINED_TEST_CARD }));
  const short = Array.from({ length: 50 }, (_, i) => ({ orderId: `short-${i}`, sku: 'SKU-RARE', quantity: 1, amount: 7_000, currency: 'EUR', card: '4242424242424242' }));
  return { ok, declined, short };
}

describe('MODEL (aws-local-stepfunctions + real handlers): 300 orders through the synthesized OrderSaga', () => {
  const w = world({ failFirstLedgerWrite: new Set(Array.from({ length: 20 }, (_, i) => `ok-${i * 10 + 1}`)) });
  const { ok, declined, short } = orders();
  const all = [...ok, ...declined, ...short];
  const duplicates = ok.slice(0, 20);
  let starterFailures: unknown[] = [];

  beforeAll(async () => {
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
    process.stdout.write('MODEL: the OrderSaga definition runs in aws-local-stepfunctions with the real handlers (MiniStack loses Lambda error names)\n');
    for (const sku of SKUS) w.stock.put({ Item: { sku: { S: sku }, available: { N: String(INITIAL) }, reserved: { N: '0' } } });
    w.stock.put({ Item: { sku: { S: 'SKU-RARE' }, available: { N: '0' }, reserved: { N: '0' } } });
    // Batches of 10, as the event source delivers them; re-sent duplicates arrive in the last batches.
    const messages = [...all, ...duplicates].map((o, i) => record(i, o));
    for (let i = 0; i < messages.length; i += 10) {
      const result = await processBatch(messages.slice(i, i + 10), w.starterConfig, w.start);
      starterFailures = [...starterFailures, ...result.batchItemFailures];
    }
  }, 240_000);

  test('one execution per order: 300 ran, the 20 re-sent orders started none', () => {
    expect(w.executions.size).toBe(300);
    expect(starterFailures).toEqual([]);
  });

  test('200 succeed, 50 fail with PaymentDeclined, 50 with OutOfStock', () => {
    const status = (id: string) => w.executions.get(id)!;
    for (const o of ok) expect([o.orderId, status(o.orderId).status]).toEqual([o.orderId, 'SUCCEEDED']);
    for (const o of declined) expect(status(o.orderId)).toMatchObject({ status: 'FAILED', error: 'PaymentDeclined' });
    for (const o of short) expect(status(o.orderId)).toMatchObject({ status: 'FAILED', error: 'OutOfStock' });
  });

  test('every success shipped exactly once and confirmed; every failure cancelled', () => {
    const shipped = (w.services.queues.get(queueUrl(stack.shippingQueue.queue)) ?? []).map(b => JSON.parse(b).orderId).sort();
    expect(shipped).toEqual(ok.map(o => o.orderId).sort());
    const events = (type: string) => w.services.events.filter(e => e.DetailType === type).map(e => e.Detail as any);
    expect(events('OrderConfirmed').map(e => e.orderId).sort()).toEqual(ok.map(o => o.orderId).sort());
    const cancelled = events('OrderCancelled');
    expect(cancelled).toHaveLength(100);
    expect(cancelled.filter(e => e.reason === 'PaymentDeclined')).toHaveLength(50);
    expect(cancelled.filter(e => e.reason === 'OutOfStock')).toHaveLength(50);
  });

  test('stock invariant: reserved + available = initial for every item; reserved = what the shipped orders took', () => {
    for (const sku of SKUS) {
      const item = w.stock.get({ Key: { sku: { S: sku } } }).Item as any;
      expect(Number(item.available.N) + Number(item.reserved.N)).toBe(INITIAL);
      expect(Number(item.reserved.N)).toBe(ok.filter(o => o.sku === sku).reduce((n, o) => n + o.quantity, 0));
      expect([...item.holds.SS].sort()).toEqual(ok.filter(o => o.sku === sku).map(o => o.orderId).sort());
    }
    const rare = w.stock.get({ Key: { sku: { S: 'SKU-RARE' } } }).Item as any;
    expect(rare).toEqual({ sku: { S: 'SKU-RARE' }, available: { N: '0' }, reserved: { N: '0' } });
  });

  test('no charge without a shipment or a refund; declined cards were never charged', () => {
    const shipped = new Set((w.services.queues.get(queueUrl(stack.shippingQueue.queue)) ?? []).map(b => JSON.parse(b).orderId));
    const rows = [...w.payments.items.values()].map((i: any) => ({ orderId: i.orderId.S, status: i.status.S }));
    for (const r of rows) expect(r.status === 'CHARGED' ? shipped.has(r.orderId) : r.status === 'REFUNDED').toBe(true);
    expect(rows.filter(r => r.status === 'CHARGED')).toHaveLength(200);
    expect(rows.filter(r => r.orderId.startsWith('declined-'))).toEqual([]);
  });

  test('named errors: PaymentDeclined and OutOfStock caught by name and never retried; a throttled charge was retried and charged once', () => {
    for (const o of declined) {
      const run = w.executions.get(o.orderId)!;
      expect(run.retries.filter(r => r.error === 'PaymentDeclined')).toEqual([]);
      expect(run.catches).toContainEqual({ state: 'Charge payment', error: 'PaymentDeclined' });
      expect(run.path).toEqual(expect.arrayContaining(['Refund payment', 'Release stock', 'Publish OrderCancelled', 'Saga failed']));
    }
    for (const o of short) {
      const run = w.executions.get(o.orderId)!;
      expect(run.catches).toContainEqual({ state: 'Reserve stock', error: 'OutOfStock' });
      expect(run.path).not.toContain('Charge payment');
    }
    const throttled = ok.filter((_, i) => i % 10 === 1);
    for (const o of throttled) {
      expect(w.executions.get(o.orderId)!.retries).toEqual([{ state: 'Charge payment', error: 'ProvisionedThroughputExceededException' }]);
    }
  });

  test('high-value orders went through the fraud check; others skipped it', () => {
    for (const o of ok) expect(w.executions.get(o.orderId)!.path.includes('Fraud check')).toBe(o.amount >= 100_000);
  });

  test('nobody is needed: the needs-a-person queue is empty', () => {
    expect(w.services.queues.get(queueUrl(stack.saga.needsAPersonQueue.queue))).toBeUndefined();
  });

  test('transitions per execution (cross-check of the saga bench, which counts MiniStack histories): printed', () => {
    const avg = (ids: string[]) => ids.reduce((n, id) => n + w.executions.get(id)!.transitions, 0) / ids.length;
    const line = `MODEL transitions/execution: succeeded ${avg(ok.map(o => o.orderId)).toFixed(1)}, declined ${avg(declined.map(o => o.orderId)).toFixed(1)}, out of stock ${avg(short.map(o => o.orderId)).toFixed(1)}\n`;
    process.stdout.write(line);
    expect(avg(ok.map(o => o.orderId))).toBeGreaterThan(5);
  });
});

describe('MODEL: duplicates that bypass the execution name (Express, or a start without a name) are stopped by the claim', () => {
  test('a second execution for the same order id ends as "Duplicate ignored" and touches nothing', async () => {
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
    const w = world();
    w.stock.put({ Item: { sku: { S: 'SKU-A' }, available: { N: '10' }, reserved: { N: '0' } } });
    const order = { orderId: 'o-1', sku: 'SKU-A', quantity: 2, amount: 1000, currency: 'EUR', card: '4242424242424242' };
    const first = await runLocally(definition, order, { lambdas: w.lambdas, services: w.services.model });
    const second = await runLocally(definition, order, { lambdas: w.lambdas, services: w.services.model });
    expect(first.status).toBe('SUCCEEDED');
    expect(second).toMatchObject({ status: 'SUCCEEDED', path: ['Claim business key', 'Duplicate ignored'] });
    expect((w.stock.get({ Key: { sku: { S: 'SKU-A' } } }).Item as any).available).toEqual({ N: '8' });
  });
});

describe('MODEL: a compensation that keeps failing reaches a person', () => {
  test('refund fails after its retries: the case goes to the needs-a-person queue, stock is still released, the execution fails as SagaNeedsAPerson', async () => {
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
    // Declined card -> compensation starts with the refund, which always fails (ServiceUnavailable).
    const w = world({ refundAlwaysFails: new Set(['o-9']) });
    w.stock.put({ Item: { sku: { S: 'SKU-A' }, available: { N: '10' }, reserved: { N: '0' } } });
    const run = await runLocally(definition, { orderId: 'o-9', sku: 'SKU-A', quantity: 1, amount: 1000, currency: 'EUR', card: '4242424242424242' }, {
      lambdas: {
        ...w.lambdas,
        // The payment succeeds, then shipping is refused by the queue model: the saga compensates.
      },
      services: (resource, params) => {
        if (resource.endsWith('sqs:sendMessage') && String(params.QueueUrl).includes(logicalId(stack.shippingQueue.queue))) {
          throw Object.assign(new Error('queue does not exist'), { name: 'SQS.QueueDoesNotExist' });
        }
        return w.services.model(resource, params);
      },
    });
    expect(run).toMatchObject({ status: 'FAILED', error: 'SagaNeedsAPerson' });
    expect(run.retries.filter(r => r.state === 'Refund payment')).toHaveLength(6);
    const escalations = (w.services.queues.get(queueUrl(stack.saga.needsAPersonQueue.queue)) ?? []).map(b => JSON.parse(b));
    expect(escalations).toEqual([expect.objectContaining({ reason: 'compensation "Charge payment" failed', sagaError: expect.objectContaining({ Error: 'SQS.QueueDoesNotExist' }) })]);
    // The other compensations still ran: stock released, cancellation published.
    expect((w.stock.get({ Key: { sku: { S: 'SKU-A' } } }).Item as any).available).toEqual({ N: '10' });
    expect(w.services.events.map(e => e.DetailType)).toEqual(['OrderCancelled']);
  });
});
