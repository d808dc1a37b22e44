/**
 * FrontDoor on MiniStack: the IngestApi reference architecture deployed by the e2e globalSetup.
 *
 * - POST /orders goes through MiniStack's own API Gateway (it forwards REST -> SQS in the
 *   `path/{account}/{queue}` form): 1,000 signed requests land in the queue exactly once, ids and
 *   bodies compared; a burst past the stage's limit is answered 429 and none of those land.
 * - POST /clicks, /events, /quotes: MiniStack answers 504 for REST integrations to Kinesis,
 *   EventBridge and Step Functions (LOCAL-EMULATION.md). They are proven through the LABELLED
 *   integration model (e2e/harness/front-door-model.ts): the deployed integration is read back
 *   from the emulator, rendered as API Gateway would and sent to MiniStack; every request must land
 *   once. A tripwire fails when MiniStack starts forwarding them, so the model can be retired.
 *   These checks are the IngestApi local scenario's code (harness/scenarios/ingest-api.ts).
 * - The fixture e2e/fixtures/front-door-api-key.ts: API key required, usage-plan quota enforced;
 *   and an HTTP API FrontDoor with every first-class route, which MiniStack does not run (502),
 *   proven through the LABELLED HTTP API model (the deployed request parameters mapped as API
 *   Gateway documents, sent with the SDK), with its own tripwire.
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand } from '@aws-sdk/client-kinesis';
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { FIXTURE_DAILY_QUOTA, FIXTURE_DETAIL_TYPE, FIXTURE_EVENT_SOURCE, FIXTURE_GROUP_HEADER, FRONT_DOOR_FIXTURE_STACK } from './fixtures/front-door-api-key';
import { clientConfig, LocalClients, localClients } from './harness/clients';
import { deployApp, readOutputs } from './harness/deploy';
import { EmulatorState, readEmulatorState } from './harness/emulator';
import {
  DeployedHttpIntegration, DeployedIntegration, HTTP_MODEL_LABEL, HttpModelClients, invokeHttpThroughModel, MODEL_LABEL,
  readHttpIntegrations, signedFetch,
} from './harness/front-door-model';
import { progress } from './harness/paths';
import {
  clicksThroughModel, drainIds as drainQueueIds, eventsThroughModel, inBatches, ingestApi, IngestApi, postIngest, quoteAnswered, quotesThroughModel,
  readModelRoutes, sendOrders, tripwire,
} from './harness/scenarios/ingest-api';
import { ADVERSARIAL_PAYLOADS, withFields } from '../test/support/adversarial-payloads';

const STACK = 'IntegrationPatterns-IngestApi';
const run = `${Date.now().toString(36)}`;
let emulator: EmulatorState;
let out: Record<string, string>;
let clients: LocalClients;

beforeAll(() => {
  emulator = readEmulatorState();
  out = readOutputs()[STACK];
  clients = localClients(emulator.endpoint);
});
afterAll(() => clients?.destroy());

let api: IngestApi;
beforeAll(() => { api = ingestApi(clients, readOutputs(), STACK); });

/** POST on the emulator's execute-api endpoint, SigV4-signed (the routes use IAM authorization). */
const post = (path: string, body: string) => postIngest(api, path, body);
const drainIds = (queueUrl: string, idOf: (body: any) => string | undefined) => drainQueueIds(clients, queueUrl, idOf);

