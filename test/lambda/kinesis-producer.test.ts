import { PutRecordsCommand, type PutRecordsCommandOutput } from '@aws-sdk/client-kinesis';
import { backoffMs, KINESIS_LIMITS, KinesisProducer, nextCall, PutRecordsError } from '../../lambda/kinesis-producer';

interface Put { readonly key: string; readonly data: string }

/**
 * A fake Kinesis that keeps what it accepted per key, and fails records the `fail` rule picks
 * (ProvisionedThroughputExceededException), like a hot shard.
 */
function fakeKinesis(fail: (call: number, index: number, key: string, attempt: number) => boolean = () => false) {
  const accepted: Put[] = [];
  const calls: number[] = [];
  let seq = 0;
  let attempt = 0;
  const client = {
    send: jest.fn(async (command: PutRecordsCommand): Promise<PutRecordsCommandOutput> => {
      const records = command.input.Records ?? [];
      const call = calls.length;
      calls.push(records.length);
      expect(records.length).toBeLessThanOrEqual(KINESIS_LIMITS.recordsPerCall);
      const bytes = records.reduce((n, r) => n + (r.Data as Uint8Array).byteLength + Buffer.byteLength(r.PartitionKey!), 0);
      expect(bytes).toBeLessThanOrEqual(KINESIS_LIMITS.bytesPerCall);
      let failed = 0;
      const out = records.map((r, i) => {
        if (fail(call, i, r.PartitionKey!, attempt++)) {
          failed++;
          return { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'Rate exceeded for shard' };
        }
        accepted.push({ key: r.PartitionKey!, data: Buffer.from(r.Data as Uint8Array).toString() });
        return { SequenceNumber: String(++seq), ShardId: 'shardId-000000000000' };
      });
      return { FailedRecordCount: failed, Records: out, $metadata: {} };
    }),
  };
  return { client, accepted, calls };
}

const records = (keys: number, perKey: number) => Array.from({ length: keys * perKey }, (_, i) => ({
  partitionKey: `k${i % keys}`, data: JSON.stringify({ key: `k${i % keys}`, n: Math.floor(i / keys) }),
}));
const noSleep = { sleep: async () => undefined, random: () => 0.5 };

