/**
 * Order fan-out on MiniStack: orders topic -> Shipping / Fraud / Analytics queues (each with the
 * bundled idempotent recorder writing into its own table) and the Uploads queue (S3 events),
 * deployed by the e2e globalSetup from the reference app (`-c local=true`).
 *
 * 1,000 orders with mixed message attributes are published with SNS PublishBatch (AWS SDK v3);
 * every recorder runs as a real Lambda worker process inside MiniStack. Each table must hold
 * exactly the order ids its subscription's filter lets through (count AND ids); the raw-delivery
 * probe shows which consumers saw the published body as is and which an SNS envelope; an S3
 * PutObject must reach the topic and no order queue (the Uploads queue: see the MiniStack gap
 * test); every DLQ stays empty and every queue is drained.
 */
import { LocalClients, localClients } from './harness/clients';
import { readOutputs, StackOutputs } from './harness/deploy';
import { readEmulatorState } from './harness/emulator';
import { progress } from './harness/paths';
import { findRow, formatReport } from './harness/report';
import { FRAUD_THRESHOLD, orderFanOutScenario, planOrders, Row, ScenarioResult } from './harness/scenarios';

const STACK = 'IntegrationPatterns-OrderFanOut';
let outputs: StackOutputs;
let clients: LocalClients;
let result: ScenarioResult;

beforeAll(async () => {
  const emulator = readEmulatorState();
  outputs = readOutputs();
  clients = localClients(emulator.endpoint);
  result = await orderFanOutScenario(STACK).run({ clients, outputs, stackName: STACK, log: progress });
  progress(`\n${formatReport([result])}`);
}, 300_000);

afterAll(() => clients?.destroy());

const row = (prefix: string): Row => findRow(result, prefix);

describe('the traffic plan matches the stack\'s filter policies', () => {
  test('1,000 orders: 700 OrderPlaced (300 OrderCancelled / OrderShipped / no eventType), of which 300 have amount >= 1000', () => {
    const { orders, expected } = planOrders('x', 1000);
    expect(orders).toHaveLength(1000);
    expect(expected.Shipping).toHaveLength(700);
    expect(expected.Analytics).toEqual(expected.Shipping);
    expect(expected.Fraud).toHaveLength(300);
    expect(FRAUD_THRESHOLD).toBe(1000);
    // the boundary is exercised on both sides, also by orders that are not OrderPlaced
    expect(new Set(orders.map(o => o.amount))).toEqual(new Set([12.5, 999.99, 1000, 1000.01, 250, 5000, 40]));
    expect(orders.filter(o => o.eventType !== 'OrderPlaced' && o.amount >= 1000).length).toBeGreaterThan(0);
  });
});

describe('order fan-out on MiniStack (recorders = real Lambda worker processes inside the emulator)', () => {
  test('Shipping records exactly the 700 OrderPlaced order ids (attribute filter eventType = OrderPlaced)', () => {
    expect(row('Shipping table').problem ?? '').toBe('');
    expect(row('Shipping table').arrived).toBe(700);
  });

  test('Fraud records exactly the 300 OrderPlaced ids with amount >= 1000 (numeric filter, 999.99 out, 1000 in)', () => {
    expect(row('Fraud table').problem ?? '').toBe('');
    expect(row('Fraud table').arrived).toBe(300);
  });

  test('Analytics records exactly the 700 OrderPlaced order ids', () => {
    expect(row('Analytics table').problem ?? '').toBe('');
    expect(row('Analytics table').arrived).toBe(700);
  });

  test('no order without eventType = OrderPlaced reaches any recorder (300 of 300 filtered out)', () => {
    expect(row('orders not OrderPlaced').problem ?? '').toBe('');
    expect(row('orders not OrderPlaced').arrived).toBe(0);
  });

  test('raw delivery: the Analytics consumer receives the published body as is, Shipping an SNS envelope around it', () => {
    expect(row('raw delivery').problem ?? '').toBe('');
    expect(row('envelope delivery').problem ?? '').toBe('');
    expect(row('subscriptions with RawMessageDelivery').problem ?? '').toBe('');
  });

  test('an S3 PutObject is published to the topic (the event names the key; seen on an unfiltered probe subscription) and reaches no order queue', () => {
    expect(row('S3 PutObject event').problem ?? '').toBe('');
    expect(row('S3 PutObject event').arrived).toBe(1);
    expect(row('S3 event in the order queues').problem ?? '').toBe('');
    expect(row('orders in the Uploads queue').problem ?? '').toBe('');
  });

  test('MiniStack gap, recorded not hidden: the Uploads body filter (Records[].eventSource = aws:s3) does not match locally, so Uploads stays empty (AWS delivers 1)', () => {
    // Fails when MiniStack starts matching body filters inside arrays of objects: then expect 1 in
    // scenarios/order-fan-out.ts and update docs/local-aws-fidelity.md.
    expect(row('S3 event in Uploads').problem ?? '').toBe('');
    expect(row('S3 event in Uploads').arrived).toBe(0);
  });

  test('every DLQ is empty and every queue is drained', () => {
    expect(row('messages in the 4 dead-letter queues').problem ?? '').toBe('');
    expect(row('messages left in the 4 queues').problem ?? '').toBe('');
  });
});
