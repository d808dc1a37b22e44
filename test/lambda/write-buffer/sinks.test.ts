import { context, fakeClock, scriptedClient, sqsEvent, sqsRecord } from './support';
import { AwsError } from '../../../lambda/write-buffer/aws';
import { dataApiSink, parseParameterMapping, prepareChunks, toParameter } from '../../../lambda/write-buffer/data-api';
import { deadLetterSender, dlqEntry } from '../../../lambda/write-buffer/dead-letter';
import { attributeKey, collapse, dynamoSink, marshallItem } from '../../../lambda/write-buffer/dynamodb';
import type { Entry } from '../../../lambda/write-buffer/types';
import { processBatch, type BatchSummary } from '../../../lambda/write-buffer/writer';

const entry = (messageId: string, value: Record<string, unknown>): Entry => ({ messageId, value, size: JSON.stringify(value).length });
const orders = (n: number, from = 0) => Array.from({ length: n }, (_, i) => entry(`m${from + i}`, { orderId: `o-${from + i}`, amount: from + i }));
const throttled = () => new AwsError('ProvisionedThroughputExceededException', 'slow down', 400, true);
const FAR = 1_000_000 + 60_000;

beforeEach(() => {
  jest.spyOn(console, 'error').mockImplementation(() => undefined);
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
});

describe('DynamoDB marshalling and keys', () => {
  test('JSON values map to attribute values', () => {
    expect(marshallItem({ s: 'x', n: 1.5, b: true, z: null, l: [1, 'a'], m: { k: { d: 0 } }, u: undefined })).toEqual({
      s: { S: 'x' },
      n: { N: '1.5' },
      b: { BOOL: true },
      z: { NULL: true },
      l: { L: [{ N: '1' }, { S: 'a' }] },
      m: { M: { k: { M: { d: { N: '0' } } } } },
    });
  });
  test('duplicate keys collapse to one item (last wins), all ids share it; S and N keys stay distinct', () => {
    const { slots, poison } = collapse([
      entry('a', { pk: 'k1', v: 1 }), entry('b', { pk: 'k2', v: 2 }), entry('c', { pk: 'k1', v: 3 }), entry('d', { pk: 1, v: 4 }), entry('e', { pk: '1', v: 5 }),
    ], { partitionKey: 'pk' });
    expect(poison).toEqual([]);
    expect(slots.map(s => [s.messageIds, s.item.v])).toEqual([[['a', 'c'], { N: '3' }], [['b'], { N: '2' }], [['d'], { N: '4' }], [['e'], { N: '5' }]]);
  });
  test('composite keys', () => {
    const { slots } = collapse([entry('a', { pk: 'p', sk: 1 }), entry('b', { pk: 'p', sk: 2 }), entry('c', { pk: 'p', sk: 1 })], { partitionKey: 'pk', sortKey: 'sk' });
    expect(slots.map(s => s.messageIds)).toEqual([['a', 'c'], ['b']]);
    expect(attributeKey(slots[0].item, { partitionKey: 'pk', sortKey: 'sk' })).toBe(slots[0].key);
  });
  test('missing, empty or non-scalar keys and oversize bodies are poison', () => {
    const { slots, poison } = collapse([
      entry('a', { v: 1 }), entry('b', { pk: '' }), entry('c', { pk: { x: 1 } }), entry('d', { pk: 'p' }),
      { messageId: 'e', value: { pk: 'q' }, size: 400 * 1024 + 1 },
    ], { partitionKey: 'pk', sortKey: 'sk' });
    expect(slots).toEqual([]);
    expect(poison.map(p => [p.messageId, p.code])).toEqual([['a', 'MissingKey'], ['b', 'InvalidKey'], ['c', 'InvalidKey'], ['d', 'MissingKey'], ['e', 'ItemTooLarge']]);
  });
});

