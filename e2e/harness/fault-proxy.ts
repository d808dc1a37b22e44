/**
 * A small fault-injecting proxy on 127.0.0.1 in front of the emulator's DynamoDB endpoint: for a
 * window of time it throttles BatchWriteItem the two ways DynamoDB does — a
 * ProvisionedThroughputExceededException for the whole request, or a partial write that returns
 * the rest as UnprocessedItems — and passes everything else through unchanged.
 *
 * A Lambda pointed at it with `AWS_ENDPOINT_URL_DYNAMODB` (SDK v3 honours the per-service
 * endpoint variable) sees real throttling while every write that does go through lands in the
 * emulator's table. The proxy loop is proxy-core.ts's, shared with the Kinesis and EventBridge proxies.
 */
import { startProxy } from './proxy-core';

/** What the proxy did, for the report. */
export interface FaultCounts {
  /** BatchWriteItem requests seen. */
  readonly batchWrites: number;
  /** Answered with ProvisionedThroughputExceededException (nothing written). */
  readonly throttled: number;
  /** Forwarded with only half their items; the other half returned as UnprocessedItems. */
  readonly partial: number;
  /** Items returned as UnprocessedItems in total. */
  readonly unprocessedItems: number;
}

export interface FaultProxy {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** Throttle BatchWriteItem from now on for `ms` milliseconds. */
  throttleFor(ms: number): void;
  counts(): FaultCounts;
  stop(): Promise<void>;
}

type WriteRequests = Record<string, unknown[]>;

const THROTTLE_BODY = JSON.stringify({
  __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
  message: 'The level of configured provisioned throughput for the table was exceeded (injected by the e2e fault proxy).',
});

/** Starts the proxy in front of `upstream` (the emulator endpoint). */
export async function startFaultProxy(upstream: string): Promise<FaultProxy> {
  let until = 0;
  let batchWrites = 0;
  let throttled = 0;
  let partial = 0;
  let unprocessedItems = 0;

  const proxy = await startProxy(upstream, async (req, body, forward) => {
    if (req.headers['x-amz-target'] !== 'DynamoDB_20120810.BatchWriteItem') return undefined;
    batchWrites++;
    if (Date.now() >= until) return undefined;
    // In the window: one request in three throttled, one in three half-written, one passes.
    const turn = batchWrites % 3;
    if (turn === 0) {
      throttled++;
      return { status: 400, headers: { 'content-type': 'application/x-amz-json-1.0' }, body: Buffer.from(THROTTLE_BODY) };
    }
    if (turn !== 1) return undefined;
    const request = JSON.parse(body.toString('utf8')) as { RequestItems: WriteRequests };
    const kept: WriteRequests = {};
    const held: WriteRequests = {};
    for (const [table, items] of Object.entries(request.RequestItems)) {
      const half = Math.ceil(items.length / 2);
      kept[table] = items.slice(0, half);
      if (items.length > half) held[table] = items.slice(half);
    }
    const heldCount = Object.values(held).reduce((n, items) => n + items.length, 0);
    if (heldCount === 0) return undefined;
    partial++;
    unprocessedItems += heldCount;
    const out = await forward(Buffer.from(JSON.stringify({ ...request, RequestItems: kept })));
    if (out.status !== 200) return out;
    const answer = JSON.parse(out.body.toString('utf8')) as { UnprocessedItems?: WriteRequests };
    const unprocessed: WriteRequests = { ...(answer.UnprocessedItems ?? {}) };
    for (const [table, items] of Object.entries(held)) unprocessed[table] = [...(unprocessed[table] ?? []), ...items];
    const headers = { ...out.headers };
    delete headers['x-amz-crc32']; // the body changed
    return { status: 200, headers, body: Buffer.from(JSON.stringify({ ...answer, UnprocessedItems: unprocessed })) };
  });
  return {
    url: proxy.endpoint,
    throttleFor: ms => { until = Date.now() + ms; },
    counts: () => ({ batchWrites, throttled, partial, unprocessedItems }),
    stop: proxy.close,
  };
}
