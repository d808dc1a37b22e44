/**
 * Order fan-out on MiniStack: orders topic -> Shipping / Fraud / Analytics queues (each with the
 * bundled idempotent recorder writing into its own table), and uploads bucket -> uploads topic ->
 * Import and Audit queues, deployed by the e2e globalSetup from the reference app (`-c local=true`).
 *
 * 1,000 orders with mixed message attributes are published with SNS PublishBatch (AWS SDK v3);
 * every recorder runs as a real Lambda worker process inside MiniStack. Each table must hold
 * exactly the order ids its subscription's filter lets through (count AND ids); the raw-delivery
 * probe shows which consumers saw the published body as is and which an SNS envelope; an S3
 * PutObject that the bucket's notification rule matches must reach every subscribed queue once, and
 * uploads outside the rule none; every DLQ stays empty and every queue is drained.
 */
import { scenarioSuite } from './harness/scenario-suite';
import { FRAUD_THRESHOLD, orderFanOutScenario, planOrders } from './harness/scenarios';

const STACK = 'IntegrationPatterns-OrderFanOut';
const suite = scenarioSuite(STACK, context => orderFanOutScenario(STACK).run(context));
const row = (prefix: string) => suite.row(prefix);

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

  test('Analytics is selected by a filter on the message body (eventType in the JSON payload), the others on message attributes', () => {
    // Same selection in both scopes: the Analytics row above (700 of 700, none of the 300 others) is the body filter at work.
    expect(row('OrderPlaced orders recorded, no others (body filter, raw)').arrived).toBe(700);
  });

  test('one S3 notification rule reaches every subscribed queue: the incoming/*.csv upload arrives once in Import and once in Audit', () => {
    for (const s of ['Import', 'Audit']) {
      expect(row(`S3 upload incoming/*.csv reached ${s}`).problem ?? '').toBe('');
      expect(row(`S3 upload incoming/*.csv reached ${s}`).arrived).toBe(1);
    }
  });

  test('the rule\'s prefix and suffix hold: scratch/*.csv and incoming/*.txt reach no queue; no order reaches the upload queues', () => {
    expect(row('S3 uploads outside the rule').problem ?? '').toBe('');
    expect(row('S3 uploads outside the rule').arrived).toBe(0);
    expect(row('orders in the upload subscribers').problem ?? '').toBe('');
  });

  test('every DLQ is empty and every queue is drained', () => {
    expect(row('messages in the 5 dead-letter queues').problem ?? '').toBe('');
    expect(row('messages left in the 5 queues').problem ?? '').toBe('');
  });
});
