import { PutEventsCommand, type PutEventsCommandOutput, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { backoffMs, entrySize, EventPublisher, nextRequest, PUT_EVENTS_LIMITS, PublishError, type PublisherEvent } from '../../lambda/event-publisher';

type FailRule = (request: number, index: number, entry: PutEventsRequestEntry, attempt: number) => string | undefined;

/**
 * A fake EventBridge that records every request, keeps what it accepted, and fails the
 * entries `fail` picks with the error code it returns (FailedEntryCount and Entries[i].ErrorCode,
 * as PutEvents answers).
 */
function fakeEventBridge(fail: FailRule = () => undefined) {
  const accepted: PutEventsRequestEntry[] = [];
  const requests: PutEventsRequestEntry[][] = [];
  let id = 0;
  let attempt = 0;
  const client = {
    send: jest.fn(async (command: PutEventsCommand): Promise<PutEventsCommandOutput> => {
      const entries = command.input.Entries ?? [];
      const request = requests.length;
      requests.push(entries);
      expect(entries.length).toBeGreaterThan(0);
      expect(entries.length).toBeLessThanOrEqual(PUT_EVENTS_LIMITS.entriesPerRequest);
      expect(entries.reduce((n, e) => n + entrySize(e), 0)).toBeLessThanOrEqual(PUT_EVENTS_LIMITS.bytesPerRequest);
      let failed = 0;
      const out = entries.map((e, i) => {
        const code = fail(request, i, e, attempt++);
        if (code) {
          failed++;
          return { ErrorCode: code, ErrorMessage: `${code} for entry ${i}` };
        }
        accepted.push(e);
        return { EventId: `id-${++id}` };
      });
      return { FailedEntryCount: failed, Entries: out, $metadata: {} };
    }),
  };
  return { client, accepted, requests };
}

const events = (n: number, detailType = 'PriceRecorded'): PublisherEvent[] =>
  Array.from({ length: n }, (_, i) => ({ source: 'test.prices', detailType, detail: { n: i, symbol: 'AMZN' } }));
const noSleep = { sleep: async () => undefined, random: () => 0.5 };
const ns = (entries: readonly PutEventsRequestEntry[]) => entries.map(e => JSON.parse(e.Detail!).n as number);

describe('EventPublisher', () => {
  test('sends everything in requests of at most 10 entries, onto the bus given', async () => {
    const eb = fakeEventBridge();
    const publisher = new EventPublisher({ client: eb.client, eventBusName: 'app-bus', ...noSleep });
    const result = await publisher.publishAll(events(25));
    expect(eb.requests.map(r => r.length)).toEqual([10, 10, 5]);
    expect(result).toMatchObject({ published: 25, requests: 3, retriedEntries: 0, failed: [] });
    expect(result.eventIds).toHaveLength(25);
    expect(result.eventIds.every(id => id.startsWith('id-'))).toBe(true);
    expect(eb.accepted.every(e => e.EventBusName === 'app-bus' && e.Source === 'test.prices' && e.DetailType === 'PriceRecorded')).toBe(true);
    expect(ns(eb.accepted)).toEqual(Array.from({ length: 25 }, (_, i) => i));
  });

  test('keeps requests within 256 KB by EventBridge\'s size rule', async () => {
    const eb = fakeEventBridge();
    // ≈ 100 KB each: two fit into one request, three do not.
    const big = Array.from({ length: 5 }, (_, i) => ({ source: 's', detailType: 't', detail: { n: i, pad: 'x'.repeat(100 * 1024) } }));
    const result = await new EventPublisher({ client: eb.client, ...noSleep }).publishAll(big);
    expect(eb.requests.map(r => r.length)).toEqual([2, 2, 1]);
    expect(result.published).toBe(5);
  });

  test('entry size counts Time as 14 bytes and UTF-8 bytes of source, detail-type, detail and resources', () => {
    expect(entrySize({ Source: 'ab', DetailType: 'c', Detail: '{"é":1}', Resources: ['arn:x'], Time: new Date(0) })).toBe(14 + 2 + 1 + 8 + 5);
    expect(entrySize({ Source: 'ab' })).toBe(2);
    expect(nextRequest([{ size: PUT_EVENTS_LIMITS.bytesPerRequest }, { size: 1 }])).toHaveLength(1);
  });

  test('retries ONLY the entries that failed (FailedEntryCount > 0), then reports success', async () => {
    // Entries 3 and 7 of the first request fail once with retryable codes.
    const eb = fakeEventBridge((request, index) => request === 0 && index === 3 ? 'ThrottlingException'
      : request === 0 && index === 7 ? 'InternalFailure' : undefined);
    const result = await new EventPublisher({ client: eb.client, ...noSleep }).publishAll(events(12));
    expect(eb.requests.map(ns)).toEqual([[0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [10, 11], [3, 7]]);
    expect(result).toMatchObject({ published: 12, requests: 3, retriedEntries: 2, failed: [] });
    expect(result.failuresByCode).toEqual({ ThrottlingException: 1, InternalFailure: 1 });
    // Every event once: nothing duplicated, nothing lost.
    expect(ns(eb.accepted).sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => i));
  });

  test('backs off with full jitter between retry rounds, doubling up to the cap', async () => {
    const sleeps: number[] = [];
    const eb = fakeEventBridge((_r, _i, _e, attempt) => attempt < 4 ? 'ThrottlingException' : undefined);
    await new EventPublisher({
      client: eb.client, baseDelayMs: 100, maxDelayMs: 300, random: () => 0.999, sleep: async ms => { sleeps.push(ms); },
    }).publishAll(events(1));
    expect(sleeps).toEqual([99, 199, 299, 299]);
    expect(backoffMs(1, 100, 5000, () => 0)).toBe(0);
    expect(backoffMs(3, 100, 5000, () => 0.5)).toBe(200);
  });

  test('does not retry non-retryable codes, and reports them with the event', async () => {
    const eb = fakeEventBridge((_r, index) => index === 1 ? 'MalformedDetail' : index === 2 ? 'NotAuthorizedForSourceException' : undefined);
    const result = await new EventPublisher({ client: eb.client, ...noSleep }).publishAll(events(3));
    expect(eb.requests).toHaveLength(1);
    expect(result.published).toBe(1);
    expect(result.failed.map(f => [f.index, f.errorCode, f.attempts])).toEqual([[1, 'MalformedDetail', 1], [2, 'NotAuthorizedForSourceException', 1]]);
    expect(result.failed[0].event).toEqual(events(3)[1]);
    expect(result.eventIds).toEqual(['id-1', '', '']);
  });

  test('gives up after maxAttempts and reports what could not be sent', async () => {
    const eb = fakeEventBridge((_r, _i, e) => JSON.parse(e.Detail!).n === 4 ? 'ThrottlingException' : undefined);
    const result = await new EventPublisher({ client: eb.client, maxAttempts: 3, ...noSleep }).publishAll(events(6));
    expect(eb.requests.map(ns)).toEqual([[0, 1, 2, 3, 4, 5], [4], [4]]);
    expect(result.published).toBe(5);
    expect(result.failed).toEqual([expect.objectContaining({ index: 4, errorCode: 'ThrottlingException', attempts: 3 })]);
    await expect(new EventPublisher({ client: eb.client, maxAttempts: 1, ...noSleep }).publishAllOrThrow(events(6)))
      .rejects.toThrow(PublishError);
  });

  test('publishAllOrThrow names the first event not sent', async () => {
    const eb = fakeEventBridge(() => 'AccessDeniedException');
    const publisher = new EventPublisher({ client: eb.client, ...noSleep });
    const err = await publisher.publishAllOrThrow(events(2)).then(() => undefined, (e: unknown) => e as PublishError);
    if (!err) throw new Error('expected a PublishError');
    expect(err).toBeInstanceOf(PublishError);
    expect(err.message).toBe('PutEvents: 2 of 2 events not sent; first: event 0 (PriceRecorded) AccessDeniedException: AccessDeniedException for entry 0 after 1 attempts');
    expect(err.result.failed).toHaveLength(2);
  });

  test('a missing result entry counts as failed and is retried (never as sent)', async () => {
    let calls = 0;
    const client = {
      send: jest.fn(async (command: PutEventsCommand): Promise<PutEventsCommandOutput> => {
        calls++;
        const n = command.input.Entries!.length;
        // First answer lists only the first entry.
        const entries = Array.from({ length: calls === 1 ? 1 : n }, (_, i) => ({ EventId: `e${calls}-${i}` }));
        return { FailedEntryCount: 0, Entries: entries, $metadata: {} };
      }),
    };
    const result = await new EventPublisher({ client, ...noSleep }).publishAll(events(3));
    expect(result.published).toBe(3);
    expect(result.failuresByCode).toEqual({ MissingResult: 2 });
    expect(client.send.mock.calls[1][0].input.Entries!.map(e => JSON.parse(e.Detail!).n)).toEqual([1, 2]);
  });

  test('a whole request that throws is retried when retryable, reported when not', async () => {
    let calls = 0;
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
    const denied = Object.assign(new Error('not allowed'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } });
    const client = {
      send: jest.fn(async (command: PutEventsCommand): Promise<PutEventsCommandOutput> => {
        calls++;
        if (calls === 1) throw throttled;
        return { FailedEntryCount: 0, Entries: command.input.Entries!.map((_, i) => ({ EventId: `e${i}` })), $metadata: {} };
      }),
    };
    const ok = await new EventPublisher({ client, ...noSleep }).publishAll(events(2));
    expect(ok).toMatchObject({ published: 2, requests: 2, retriedEntries: 2, failuresByCode: { ThrottlingException: 2 } });

    const refusing = { send: jest.fn(async () => { throw denied; }) };
    const bad = await new EventPublisher({ client: refusing, ...noSleep }).publishAll(events(2));
    expect(refusing.send).toHaveBeenCalledTimes(1);
    expect(bad.failed.map(f => f.errorCode)).toEqual(['AccessDeniedException', 'AccessDeniedException']);
  });

  test('checks the detail against the schema of its detail-type before sending', async () => {
    const eb = fakeEventBridge();
    const publisher = new EventPublisher({
      client: eb.client,
      ...noSleep,
      schemas: {
        PriceRecorded: { type: 'object', required: ['symbol', 'price'], properties: { price: { type: 'number', minimum: 0 } } },
      },
    });
    const result = await publisher.publishAll([
      { source: 's', detailType: 'PriceRecorded', detail: { symbol: 'AMZN', price: 12.5 } },
      { source: 's', detailType: 'PriceRecorded', detail: { symbol: 'AMZN' } },
      { source: 's', detailType: 'PriceRecorded', detail: { symbol: 'AMZN', price: -1 } },
      { source: 's', detailType: 'Unchecked', detail: { anything: true } },
    ]);
    expect(result.published).toBe(2);
    expect(result.failed.map(f => [f.index, f.errorCode, f.attempts, f.errorMessage])).toEqual([
      [1, 'SchemaViolation', 0, 'PriceRecorded: detail: required property "price" is missing'],
      [2, 'SchemaViolation', 0, 'PriceRecorded: detail.price: must be >= 0'],
    ]);
    expect(eb.accepted.map(e => e.DetailType)).toEqual(['PriceRecorded', 'Unchecked']);
  });

  test('refuses events that can never be accepted before any request: not JSON, not an object, over 256 KB', async () => {
    const eb = fakeEventBridge();
    const result = await new EventPublisher({ client: eb.client, ...noSleep }).publishAll([
      { source: 's', detailType: 't', detail: '{not json' },
      { source: 's', detailType: 't', detail: [1, 2] },
      { source: 's', detailType: 't', detail: { pad: 'x'.repeat(PUT_EVENTS_LIMITS.bytesPerRequest) } },
      { source: 's', detailType: 't', detail: '{"ok":true}' },
    ]);
    expect(result.failed.map(f => f.errorCode)).toEqual(['NotJson', 'NotJson', 'TooLarge']);
    expect(eb.requests).toEqual([[expect.objectContaining({ Detail: '{"ok":true}' })]]);
  });

  test('a schema outside the supported subset fails at construction, not later', () => {
    expect(() => new EventPublisher({ client: fakeEventBridge().client, schemas: { T: { oneOf: [] } as never } }))
      .toThrow(/keyword "oneOf" is not supported/);
    expect(() => new EventPublisher({ client: fakeEventBridge().client, maxAttempts: 0 })).toThrow(/maxAttempts/);
  });

  test('2,000 events with a third of the entries failing at random: every event exactly once', async () => {
    let seed = 7;
    const random = () => { seed = (seed * 16807) % 2147483647; return seed / 2147483647; };
    const eb = fakeEventBridge(() => random() < 0.33 ? 'ThrottlingException' : undefined);
    const result = await new EventPublisher({ client: eb.client, maxAttempts: 20, ...noSleep }).publishAll(events(2000));
    expect(result.failed).toEqual([]);
    expect(result.published).toBe(2000);
    expect(ns(eb.accepted).sort((a, b) => a - b)).toEqual(Array.from({ length: 2000 }, (_, i) => i));
    expect(new Set(result.eventIds).size).toBe(2000);
    // Retries carry only failed entries, so requests per event stay near (1 / 10) / (1 - 0.33).
    expect(result.requests / 2000).toBeLessThan(0.2);
  });
});
