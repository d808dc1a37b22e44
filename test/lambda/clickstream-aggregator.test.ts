import { ConditionalCheckFailedException, TransactionCanceledException, TransactWriteItemsCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { KinesisStreamRecord } from 'aws-lambda';
import { countByPageMinute, countTransactions, decode, minuteOf, processBatch, sessionRuns, untilPoison } from '../../lambda/clickstream-aggregator.lambda';

let seq = 1000;
function record(data: unknown, key = 's-1'): KinesisStreamRecord {
  const sequenceNumber = String(++seq);
  return {
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey: key,
      sequenceNumber,
      approximateArrivalTimestamp: 0,
      data: Buffer.from(typeof data === 'string' ? data : JSON.stringify(data)).toString('base64'),
    },
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventID: `shardId-000000000001:${sequenceNumber}`,
    eventName: 'aws:kinesis:record',
    invokeIdentityArn: 'arn',
    awsRegion: 'us-east-1',
    eventSourceARN: 'arn:aws:kinesis:us-east-1:111111111111:stream/clicks',
  };
}
const ts = Date.UTC(2026, 10, 23, 3, 14, 30);
const click = (sessionId: string, n: number, page = '/home') => ({ sessionId, seq: n, page, ts });

/** A DynamoDB double that keeps items like the real one does for the expressions the handler uses. */
function fakeDb() {
  const items = new Map<string, Record<string, number | string>>();
  const send = jest.fn(async (command: unknown) => {
    if (command instanceof TransactWriteItemsCommand) {
      const [marker, ...updates] = command.input.TransactItems!;
      const markerKey = marker.Put!.Item!.pk.S!;
      if (items.has(markerKey)) {
        throw new TransactionCanceledException({ message: 'cancelled', $metadata: {}, CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, ...updates.map(() => ({ Code: 'None' }))] });
      }
      items.set(markerKey, {});
      for (const u of updates) {
        const key = `${u.Update!.Key!.pk.S}|${u.Update!.Key!.sk.S}`;
        const item = items.get(key) ?? {};
        item.clicks = Number(item.clicks ?? 0) + Number(u.Update!.ExpressionAttributeValues![':n'].N);
        items.set(key, item);
      }
      return {};
    }
    if (command instanceof UpdateItemCommand) {
      const input = command.input;
      const key = `${input.Key!.pk.S}|${input.Key!.sk.S}`;
      const item = items.get(key) ?? {};
      const v = input.ExpressionAttributeValues!;
      if (input.ConditionExpression === 'attribute_not_exists(lastSeq)' && item.lastSeq !== undefined
        || input.ConditionExpression === 'lastSeq = :prev' && item.lastSeq !== Number(v[':prev'].N)) {
        throw new ConditionalCheckFailedException({
          message: 'failed', $metadata: {}, Item: item.lastSeq === undefined ? undefined : { lastSeq: { N: String(item.lastSeq) } },
        });
      }
      if (input.UpdateExpression!.startsWith('ADD duplicates')) {
        item.duplicates = Number(item.duplicates ?? 0) + Number(v[':events'].N);
      } else {
        item.events = Number(item.events ?? 0) + Number(v[':events'].N);
        item.orderBreaks = Number(item.orderBreaks ?? 0) + Number((v[':breaks'] ?? v[':one']).N);
        item.lastSeq = Number(v[':last'].N);
      }
      items.set(key, item);
      return {};
    }
    throw new Error('unexpected command');
  });
  return { send, items };
}

beforeEach(() => jest.spyOn(console, 'warn').mockImplementation(() => undefined));

