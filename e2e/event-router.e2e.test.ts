/**
 * EventRouter on MiniStack, through the DailyPriceStack deployed by the e2e globalSetup from the
 * reference app (`-c local=true`, so WITHOUT its archive: MiniStack's CloudFormation refuses
 * AWS::Events::Archive — the tripwire below notices when it stops refusing).
 *
 * 1. The archive the stack would deploy is created through the EventBridge API instead (same bus,
 *    same pattern, same retention), as docs/local-aws-fidelity.md records.
 * 2. 2,000 events of mixed detail-types and sources are published with the EventPublisher helper
 *    through a 127.0.0.1 fault proxy that fails ~10 % of the entries of each PutEvents: the history
 *    table (route History → WriteBuffer → DynamoDB, detail only) must hold exactly the PriceRecorded
 *    ids, and a probe queue on the alert topic (route Alerts, text input transformer) exactly the
 *    ids with |change| ≥ 5 %, nothing lost or duplicated.
 * 3. A replay of the archive re-delivers exactly the archived set: the alert probe receives the
 *    alert ids a second time, and nothing else.
 */
import { CreateStackCommand, DeleteStackCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { CreateArchiveCommand, DeleteArchiveCommand, DescribeReplayCommand, EventBridgeClient, StartReplayCommand } from '@aws-sdk/client-eventbridge';
import { SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { clientConfig, LocalClients, localClients } from './harness/clients';
import { readOutputs } from './harness/deploy';
import { readEmulatorState } from './harness/emulator';
import { EventBridgeFaultProxy, startEventBridgeFaultProxy } from './harness/event-bridge-fault-proxy';
import { progress } from './harness/paths';
import { EventPublisher, type PublisherEvent } from '../lambda/event-publisher';
import { PRICE_EVENT_SOURCE } from '../src/architectures/daily-price-stack';

const STACK = 'IntegrationPatterns-DailyPrice';
const EVENTS = 2000;
const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

let clients: LocalClients;
let events: EventBridgeClient;
let proxy: EventBridgeFaultProxy;
let out: Record<string, string>;
let probeUrl: string;
const archiveName = `daily-price-e2e-${process.pid}`;

/** The traffic: 1,500 PriceRecorded, 300 PriceCorrected and 200 from another source (never routed). */
function plan(run: string): { events: PublisherEvent[]; history: string[]; alerts: string[] } {
  const changes = [0, 4.99, 5, -5, -4.99, 12.5, -30, 1];
  const list: PublisherEvent[] = [];
  const history: string[] = [];
  const alerts: string[] = [];
  for (let i = 0; i < EVENTS; i++) {
    const id = `${run}-${i}`;
    const changePercent = changes[i % changes.length];
    const detailType = i % 20 < 15 ? 'PriceRecorded' : i % 20 < 18 ? 'PriceCorrected' : 'PriceRecorded';
    const source = i % 20 >= 18 ? 'someone.else' : PRICE_EVENT_SOURCE;
    // symbol (max 16 characters in the writer's schema) names the event in the alert text.
    const symbol = `S${i}`;
    list.push({ source, detailType, detail: { priceId: id, symbol, price: 100 + i, previousClose: 100, changePercent, eventKey: id } });
    if (detailType === 'PriceRecorded' && source === PRICE_EVENT_SOURCE) {
      history.push(id);
      if (Math.abs(changePercent) >= 5) alerts.push(symbol);
    }
  }
  return { events: list, history, alerts };
}

async function drainProbe(expected: number, timeoutMs: number): Promise<string[]> {
  const got: string[] = [];
  const deadline = Date.now() + timeoutMs;
  let quiet = 0;
  while (Date.now() < deadline && (got.length < expected || quiet < 2)) {
    const r = await clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: probeUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
    const msgs = r.Messages ?? [];
    quiet = msgs.length === 0 ? quiet + 1 : 0;
    for (const m of msgs) {
      let text = m.Body!;
      try { text = JSON.parse(text) as string; } catch { /* plain text */ }
      got.push(String(text).split(' ')[0]);
    }
    if (msgs.length > 0) {
      const entries = msgs.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! }));
      await clients.sqs.send(new DeleteMessageBatchCommand({ QueueUrl: probeUrl, Entries: entries }));
    }
  }
  return got;
}

async function historyIds(run: string, expected: number, timeoutMs: number): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  let ids: string[] = [];
  while (Date.now() < deadline) {
    ids = [];
    let start: Record<string, any> | undefined;
    do {
      const page = await clients.dynamodb.send(new ScanCommand({ TableName: out.HistoryTableName, ExclusiveStartKey: start }));
      for (const item of page.Items ?? []) if (item.priceId.S!.startsWith(`${run}-`)) ids.push(item.priceId.S!);
      start = page.LastEvaluatedKey;
    } while (start);
    if (ids.length >= expected) break;
    await sleep(2000);
  }
  return ids;
}

