/**
 * A fault for the Kinesis producer helper: an HTTP proxy on 127.0.0.1 in front of the emulator
 * that makes PutRecords partially fail, as a hot shard does on AWS. For a PutRecords call it
 * picks records to fail, forwards only the others, and answers with the emulator's results for
 * those and `ProvisionedThroughputExceededException` for the picked ones (FailedRecordCount set),
 * so a failed record is really not in the stream. Every other request passes through unchanged.
 *
 * The emulator does not check SigV4 signatures, so rewriting the body is invisible to it.
 */
import * as http from 'http';

export interface FaultProxyOptions {
  /** The emulator's endpoint, e.g. http://127.0.0.1:4566. */
  readonly target: string;
  /** Whether to fail the n-th record seen in PutRecords (n counts from 0 over all calls). */
  readonly failRecord: (n: number) => boolean;
}

export interface FaultProxy {
  readonly endpoint: string;
  /** Records failed on purpose so far. */
  failed(): number;
  /** PutRecords calls seen. */
  calls(): number;
  close(): Promise<void>;
}

interface PutRecordsResultEntry { SequenceNumber?: string; ShardId?: string; ErrorCode?: string; ErrorMessage?: string }

export async function startKinesisFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const target = new URL(options.target);
  let seen = 0;
  let failed = 0;
  let calls = 0;
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

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', c => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const body = Buffer.concat(chunks);
        const isPutRecords = String(req.headers['x-amz-target'] ?? '').endsWith('.PutRecords');
        if (!isPutRecords) {
          const out = await forward(req, body);
          res.writeHead(out.status, { ...out.headers, 'content-length': String(out.body.length) });
          res.end(out.body);
          return;
        }
        calls++;
        const input = JSON.parse(body.toString('utf8')) as { Records: unknown[] };
        const pick = input.Records.map(() => options.failRecord(seen++));
        const kept = input.Records.filter((_, i) => !pick[i]);
        let results: PutRecordsResultEntry[] = [];
        let headers: http.IncomingHttpHeaders = { 'content-type': 'application/x-amz-json-1.1' };
        if (kept.length > 0) {
          const out = await forward(req, Buffer.from(JSON.stringify({ ...input, Records: kept })));
          if (out.status !== 200) {
            res.writeHead(out.status, { ...out.headers, 'content-length': String(out.body.length) });
            res.end(out.body);
            return;
          }
          results = (JSON.parse(out.body.toString('utf8')) as { Records: PutRecordsResultEntry[] }).Records;
          headers = out.headers;
        }
        let k = 0;
        const merged = pick.map(p => p
          ? { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'Rate exceeded for shard (injected by the e2e fault proxy)' }
          : results[k++]);
        const injected = pick.filter(Boolean).length;
        failed += injected;
        const reply = Buffer.from(JSON.stringify({ FailedRecordCount: injected, Records: merged }));
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
    calls: () => calls,
    close: () => new Promise<void>(resolve => {
      agent.destroy();
      server.closeAllConnections?.();
      server.close(() => resolve());
    }),
  };
}
