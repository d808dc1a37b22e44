/**
 * A small fault-injecting proxy on 127.0.0.1 in front of the emulator's DynamoDB endpoint: for a
 * window of time it throttles BatchWriteItem the two ways DynamoDB does — a
 * ProvisionedThroughputExceededException for the whole request, or a partial write that returns
 * the rest as UnprocessedItems — and passes everything else through unchanged.
 *
 * A Lambda pointed at it with `AWS_ENDPOINT_URL_DYNAMODB` (SDK v3 honours the per-service
 * endpoint variable) sees real throttling while every write that does go through lands in the
 * emulator's table.
 */
import * as http from 'http';
import { AddressInfo } from 'net';

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
  const target = new URL(upstream);
  let until = 0;
  let batchWrites = 0;
  let throttled = 0;
  let partial = 0;
  let unprocessedItems = 0;

  const forward = (req: http.IncomingMessage, body: Buffer, res: http.ServerResponse, rewrite?: (upstreamBody: Buffer) => Buffer): void => {
    const headers = { ...req.headers, 'content-length': String(body.length) };
    const out = http.request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers }, up => {
      const chunks: Buffer[] = [];
      up.on('data', c => chunks.push(c));
      up.on('end', () => {
        let payload: Buffer = Buffer.concat(chunks);
        if (rewrite && up.statusCode === 200) payload = rewrite(payload);
        const outHeaders: http.OutgoingHttpHeaders = { ...up.headers, 'content-length': String(payload.length) };
        delete outHeaders['x-amz-crc32']; // the body may have changed
        res.writeHead(up.statusCode ?? 502, outHeaders);
        res.end(payload);
      });
    });
    out.on('error', err => {
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`fault proxy: upstream error ${err.message}`);
    });
    out.end(body);
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', c => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const isBatchWrite = req.headers['x-amz-target'] === 'DynamoDB_20120810.BatchWriteItem';
      if (!isBatchWrite) return forward(req, body, res);
      batchWrites++;
      if (Date.now() >= until) return forward(req, body, res);
      // In the window: one request in three throttled, one in three half-written, one passes.
      const turn = batchWrites % 3;
      if (turn === 0) {
        throttled++;
        res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0', 'content-length': String(Buffer.byteLength(THROTTLE_BODY)) });
        res.end(THROTTLE_BODY);
        return;
      }
      if (turn === 1) {
        const request = JSON.parse(body.toString('utf8')) as { RequestItems: WriteRequests };
        const kept: WriteRequests = {};
        const held: WriteRequests = {};
        for (const [table, items] of Object.entries(request.RequestItems)) {
          const half = Math.ceil(items.length / 2);
          kept[table] = items.slice(0, half);
          if (items.length > half) held[table] = items.slice(half);
        }
        const heldCount = Object.values(held).reduce((n, items) => n + items.length, 0);
        if (heldCount > 0) {
          partial++;
          unprocessedItems += heldCount;
          const rewritten = Buffer.from(JSON.stringify({ ...request, RequestItems: kept }));
          return forward(req, rewritten, res, upstreamBody => {
            const answer = JSON.parse(upstreamBody.toString('utf8')) as { UnprocessedItems?: WriteRequests };
            const unprocessed: WriteRequests = { ...(answer.UnprocessedItems ?? {}) };
            for (const [table, items] of Object.entries(held)) unprocessed[table] = [...(unprocessed[table] ?? []), ...items];
            return Buffer.from(JSON.stringify({ ...answer, UnprocessedItems: unprocessed }));
          });
        }
      }
      return forward(req, body, res);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    throttleFor: ms => { until = Date.now() + ms; },
    counts: () => ({ batchWrites, throttled, partial, unprocessedItems }),
    stop: () => new Promise<void>(resolve => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