describe('DynamoDB sink', () => {
  const options = { tableName: 'orders', partitionKey: 'orderId' };

  test('writes in chunks of 25, one request per 25 messages', async () => {
    const client = scriptedClient([{}]);
    const result = await dynamoSink(client, { ...options, clock: fakeClock() }).write(orders(60), FAR);
    expect(client.calls.map(c => c.input.RequestItems.orders.length)).toEqual([25, 25, 10]);
    expect(result).toEqual({ failed: [], poison: [], requests: 3, retries: 0 });
  });

  test('idempotent: a redelivered message produces the very same put (deterministic key and item)', async () => {
    const client = scriptedClient([{}]);
    const sink = dynamoSink(client, { ...options, clock: fakeClock() });
    const message = entry('m1', { orderId: 'o-1', amount: 5, lines: [{ sku: 'a' }] });
    await sink.write([message], FAR);
    await sink.write([{ ...message, messageId: 'm1-redelivered' }], FAR);
    expect(client.calls).toHaveLength(2);
    expect(client.calls[1].input).toEqual(client.calls[0].input);
    expect(client.calls[0].input.RequestItems.orders[0].PutRequest.Item.orderId).toEqual({ S: 'o-1' });
  });

  test('UnprocessedItems are retried (only them) until done, with backoff', async () => {
    const clock = fakeClock();
    let call = 0;
    const client = scriptedClient([(input: any) => {
      call++;
      const items = input.RequestItems.orders;
      // First answer: the last 3 unprocessed; second: 1 of them still unprocessed; then done.
      if (call === 1) return { UnprocessedItems: { orders: items.slice(-3) } };
      if (call === 2) return { UnprocessedItems: { orders: items.slice(0, 1) } };
      return { UnprocessedItems: {} };
    }]);
    const result = await dynamoSink(client, { ...options, clock }).write(orders(10), FAR);
    expect(client.calls.map(c => c.input.RequestItems.orders.map((r: any) => r.PutRequest.Item.orderId.S))).toEqual([
      orders(10).map(e => e.value.orderId), ['o-7', 'o-8', 'o-9'], ['o-7'],
    ]);
    expect(result).toEqual({ failed: [], poison: [], requests: 3, retries: 2 });
    expect(clock.sleeps).toEqual([12, 25]); // full jitter (random 0.5) of 25, 50
  });

  test('what is still unprocessed when the budget is spent maps back to its message ids (duplicates included)', async () => {
    const clock = fakeClock();
    const client = scriptedClient([(input: any) => ({ UnprocessedItems: { orders: input.RequestItems.orders.filter((r: any) => r.PutRequest.Item.orderId.S === 'o-2') } })]);
    const entries = [...orders(5), entry('dup', { orderId: 'o-2', amount: 99 })];
    const result = await dynamoSink(client, { ...options, clock }).write(entries, clock.t + 1000);
    expect(result.failed.sort()).toEqual(['dup', 'm2']);
    expect(clock.t).toBeLessThan(1_000_000 + 1000);
    expect(result.requests).toBe(client.calls.length);
    expect(result.retries).toBe(client.calls.length - 1);
    expect(client.calls.length).toBeGreaterThan(3);
    // The collapsed item carries the last body.
    expect(client.calls[1].input.RequestItems.orders).toEqual([{ PutRequest: { Item: { orderId: { S: 'o-2' }, amount: { N: '99' } } } }]);
  });

  test('throttling errors are retried; other chunks are unaffected', async () => {
    const clock = fakeClock();
    const client = scriptedClient([throttled(), throttled(), {}]);
    const result = await dynamoSink(client, { ...options, clock, maxParallelRequests: 1 }).write(orders(30), FAR);
    expect(result).toEqual({ failed: [], poison: [], requests: 4, retries: 2 });
  });

  test('a non-retryable error fails that chunk only', async () => {
    const client = scriptedClient([new AwsError('AccessDeniedException', 'no', 400, false), {}]);
    const result = await dynamoSink(client, { ...options, clock: fakeClock(), maxParallelRequests: 1 }).write(orders(30), FAR);
    expect(result.failed).toEqual(orders(25).map(e => e.messageId));
    expect(result.requests).toBe(2);
  });

  test('a ValidationException is narrowed down item by item: the bad item is poison, the rest written', async () => {
    const client = scriptedClient([(input: any) => input.RequestItems.orders.some((r: any) => r.PutRequest.Item.orderId.S === 'o-1')
      ? new AwsError('ValidationException', 'One or more parameter values were invalid: Type mismatch for key orderId', 400, false)
      : {}]);
    const result = await dynamoSink(client, { ...options, clock: fakeClock() }).write(orders(3), FAR);
    expect(result.failed).toEqual([]);
    expect(result.poison).toEqual([{ messageId: 'm1', code: 'Rejected', detail: 'ValidationException: One or more parameter values were invalid: Type mismatch for key orderId' }]);
    expect(result.requests).toBe(4);
  });
});