beforeAll(async () => {
  const emulator = readEmulatorState();
  out = readOutputs()[STACK];
  clients = localClients(emulator.endpoint);
  events = new EventBridgeClient(clientConfig(emulator.endpoint));
  let seed = 11;
  const random = () => { seed = (seed * 16807) % 2147483647; return seed / 2147483647; };
  proxy = await startEventBridgeFaultProxy({ target: emulator.endpoint, failEntry: () => random() < 0.1 });
  // A probe on the alert topic: what the Alerts route delivered, as text "SYMBOL moved X% to P".
  probeUrl = (await clients.sqs.send(new CreateQueueCommand({ QueueName: `alert-probe-${process.pid}` }))).QueueUrl!;
  const probeArn = (await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: probeUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
  await clients.sqs.send(new SetQueueAttributesCommand({ QueueUrl: probeUrl, Attributes: { Policy: JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: '*', Action: 'sqs:SendMessage', Resource: probeArn }] }) } }));
  await clients.sns.send(new SubscribeCommand({ TopicArn: out.AlertTopicArn, Protocol: 'sqs', Endpoint: probeArn, Attributes: { RawMessageDelivery: 'true' } }));
}, 120_000);

afterAll(async () => {
  await events?.send(new DeleteArchiveCommand({ ArchiveName: archiveName })).catch(() => undefined);
  await proxy?.close();
  events?.destroy();
  clients?.destroy();
});

describe('what MiniStack cannot deploy is created another way (tripwire)', () => {
  test('TRIPWIRE: MiniStack\'s CloudFormation still refuses AWS::Events::Archive (when this fails, deploy the archive locally again)', async () => {
    const name = `archive-tripwire-${process.pid}`;
    const template = { Resources: { A: { Type: 'AWS::Events::Archive', Properties: { SourceArn: out.EventBusArn, RetentionDays: 1 } } } };
    let refused: string | undefined;
    try {
      await clients.cloudformation.send(new CreateStackCommand({ StackName: name, TemplateBody: JSON.stringify(template) }));
      for (let i = 0; i < 30; i++) {
        const s = (await clients.cloudformation.send(new DescribeStacksCommand({ StackName: name }))).Stacks?.[0];
        if (s?.StackStatus?.endsWith('COMPLETE') && !s.StackStatus.includes('ROLLBACK')) break;
        if (s?.StackStatus?.includes('FAILED') || s?.StackStatus?.includes('ROLLBACK')) { refused = `${s.StackStatus}: ${s.StackStatusReason}`; break; }
        await sleep(1000);
      }
    } catch (err) {
      refused = (err as Error).message;
    } finally {
      await clients.cloudformation.send(new DeleteStackCommand({ StackName: name })).catch(() => undefined);
    }
    progress(`[local-aws] AWS::Events::Archive through CloudFormation: ${refused ?? 'DEPLOYED'}`);
    expect(refused).toBeDefined();
  });

  test('the archive is created through the EventBridge API on the deployed bus (MODEL of the CloudFormation resource: same bus, pattern, retention)', async () => {
    const r = await events.send(new CreateArchiveCommand({
      ArchiveName: archiveName, EventSourceArn: out.EventBusArn, RetentionDays: 90, EventPattern: JSON.stringify({ account: ['000000000000'] }),
    }));
    expect(r.ArchiveArn).toBeDefined();
  });
});

describe('2,000 events through a fault proxy: every route receives exactly its filtered set', () => {
  const run = `e2e${Date.now()}`;
  const p = plan(run);
  let published: Awaited<ReturnType<EventPublisher['publishAll']>>;
  let start: Date;

  beforeAll(async () => {
    start = new Date(Date.now() - 1000);
    const client = new EventBridgeClient(clientConfig(proxy.endpoint));
    published = await new EventPublisher({ client, eventBusName: out.EventBusName, baseDelayMs: 10 }).publishAll(p.events);
    client.destroy();
    progress(`[event-router] published ${published.published} events in ${published.requests} requests, ${proxy.failed()} entries failed by the proxy and retried`);
  }, 300_000);

  test('the helper sent every event once despite the injected failures', () => {
    expect(published.failed).toEqual([]);
    expect(proxy.failed()).toBeGreaterThan(100);
    const keys = proxy.acceptedKeys();
    expect(p.events.filter(e => keys.get((e.detail as { eventKey: string }).eventKey) !== 1)).toEqual([]);
  });

  test('History route → WriteBuffer → table: exactly the PriceRecorded ids of this source (detail only, transformer)', async () => {
    const ids = await historyIds(run, p.history.length, 180_000);
    expect(ids.length).toBe(p.history.length);
    expect(new Set(ids)).toEqual(new Set(p.history));
  }, 200_000);

  test('Alerts route → topic: exactly the ids with |change| >= 5 %, as the declared text', async () => {
    const got = await drainProbe(p.alerts.length, 120_000);
    expect(got.sort()).toEqual([...p.alerts].sort());
  }, 150_000);

  test('replay of the archive re-delivers exactly the archived set (alerts arrive once more, nothing else)', async () => {
    const replayName = `e2e-${process.pid}`;
    await events.send(new StartReplayCommand({
      ReplayName: replayName,
      EventSourceArn: `arn:aws:events:us-east-1:000000000000:archive/${archiveName}`,
      Destination: { Arn: out.EventBusArn },
      EventStartTime: start,
      EventEndTime: new Date(),
    }));
    for (let i = 0; i < 120; i++) {
      const s = await events.send(new DescribeReplayCommand({ ReplayName: replayName }));
      if (s.State === 'COMPLETED' || s.State === 'FAILED') { expect(s.State).toBe('COMPLETED'); break; }
      await sleep(1000);
    }
    const got = await drainProbe(p.alerts.length, 120_000);
    expect(got.sort()).toEqual([...p.alerts].sort());
    // The history writer is idempotent on priceId: the replay leaves the same items.
    expect((await historyIds(run, p.history.length, 10_000)).length).toBe(p.history.length);
  }, 300_000);
});
