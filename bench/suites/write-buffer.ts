import { execFileSync } from 'child_process';
import { promises as fs } from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { build } from 'esbuild';
import { runNode } from '../lib/child';
import { formatRatio, stats, Stats } from '../lib/stats';
import { Suite, SuiteContext, SuiteResult } from '../lib/suite';

/**
 * WriteBuffer writer vs two peers, all bundled by esbuild the same way (bundle, minify, node24):
 * - ours: lambda/write-buffer-writer.lambda.ts (BatchWriteItem 25 per request, lean SigV4 + fetch);
 * - powertools: Powertools BatchProcessor + one PutItem per record (SDK v3 DynamoDB client);
 * - plain: a plain handler, one PutItem per record in parallel (SDK v3 DynamoDB client).
 *
 * Every handler writes to the same local fake DynamoDB endpoint on 127.0.0.1 (this process; it
 * answers at once and counts requests), reached through AWS_ENDPOINT_URL, which all three honour.
 * The sink is thus a no-op on the far side of a real loopback HTTP connection, the same for all.
 */
interface Subject { readonly name: string; readonly entry: string }

const SUBJECTS: Subject[] = [
  { name: 'ours (WriteBuffer writer)', entry: 'lambda/write-buffer-writer.lambda.ts' },
  { name: 'Powertools BatchProcessor + PutItem', entry: 'bench/peers/write-buffer-powertools.ts' },
  { name: 'plain handler + PutItem', entry: 'bench/peers/write-buffer-plain.ts' },
];
const SIZES = [10, 10_000];

/** The child: `init <bundle>` or `invoke <bundle> <records> <runs> <warmup>`; prints JSON. */
const CHILD = `
const { performance } = require('perf_hooks');
const [mode, bundle, n, runs, warmup] = process.argv.slice(2);
const event = (count, run) => ({ Records: Array.from({ length: count }, (_, i) => ({
  messageId: 'm-' + run + '-' + i, receiptHandle: 'rh', body: JSON.stringify({ id: 'order-' + run + '-' + i, amount: i, customer: { name: 'Ada', tier: 'gold' }, lines: [{ sku: 'A-1', qty: 2 }] }),
  attributes: {}, messageAttributes: {}, md5OfBody: '', eventSource: 'aws:sqs',
  eventSourceARN: 'arn:aws:sqs:us-east-1:111111111111:buffer', awsRegion: 'us-east-1' })) });
const context = { getRemainingTimeInMillis: () => 900000, functionName: 'bench', awsRequestId: 'r' };
(async () => {
  const t0 = performance.now();
  const { handler } = require(bundle);
  const loadMs = performance.now() - t0;
  if (mode === 'init') {
    const e = event(1, 'init');
    const t1 = performance.now();
    const out = await handler(e, context);
    const firstMs = performance.now() - t1;
    if (out.batchItemFailures.length) throw new Error('failures: ' + JSON.stringify(out));
    process.stdout.write('\\nRESULT ' + JSON.stringify({ loadMs, firstMs }) + '\\n');
    return;
  }
  const count = Number(n);
  const samples = [];
  for (let r = 0; r < Number(warmup) + Number(runs); r++) {
    const e = event(count, r);
    const t = performance.now();
    const out = await handler(e, context);
    const ms = performance.now() - t;
    if (out.batchItemFailures.length) throw new Error('failures: ' + out.batchItemFailures.length);
    if (r >= Number(warmup)) samples.push(ms);
  }
  process.stdout.write('\\nRESULT ' + JSON.stringify({ samples }) + '\\n');
})().catch(e => { console.error(e); process.exit(1); });
`;