describe('KinesisProducer', () => {
  test('puts everything in calls of at most 500 records', async () => {
    const k = fakeKinesis();
    const producer = new KinesisProducer({ client: k.client, streamName: 's', preserveOrderPerKey: false, ...noSleep });
    const result = await producer.putAll(records(10, 120));
    expect(result.recordsPut).toBe(1200);
    expect(k.calls).toEqual([500, 500, 200]);
    expect(result.retriedRecords).toBe(0);
    expect(result.sequenceNumbers.every(s => s.length > 0)).toBe(true);
  });

  test('keeps calls under 5 MiB', async () => {
    const k = fakeKinesis();
    const big = Array.from({ length: 12 }, (_, i) => ({ partitionKey: `k${i}`, data: 'x'.repeat(1000 * 1000) }));
    await new KinesisProducer({ client: k.client, streamName: 's', ...noSleep }).putAll(big);
    expect(k.calls).toEqual([5, 5, 2]);
  });

  test('retries only the failed records until all are in, exactly once each, order per key kept', async () => {
    // Every third record sent fails, for the first 3,000 sent, as under a hot shard.
    const k = fakeKinesis((_call, _i, _key, n) => n < 3000 && n % 3 === 0);
    const sleeps: number[] = [];
    const producer = new KinesisProducer({ client: k.client, streamName: 's', sleep: async ms => { sleeps.push(ms); }, random: () => 0.5 });
    const input = records(100, 50);
    const result = await producer.putAll(input);
    expect(result.recordsPut).toBe(5000);
    expect(result.retriedRecords).toBeGreaterThan(0);
    expect(result.failuresByCode.ProvisionedThroughputExceededException).toBe(result.retriedRecords);
    expect(k.accepted.length).toBe(5000);
    expect(new Set(k.accepted.map(a => a.data)).size).toBe(5000);
    for (let key = 0; key < 100; key++) {
      const ns = k.accepted.filter(a => a.key === `k${key}`).map(a => JSON.parse(a.data).n);
      expect(ns).toEqual(Array.from({ length: 50 }, (_, i) => i));
    }
    expect(sleeps.length).toBeGreaterThan(0);
    // Retries see the failed records only: calls after the failures are smaller.
    expect(Math.min(...k.calls)).toBeLessThanOrEqual(100);
  });

  test('without preserveOrderPerKey a partial failure reorders a key (why the default is on)', async () => {
    const k = fakeKinesis((call, i) => call === 0 && i === 0);
    await new KinesisProducer({ client: k.client, streamName: 's', preserveOrderPerKey: false, ...noSleep })
      .putAll([{ partitionKey: 'a', data: '0' }, { partitionKey: 'a', data: '1' }]);
    expect(k.accepted.map(a => a.data)).toEqual(['1', '0']);
    const ordered = fakeKinesis((call, i) => call === 0 && i === 0);
    await new KinesisProducer({ client: ordered.client, streamName: 's', ...noSleep })
      .putAll([{ partitionKey: 'a', data: '0' }, { partitionKey: 'a', data: '1' }]);
    expect(ordered.accepted.map(a => a.data)).toEqual(['0', '1']);
  });

  test('gives up after maxAttempts and says which records are not in', async () => {
    const k = fakeKinesis((_call, _i, key) => key === 'bad');
    const producer = new KinesisProducer({ client: k.client, streamName: 's', maxAttempts: 3, ...noSleep });
    const err = await producer.putAll([{ partitionKey: 'ok', data: 'a' }, { partitionKey: 'bad', data: 'b' }, { partitionKey: 'bad', data: 'c' }])
      .then(() => undefined, e => e as PutRecordsError);
    expect(err).toBeInstanceOf(PutRecordsError);
    expect(err!.message).toContain('record 1 (partition key "bad") still failing after 3 attempts (last error ProvisionedThroughputExceededException');
    expect(err!.notPut).toEqual([1, 2]);
    expect(err!.result.recordsPut).toBe(1);
  });

  test('rejects records that can never fit before any call', async () => {
    const k = fakeKinesis();
    const producer = new KinesisProducer({ client: k.client, streamName: 's' });
    await expect(producer.putAll([{ partitionKey: 'k', data: 'x'.repeat(1024 * 1024) }])).rejects.toThrow('over Kinesis\'s 1048576 bytes per record');
    await expect(producer.putAll([{ partitionKey: '', data: 'x' }])).rejects.toThrow('partitionKey must be 1 to 256 characters');
    expect(k.client.send).not.toHaveBeenCalled();
    expect(() => new KinesisProducer({ client: k.client })).toThrow('give streamName or streamArn');
  });

  test('uses the stream ARN when given', async () => {
    const k = fakeKinesis();
    await new KinesisProducer({ client: k.client, streamArn: 'arn:aws:kinesis:us-east-1:111111111111:stream/s' }).putAll([{ partitionKey: 'k', data: 'x' }]);
    expect(k.client.send.mock.calls[0][0].input).toMatchObject({ StreamARN: 'arn:aws:kinesis:us-east-1:111111111111:stream/s' });
    expect(k.client.send.mock.calls[0][0].input.StreamName).toBeUndefined();
  });
});

describe('helpers', () => {
  test('backoff: exponential cap with full jitter, bounded by maxDelayMs', () => {
    expect(backoffMs(1, 50, 5000, () => 0.999)).toBe(49);
    expect(backoffMs(4, 50, 5000, () => 0.5)).toBe(200);
    expect(backoffMs(20, 50, 5000, () => 0.999)).toBe(4995);
    expect(backoffMs(3, 50, 5000, () => 0)).toBe(0);
  });

  test('nextCall takes one head per key in ordered mode', () => {
    const p = (index: number, key: string) => ({ index, data: new Uint8Array(1), partitionKey: key, size: 2, attempts: 0, done: false });
    expect(nextCall([[p(0, 'a'), p(1, 'a')], [p(2, 'b')]], true).map(r => r.index)).toEqual([0, 2]);
    expect(nextCall([[p(0, 'a'), p(1, 'a'), p(2, 'b')]], false).map(r => r.index)).toEqual([0, 1, 2]);
  });
});