describe('Data API sink', () => {
  const sql = 'INSERT INTO orders (id, amount, paid, meta, at, n) VALUES (:id, :amount, :paid, :meta, :at, :n) ON CONFLICT (id) DO NOTHING';
  const mapping = parseParameterMapping(JSON.stringify([
    { name: 'id', field: 'orderId', type: 'string' },
    { name: 'amount', field: 'amount', type: 'double' },
    { name: 'paid', field: 'paid', type: 'boolean' },
    { name: 'meta', field: 'meta', type: 'json' },
    { name: 'at', field: 'created.at', type: 'timestamp' },
    { name: 'n', field: 'n', type: 'long' },
  ]), sql);
  const base = { resourceArn: 'arn:aws:rds:us-east-1:1:cluster:c', secretArn: 'arn:aws:secretsmanager:us-east-1:1:secret:s', database: 'app', sql, mapping };

  test('typed parameters, nulls for missing fields', () => {
    const { chunks, poison } = prepareChunks([entry('a', { orderId: 'o', amount: 2.5, paid: true, meta: { x: [1] }, created: { at: '2026-01-02T03:04:05.678Z' }, n: 7 }), entry('b', { orderId: 'p' })], mapping, 100, 1e9);
    expect(poison).toEqual([]);
    expect(chunks[0].parameterSets[0]).toEqual([
      { name: 'id', value: { stringValue: 'o' } },
      { name: 'amount', value: { doubleValue: 2.5 } },
      { name: 'paid', value: { booleanValue: true } },
      { name: 'meta', value: { stringValue: '{"x":[1]}' }, typeHint: 'JSON' },
      { name: 'at', value: { stringValue: '2026-01-02 03:04:05.678' }, typeHint: 'TIMESTAMP' },
      { name: 'n', value: { longValue: 7 } },
    ]);
    expect(chunks[0].parameterSets[1].slice(1).every(p => p.value.isNull)).toBe(true);
  });

  test.each([
    ['string', 5], ['long', 1.5], ['long', '7'], ['double', 'x'], ['boolean', 'true'], ['timestamp', 'not a date'], ['timestamp', true],
  ])('a %s parameter refuses %j (poison InvalidParameter)', (type, value) => {
    expect(typeof toParameter({ name: 'p', field: 'f', type: type as any }, value)).toBe('string');
    const m = [{ name: 'p', field: 'f', type: type as any }];
    expect(prepareChunks([entry('a', { f: value })], m, 10, 1e9).poison).toMatchObject([{ messageId: 'a', code: 'InvalidParameter' }]);
  });

  test('mapping is checked at init', () => {
    expect(() => parseParameterMapping('{', sql)).toThrow('PARAMETER_MAPPING is not valid JSON');
    expect(() => parseParameterMapping('[]', sql)).toThrow('non-empty JSON array');
    expect(() => parseParameterMapping('[{"name":"id","field":"x","type":"int"}]', sql)).toThrow('PARAMETER_MAPPING[0].type must be one of string, long, double, boolean, json, timestamp, got "int"');
    expect(() => parseParameterMapping('[{"name":"nope","field":"x","type":"string"}]', sql)).toThrow('SQL_STATEMENT has no placeholder :nope');
    expect(() => parseParameterMapping('[{"name":"id","field":"x","type":"string"},{"name":"id","field":"y","type":"string"}]', sql)).toThrow('mapped twice');
  });

  test('chunks by count and size; one parameter set per message', () => {
    const es = Array.from({ length: 7 }, (_, i) => entry(`m${i}`, { orderId: `o${i}` }));
    expect(prepareChunks(es, mapping, 3, 1e9).chunks.map(c => c.messageIds.length)).toEqual([3, 3, 1]);
    expect(prepareChunks(es, mapping, 100, 40).chunks.map(c => c.messageIds.length)).toEqual([2, 2, 2, 1]);
  });

  test('BatchExecuteStatement input; a failed chunk maps to exactly its message ids; throttling retried', async () => {
    const clock = fakeClock();
    let call = 0;
    const client = scriptedClient([(input: any) => {
      call++;
      if (call === 1) return new AwsError('ThrottlingException', 'slow', 400, true);
      if (input.parameterSets[0][0].value.stringValue === 'o2') return new AwsError('BadRequestException', 'duplicate key', 400, false);
      return { updateResults: [] };
    }]);
    const es = Array.from({ length: 5 }, (_, i) => entry(`m${i}`, { orderId: `o${i}` }));
    const result = await dataApiSink(client, { ...base, chunkSize: 2, maxParallelRequests: 1, clock }).write(es, FAR);
    expect(client.calls[0]).toMatchObject({ operation: 'BatchExecuteStatement', input: { resourceArn: base.resourceArn, secretArn: base.secretArn, database: 'app', sql } });
    expect(result).toEqual({ failed: ['m2', 'm3'], poison: [], requests: 4, retries: 1 });
  });

  test('a chunk still throttled when the budget is spent fails', async () => {
    const clock = fakeClock();
    const client = scriptedClient([new AwsError('DatabaseResumingException', 'resuming', 400, true)]);
    const result = await dataApiSink(client, { ...base, clock }).write([entry('a', { orderId: 'x' })], clock.t + 500);
    expect(result.failed).toEqual(['a']);
    expect(result.requests).toBeGreaterThan(1);
  });
});