/** A fake DynamoDB (and SQS) endpoint: answers success at once, counts requests by operation. */
async function fakeEndpoint(): Promise<{ url: string; counts: Map<string, number>; close(): Promise<void> }> {
  const counts = new Map<string, number>();
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '').split('.').pop() ?? '';
      counts.set(target, (counts.get(target) ?? 0) + 1);
      res.setHeader('content-type', 'application/x-amz-json-1.0');
      res.end(target === 'BatchWriteItem' ? '{"UnprocessedItems":{}}' : '{}');
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    counts,
    close: () => new Promise<void>(resolve => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** The child's result line (handlers may log to stdout too: ours writes one summary line per batch). */
function result<T>(stdout: string): T {
  const line = stdout.split('\n').reverse().find(l => l.startsWith('RESULT '));
  if (!line) throw new Error(`no RESULT line in child output: ${stdout.slice(-300)}`);
  return JSON.parse(line.slice('RESULT '.length)) as T;
}

interface Measured {
  readonly name: string;
  readonly bytes: number;
  readonly zippedBytes: number;
  readonly loadMs: Stats;
  readonly firstInvokeMs: Stats;
  readonly perRecordUs: Record<number, Stats>;
  readonly requestsPerMessage: number;
}

async function runWriteBufferSuite(ctx: SuiteContext): Promise<SuiteResult> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cip-bench-wb-'));
  const endpoint = await fakeEndpoint();
  try {
    const child = path.join(dir, 'child.js');
    await fs.writeFile(child, CHILD);
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: dir,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIDBENCH',
      AWS_SECRET_ACCESS_KEY: 'bench',
      AWS_SESSION_TOKEN: 'token',
      AWS_ENDPOINT_URL: endpoint.url,
      AWS_NODEJS_CONNECTION_REUSE_ENABLED: '1',
      WRITE_BUFFER_SINK: 'dynamodb',
      TABLE_NAME: 'orders',
      PARTITION_KEY: 'id',
      DEAD_LETTER_QUEUE_URL: `${endpoint.url}/111111111111/dlq`,
    };
    // 1. Bundles, all with the library's bundle settings (.projenrc.ts).
    const bundles: Array<{ subject: Subject; outfile: string; bytes: number; zippedBytes: number }> = [];
    for (const subject of SUBJECTS) {
      const slug = path.basename(subject.entry).replace(/\.ts$/, '');
      const outfile = path.join(dir, slug, 'index.js');
      await build({
        entryPoints: [path.join(ctx.root, subject.entry)],
        outfile,
        bundle: true,
        platform: 'node',
        target: 'node24',
        minify: true,
        legalComments: 'none',
        tsconfig: path.join(ctx.root, 'test', 'tsconfig.json'),
        logLevel: 'warning',
      });
      const bytes = (await fs.stat(outfile)).size;
      const zipFile = path.join(dir, `${slug}.zip`);
      execFileSync('zip', ['-q', '-9', '-j', zipFile, outfile]);
      const zippedBytes = (await fs.stat(zipFile)).size;
      bundles.push({ subject, outfile, bytes, zippedBytes });
      ctx.progress(`${subject.name}: ${(bytes / 1024).toFixed(1)} KB minified, ${(zippedBytes / 1024).toFixed(1)} KB zipped`);
    }

    // 2. Cold start in fresh processes, the subjects interleaved so machine load hits all alike.
    const coldRuns = Math.max(ctx.runs, 9);
    const loads = bundles.map(() => [] as number[]);
    const firsts = bundles.map(() => [] as number[]);
    for (let i = 0; i < ctx.warmup + coldRuns; i++) {
      for (let b = 0; b < bundles.length; b++) {
        const { stdout } = await runNode(child, ['init', bundles[b].outfile], dir, env);
        const r = result<{ loadMs: number; firstMs: number }>(stdout);
        if (i >= ctx.warmup) {
          loads[b].push(r.loadMs);
          firsts[b].push(r.firstMs);
        }
      }
      ctx.progress(`cold start: run ${i + 1}/${ctx.warmup + coldRuns}`);
    }

    // 3. Warm invocations of 10 and 10,000 records; requests counted at 10,000.
    const measured: Measured[] = [];
    for (let b = 0; b < bundles.length; b++) {
      const { subject, outfile, bytes, zippedBytes } = bundles[b];
      const perRecordUs: Record<number, Stats> = {};
      let requestsPerMessage = 0;
      for (const n of SIZES) {
        const runs = n >= 10_000 ? ctx.runs : ctx.runs * 20;
        const warm = Math.max(1, ctx.warmup) * (n >= 10_000 ? 1 : 20);
        endpoint.counts.clear();
        const { stdout } = await runNode(child, ['invoke', outfile, String(n), String(runs), String(warm)], dir, env);
        const { samples } = result<{ samples: number[] }>(stdout);
        perRecordUs[n] = stats(samples.map(ms => (ms * 1000) / n), 2);
        if (n === 10_000) {
          const requests = [...endpoint.counts.values()].reduce((a, c) => a + c, 0);
          requestsPerMessage = requests / (n * (runs + warm));
        }
        ctx.progress(`${subject.name}: ${n} records: ${perRecordUs[n].median} µs per record (median of ${runs})`);
      }
      measured.push({
        name: subject.name, bytes, zippedBytes, loadMs: stats(loads[b], 2), firstInvokeMs: stats(firsts[b], 2), perRecordUs, requestsPerMessage,
      });
    }

    const [ours, ...peers] = measured;
    const vs = (f: (m: Measured) => number) => peers.map(p => formatRatio(f(ours), f(p))).join(' / ');
    const rows = measured.map(m => [
      m.name,
      (m.bytes / 1024).toFixed(1),
      (m.zippedBytes / 1024).toFixed(1),
      m.loadMs.median.toFixed(2),
      m.firstInvokeMs.median.toFixed(1),
      (m.loadMs.median + m.firstInvokeMs.median).toFixed(1),
      m.perRecordUs[10].median.toFixed(1),
      m.perRecordUs[10_000].median.toFixed(1),
      m.requestsPerMessage.toFixed(3),
    ]);
    rows.push([
      'ours ÷ peers (Powertools / plain)',
      vs(m => m.bytes), vs(m => m.zippedBytes), vs(m => m.loadMs.median), vs(m => m.firstInvokeMs.median),
      vs(m => m.loadMs.median + m.firstInvokeMs.median),
      vs(m => m.perRecordUs[10].median), vs(m => m.perRecordUs[10_000].median), vs(m => m.requestsPerMessage),
    ]);
    const goal = (f: (m: Measured) => number) => (peers.every(p => f(ours) <= 0.5 * f(p)) ? 'met' : 'NOT met');
    return {
      table: {
        title: 'WriteBuffer writer vs Powertools BatchProcessor and a plain handler (DynamoDB sink, local no-op endpoint)',
        columns: ['handler', 'bundle KB (min)', 'zipped KB', 'module load ms', 'first invoke ms', 'cold total ms', 'µs/record @10', 'µs/record @10,000', 'requests/message'],
        numeric: [false, true, true, true, true, true, true, true, true],
        rows,
      },
      notes: [
        'Bundles: esbuild --bundle --minify --platform=node --target=node24 (the library\'s bundle settings) for all three; zipped with zip -9.',
        `Cold start: fresh node processes, subjects interleaved (median of ${measured[0].loadMs.samples.length}): "module load" = require() of the bundle (Lambda's init phase), `
          + '"first invoke" = the first 1-record batch (clients, first connection, first request); the machine is shared, so compare rows of one run, not runs.',
        'µs/record = wall time of one warm invocation ÷ records (median), against a fake DynamoDB on 127.0.0.1 that answers at once (a no-op sink behind real HTTP, the same for all three); includes building, signing and sending requests.',
        `requests/message: requests the fake endpoint counted ÷ messages at 10,000 records; BatchWriteItem's limit is 1/25 = ${(1 / 25).toFixed(3)}.`,
        `Goals (≤ 0.5× both peers): size ${goal(m => m.bytes)}, zipped ${goal(m => m.zippedBytes)}, cold total ${goal(m => m.loadMs.median + m.firstInvokeMs.median)}, `
          + `per-record @10 ${goal(m => m.perRecordUs[10].median)}, @10,000 ${goal(m => m.perRecordUs[10_000].median)}; requests/message ${Math.abs(ours.requestsPerMessage - 1 / 25) < 1e-9 ? 'at the 1/25 limit' : 'NOT at the limit'}.`,
      ],
      summary: [
        `ours ${(ours.bytes / 1024).toFixed(1)} KB vs ${peers.map(p => `${(p.bytes / 1024).toFixed(1)} KB`).join(' / ')}; load ${ours.loadMs.median} ms vs ${peers.map(p => `${p.loadMs.median} ms`).join(' / ')}`,
        `µs/record @10,000: ${ours.perRecordUs[10_000].median} vs ${peers.map(p => p.perRecordUs[10_000].median).join(' / ')}; requests/message ${ours.requestsPerMessage.toFixed(3)} vs ${peers.map(p => p.requestsPerMessage.toFixed(3)).join(' / ')}`,
      ],
      settings: { sizes: SIZES, target: 'node24', minify: true },
      results: measured,
    };
  } finally {
    await endpoint.close();
    await fs.rm(dir, { recursive: true, force: true });
  }
}

export const writeBufferSuite: Suite = {
  name: 'write-buffer',
  description: 'WriteBuffer writer vs Powertools BatchProcessor + PutItem vs a plain PutItem handler: size, cold start, µs/record, requests/message',
  run: runWriteBufferSuite,
};
