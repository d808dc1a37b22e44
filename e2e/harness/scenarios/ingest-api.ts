/**
 * Ingest API: one REST FrontDoor (IAM) -> orders queue, clicks stream, ingest bus (-> audit queue)
 * and the quotes Express workflow, no Lambda in between.
 *
 * - POST /orders through MiniStack's own API Gateway (it forwards REST -> SQS): 1,000 SigV4-signed
 *   requests with hostile bodies, retried after 429; every body in the queue once, byte for byte.
 * - POST /clicks, /events, /quotes: MiniStack answers 504 for REST integrations to Kinesis,
 *   EventBridge and Step Functions, so they run through the LABELLED integration model
 *   (../front-door-model.ts: the deployed integration read back, its template rendered as API
 *   Gateway would, sent to MiniStack). A tripwire row fails when MiniStack starts forwarding them.
 *
 * e2e/front-door.e2e.test.ts asserts on these same functions; `npx projen local` prints the rows.
 */
import { randomBytes } from 'crypto';
import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand } from '@aws-sdk/client-kinesis';
import { ADVERSARIAL_PAYLOADS, withFields } from '../../../test/support/adversarial-payloads';
import { LocalClients } from '../clients';
import { drainQueue } from '../collect';
import { DeployedIntegration, invokeThroughModel, MODEL_LABEL, ModelResponse, readIntegration } from '../front-door-model';
import { signedFetch } from '../sigv4';
import { listIds, output, Row, Scenario, ScenarioContext, ScenarioResult } from './types';

export const INGEST_API_STACK = 'IntegrationPatterns-IngestApi';
const ARCHITECTURE = 'ingest-api';

/** The deployed IngestApi stack as the scenario and the e2e test use it. */
export interface IngestApi {
  readonly clients: LocalClients;
  readonly restApiId: string;
  readonly ordersQueueUrl: string;
  readonly clicksStreamName: string;
  readonly auditQueueUrl: string;
}

export function ingestApi(clients: LocalClients, outputs: ScenarioContext['outputs'], stackName = INGEST_API_STACK): IngestApi {
  return {
    clients,
    restApiId: output(outputs, stackName, 'IngestRestApiId'),
    ordersQueueUrl: output(outputs, stackName, 'OrdersQueueUrl'),
    clicksStreamName: output(outputs, stackName, 'ClicksStreamName'),
    auditQueueUrl: output(outputs, stackName, 'EventsAuditQueueUrl'),
  };
}

/** POST on the emulator's execute-api endpoint, SigV4-signed (the routes use IAM authorization). */
export function postIngest(api: IngestApi, path: string, body: string): Promise<{ status: number; text: string }> {
  return signedFetch(api.clients.endpoint, 'execute-api', 'POST', `/_aws/execute-api/${api.restApiId}/prod/${path}`, { 'content-type': 'application/json' }, body);
}

export async function inBatches<T, R>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += concurrency) results.push(...await Promise.all(items.slice(i, i + concurrency).map(fn)));
  return results;
}

/** Drains a queue and groups the bodies by the id `idOf` finds (undefined: not ours). */
export async function drainIds(clients: LocalClients, queueUrl: string, idOf: (body: any) => string | undefined): Promise<Map<string, string[]>> {
  const seen = new Map<string, string[]>();
  for (const m of await drainQueue(clients, queueUrl, { emptyReceives: 3, waitTimeSeconds: 1 })) {
    const id = idOf(JSON.parse(m.Body ?? '{}'));
    if (id !== undefined) seen.set(id, [...(seen.get(id) ?? []), m.Body ?? '']);
  }
  return seen;
}

/** What POST /orders did: every order's answer, the 429 retries, and what landed. */
export interface OrdersResult {
  readonly sent: number;
  readonly refused: string[];
  readonly retriedAfter429: number;
  readonly landed: number;
  readonly duplicates: string[];
  readonly missing: string[];
  readonly altered: string[];
}

/** `count` signed POST /orders with hostile bodies, 10 in flight, each retried after 429; then the queue drained and compared. */
export async function sendOrders(api: IngestApi, run: string, count: number): Promise<OrdersResult> {
  const orders = Array.from({ length: count }, (_, i) => ({ id: `fd-${run}-${i}`, body: JSON.stringify({ orderId: `fd-${run}-${i}`, customerId: 'c\'1', amount: i, note: 'it\'s "ok" é 🎉' }) }));
  let throttled = 0;
  const answers = await inBatches(orders, 10, async o => {
    for (let attempt = 0; ; attempt++) {
      const r = await postIngest(api, 'orders', o.body);
      if (r.status !== 429 || attempt > 20) return { ...o, ...r };
      throttled++;
      await new Promise(res => setTimeout(res, 100 * (attempt + 1)));
    }
  });
  const landed = await drainIds(api.clients, api.ordersQueueUrl, b => (typeof b.orderId === 'string' && b.orderId.startsWith(`fd-${run}-`) ? b.orderId : undefined));
  return {
    sent: orders.length,
    refused: answers.filter(a => a.status !== 200).map(a => `${a.id}: ${a.status} ${a.text.slice(0, 100)}`),
    retriedAfter429: throttled,
    landed: landed.size,
    duplicates: [...landed].filter(([, bodies]) => bodies.length !== 1).map(([id]) => id),
    missing: orders.filter(o => !landed.has(o.id)).map(o => o.id),
    altered: orders.filter(o => landed.get(o.id)?.[0] !== undefined && landed.get(o.id)![0] !== o.body).map(o => o.id),
  };
}

