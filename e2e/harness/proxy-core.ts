/**
 * The one loop every fault proxy of the e2e harness runs: an HTTP server on 127.0.0.1 in front
 * of the emulator that reads each request whole, lets the proxy's `handle` answer it (a fault)
 * or returns `undefined` to pass it through unchanged, and forwards upstream with a keep-alive
 * agent. The emulator does not check SigV4 signatures, so a rewritten body is invisible to it.
 *
 * Also the partial-batch fault AWS's batch APIs share (Kinesis PutRecords, EventBridge
 * PutEvents): pick entries to fail, forward only the others, and answer with the emulator's
 * results for those and an error for the picked ones, so a failed entry is really not stored.
 */
import * as http from 'http';
import { AddressInfo } from 'net';

/** An upstream (or made-up) answer. */
export interface ProxyReply {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders | http.OutgoingHttpHeaders;
  readonly body: Buffer;
}

/** Sends a request upstream with `body` instead of the original one; resolves with the whole answer. */
export type Forward = (body: Buffer) => Promise<ProxyReply>;

/** Answers a request (a fault), or undefined to pass it through unchanged. */
export type ProxyHandler = (req: http.IncomingMessage, body: Buffer, forward: Forward) => Promise<ProxyReply | undefined>;

export interface RunningProxy {
  /** `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  close(): Promise<void>;
}

/** Starts a proxy in front of `target` (the emulator's endpoint) on a free port of 127.0.0.1. */
export async function startProxy(target: string, handle: ProxyHandler): Promise<RunningProxy> {
  const upstream = new URL(target);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  const forwardFor = (req: http.IncomingMessage): Forward => body => new Promise((resolve, reject) => {
    const headers = { ...req.headers, 'host': upstream.host, 'content-length': String(body.length) };
    const out = http.request({ hostname: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers, agent }, res => {
      const chunks: Buffer[] = [];
      res.on('data', c => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    out.on('error', reject);
    out.end(body);
  });

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', c => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const body = Buffer.concat(chunks);
        const forward = forwardFor(req);
        const reply = (await handle(req, body, forward)) ?? await forward(body);
        res.writeHead(reply.status, { ...reply.headers, 'content-length': String(reply.body.length) });
        res.end(reply.body);
      })().catch(err => {
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`fault proxy: ${(err as Error).message}`);
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>(resolve => {
      agent.destroy();
      server.closeAllConnections?.();
      server.close(() => resolve());
    }),
  };
}

/** Whether the request calls `operation` of a JSON-protocol AWS API (the `X-Amz-Target` header). */
export function isOperation(req: http.IncomingMessage, operation: string): boolean {
  return String(req.headers['x-amz-target'] ?? '').endsWith(`.${operation}`);
}

/** JSON body of a reply. */
export function jsonReply(status: number, value: unknown, contentType = 'application/x-amz-json-1.1'): ProxyReply {
  return { status, headers: { 'content-type': contentType }, body: Buffer.from(JSON.stringify(value)) };
}

/** How a batch API names its entries, its results and its failure count. */
export interface BatchShape {
  /** `Records` (PutRecords), `Entries` (PutEvents). */
  readonly entries: string;
  /** `FailedRecordCount`, `FailedEntryCount`. */
  readonly failedCount: string;
}

/** What {@link partialBatchFailure} did with one request. */
export interface PartialBatchOutcome<E> {
  /** The reply to send. */
  readonly reply: ProxyReply;
  /** Entries failed on purpose. */
  readonly injected: number;
  /** Entries forwarded, each with the emulator's result for it. */
  readonly forwarded: ReadonlyArray<{ entry: E; result: { ErrorCode?: string } & Record<string, unknown> }>;
}

/**
 * Fails the entries `pick` chooses (in order) with `error(i)` and forwards the rest: the reply
 * merges the emulator's results with the injected errors, and its failure count counts both.
 * An upstream answer other than 200 is passed on as it is.
 */
export async function partialBatchFailure<E>(
  shape: BatchShape, body: Buffer, forward: Forward,
  pick: (entry: E) => boolean, error: (i: number) => { ErrorCode: string; ErrorMessage: string },
): Promise<PartialBatchOutcome<E>> {
  const input = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
  const entries = input[shape.entries] as E[];
  const picked = entries.map(e => pick(e));
  const kept = entries.filter((_, i) => !picked[i]);
  let results: Array<{ ErrorCode?: string } & Record<string, unknown>> = [];
  let contentType = 'application/x-amz-json-1.1';
  if (kept.length > 0) {
    const out = await forward(Buffer.from(JSON.stringify({ ...input, [shape.entries]: kept })));
    if (out.status !== 200) return { reply: out, injected: 0, forwarded: [] };
    results = (JSON.parse(out.body.toString('utf8')) as Record<string, typeof results>)[shape.entries];
    contentType = String(out.headers['content-type'] ?? contentType);
  }
  let k = 0;
  let upstreamFailed = 0;
  const merged = picked.map((p, i) => {
    if (p) return error(i);
    const r = results[k++];
    if (r?.ErrorCode) upstreamFailed++;
    return r;
  });
  const injected = picked.filter(Boolean).length;
  return {
    reply: jsonReply(200, { [shape.failedCount]: injected + upstreamFailed, [shape.entries]: merged }, contentType),
    injected,
    forwarded: kept.map((entry, i) => ({ entry, result: results[i] })),
  };
}