// The IngestApi checks are the local scenario's (e2e/harness/scenarios/ingest-api.ts): `npx projen local` runs the same code.
describe('front door on MiniStack: the emulator\'s own API Gateway (REST -> SQS)', () => {
  test('1,000 signed POST /orders land in the orders queue exactly once, byte for byte (ids compared)', async () => {
    const r = await sendOrders(api, run, 1000);
    progress(`front door: ${r.sent} POST /orders accepted (${r.retriedAfter429} retried after 429), ${r.landed} landed, `
      + `${r.duplicates.length} duplicates, ${r.missing.length} missing, ${r.altered.length} altered`);
    expect(r.refused).toEqual([]);
    expect({ duplicates: r.duplicates, missing: r.missing, altered: r.altered, landed: r.landed })
      .toEqual({ duplicates: [], missing: [], altered: [], landed: 1000 });
  });

  test('a burst past the stage limit (burst 200) is answered 429, and no request answered 429 reaches the queue', async () => {
    const burst = Array.from({ length: 600 }, (_, i) => ({ id: `burst-${run}-${i}`, body: JSON.stringify({ orderId: `burst-${run}-${i}`, customerId: 'c', amount: 1 }) }));
    const answers = await Promise.all(burst.map(async b => ({ ...b, ...(await post('orders', b.body)) })));
    const accepted = new Set(answers.filter(a => a.status === 200).map(a => a.id));
    const throttled = answers.filter(a => a.status === 429).length;
    const landed = await drainIds(out.OrdersQueueUrl, b => (typeof b.orderId === 'string' && b.orderId.startsWith(`burst-${run}-`) ? b.orderId : undefined));
    progress(`front door: burst of 600 -> ${accepted.size} x 200, ${throttled} x 429, ${landed.size} landed`);
    expect(throttled).toBeGreaterThan(0);
    expect(answers.every(a => a.status === 200 || a.status === 429)).toBe(true);
    expect([...landed.keys()].sort()).toEqual([...accepted].sort());
    expect([...landed.values()].every(v => v.length === 1)).toBe(true);
  });
});

describe(`front door routes MiniStack does not forward, through the integration model ${MODEL_LABEL}`, () => {
  let integrations: Record<'clicks' | 'events' | 'quotes', DeployedIntegration>;
  beforeAll(async () => { integrations = await readModelRoutes(api); });

  test('tripwire: MiniStack\'s API Gateway still does not forward REST integrations to Kinesis, EventBridge and Step Functions', async () => {
    const statuses = await tripwire(api, run);
    progress(`front door tripwire: MiniStack answers ${statuses.join(', ')} for /clicks, /events, /quotes`);
    // When one of these turns 200, MiniStack has gained the feature: prove that route through it and drop it from the model.
    expect(statuses.map(s => s === 200)).toEqual([false, false, false]);
  });

  test('POST /clicks: the deployed integration read back is the PutRecord the construct synthesized', () => {
    expect(integrations.clicks.uri).toMatch(/:kinesis:action\/PutRecord$/);
    expect(integrations.clicks.requestTemplates['application/json']).toContain('$util.base64Encode($input.body)');
  });

  test(`POST /clicks ${MODEL_LABEL}: every adversarial payload is on the stream once, byte for byte`, async () => {
    const r = await clicksThroughModel(api, integrations.clicks, run);
    expect(r.answers.map(a => [a.status, JSON.parse(a.body).sequenceNumber !== undefined])).toEqual(r.sent.map(() => [200, true]));
    progress(`front door ${MODEL_LABEL}: ${r.sent.length} POST /clicks -> ${r.onStream.length} records on the stream`);
    expect([...r.onStream].sort()).toEqual([...r.sent].sort());
  });

  test(`POST /events ${MODEL_LABEL}: every payload becomes one event whose detail is the body (audit queue), eventId answered`, async () => {
    const r = await eventsThroughModel(api, integrations.events, run);
    expect(r.answers.map(a => [a.status, typeof JSON.parse(a.body).eventId])).toEqual(r.sent.map(() => [200, 'string']));
    progress(`front door ${MODEL_LABEL}: ${r.sent.length} POST /events -> ${r.landed.size} events in the audit queue`);
    for (const body of r.sent) {
      const marker = JSON.parse(body).marker;
      expect({ marker, copies: r.landed.get(marker)?.length }).toEqual({ marker, copies: 1 });
      const event = JSON.parse(r.landed.get(marker)![0]);
      expect({ source: event.source, type: event['detail-type'], detail: event.detail }).toEqual({ source: 'ingest.api', type: 'IngestEvent', detail: JSON.parse(body) });
    }
  });

  test(`POST /quotes ${MODEL_LABEL}: the Express workflow runs synchronously and its output is the answer`, async () => {
    const r = await quotesThroughModel(api, integrations.quotes);
    r.answers.forEach((a, i) => {
      expect({ i, status: a.status, backend: a.backendStatus }).toEqual({ i, status: 200, backend: 200 });
      expect(JSON.parse(a.body)).toEqual(expect.objectContaining({ productId: r.sent[i].productId, quantity: r.sent[i].quantity, unitPrice: 9.5, currency: 'EUR' }));
      expect(quoteAnswered(a, r.sent[i])).toBe(true);
    });
  });
});