describe('dead-letter sender', () => {
  const poison = (id: string) => ({ messageId: id, code: 'InvalidJson' as const, detail: 'body is not valid JSON' });

  test('entry keeps body and attributes, adds the reason; FIFO carries group and dedup id', () => {
    const r = sqsRecord('m1', 'oops', { queue: 'q.fifo', group: 'g', attributes: { tenant: { dataType: 'String', stringValue: 't1' } as any } });
    expect(dlqEntry(r, poison('m1'), '0', true)).toEqual({
      Id: '0',
      MessageBody: 'oops',
      MessageAttributes: {
        tenant: { DataType: 'String', StringValue: 't1' },
        writeBufferError: { DataType: 'String', StringValue: 'InvalidJson' },
        writeBufferErrorDetail: { DataType: 'String', StringValue: 'body is not valid JSON' },
      },
      MessageGroupId: 'g',
      MessageDeduplicationId: 'dedup-m1',
    });
    expect(dlqEntry(r, poison('m1'), '0', false)).not.toHaveProperty('MessageGroupId');
  });

  test('10 per call; sender faults fail at once, other failed entries are retried', async () => {
    const records = new Map(Array.from({ length: 12 }, (_, i) => [`m${i}`, sqsRecord(`m${i}`, 'x')]));
    let call = 0;
    const client = scriptedClient([(input: any) => {
      call++;
      if (call === 1) return { Successful: [], Failed: [{ Id: '0', SenderFault: true, Code: 'InvalidParameterValue' }, { Id: '1', SenderFault: false, Code: 'InternalError' }] };
      return { Successful: input.Entries.map((e: any) => ({ Id: e.Id })), Failed: [] };
    }]);
    const send = deadLetterSender(client, { queueUrl: 'https://sqs/q', clock: fakeClock() });
    const out = await send([...records.keys()].map(poison), records, FAR);
    expect(out.failed).toEqual(['m0']);
    expect(client.calls.map(c => c.input.Entries.length)).toEqual([10, 2, 1]);
    expect(client.calls[2].input.Entries[0].MessageBody).toBe('x');
  });

  test('an unreachable DLQ reports every poison message as failed', async () => {
    const records = new Map([['a', sqsRecord('a', 'x')]]);
    const client = scriptedClient([new AwsError('AccessDenied', 'no', 403, false)]);
    const out = await deadLetterSender(client, { queueUrl: 'q', clock: fakeClock() })([poison('a')], records, FAR);
    expect(out.failed).toEqual(['a']);
  });
});

