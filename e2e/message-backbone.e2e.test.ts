/**
 * Message backbone on MiniStack: SNS topic -> SQS queue (raw delivery, DLQ) -> recorder Lambda ->
 * DynamoDB, deployed by the e2e globalSetup from the reference app (`-c local=true`: recorder
 * timeout 3 s, visibility 19 s, maxReceiveCount 2).
 *
 * Orders, redeliveries and poison messages are published with AWS SDK v3. The recorder is the
 * bundled handler from assets/, run by MiniStack as a real Lambda (a Node worker process fed by the
 * SQS event source mapping). One test runs the handler in-process against the emulated table for a
 * path the reference stack does not deploy (FIFO ordering); its name says so.
 */
import { randomBytes } from 'crypto';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { handler } from '../lambda/idempotent-recorder.lambda';
import { scanTable } from './harness/collect';
import { withLambdaEnvironment } from './harness/in-process';
import { groupMembers } from './harness/process';
import { scenarioSuite } from './harness/scenario-suite';
import { messageBackboneScenario, output } from './harness/scenarios';

const STACK = 'IntegrationPatterns-MessageBackbone';
// 200 orders, 20 of them re-sent, 5 poison messages; waits until all settled (about 40 s).
const suite = scenarioSuite(STACK, context => messageBackboneScenario(STACK).run(context));
const row = (prefix: string) => suite.row(prefix);

describe('message backbone on MiniStack (recorder = real Lambda worker process inside the emulator)', () => {
  test('every order published to the topic is recorded in the table exactly once: 200 of 200 ids', () => {
    expect(row('orders recorded').problem ?? '').toBe('');
    expect(row('orders recorded').arrived).toBe(200);
    expect(row('items for this run').problem ?? '').toBe('');
  });

  test('items were written by the recorder Lambda (each carries the SQS message id it came from)', async () => {
    const items = (await scanTable(suite.clients, output(suite.outputs, STACK, 'OrdersTableName'))).filter(i => String(i.orderId).startsWith('o-'));
    expect(items.length).toBeGreaterThanOrEqual(200);
    expect(items.filter(i => typeof i.sqsMessageId !== 'string' || typeof i.recordedAt !== 'string')).toEqual([]);
  });

  test('the recorder ran as a Lambda worker process inside MiniStack (node _worker.js in the emulator\'s process group)', () => {
    const workers = groupMembers(suite.emulator.pid).filter(p => /node\b.*_worker\.js/.test(p));
    expect(workers.length).toBeGreaterThan(0);
  });

  test('idempotency: the same orderId published twice leaves one item holding the first payload (20 of 20)', () => {
    expect(row('re-sent orders').problem ?? '').toBe('');
    expect(row('re-sent orders').arrived).toBe(20);
  });

  test('DLQ: poison messages (3 not JSON, 2 without orderId) end in the DLQ after maxReceiveCount receives', () => {
    expect(row('poison messages').problem ?? '').toBe('');
    expect(row('poison messages').arrived).toBe(5);
  });

  test('DLQ: no valid order ever reaches the DLQ, and the queue is empty afterwards', () => {
    expect(row('valid orders in the DLQ').problem ?? '').toBe('');
    expect(row('messages left').problem ?? '').toBe('');
  });
});

describe('recorder handler IN-PROCESS against the emulated DynamoDB table (the reference stack has no FIFO queue, so MiniStack never runs this path)', () => {
  test('FIFO batch: records are written in order up to the first poison message; it and everything after it are returned as failures', async () => {
    const run = randomBytes(3).toString('hex');
    const tableName = output(suite.outputs, STACK, 'OrdersTableName');
    const record = (messageId: string, body: string): SQSRecord => ({
      messageId,
      receiptHandle: messageId,
      body,
      attributes: {} as SQSRecord['attributes'],
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:orders.fifo',
      awsRegion: 'us-east-1',
    });
    const event: SQSEvent = {
      Records: [
        record('m1', JSON.stringify({ orderId: `fifo-${run}-1` })),
        record('m2', 'not json'),
        record('m3', JSON.stringify({ orderId: `fifo-${run}-3` })),
      ],
    };
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    const response = await withLambdaEnvironment(suite.emulator.endpoint,
      { TABLE_NAME: tableName, KEY_ATTRIBUTE: 'orderId', ID_FIELD: 'orderId', REQUIRED_FIELDS: 'orderId' },
      () => handler(event));
    expect(response.batchItemFailures.map(f => f.itemIdentifier)).toEqual(['m2', 'm3']);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('"event":"poison-message","messageId":"m2"'));
    warn.mockRestore();
    const written = (await scanTable(suite.clients, tableName)).map(i => String(i.orderId)).filter(id => id.startsWith(`fifo-${run}-`));
    expect(written).toEqual([`fifo-${run}-1`]);
  });
});
