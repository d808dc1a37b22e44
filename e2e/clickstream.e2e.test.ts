/**
 * Clickstream on MiniStack: Kinesis stream -> aggregator Lambda -> DynamoDB, Firehose -> S3,
 * deployed by the e2e globalSetup from the reference app (`-c local=true`).
 *
 * 50,000 clicks of 100 sessions are put with the library's KinesisProducer through a proxy that
 * fails some records of each PutRecords call; the aggregator runs as a real Lambda process fed by
 * MiniStack's Kinesis event source mapping. The poison-record test does NOT run on MiniStack's
 * mapping (it has no bisect, retry limit or on-failure destination for Kinesis): it runs the
 * aggregator code through e2e/harness/kinesis-esm-model.ts, a model of AWS's documented mapping
 * behaviour, on a real (emulated) stream and the stack's real on-failure queue. Its tests say so.
 */
import { scenarioSuite } from './harness/scenario-suite';
import { clickstreamScenario, CLICKSTREAM_STACK } from './harness/scenarios';

const suite = scenarioSuite(CLICKSTREAM_STACK, context => clickstreamScenario().run(context));
const row = (prefix: string) => suite.row(prefix);
const expectOk = (prefix: string) => {
  const r = row(prefix);
  expect(r.problem ?? '').toBe('');
  expect(r.arrived).toBe(r.expected);
};

describe('clickstream on MiniStack (aggregator = real Lambda worker fed by MiniStack\'s Kinesis mapping)', () => {
  test('KinesisProducer gets all 50,000 records in although the fault proxy fails some of each PutRecords call', () => {
    expectOk('producer: every record in');
    expect(row('producer: every record in').expected).toBe(50_000);
  });

  test('the stream holds each click exactly once, in order per session', () => {
    expectOk('stream holds each click exactly once');
    expectOk('stream order per session');
  });

  test('the aggregator saw every one of the 100 sessions\' 500 events in order, and page counts add up to 50,000', () => {
    expectOk('aggregator (Lambda in MiniStack) saw every session');
    expectOk('per-minute page counts add up');
    expectOk('no failed batches');
  });

  test('Firehose archived every raw click to S3', () => {
    expectOk('raw clicks archived by Firehose');
  });
});

describe('poison record through the ESM MODEL (kinesis-esm-model.ts, AWS semantics; NOT MiniStack\'s mapping) on a real emulated stream and queue', () => {
  test('the poison record is isolated by bisection and only its coordinates reach the on-failure queue', () => {
    expectOk('poison isolated by bisection');
  });

  test('the coordinates are enough to read the poison back from the stream', () => {
    expectOk('the poison record read back');
  });

  test('all 2,000 other records are counted once and in order', () => {
    expectOk('every other record of the poison run');
  });
});
