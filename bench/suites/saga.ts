import { performance } from 'perf_hooks';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { readRules, screen } from '../../lambda/saga-fraud-check/fraud-check.lambda';
import { DECLINED_TEST_CARD, dynamoLedger, paymentHandler } from '../../lambda/saga-payment/payment.lambda';
import { OrderSagaStack } from '../../src';
import { definitionsOf, resolveIntrinsics } from '../../test/support/asl';
import { LocalServices } from '../../test/support/local-services';
import { runLocally } from '../../test/support/local-sfn';
import { Suite, SuiteContext, SuiteResult } from '../lib/suite';
import { orchestrate, PeerOrder } from '../peers/saga-lambda-orchestrator';

/**
 * OrderSaga cost per 1,000 orders: Standard vs Express vs a Lambda-calls-Lambda orchestrator.
 *
 * MODEL: the synthesized definition runs in aws-local-stepfunctions with the real handlers
 * (test/support/local-sfn.ts); transitions per execution are counted from its event log (states
 * entered + retries, as Standard bills them). The peer runs the same flow with the same handlers
 * and counts its requests. Costs are us-east-1 list prices applied to those counts; the settlement
 * wait (60 s, the stack's default) is billed as duration for Express and for the peer.
 */
const PRICE = {
  standardPerTransition: 0.000025,
  expressPerRequest: 0.000001,
  expressPerGbSecond: 0.00001667,
  lambdaPerRequest: 0.0000002,
  lambdaPerGbSecond: 0.0000166667,
};
const SETTLEMENT_S = 60;

async function runSagaSuite(ctx: SuiteContext): Promise<SuiteResult> {
  // The handlers log a JSON line per call: keep stdout for the table.
  const log = console.log;
  console.log = () => undefined;
  try {
    return await measure(ctx);
  } finally {
    console.log = log;
  }
}