/** The routes MiniStack does not forward, read back from the deployed API. */
export async function readModelRoutes(api: IngestApi): Promise<Record<'clicks' | 'events' | 'quotes', DeployedIntegration>> {
  const [clicks, events, quotes] = await Promise.all(['/clicks', '/events', '/quotes'].map(p => readIntegration(api.clients.endpoint, api.restApiId, p)));
  return { clicks, events, quotes };
}

/** The tripwire: what MiniStack's own API Gateway answers for the three routes (504 while it cannot forward them). */
export async function tripwire(api: IngestApi, run: string): Promise<number[]> {
  const answers = await Promise.all([
    postIngest(api, 'clicks', JSON.stringify({ sessionId: `trip-${run}`, page: '/' })),
    postIngest(api, 'events', JSON.stringify({ tripwire: run })),
    postIngest(api, 'quotes', JSON.stringify({ productId: 'p', quantity: 1 })),
  ]);
  return answers.map(a => a.status);
}

/** POST /clicks through the model: each hostile body on the stream once, byte for byte. */
export async function clicksThroughModel(api: IngestApi, integration: DeployedIntegration, run: string) {
  const sent = ADVERSARIAL_PAYLOADS.map((p, i) => withFields(p, { sessionId: `s-${run}-${i}`, page: '/p' }));
  const answers = await inBatches(sent, 5, p => invokeThroughModel(api.clients.endpoint, integration, p.body));
  const records: string[] = [];
  const shards = await api.clients.kinesis.send(new ListShardsCommand({ StreamName: api.clicksStreamName }));
  for (const shard of shards.Shards ?? []) {
    let iterator = (await api.clients.kinesis.send(new GetShardIteratorCommand({ StreamName: api.clicksStreamName, ShardId: shard.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
    for (let empty = 0; iterator && empty < 2;) {
      const page = await api.clients.kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
      for (const r of page.Records ?? []) records.push(Buffer.from(r.Data!).toString('utf8'));
      empty = (page.Records ?? []).length === 0 ? empty + 1 : 0;
      iterator = page.NextShardIterator;
    }
  }
  return { sent: sent.map(p => p.body), answers, onStream: records.filter(r => r.includes(`"s-${run}-`)) };
}

/** POST /events through the model: each body (under the audit queue's 256 KB) one event in the audit queue. */
export async function eventsThroughModel(api: IngestApi, integration: DeployedIntegration, run: string) {
  // The ~256 KB body is left out: wrapped in the event envelope it would exceed the audit queue's 256 KB message limit.
  const sent = ADVERSARIAL_PAYLOADS.filter(p => p.body.length < 200_000).map((p, i) => withFields(p, { marker: `e-${run}-${i}` }));
  const answers = await inBatches(sent, 5, p => invokeThroughModel(api.clients.endpoint, integration, p.body));
  let landed = new Map<string, string[]>();
  for (let i = 0; i < 20 && landed.size < sent.length; i++) {
    const more = await drainIds(api.clients, api.auditQueueUrl, e => (typeof e.detail?.marker === 'string' && e.detail.marker.startsWith(`e-${run}-`) ? e.detail.marker : undefined));
    landed = new Map([...landed, ...[...more].map(([k, v]) => [k, [...(landed.get(k) ?? []), ...v]] as [string, string[]])]);
  }
  return { sent: sent.map(p => p.body), answers, landed };
}

/** POST /quotes through the model: the Express workflow runs synchronously; its output is the answer. */
export async function quotesThroughModel(api: IngestApi, integration: DeployedIntegration)
  : Promise<{ sent: Array<{ productId: string; quantity: number }>; answers: ModelResponse[] }> {
  const sent = ADVERSARIAL_PAYLOADS.filter(p => p.body.length < 200_000).map((p, i) => ({ payload: p, productId: `p-${i}`, quantity: i + 1 }));
  const answers = await inBatches(sent, 5, s =>
    invokeThroughModel(api.clients.endpoint, integration, withFields(s.payload, { productId: s.productId, quantity: s.quantity }).body));
  return { sent: sent.map(s => ({ productId: s.productId, quantity: s.quantity })), answers };
}

/** Whether a quote answer is the workflow's output for the request. */
export function quoteAnswered(a: ModelResponse, expected: { productId: string; quantity: number }): boolean {
  if (a.status !== 200 || a.backendStatus !== 200) return false;
  try {
    const q = JSON.parse(a.body);
    return q.productId === expected.productId && q.quantity === expected.quantity && q.unitPrice === 9.5 && q.currency === 'EUR';
  } catch {
    return false;
  }
}

export interface IngestApiTraffic {
  /** Signed POST /orders through MiniStack's API Gateway. */
  readonly orders: number;
}

export const INGEST_API_TRAFFIC: IngestApiTraffic = { orders: 1000 };

/** The ingest API scenario (`npx projen local`). */
export function ingestApiScenario(stackName = INGEST_API_STACK, traffic: IngestApiTraffic = INGEST_API_TRAFFIC): Scenario {
  return { architecture: ARCHITECTURE, stackName, run: context => runIngestApi({ ...context, stackName }, traffic) };
}

async function runIngestApi(context: ScenarioContext, traffic: IngestApiTraffic): Promise<ScenarioResult> {
  const started = Date.now();
  const { stackName, log } = context;
  const api = ingestApi(context.clients, context.outputs, stackName);
  const run = randomBytes(3).toString('hex');
  const row = (what: string, where: string, expected: number, arrived: number, ok: boolean, problem: string): Row =>
    ({ architecture: ARCHITECTURE, what, where, expected, arrived, ok, ...(ok ? {} : { problem }) });

  log(`${stackName}: ${traffic.orders} signed POST /orders through MiniStack's API Gateway (run ${run})`);
  const orders = await sendOrders(api, run, traffic.orders);
  log(`${stackName}: ${orders.sent} POST /orders (${orders.retriedAfter429} retried after 429), ${orders.landed} landed`);
  const statuses = await tripwire(api, run);
  const routes = await readModelRoutes(api);
  log(`${stackName}: /clicks, /events, /quotes ${MODEL_LABEL}`);
  const clicks = await clicksThroughModel(api, routes.clicks, run);
  const events = await eventsThroughModel(api, routes.events, run);
  const quotes = await quotesThroughModel(api, routes.quotes);

  const clicksMissing = clicks.sent.filter(b => clicks.onStream.filter(r => r === b).length !== 1).length;
  const eventsWrong = events.sent.filter(b => {
    const copies = events.landed.get(JSON.parse(b).marker) ?? [];
    if (copies.length !== 1) return true;
    const e = JSON.parse(copies[0]);
    return e.source !== 'ingest.api' || e['detail-type'] !== 'IngestEvent' || JSON.stringify(e.detail) !== JSON.stringify(JSON.parse(b));
  }).length;
  const quotesWrong = quotes.sent.filter((q, i) => !quoteAnswered(quotes.answers[i], q)).length;
  const orderProblems = [...orders.refused, ...orders.duplicates.map(d => `${d} twice`), ...orders.missing.map(m => `${m} missing`), ...orders.altered.map(a => `${a} altered`)];
  const rows: Row[] = [
    row(`POST /orders (MiniStack's API Gateway, ${orders.retriedAfter429} retried after 429): in the queue once, byte for byte`, 'orders queue', orders.sent,
      orders.sent - orders.missing.length - orders.altered.length, orderProblems.length === 0 && orders.landed === orders.sent,
      `${orderProblems.length} problems: ${listIds(orderProblems)}`),
    row('tripwire: MiniStack still answers 504 for REST -> Kinesis, EventBridge, Step Functions (so the model is used)', 'API Gateway', 3,
      statuses.filter(s => s !== 200).length, statuses.every(s => s !== 200),
      `MiniStack answered ${statuses.join(', ')}: it forwards now; prove those routes through it and retire the model`),
    row(`POST /clicks ${MODEL_LABEL}: on the stream once, byte for byte`, 'clicks stream', clicks.sent.length, clicks.sent.length - clicksMissing,
      clicksMissing === 0 && clicks.answers.every(a => a.status === 200), `${clicksMissing} bodies not on the stream exactly once; answers ${clicks.answers.map(a => a.status).join(', ')}`),
    row(`POST /events ${MODEL_LABEL}: one event each, detail = body`, 'audit queue', events.sent.length, events.sent.length - eventsWrong,
      eventsWrong === 0 && events.answers.every(a => a.status === 200), `${eventsWrong} bodies not one event with detail = body; answers ${events.answers.map(a => a.status).join(', ')}`),
    row(`POST /quotes ${MODEL_LABEL}: the Express workflow's output is the answer`, 'quotes workflow', quotes.sent.length, quotes.sent.length - quotesWrong,
      quotesWrong === 0, `${quotesWrong} quotes not answered with the workflow's output: ${quotes.answers.filter((a, i) => !quoteAnswered(a, quotes.sent[i])).map(a => `${a.status} ${a.body.slice(0, 80)}`).slice(0, 3).join(' | ')}`),
  ];
  return { architecture: ARCHITECTURE, stackName, rows, durationMs: Date.now() - started };
}