describe('processBatch', () => {
  const setup = (sinkAnswers: unknown[], dlqAnswers: unknown[]) => {
    const sinkClient = scriptedClient(sinkAnswers);
    const dlqClient = scriptedClient(dlqAnswers);
    const summaries: BatchSummary[] = [];
    const writer = {
      sink: dynamoSink(sinkClient, { tableName: 't', partitionKey: 'id', clock: fakeClock(Date.now()) }),
      deadLetter: deadLetterSender(dlqClient, { queueUrl: 'https://sqs/dlq', clock: fakeClock(Date.now()) }),
      log: (s: BatchSummary) => summaries.push(s),
    };
    return { writer, sinkClient, dlqClient, summaries };
  };
  const ok = (input: any) => ({ Successful: input.Entries.map((e: any) => ({ Id: e.Id })) });

  test('poison (parse and sink) goes to the DLQ and is not reported; good messages are written', async () => {
    const { writer, sinkClient, dlqClient, summaries } = setup([{}], [ok]);
    const out = await processBatch(writer, sqsEvent([
      sqsRecord('a', '{"id":"1"}'), sqsRecord('b', '{oops'), sqsRecord('c', '{"noid":1}'), sqsRecord('d', '{"id":"2"}'),
    ]), context());
    expect(out).toEqual({ batchItemFailures: [] });
    expect(sinkClient.calls).toHaveLength(1);
    expect(dlqClient.calls[0].input.Entries.map((e: any) => [e.MessageBody, e.MessageAttributes.writeBufferError.StringValue])).toEqual([['{oops', 'InvalidJson'], ['{"noid":1}', 'MissingKey']]);
    expect(summaries[0]).toMatchObject({ received: 4, written: 2, poison: 2, failed: 0, requests: 2, retries: 0 });
  });

  test('if the DLQ send fails, those messages are reported as failures', async () => {
    const { writer } = setup([{}], [new AwsError('AccessDenied', 'no', 403, false)]);
    const out = await processBatch(writer, sqsEvent([sqsRecord('a', '{"id":"1"}'), sqsRecord('b', 'bad')]), context());
    expect(out).toEqual({ batchItemFailures: [{ itemIdentifier: 'b' }] });
  });

  test('FIFO: a failed write fails the rest of its group, written or not', async () => {
    const q = 'buf.fifo';
    const { writer } = setup([(input: any) => ({ UnprocessedItems: { t: input.RequestItems.t.filter((r: any) => r.PutRequest.Item.id.S === 'x') } })], [ok]);
    const out = await processBatch(writer, sqsEvent([
      sqsRecord('1', '{"id":"a"}', { queue: q, group: 'g1' }),
      sqsRecord('2', '{"id":"x"}', { queue: q, group: 'g1' }),
      sqsRecord('3', '{"id":"b"}', { queue: q, group: 'g2' }),
      sqsRecord('4', '{"id":"c"}', { queue: q, group: 'g1' }),
    ]), context(1500));
    expect(out.batchItemFailures.map(f => f.itemIdentifier)).toEqual(['2', '4']);
  });
});
