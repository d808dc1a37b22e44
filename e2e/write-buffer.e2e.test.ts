/**
 * WriteBuffer on MiniStack: the OrderIntake reference architecture (REST front door and
 * SendMessageBatch -> buffer queue + DLQ -> bundled writer Lambda, at most 5 at once ->
 * DynamoDB orders table), deployed by the e2e globalSetup from the reference app
 * (`-c local=true`: writer timeout 5 s, visibility 31 s, 3 receives before the DLQ, 10 writers).
 *
 * 10,000 messages, 5 % poison (malformed JSON and schema failures), and a 20 s window in which a
 * fault proxy on 127.0.0.1 throttles the writer's BatchWriteItem calls (refused whole, or half
 * written with UnprocessedItems). The writer is the bundled handler from assets/, run by
 * MiniStack as a real Lambda worker process.
 */
import { scenarioSuite } from './harness/scenario-suite';
import { orderIntakeScenario } from './harness/scenarios';

const STACK = 'IntegrationPatterns-OrderIntake';
const suite = scenarioSuite(STACK, context => orderIntakeScenario(STACK).run(context));
const row = (prefix: string) => suite.row(prefix);

describe('write buffer on MiniStack: 10,000 messages, 5 % poison, injected write throttling', () => {
  test('every valid order is in the table exactly once (ids compared): 9,500 via SQS + 10 via POST /orders', () => {
    expect(row('valid orders written').problem ?? '').toBe('');
    expect(row('valid orders written').arrived).toBe(9_510);
    expect(row('orders written more than once').problem ?? '').toBe('');
    expect(row('orders written with the payload').problem ?? '').toBe('');
  });

  test('every poison message is in the DLQ: 250 malformed JSON, 250 schema failures, each with the writer\'s error code', () => {
    expect(row('malformed JSON dead-lettered').problem ?? '').toBe('');
    expect(row('malformed JSON dead-lettered').arrived).toBe(250);
    expect(row('schema failures dead-lettered').problem ?? '').toBe('');
    expect(row('schema failures dead-lettered').arrived).toBe(250);
    expect(row('dead letters carry').problem ?? '').toBe('');
  });

  test('nothing lost: no valid order in the DLQ, the buffer queue drained', () => {
    expect(row('valid orders in the DLQ').problem ?? '').toBe('');
    expect(row('messages left in the buffer queue').problem ?? '').toBe('');
  });

  test('the throttling window really hit the writer (throttled and half-written BatchWriteItem requests)', () => {
    expect(row('BatchWriteItem throttled').problem ?? '').toBe('');
  });

  test('front door: signed POST /orders accepted; a schema-invalid request never reaches the table', () => {
    expect(row('POST /orders accepted').problem ?? '').toBe('');
    expect(row('schema-invalid POST').problem ?? '').toBe('');
  });

  test('the bundled writer ran as a Lambda inside MiniStack: its BatchWriteItem requests went through the fault proxy', () => {
    // (Its worker processes are gone by now: restoring the writer's environment restarts them.)
    expect(row('BatchWriteItem requests by the writer').problem ?? '').toBe('');
    expect(row('BatchWriteItem requests by the writer').arrived).toBeGreaterThanOrEqual(381);
  });
});
