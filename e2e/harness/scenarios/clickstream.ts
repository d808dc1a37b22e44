/**
 * Clickstream: producers -> Kinesis stream -> aggregator Lambda -> DynamoDB; Firehose -> S3.
 *
 * 1. On MiniStack, end to end: 50,000 clicks of 100 sessions (500 each, `seq` 0..499) are put
 *    with the library's KinesisProducer through a fault proxy that fails some records of each
 *    PutRecords call (ProvisionedThroughputExceededException) for real. The producer must get
 *    every record in exactly once, and in order per session. The deployed aggregator (a real
 *    Lambda process, fed by MiniStack's Kinesis event source mapping) must see every session's
 *    500 events in order (its session items count events, order breaks and replays), and page
 *    counts must add up to 50,000. Firehose must archive the raw events to S3.
 * 2. Poison record, NOT on the emulator's event source mapping (MiniStack has no bisect, retry
 *    limit or on-failure destination for Kinesis; docs/local-aws-fidelity.md): 2,000 clicks and
 *    one poison record on a one-shard stream of MiniStack, consumed by the aggregator code through
 *    `kinesis-esm-model.ts` with the deployed mapping's settings. The poison must be isolated by
 *    bisection and land in the stack's on-failure queue, and every other record be counted.
 */
import { randomBytes } from 'crypto';
import { gunzipSync } from 'zlib';
import { GetTemplateCommand } from '@aws-sdk/client-cloudformation';
import { CreateStreamCommand, DeleteStreamCommand, DescribeStreamSummaryCommand, GetRecordsCommand, GetShardIteratorCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { processBatch } from '../../../lambda/clickstream-aggregator.lambda';
import { KinesisProducer, PutAllResult } from '../../../lambda/kinesis-producer';
import { clientConfig } from '../clients';
import { drainQueue, listObjectKeys, PlainItem, scanTable, waitFor } from '../collect';
import { EsmSettings, readStream, runEsmModel } from '../kinesis-esm-model';
import { startKinesisFaultProxy } from '../kinesis-fault-proxy';
import { listIds, output, Row, Scenario, ScenarioContext, ScenarioResult } from './types';

export const CLICKSTREAM_STACK = 'IntegrationPatterns-Clickstream';
const ARCHITECTURE = 'clickstream';

export interface ClickstreamTraffic {
  readonly sessions: number;
  readonly eventsPerSession: number;
  readonly pages: number;
  /** The proxy fails every n-th record put, for the first `faultLimit` records it sees. */
  readonly faultEvery: number;
  readonly faultLimit: number;
  readonly consumeTimeoutMs: number;
  readonly poisonSessions: number;
  readonly poisonEventsPerSession: number;
  /** Index of the poison record among the poison run's records. */
  readonly poisonAt: number;
}

export const DEFAULT_CLICKSTREAM_TRAFFIC: ClickstreamTraffic = {
  sessions: 100,
  eventsPerSession: 500,
  pages: 10,
  faultEvery: 7,
  faultLimit: 20_000,
  consumeTimeoutMs: 180_000,
  poisonSessions: 20,
  poisonEventsPerSession: 100,
  poisonAt: 1234,
};

interface ClickRecord { readonly sessionId: string; readonly seq: number; readonly page: string; readonly ts: number }

/** Clicks interleaved across sessions, as many browsers would send them. */
export function planClicks(prefix: string, run: string, sessions: number, perSession: number, pages: number, start: number): ClickRecord[] {
  const clicks: ClickRecord[] = [];
  for (let seq = 0; seq < perSession; seq++) {
    for (let s = 0; s < sessions; s++) {
      clicks.push({ sessionId: `${prefix}-${run}-${s}`, seq, page: `/r${run}/p${(s + seq) % pages}`, ts: start + seq * 50 });
    }
  }
  return clicks;
}

function kinesisClient(endpoint: string): KinesisClient {
  return new KinesisClient({ ...clientConfig(endpoint), requestHandler: new NodeHttpHandler({ connectionTimeout: 5000, requestTimeout: 60_000 }) });
}

/** Session items of a run, by session id. */
async function sessionsOf(items: readonly PlainItem[], prefix: string): Promise<Map<string, PlainItem>> {
  return new Map(items.filter(i => String(i.pk).startsWith(`SESSION#${prefix}`)).map(i => [String(i.pk).slice('SESSION#'.length), i]));
}

export function clickstreamScenario(options: { traffic?: ClickstreamTraffic } = {}): Scenario {
  return {
    architecture: ARCHITECTURE,
    stackName: CLICKSTREAM_STACK,
    run: context => runClickstream({ ...context, stackName: CLICKSTREAM_STACK }, options.traffic ?? DEFAULT_CLICKSTREAM_TRAFFIC),
  };
}

async function runClickstream(context: ScenarioContext, traffic: ClickstreamTraffic): Promise<ScenarioResult> {
  const started = Date.now();
  const { clients, outputs, stackName, log } = context;
  const streamName = output(outputs, stackName, 'StreamName');
  const tableName = output(outputs, stackName, 'TableName');
  const onFailureQueueUrl = output(outputs, stackName, 'OnFailureQueueUrl');
  const bucket = output(outputs, stackName, 'ArchiveBucketName');
  const run = randomBytes(3).toString('hex');
  const rows: Row[] = [];
  const row = (what: string, where: string, expected: number, arrived: number, ok: boolean, problem: string) =>
    rows.push({ architecture: ARCHITECTURE, what, where, expected, arrived, ok, ...(ok ? {} : { problem }) });

  // --- 1. 50,000 clicks through the fault proxy, consumed by MiniStack's event source mapping ---
  const objectsBefore = new Set(await listObjectKeys(clients, bucket, 'raw/'));
  const clicks = planClicks('c', run, traffic.sessions, traffic.eventsPerSession, traffic.pages, Date.now());
  const failRecord = (n: number) => n < traffic.faultLimit && n % traffic.faultEvery === traffic.faultEvery - 1;
  const proxy = await startKinesisFaultProxy({ target: clients.endpoint, failRecord });
  const producerClient = kinesisClient(proxy.endpoint);
  let put: PutAllResult | undefined;
  let putError: Error | undefined;
  const putStarted = Date.now();
  try {
    log(`${stackName}: putting ${clicks.length.toLocaleString('en-US')} clicks of ${traffic.sessions} sessions with KinesisProducer through the fault proxy (run ${run})`);
    const producer = new KinesisProducer({ client: producerClient, streamName, baseDelayMs: 10, maxDelayMs: 200 });
    put = await producer.putAll(clicks.map(c => ({ data: JSON.stringify(c), partitionKey: c.sessionId })));
  } catch (err) {
    putError = err as Error;
  } finally {
    producerClient.destroy();
    await proxy.close();
  }
  log(`${stackName}: ${put?.recordsPut ?? 0} records put in ${put?.calls ?? '?'} PutRecords calls (${((Date.now() - putStarted) / 1000).toFixed(1)} s); ` +
    `the proxy failed ${proxy.failed()} records, the producer retried ${put?.retriedRecords ?? '?'}`);
  row('producer: every record in despite partial PutRecords failures', 'stream (via fault proxy)', clicks.length, put?.recordsPut ?? 0,
    !putError && put?.recordsPut === clicks.length && proxy.failed() > 0 && put.retriedRecords === proxy.failed(),
    putError ? `KinesisProducer failed: ${putError.message}`
      : `${put?.recordsPut} of ${clicks.length} put; proxy failed ${proxy.failed()} records, producer retried ${put?.retriedRecords} (must be equal and > 0)`);

  // What the stream holds for this run: each click exactly once, in order per session.
  const inStream = [...(await readStream(clients, streamName)).values()].flat()
    .map(r => { try { return JSON.parse(Buffer.from(r.Data!).toString('utf8')) as ClickRecord; } catch { return undefined; } })
    .filter((c): c is ClickRecord => c !== undefined && String(c.sessionId).startsWith(`c-${run}-`));
  const counts = new Map<string, number>();
  for (const c of inStream) counts.set(`${c.sessionId}#${c.seq}`, (counts.get(`${c.sessionId}#${c.seq}`) ?? 0) + 1);
  const missingInStream = clicks.filter(c => !counts.has(`${c.sessionId}#${c.seq}`)).map(c => `${c.sessionId}#${c.seq}`);
  const duplicatedInStream = [...counts.entries()].filter(([, n]) => n > 1).map(([k]) => k);
  row('stream holds each click exactly once', `stream ${streamName}`, clicks.length, counts.size,
    missingInStream.length === 0 && duplicatedInStream.length === 0 && inStream.length === clicks.length,
    `${missingInStream.length} missing (${listIds(missingInStream)}), ${duplicatedInStream.length} duplicated (${listIds(duplicatedInStream)})`);
  const lastSeq = new Map<string, number>();
  const outOfOrder = new Set<string>();
  for (const c of inStream) {
    if (c.seq !== (lastSeq.get(c.sessionId) ?? -1) + 1) outOfOrder.add(c.sessionId);
    lastSeq.set(c.sessionId, c.seq);
  }
  row('stream order per session (partition key) kept under retries', `stream ${streamName}`, traffic.sessions, traffic.sessions - outOfOrder.size,
    outOfOrder.size === 0, `sessions out of order in the stream: ${listIds([...outOfOrder])}`);

  // The deployed aggregator, fed by MiniStack's event source mapping.
  const complete = (s: PlainItem | undefined) =>
    s !== undefined && s.events === traffic.eventsPerSession && s.lastSeq === traffic.eventsPerSession - 1;
  const consumed = await waitFor(async () => sessionsOf(await scanTable(clients, tableName), `c-${run}-`),
    sessions => sessions.size === traffic.sessions && [...sessions.values()].every(complete),
    { timeoutMs: traffic.consumeTimeoutMs, intervalMs: 2000 });
  log(`${stackName}: ${[...consumed.value.values()].filter(complete).length} of ${traffic.sessions} sessions complete in the table after ${(consumed.waitedMs / 1000).toFixed(1)} s`);
  const items = await scanTable(clients, tableName);
  const sessions = await sessionsOf(items, `c-${run}-`);
  const sessionIds = Array.from({ length: traffic.sessions }, (_, s) => `c-${run}-${s}`);
  const inOrder = sessionIds.filter(id => {
    const s = sessions.get(id);
    return complete(s) && !s!.orderBreaks && !s!.duplicates;
  });
  const bad = sessionIds.filter(id => !inOrder.includes(id)).map(id => {
    const s = sessions.get(id);
    return s ? `${id} (events ${s.events}, lastSeq ${s.lastSeq}, orderBreaks ${s.orderBreaks ?? 0}, duplicates ${s.duplicates ?? 0})` : `${id} (no item)`;
  });
  row('aggregator (Lambda in MiniStack) saw every session\'s 500 events in order', `table ${tableName}`, traffic.sessions, inOrder.length,
    inOrder.length === traffic.sessions, `sessions not seen complete and in order: ${listIds(bad, 5)}`);
  const pageClicks = items.filter(i => String(i.pk).startsWith(`PAGE#/r${run}/`)).reduce((n, i) => n + Number(i.clicks ?? 0), 0);
  row('per-minute page counts add up to every click', `table ${tableName}`, clicks.length, pageClicks, pageClicks === clicks.length,
    `page counts add up to ${pageClicks}, not ${clicks.length}`);
  const failuresAfterMain = await drainQueue(clients, onFailureQueueUrl, { emptyReceives: 1, waitTimeSeconds: 0 });
  row('no failed batches for valid clicks', 'on-failure queue', 0, failuresAfterMain.length, failuresAfterMain.length === 0,
    `${failuresAfterMain.length} messages in the on-failure queue: ${failuresAfterMain.map(m => m.Body).join(' | ').slice(0, 300)}`);

  // Firehose archive under raw/. MiniStack's Firehose writes one object per record, synchronously
  // inside PutRecords, uncompressed (docs/local-aws-fidelity.md): count the new objects and read a
  // sample of them for this run's clicks.
  const needle = `"sessionId":"c-${run}-`;
  const archivedKeys = (await listObjectKeys(clients, bucket, 'raw/')).filter(k => !objectsBefore.has(k));
  const sample = archivedKeys.filter((_, i) => i % Math.max(1, Math.floor(archivedKeys.length / 25)) === 0).slice(0, 25);
  let sampleHits = 0;
  for (const key of sample) {
    const obj = await clients.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const bytes = Buffer.from(await obj.Body!.transformToByteArray());
    const text = (bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes).toString('utf8');
    if (text.includes(needle)) sampleHits++;
  }
  row('raw clicks archived by Firehose under raw/ (MiniStack: one object per record)', `bucket ${bucket}`, clicks.length, archivedKeys.length,
    archivedKeys.length === clicks.length && sample.length > 0 && sampleHits === sample.length,
    `${archivedKeys.length} new objects under s3://${bucket}/raw/ for ${clicks.length} clicks; ${sampleHits} of ${sample.length} sampled objects hold this run's clicks`);

  // --- 2. A poison record, through the model of AWS's mapping (not the emulator's) ---
  const poisonStream = `clickstream-poison-${run}`;
  const kinesis = kinesisClient(clients.endpoint);
  try {
    await kinesis.send(new CreateStreamCommand({ StreamName: poisonStream, ShardCount: 1 }));
    const describe = async () => (await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: poisonStream }))).StreamDescriptionSummary!;
    const summary = await waitFor(describe,
      s => s.StreamStatus === 'ACTIVE', { timeoutMs: 30_000, intervalMs: 500 });
    const poisonClicks = planClicks('p', run, traffic.poisonSessions, traffic.poisonEventsPerSession, traffic.pages, Date.now());
    const records = poisonClicks.map(c => ({ data: JSON.stringify(c), partitionKey: c.sessionId }));
    records.splice(traffic.poisonAt, 0, { data: `{"sessionId":"p-${run}-poison", truncated`, partitionKey: `p-${run}-0` });
    const poisonPut = await new KinesisProducer({ client: kinesis, streamName: poisonStream, preserveOrderPerKey: false }).putAll(records);
    const poisonSequence = poisonPut.sequenceNumbers[traffic.poisonAt];
    const settings = await mappingSettings(context, onFailureQueueUrl);
    log(`${stackName}: poison run on ${poisonStream} (${records.length} records, poison at ${traffic.poisonAt}) through the ESM model with the deployed mapping's settings ` +
      `(batch ${settings.batchSize}, bisect ${settings.bisectBatchOnFunctionError}, retries ${settings.maximumRetryAttempts})`);
    // The aggregator logs a warning each time it stops at the poison (expected here, ~10 times).
    const consume = async (event: Parameters<typeof processBatch>[2]) => {
      const warn = console.warn;
      console.warn = () => undefined;
      try {
        return await processBatch(clients.dynamodb, tableName, event);
      } finally {
        console.warn = warn;
      }
    };
    const report = await runEsmModel(clients, { name: poisonStream, arn: summary.value.StreamARN! }, settings, consume);
    log(`${stackName}: ESM model: ${report.invocations} invocations, ${report.bisections.length} bisections (${report.bisections.join(' -> ')}), ${report.onFailure.length} on-failure message(s)`);

    const failed = await waitFor(() => drainQueue(clients, onFailureQueueUrl, { emptyReceives: 1, waitTimeSeconds: 1 }),
      m => m.length > 0, { timeoutMs: 10_000 });
    const infos = failed.value.map(m => (JSON.parse(m.Body ?? '{}') as { KinesisBatchInfo?: { startSequenceNumber: string; endSequenceNumber: string; batchSize: number; shardId: string } }).KinesisBatchInfo);
    const isolated = infos.length === 1 && infos[0]?.batchSize === 1
      && infos[0].startSequenceNumber === poisonSequence && infos[0].endSequenceNumber === poisonSequence;
    row('poison isolated by bisection, its coordinates in the on-failure queue (ESM MODEL, not MiniStack)', 'on-failure queue', 1,
      infos.filter(i => i?.startSequenceNumber === poisonSequence).length, isolated && report.bisections.length > 0,
      `on-failure messages: ${JSON.stringify(infos)}; poison sequence ${poisonSequence}; bisections ${report.bisections.length}`);

    // The coordinates are enough to replay the poison record from the stream.
    let replayed = '';
    if (infos[0]) {
      const it = await kinesis.send(new GetShardIteratorCommand({
        StreamName: poisonStream, ShardId: infos[0].shardId, ShardIteratorType: 'AT_SEQUENCE_NUMBER', StartingSequenceNumber: infos[0].startSequenceNumber,
      }));
      const got = await kinesis.send(new GetRecordsCommand({ ShardIterator: it.ShardIterator!, Limit: 1 }));
      replayed = Buffer.from(got.Records?.[0]?.Data ?? new Uint8Array()).toString('utf8');
    }
    row('the poison record read back from the stream by its on-failure coordinates', `stream ${poisonStream}`, 1, replayed.includes('truncated') ? 1 : 0,
      replayed.includes('truncated'), `GetRecords at the reported sequence number returned ${JSON.stringify(replayed.slice(0, 80))}`);

    const poisonSessions = await sessionsOf(await scanTable(clients, tableName), `p-${run}-`);
    const counted = [...poisonSessions.values()].reduce((n, s) => n + Number(s.events ?? 0), 0);
    const broken = [...poisonSessions.entries()]
      .filter(([, s]) => Number(s.orderBreaks ?? 0) > 0 || s.lastSeq !== traffic.poisonEventsPerSession - 1).map(([id]) => id);
    row('every other record of the poison run counted once, in order (ESM MODEL)', `table ${tableName}`, poisonClicks.length, counted,
      counted === poisonClicks.length && broken.length === 0 && poisonSessions.size === traffic.poisonSessions,
      `${counted} of ${poisonClicks.length} counted; sessions incomplete or out of order: ${listIds(broken)}`);
  } finally {
    await kinesis.send(new DeleteStreamCommand({ StreamName: poisonStream })).catch(() => undefined);
    kinesis.destroy();
  }
  return { architecture: ARCHITECTURE, stackName, rows, durationMs: Date.now() - started };
}

/** The deployed event source mapping's settings, read from the stack's template. */
async function mappingSettings(context: ScenarioContext, onFailureQueueUrl: string): Promise<EsmSettings> {
  const template = await context.clients.cloudformation.send(new GetTemplateCommand({ StackName: context.stackName }));
  const resources = (JSON.parse(template.TemplateBody ?? '{}') as { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> }).Resources;
  const mapping = Object.values(resources).find(r => r.Type === 'AWS::Lambda::EventSourceMapping');
  if (!mapping) throw new Error(`${context.stackName} has no AWS::Lambda::EventSourceMapping`);
  const p = mapping.Properties;
  return {
    batchSize: Number(p.BatchSize ?? 100),
    bisectBatchOnFunctionError: p.BisectBatchOnFunctionError === true,
    reportBatchItemFailures: Array.isArray(p.FunctionResponseTypes) && p.FunctionResponseTypes.includes('ReportBatchItemFailures'),
    maximumRetryAttempts: Number(p.MaximumRetryAttempts ?? -1) < 0 ? 10_000 : Number(p.MaximumRetryAttempts),
    onFailureQueueUrl,
    functionArn: output(context.outputs, context.stackName, 'AggregatorFunctionName'),
  };
}