describe('decoding', () => {
  test('a click', () => {
    expect(decode(record(click('s-1', 0)))).toEqual({ ok: true, click: click('s-1', 0) });
  });
  test.each([
    ['not JSON', 'nope{', 'data is not JSON'],
    ['no session', { seq: 1, page: '/', ts }, 'sessionId missing'],
    ['negative seq', { sessionId: 's', seq: -1, page: '/', ts }, 'seq missing or not a whole number'],
    ['no page', { sessionId: 's', seq: 1, ts }, 'page missing'],
    ['no ts', { sessionId: 's', seq: 1, page: '/' }, 'ts missing'],
  ])('poison: %s', (_name, data, reason) => {
    expect(decode(record(data))).toEqual({ ok: false, reason });
  });
  test('minutes and counts per page-minute', () => {
    expect(minuteOf(ts)).toBe('2026-11-23T03:14');
    const counts = countByPageMinute([click('a', 0), click('b', 0), click('a', 1, '/cart'), { ...click('a', 2), ts: ts + 60_000 }]);
    expect([...counts.entries()]).toEqual([['/home\u00002026-11-23T03:14', 2], ['/cart\u00002026-11-23T03:14', 1], ['/home\u00002026-11-23T03:15', 1]]);
  });
  test('session runs count breaks inside the batch', () => {
    expect(sessionRuns([click('a', 3), click('b', 0), click('a', 4), click('a', 6)])).toEqual([
      { sessionId: 'a', firstSeq: 3, lastSeq: 6, events: 3, breaks: 1 },
      { sessionId: 'b', firstSeq: 0, lastSeq: 0, events: 1, breaks: 0 },
    ]);
  });
  test('untilPoison stops at the first poison record', () => {
    const r = [record(click('a', 0)), record('bad'), record(click('a', 1))];
    const split = untilPoison(r);
    expect(split.clicks).toEqual([click('a', 0)]);
    expect(split.poison?.record).toBe(r[1]);
  });
  test('count transactions: one marker per 99 updates', () => {
    const counts = new Map(Array.from({ length: 150 }, (_, i) => [`/p${i}\u00002026-11-23T03:14`, 1] as [string, number]));
    const tx = countTransactions('t', counts, 'shard#1#2', 1000);
    expect(tx.map(t => t.length)).toEqual([100, 52]);
    expect(tx[1][0].Put!.Item!.pk.S).toBe('BATCH#shard#1#2#1');
    expect(tx[0][0].Put!.ConditionExpression).toBe('attribute_not_exists(pk)');
  });
});

describe('processBatch', () => {
  test('counts pages per minute and session progress, in order', async () => {
    const db = fakeDb();
    const batch = [record(click('a', 0), 'a'), record(click('b', 0, '/cart'), 'b'), record(click('a', 1), 'a')];
    expect(await processBatch(db, 't', { Records: batch })).toEqual({ batchItemFailures: [] });
    expect(db.items.get('PAGE#/home|MINUTE#2026-11-23T03:14')!.clicks).toBe(2);
    expect(db.items.get('SESSION#a|SESSION')).toEqual({ events: 2, orderBreaks: 0, lastSeq: 1 });
    await processBatch(db, 't', { Records: [record(click('a', 2), 'a')] });
    expect(db.items.get('SESSION#a|SESSION')).toEqual({ events: 3, orderBreaks: 0, lastSeq: 2 });
  });

  test('a retried batch with the same records changes nothing (marker + replay detection)', async () => {
    const db = fakeDb();
    const batch = [record(click('a', 0), 'a'), record(click('a', 1), 'a')];
    await processBatch(db, 't', { Records: batch });
    await processBatch(db, 't', { Records: batch });
    expect(db.items.get('PAGE#/home|MINUTE#2026-11-23T03:14')!.clicks).toBe(2);
    expect(db.items.get('SESSION#a|SESSION')).toEqual({ events: 2, orderBreaks: 0, lastSeq: 1, duplicates: 2 });
  });

  test('a gap or reorder counts an order break', async () => {
    const db = fakeDb();
    await processBatch(db, 't', { Records: [record(click('a', 0), 'a')] });
    await processBatch(db, 't', { Records: [record(click('a', 5), 'a')] });
    expect(db.items.get('SESSION#a|SESSION')).toMatchObject({ events: 2, orderBreaks: 1, lastSeq: 5 });
  });

  test('a poison record: what came before is committed, the poison is the batch item failure, nothing after it is counted', async () => {
    const db = fakeDb();
    const poison = record('{"sessionId":');
    const batch = [record(click('a', 0), 'a'), poison, record(click('a', 1), 'a')];
    expect(await processBatch(db, 't', { Records: batch })).toEqual({ batchItemFailures: [{ itemIdentifier: poison.kinesis.sequenceNumber }] });
    expect(db.items.get('SESSION#a|SESSION')).toMatchObject({ events: 1, lastSeq: 0 });
    // Lambda retries from the poison: it fails again at once, nothing is written.
    const calls = db.send.mock.calls.length;
    expect(await processBatch(db, 't', { Records: [poison, batch[2]] })).toEqual({ batchItemFailures: [{ itemIdentifier: poison.kinesis.sequenceNumber }] });
    expect(db.send.mock.calls.length).toBe(calls);
    // After the poison is skipped (on-failure queue), the rest is processed.
    await processBatch(db, 't', { Records: [batch[2]] });
    expect(db.items.get('SESSION#a|SESSION')).toMatchObject({ events: 2, lastSeq: 1, orderBreaks: 0 });
  });

  test('a DynamoDB error fails the invocation (Lambda retries, bisects)', async () => {
    const send = jest.fn(async () => { throw new Error('throttled'); });
    await expect(processBatch({ send }, 't', { Records: [record(click('a', 0), 'a')] })).rejects.toThrow('throttled');
  });
});