async function measure(ctx: SuiteContext): Promise<SuiteResult> {
  const stack = new OrderSagaStack(new App(), 'OrderSaga', { env: { account: '111111111111', region: 'us-east-1' } });
  const template = Template.fromStack(stack);
  const resources = template.toJSON().Resources as Record<string, any>;
  const [definition] = Object.values(definitionsOf(template));
  const id = (c: any) => stack.getLogicalId(c.node.defaultChild);
  const env = (fn: any) => resolveIntrinsics(resources[id(fn)].Properties.Environment.Variables, resources) as NodeJS.ProcessEnv;
  const orders: PeerOrder[] = [
    ...Array.from({ length: 200 }, (_, i) => ({ orderId: `ok-${i}`, sku: 'A', quantity: 1, amount: i % 10 === 0 ? 250_000 : 2_000, currency: 'EUR', card: '4242424242424242' })),
    ...Array.from({ length: 50 }, (_, i) => ({ orderId: `declined-${i}`, sku: 'A', quantity: 1, amount: 2_000, currency: 'EUR', card: DECLINED_TEST_CARD })),
    ...Array.from({ length: 50 }, (_, i) => ({ orderId: `short-${i}`, sku: 'RARE', quantity: 1, amount: 2_000, currency: 'EUR', card: '4242424242424242' })),
  ];
  const world = () => {
    const services = new LocalServices();
    const stockTable = id(stack.stockTable);
    services.addTable(stockTable, 'sku').put({ Item: { sku: { S: 'A' }, available: { N: '100000' }, reserved: { N: '0' } } });
    services.tables.get(stockTable)!.put({ Item: { sku: { S: 'RARE' }, available: { N: '0' }, reserved: { N: '0' } } });
    services.addTable(id(stack.paymentsTable), 'orderId');
    services.addTable(id(stack.claimsTable), 'pk');
    const payment = paymentHandler(dynamoLedger(services.dynamodbClient(), { tableName: env(stack.paymentFunction).PAYMENTS_TABLE_NAME! }));
    return { services, stockTable, payment };
  };

  // The saga (same transitions for Standard and Express: the definition is the same).
  const w = world();
  const fraudRules = readRules(env(stack.fraudCheckFunction));
  const lambdas = {
    [`arn:aws:lambda:us-east-1:111111111111:function:${id(stack.paymentFunction)}`]: w.payment,
    [`arn:aws:lambda:us-east-1:111111111111:function:${id(stack.fraudCheckFunction)}`]: (e: unknown) => screen(e, fraudRules),
  };
  let transitions = 0;
  let sagaInvokes = 0;
  const t0 = performance.now();
  for (const o of orders) {
    const r = await runLocally(definition, o, { lambdas, services: w.services.model, executionName: o.orderId });
    transitions += r.transitions;
    sagaInvokes += r.path.filter(p => ['Fraud check', 'Charge payment', 'Refund payment'].includes(p)).length + r.retries.filter(x => ['Charge payment', 'Refund payment', 'Fraud check'].includes(x.state)).length;
  }
  const sagaMs = performance.now() - t0;
  ctx.progress(`saga model: ${orders.length} executions, ${transitions} transitions, ${sagaMs.toFixed(0)} ms`);

  // The peer.
  const p = world();
  let peerInvokes = 0;
  let peerRequests = 0;
  for (const o of orders) {
    const c = await orchestrate(o, {
      services: p.services, stockTable: p.stockTable, shippingQueueUrl: 'shipping', payment: p.payment, fraudRules, fraudThreshold: 100_000,
    });
    peerInvokes += c.lambdaInvokes;
    peerRequests += c.lambdaInvokes + c.dynamodb + c.sqs + c.events;
  }

  const per1000 = 1000 / orders.length;
  const standard = transitions * per1000 * PRICE.standardPerTransition;
  // Express: 1 request per execution, billed duration in 64 MB units; the settlement wait dominates.
  const express = 1000 * PRICE.expressPerRequest + 1000 * (200 / orders.length) * SETTLEMENT_S * (64 / 1024) * PRICE.expressPerGbSecond;
  const lambdaFor = (invokes: number) => invokes * per1000 * PRICE.lambdaPerRequest;
  // The peer's orchestrator sleeps through the settlement at 128 MB for the orders that reach it.
  const peer = lambdaFor(peerInvokes) + 1000 * (200 / orders.length) * SETTLEMENT_S * (128 / 1024) * PRICE.lambdaPerGbSecond;
  const fmt = (n: number) => `$${n.toFixed(4)}`;
  const rows = [
    ['Standard saga (OrderSagaStack)', (transitions / orders.length).toFixed(1), (sagaInvokes / orders.length).toFixed(2), fmt(standard), fmt(standard + lambdaFor(sagaInvokes)), 'exactly once, 90-day history, retries + compensation'],
    ['Express saga', (transitions / orders.length).toFixed(1), (sagaInvokes / orders.length).toFixed(2), fmt(express), fmt(express + lambdaFor(sagaInvokes)), 'at least once, logs only, ≤ 5 min'],
    ['Lambda calls Lambda (peer)', '—', (peerInvokes / orders.length).toFixed(2), '—', fmt(peer), `no retries, no history; ${(peerRequests / orders.length).toFixed(2)} requests/order`],
  ];
  return {
    table: {
      title: 'OrderSaga per 1,000 orders (mix: 200 ok / 50 declined / 50 out of stock, 10 % high-value) — MODEL counts, list prices',
      columns: ['subject', 'transitions / order', 'Lambda invokes / order', 'orchestration $ / 1,000', 'with Lambda requests $ / 1,000', 'guarantees'],
      numeric: [false, true, true, true, true, false],
      rows,
    },
    notes: [
      'MODEL: transitions are counted by aws-local-stepfunctions running the synthesized definition with the real handlers (states entered + retries), not from AWS execution history.',
      `Express and the peer are billed for the ${SETTLEMENT_S} s settlement wait of the 200 orders that reach it (64 MB units for Express, a 128 MB orchestrator for the peer); Lambda compute of the handlers themselves, DynamoDB, SQS and EventBridge are left out (the same for all three).`,
      'Prices: Standard $0.025 / 1,000 transitions; Express $1.00 / million requests + $0.00001667 / GB-s; Lambda $0.20 / million requests + $0.0000166667 / GB-s (us-east-1, x86 list prices).',
    ],
    summary: [`OrderSaga per 1,000 orders: Standard ${fmt(standard)}, Express ${fmt(express)}, Lambda-calls-Lambda ${fmt(peer)} (${(transitions / orders.length).toFixed(1)} transitions/order)`],
    settings: { orders: orders.length, settlementSeconds: SETTLEMENT_S, prices: PRICE },
    results: { transitions, sagaInvokes, peerInvokes, peerRequests, sagaModelMs: sagaMs, perThousand: { standard, express, peer } },
  };
}

export const sagaSuite: Suite = {
  name: 'saga',
  description: 'OrderSaga: transitions and cost per 1,000 orders, Standard vs Express vs a Lambda-calls-Lambda peer (model counts)',
  run: runSagaSuite,
};