describe('front door with API keys and a usage plan, and on an HTTP API (fixture e2e/fixtures/front-door-api-key.ts)', () => {
  let fixture: Record<string, string>;
  let apiKey: string;
  beforeAll(async () => {
    fixture = (await deployApp({ endpoint: emulator.endpoint, label: 'front-door-api-key', appFile: 'e2e/fixtures/front-door-api-key.ts' }))[FRONT_DOOR_FIXTURE_STACK];
    const key = await signedFetch(emulator.endpoint, 'apigateway', 'GET', `/apikeys/${fixture.KeyedApiKeyId}?includeValue=true`, { accept: 'application/json' });
    apiKey = JSON.parse(key.text).value;
  }, 600_000);

  const keyed = (headers: Record<string, string>, body: string) =>
    fetch(`${emulator.endpoint}/_aws/execute-api/${fixture.KeyedRestApiId}/prod/orders`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

  test(`the API key is required (403 without it), and the usage plan's daily quota of ${FIXTURE_DAILY_QUOTA} is enforced (429 past it)`, async () => {
    expect(apiKey).toEqual(expect.any(String));
    const withoutKey = await keyed({}, JSON.stringify({ orderId: `nokey-${run}` }));
    const wrongKey = await keyed({ 'x-api-key': 'not-a-key' }, JSON.stringify({ orderId: `badkey-${run}` }));
    const statuses: number[] = [];
    for (let i = 0; i < FIXTURE_DAILY_QUOTA + 5; i++) statuses.push((await keyed({ 'x-api-key': apiKey }, JSON.stringify({ orderId: `key-${run}-${i}` }))).status);
    const landed = await drainIds(fixture.KeyedQueueUrl, b => b.orderId);
    progress(`front door API key: without ${withoutKey.status}, wrong ${wrongKey.status}; with the key ${statuses.filter(s => s === 200).length} x 200 then ${statuses.filter(s => s === 429).length} x 429; ${landed.size} landed`);
    expect([withoutKey.status, wrongKey.status]).toEqual([403, 403]);
    expect(statuses.slice(0, FIXTURE_DAILY_QUOTA).every(s => s === 200)).toBe(true);
    expect(statuses.slice(FIXTURE_DAILY_QUOTA).every(s => s === 429)).toBe(true);
    expect([...landed.keys()].sort()).toEqual(Array.from({ length: FIXTURE_DAILY_QUOTA }, (_, i) => `key-${run}-${i}`).sort());
  });

});

describe(`HTTP API (v2) first-class integrations, which MiniStack does not run, through the integration model ${HTTP_MODEL_LABEL}`, () => {
  let fixture: Record<string, string>;
  let http: Record<string, DeployedHttpIntegration>;
  let model: HttpModelClients;
  const routes = ['POST /orders', 'POST /fifo', 'POST /clicks', 'POST /events', 'POST /start'];
  beforeAll(async () => {
    fixture = readOutputs('front-door-api-key')[FRONT_DOOR_FIXTURE_STACK];
    http = await readHttpIntegrations(emulator.endpoint, fixture.HttpApiId, FRONT_DOOR_FIXTURE_STACK);
    const config = clientConfig(emulator.endpoint);
    model = { sqs: clients.sqs, kinesis: clients.kinesis, eventBridge: new EventBridgeClient(config), stepFunctions: new SFNClient(config) };
  });
  afterAll(() => { model?.eventBridge.destroy(); model?.stepFunctions.destroy(); });
  const viaApi = (route: string, body: string, headers: Record<string, string> = {}) =>
    signedFetch(emulator.endpoint, 'execute-api', 'POST', `/_aws/execute-api/${fixture.HttpApiId}/$default/${route}`, { 'content-type': 'application/json', ...headers }, body);

  test('tripwire: MiniStack\'s API Gateway still does not run any of the five HTTP API routes (SQS, SQS FIFO, Kinesis, EventBridge, Step Functions)', async () => {
    const probe = `trip-${run}`;
    const answers = await Promise.all([
      viaApi('orders', JSON.stringify({ orderId: probe })),
      viaApi('fifo', JSON.stringify({ orderId: probe }), { [FIXTURE_GROUP_HEADER]: 'g' }),
      viaApi('clicks', JSON.stringify({ sessionId: probe, data: Buffer.from(probe).toString('base64') })),
      viaApi('events', JSON.stringify({ marker: probe })),
      viaApi('start', JSON.stringify({ marker: probe })),
    ]);
    progress(`front door HTTP API tripwire: MiniStack answers ${answers.map(a => `${a.status} ${a.text.slice(0, 40)}`).join(' | ')}`);
    const landed = await drainIds(fixture.HttpOrdersQueueUrl, b => b.orderId);
    // When one of these turns 200 (and the order lands), MiniStack gained the feature: prove that route through it and drop it from the model.
    expect(answers.map(a => a.status === 200)).toEqual([false, false, false, false, false]);
    expect(landed.has(probe)).toBe(false);
  });

  test('the deployed integrations read back (GetRoutes + GetIntegrations) are the first-class subtypes the construct synthesized', () => {
    expect(Object.fromEntries(routes.map(r => [r, http[r]?.integrationSubtype]))).toEqual({
      'POST /orders': 'SQS-SendMessage', 'POST /fifo': 'SQS-SendMessage', 'POST /clicks': 'Kinesis-PutRecord', 'POST /events': 'EventBridge-PutEvents', 'POST /start': 'StepFunctions-StartExecution',
    });
    // MiniStack's apigatewayv2 drops IntegrationSubtype (the subtype is read from the deployed template); the request parameters are its own.
    progress(`front door ${HTTP_MODEL_LABEL}: subtypes read from ${[...new Set(routes.map(r => http[r].subtypeSource))].join(', ')}; request parameters from GetIntegrations`);
    expect(http['POST /clicks'].requestParameters).toEqual(expect.objectContaining({ Data: '$request.body.data', PartitionKey: '$request.body.sessionId' }));
    expect(http['POST /fifo'].requestParameters).toEqual(expect.objectContaining({ MessageGroupId: `$request.header.${FIXTURE_GROUP_HEADER}`, MessageDeduplicationId: '$context.requestId' }));
  });

  test(`POST /orders ${HTTP_MODEL_LABEL}: every adversarial body is in the queue once, byte for byte ($request.body)`, async () => {
    const sent = ADVERSARIAL_PAYLOADS.map((p, i) => withFields(p, { orderId: `h-${run}-${i}` }));
    const answers = await inBatches(sent, 5, p => invokeHttpThroughModel(model, http['POST /orders'], { body: p.body }));
    expect(answers.map(a => [a.accepted, typeof a.backend.MessageId])).toEqual(sent.map(() => [true, 'string']));
    const landed = await drainIds(fixture.HttpOrdersQueueUrl, b => (typeof b.orderId === 'string' && b.orderId.startsWith(`h-${run}-`) ? b.orderId : undefined));
    progress(`front door ${HTTP_MODEL_LABEL}: ${sent.length} POST /orders -> ${landed.size} messages`);
    expect(sent.map(p => landed.get(JSON.parse(p.body).orderId))).toEqual(sent.map(p => [p.body]));
  });

  test(`POST /fifo ${HTTP_MODEL_LABEL}: group id from the header, deduplication id from $context.requestId; a retried request id is dropped`, async () => {
    const sent = Array.from({ length: 30 }, (_, i) => ({ group: `g-${i % 3}`, body: JSON.stringify({ orderId: `f-${run}-${i}` }), requestId: `req-${run}-${i}` }));
    for (const s of sent) {
      const a = await invokeHttpThroughModel(model, http['POST /fifo'], { body: s.body, headers: { [FIXTURE_GROUP_HEADER.toLowerCase()]: s.group }, context: { requestId: s.requestId } });
      expect(a.accepted).toBe(true);
    }
    // The same API Gateway request id again (a retry inside the 5-minute window): SQS drops it.
    await invokeHttpThroughModel(model, http['POST /fifo'], { body: sent[0].body, headers: { [FIXTURE_GROUP_HEADER]: sent[0].group }, context: { requestId: sent[0].requestId } });
    const got: Array<{ id: string; group?: string }> = [];
    for (let empty = 0; empty < 3;) {
      const r = await clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: fixture.HttpFifoQueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, MessageSystemAttributeNames: ['MessageGroupId'] }));
      const ms = r.Messages ?? [];
      empty = ms.length === 0 ? empty + 1 : 0;
      for (const m of ms) {
        got.push({ id: JSON.parse(m.Body!).orderId, group: m.Attributes?.MessageGroupId });
        await clients.sqs.send(new DeleteMessageCommand({ QueueUrl: fixture.HttpFifoQueueUrl, ReceiptHandle: m.ReceiptHandle! }));
      }
    }
    const ours = got.filter(g => g.id.startsWith(`f-${run}-`));
    progress(`front door ${HTTP_MODEL_LABEL}: ${sent.length} + 1 retried POST /fifo -> ${ours.length} messages`);
    expect(ours.map(g => `${g.id}@${g.group}`).sort()).toEqual(sent.map(s => `${JSON.parse(s.body).orderId}@${s.group}`).sort());
    // Per group, in send order.
    for (const group of ['g-0', 'g-1', 'g-2']) {
      expect(ours.filter(g => g.group === group).map(g => g.id)).toEqual(sent.filter(s => s.group === group).map(s => JSON.parse(s.body).orderId));
    }
  });

  test(`POST /clicks ${HTTP_MODEL_LABEL}: Data must be base64 — a raw JSON body is refused (SerializationException), the base64 \`data\` field lands byte for byte`, async () => {
    // Kinesis reads PutRecord's Data as base64 and HTTP API parameter mapping cannot encode: the
    // construct maps Data from the body's \`data\` field, which callers send base64-encoded.
    const raw = await invokeHttpThroughModel(model, { ...http['POST /clicks'], requestParameters: { ...http['POST /clicks'].requestParameters, Data: '$request.body' } },
      { body: JSON.stringify({ sessionId: `raw-${run}`, page: '/' }) });
    expect([raw.accepted, raw.backend.code]).toEqual([false, 'SerializationException']);
    // API Gateway applies $request.body.<path> to the first 100 KB of the body only: a record over ~75 KB (base64) cannot be sent this way.
    const big = ADVERSARIAL_PAYLOADS.find(p => Buffer.byteLength(p.body) > 100_000)!;
    await expect(invokeHttpThroughModel(model, http['POST /clicks'], { body: JSON.stringify({ sessionId: `big-${run}`, data: Buffer.from(big.body).toString('base64') }) }))
      .rejects.toThrow(/first 100 KB only/);
    const sent = ADVERSARIAL_PAYLOADS.filter(p => Buffer.byteLength(p.body) < 70_000).map((p, i) => ({ sessionId: `hs-${run}-${i}`, record: p.body }));
    const answers = await inBatches(sent, 5, s => invokeHttpThroughModel(model, http['POST /clicks'],
      { body: JSON.stringify({ sessionId: s.sessionId, data: Buffer.from(s.record, 'utf8').toString('base64') }) }));
    expect(answers.map(a => [a.accepted, typeof a.backend.SequenceNumber])).toEqual(sent.map(() => [true, 'string']));
    const records: Array<{ key: string; data: string }> = [];
    const shards = await clients.kinesis.send(new ListShardsCommand({ StreamName: fixture.HttpClicksStreamName }));
    for (const shard of shards.Shards ?? []) {
      let iterator = (await clients.kinesis.send(new GetShardIteratorCommand({ StreamName: fixture.HttpClicksStreamName, ShardId: shard.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
      for (let empty = 0; iterator && empty < 2;) {
        const page = await clients.kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
        for (const r of page.Records ?? []) records.push({ key: r.PartitionKey!, data: Buffer.from(r.Data!).toString('utf8') });
        empty = (page.Records ?? []).length === 0 ? empty + 1 : 0;
        iterator = page.NextShardIterator;
      }
    }
    const ours = records.filter(r => r.key.startsWith(`hs-${run}-`));
    progress(`front door ${HTTP_MODEL_LABEL}: ${sent.length} POST /clicks -> ${ours.length} records (raw JSON Data refused: ${raw.backend.code})`);
    expect(ours.map(r => `${r.key}:${r.data}`).sort()).toEqual(sent.map(s => `${s.sessionId}:${s.record}`).sort());
  });

  test(`POST /events ${HTTP_MODEL_LABEL}: every body becomes one event (fixed source and detail-type) whose detail is the body`, async () => {
    const sent = ADVERSARIAL_PAYLOADS.filter(p => p.body.length < 200_000).map((p, i) => withFields(p, { marker: `he-${run}-${i}` }));
    const answers = await inBatches(sent, 5, p => invokeHttpThroughModel(model, http['POST /events'], { body: p.body }));
    expect(answers.map(a => a.backend.FailedEntryCount)).toEqual(sent.map(() => 0));
    let landed = new Map<string, string[]>();
    for (let i = 0; i < 20 && landed.size < sent.length; i++) {
      const more = await drainIds(fixture.HttpAuditQueueUrl, e => (typeof e.detail?.marker === 'string' && e.detail.marker.startsWith(`he-${run}-`) ? e.detail.marker : undefined));
      landed = new Map([...landed, ...[...more].map(([k, v]) => [k, [...(landed.get(k) ?? []), ...v]] as [string, string[]])]);
    }
    progress(`front door ${HTTP_MODEL_LABEL}: ${sent.length} POST /events -> ${landed.size} events`);
    for (const p of sent) {
      const marker = JSON.parse(p.body).marker;
      expect({ marker, copies: landed.get(marker)?.length }).toEqual({ marker, copies: 1 });
      const event = JSON.parse(landed.get(marker)![0]);
      expect({ source: event.source, type: event['detail-type'], detail: event.detail }).toEqual({ source: FIXTURE_EVENT_SOURCE, type: FIXTURE_DETAIL_TYPE, detail: JSON.parse(p.body) });
    }
  });

  test(`POST /start ${HTTP_MODEL_LABEL}: one execution per request, named by the request id, with the body as its input`, async () => {
    const sent = ADVERSARIAL_PAYLOADS.filter(p => p.body.length < 200_000).map((p, i) => withFields(p, { marker: `hx-${run}-${i}` }));
    const answers = await inBatches(sent, 5, p => invokeHttpThroughModel(model, http['POST /start'], { body: p.body }));
    expect(answers.map(a => [a.accepted, typeof a.backend.executionArn])).toEqual(sent.map(() => [true, 'string']));
    const inputs = await Promise.all(answers.map(async a => {
      const d = await model.stepFunctions.send(new DescribeExecutionCommand({ executionArn: String(a.backend.executionArn) }));
      return { name: d.name, input: d.input };
    }));
    progress(`front door ${HTTP_MODEL_LABEL}: ${sent.length} POST /start -> ${new Set(inputs.map(i => i.name)).size} executions`);
    expect(inputs.map(i => i.name)).toEqual(answers.map(a => a.requestId));
    expect(inputs.map(i => JSON.parse(i.input!))).toEqual(sent.map(p => JSON.parse(p.body)));
  });
});
