/**
 * A fault for the EventBridge publisher helper: an HTTP proxy on 127.0.0.1 in front of the
 * emulator that makes PutEvents partially fail, as AWS does under throttling or an internal
 * failure. For a PutEvents request it picks entries to fail, forwards only the others, and
 * answers with the emulator's results for those and `ThrottlingException` / `InternalFailure`
 * for the picked ones (FailedEntryCount set): a failed entry is really not on the bus. Every
 * other request passes through unchanged.
 *
 * It also records, per `detail.eventKey` when the detail has one, how many times each entry was
 * accepted upstream, so a test or bench can count lost and duplicated events at the door.
 *
 * The emulator does not check SigV4 signatures, so rewriting the body is invisible to it.
 */
import * as http from 'http';

export interface EventBridgeFaultProxyOptions {
  /** The emulator's endpoint, e.g. http://127.0.0.1:4566. */
  readonly target: string;
  /** Whether to fail the n-th entry seen in PutEvents (n counts from 0 over all requests). */
  readonly failEntry: (n: number) => boolean;
}

export interface EventBridgeFaultProxy {
  readonly endpoint: string;
  /** Entries failed on purpose so far. */
  failed(): number;
  /** PutEvents requests seen. */
  requests(): number;
  /** Entries forwarded and accepted upstream (with an EventId). */
  accepted(): number;
  /** How often each `detail.eventKey` was accepted upstream. */
  acceptedKeys(): ReadonlyMap<string, number>;
  /** Forgets the counts (between bench subjects). */
  reset(): void;
  close(): Promise<void>;
}

interface PutEventsResultEntry { EventId?: string; ErrorCode?: string; ErrorMessage?: string }
interface PutEventsEntry { Detail?: string }

const CODES = ['ThrottlingException', 'InternalFailure'];

export async function startEventBridgeFaultProxy(options: EventBridgeFaultProxyOptions): Promise<EventBridgeFaultProxy> {
  const target = new URL(options.target);
  let seen = 0;
  let failed = 0;
  let requests = 0;
  let accepted = 0;
  let keys = new Map<string, number>();
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });

  const forward = (req: http.IncomingMessage, body: Buffer): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> =>
    new Promise((resolve, reject) => {
      const headers = { ...req.headers, 'host': target.host, 'content-length': String(body.length) };
      const upstream = http.request({ hostname: target.hostname, port: target.port, path: req.url, method: req.method, headers, agent }, res => {
        const chunks: Buffer[] = [];
        res.on('data', c => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      upstream.on('error', reject);
      upstream.end(body);
    });

  const keyOf = (entry: PutEventsEntry): string | undefined => {
    try {
      const key = (JSON.parse(entry.Detail ?? '{}') as { eventKey?: unknown }).eventKey;
      return typeof key === 'string' ? key : undefined;
    } catch {
      return undefined;
    }
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', c => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const body = Buffer.concat(chunks);
        const isPutEvents = String(req.headers['x-amz-target'] ?? '').endsWith('.PutEvents');
        if (!isPutEvents) {
          const out = await forward(req, body);
          res.writeHead(out.status, { ...out.headers, 'content-length': String(out.body.length) });
          res.end(out.body);
          return;
        }
        requests++;
        const input = JSON.parse(body.toString('utf8')) as { Entries: PutEventsEntry[] };
        const pick = input.Entries.map(() => options.failEntry(seen++));
        const kept = input.Entries.filter((_, i) => !pick[i]);
        let results: PutEventsResultEntry[] = [];
        let headers: http.IncomingHttpHeaders = { 'content-type': 'application/x-amz-json-1.1' };
        if (kept.length > 0) {
          const out = await forward(req, Buffer.from(JSON.stringify({ ...input, Entries: kept })));
          if (out.status !== 200) {
            res.writeHead(out.status, { ...out.headers, 'content-length': String(out.body.length) });
            res.end(out.body);
            return;
          }
          results = (JSON.parse(out.body.toString('utf8')) as { Entries: PutEventsResultEntry[] }).Entries;
          headers = out.headers;
          kept.forEach((entry, i) => {
            if (!results[i]?.EventId || results[i]?.ErrorCode) return;
            accepted++;
            const key = keyOf(entry);
            if (key !== undefined) keys.set(key, (keys.get(key) ?? 0) + 1);
          });
        }
        let k = 0;
        let upstreamFailed = 0;
        const merged = pick.map((p, i) => {
          if (p) return { ErrorCode: CODES[i % CODES.length], ErrorMessage: 'injected by the e2e fault proxy' };
          const r = results[k++];
          if (r?.ErrorCode) upstreamFailed++;
          return r;
        });
        const injected = pick.filter(Boolean).length;
        failed += injected;
        const reply = Buffer.from(JSON.stringify({ FailedEntryCount: injected + upstreamFailed, Entries: merged }));
        res.writeHead(200, { 'content-type': headers['content-type'] ?? 'application/x-amz-json-1.1', 'content-length': String(reply.length) });
        res.end(reply);
      })().catch(err => {
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`fault proxy: ${(err as Error).message}`);
      });
    });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as { port: number }).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    failed: () => failed,
    requests: () => requests,
    accepted: () => accepted,
    acceptedKeys: () => keys,
    reset: () => { seen = 0; failed = 0; requests = 0; accepted = 0; keys = new Map(); },
    close: () => new Promise<void>(resolve => {
      agent.destroy();
      server.closeAllConnections?.();
      server.close(() => resolve());
    }),
  };
}
