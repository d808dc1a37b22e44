/**
 * Subscriptions over a real WebSocket (`npx projen test:realtime`).
 *
 * The server is amplify-appsync-simulator (npm), which speaks AppSync's real-time protocol,
 * started on 127.0.0.1 by this test and stopped by pid. MiniStack's AppSync refuses the
 * WebSocket handshake (403), so this is the real thing that runs here; what it does not do as
 * AppSync does is MODELLED and labelled (docs/local-aws-fidelity.md):
 * - the shipped APPSYNC_JS publish resolver runs through the APPSYNC_JS model (the simulator
 *   runs only VTL);
 * - AppSync's subscription argument filtering (the simulator's WebSocket path does not filter:
 *   the tripwire below fails the day it does);
 * - the EventBridge leg: each event is matched to the synthesized rule and transformed with its
 *   InputTransformer, and the rule's GraphQL operation is sent as EventBridge would.
 *
 * The schema, the resolver code, the rules' patterns, transformers and operations are read from
 * the synthesized LiveOrdersStack template.
 */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { RealtimeConnection, graphqlRequest } from '../../e2e/harness/appsync-realtime/client';
import { RealtimeServer, startRealtimeServer, wsModule } from '../../e2e/harness/appsync-realtime/launcher';
import { matchingRule, readDeployment, RealtimeDeployment, transformInput } from '../../e2e/harness/appsync-realtime/template';
import { LiveOrdersStack } from '../../src';

const label = (msg: string) => process.stdout.write(
  `[realtime proof | server: amplify-appsync-simulator (real protocol) | MODELS: APPSYNC_JS runtime, argument filter, EventBridge transformer] ${msg}\n`);

const SUBSCRIBE = 'subscription S($id: ID) { onOrderStatus(id: $id) { id status source publishedAt } }';
const STATUSES = [['orders', 'OrderConfirmed'], ['orders', 'OrderCancelled'], ['shipping', 'OrderShipped'], ['shipping', 'OrderDelivered']] as const;

let deployment: RealtimeDeployment;
beforeAll(() => {
  const stack = new LiveOrdersStack(new App(), 'LiveOrders');
  deployment = readDeployment(Template.fromStack(stack).toJSON() as any);
});

function event(orderId: string, i: number) {
  const [source, detailType] = STATUSES[(i * 7 + Math.floor(i / 3) + orderId.length) % STATUSES.length];
  return { 'version': '0', 'id': `e-${orderId}-${i}`, source, 'detail-type': detailType, 'detail': { orderId } };
}

/** EventBridge's side of a rule target: match, transform, call the mutation the rule names. */
async function deliverFromBus(server: RealtimeServer, e: ReturnType<typeof event>): Promise<string> {
  const rule = matchingRule(deployment.rules, e);
  if (!rule) throw new Error(`no rule matches ${e.source}/${e['detail-type']}`);
  const variables = transformInput(rule, e);
  const res = await graphqlRequest(server.httpUrl, { 'x-api-key': server.apiKey }, rule.graphqlOperation, variables);
  if (res.status !== 200 || res.body.errors) throw new Error(`publish failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data.publishOrderStatus.status;
}

describe('the deployed configuration', () => {
  test('the template has the schema, the publish resolver on a None data source and four rules calling it', () => {
    expect(deployment.noneResolvers.map(r => `${r.typeName}.${r.fieldName}`)).toEqual(['Mutation.publishOrderStatus']);
    expect(deployment.noneResolvers[0].code).toMatch(/^const __RESOLVER_CONFIG__ = /);
    expect(deployment.rules).toHaveLength(4);
    expect(deployment.schema).toContain('@aws_subscribe(mutations: ["publishOrderStatus"])');
  });
});

describe('tripwire: the simulator still does not filter subscriptions by their arguments', () => {
  test('without the modelled filter, a subscriber of o-A receives an event for o-B (when this fails, drop the filter model)', async () => {
    const server = await startRealtimeServer({ ...deployment, filterByArguments: false });
    try {
      const conn = await RealtimeConnection.open(wsModule(), server.wsUrl, { 'host': `127.0.0.1:${server.port}`, 'x-api-key': server.apiKey });
      const id = await conn.subscribe(SUBSCRIBE, { id: 'o-A' });
      await deliverFromBus(server, event('o-B', 0));
      const got = await conn.waitForData(id, 1, 3000);
      conn.close();
      expect(got.map(d => (d.payload.data as any).onOrderStatus.id)).toEqual(['o-B']);
    } finally {
      expect(await server.stop()).toEqual([]);
    }
  }, 120_000);
});

describe('subscriptions over a real WebSocket', () => {
  let server: RealtimeServer;
  beforeAll(async () => {
    server = await startRealtimeServer({ ...deployment, filterByArguments: true });
    label(`server pid ${server.pid} on ${server.listeningAddresses().join(', ')}`);
  }, 120_000);
  afterAll(async () => {
    const left = await server?.stop();
    label(`server stopped by pid; processes left in its group: ${left?.length ?? 0}`);
  });

  test('the server listens on 127.0.0.1 only', () => {
    const addresses = server.listeningAddresses();
    expect(addresses.length).toBeGreaterThan(0);
    for (const a of addresses) expect(a).toMatch(/^127\.0\.0\.1:\d+$/);
  });

  test('200 bus events for one order reach its subscriber exactly, in order, and none of 200 others; an unfiltered subscriber gets all 400', async () => {
    const Ws = wsModule();
    const auth = { 'host': `127.0.0.1:${server.port}`, 'x-api-key': server.apiKey };
    const target = await RealtimeConnection.open(Ws, server.wsUrl, auth);
    const other = await RealtimeConnection.open(Ws, server.wsUrl, auth);
    const everything = await RealtimeConnection.open(Ws, server.wsUrl, auth);
    expect(target.connectionAck.type).toBe('connection_ack');
    const targetId = await target.subscribe(SUBSCRIBE, { id: 'o-target' });
    const otherId = await other.subscribe(SUBSCRIBE, { id: 'o-other' });
    const allId = await everything.subscribe(SUBSCRIBE, {});

    // 400 events on the bus: 200 for o-target interleaved with 200 for 20 other orders (10 of them for o-other).
    const plan: ReturnType<typeof event>[] = [];
    for (let i = 0; i < 200; i++) {
      plan.push(event('o-target', i));
      plan.push(event(i % 20 === 0 ? 'o-other' : `o-${i % 20}`, i));
    }
    const expectedTarget: string[] = [];
    const started = Date.now();
    for (const e of plan) {
      const status = await deliverFromBus(server, e);
      if (e.detail.orderId === 'o-target') expectedTarget.push(status);
    }
    const got = await target.waitForData(targetId, 200, 15_000);
    const otherGot = await other.waitForData(otherId, 10, 15_000);
    const all = await everything.waitForData(allId, 400, 15_000);
    await new Promise(r => setTimeout(r, 500)); // anything extra would arrive now
    label(`published ${plan.length} events in ${Date.now() - started} ms; o-target subscriber received ${target.data.get(targetId)!.length}, `
      + `o-other ${other.data.get(otherId)!.length}, unfiltered ${everything.data.get(allId)!.length}`);

    const events = got.map(d => (d.payload.data as any).onOrderStatus);
    expect(target.data.get(targetId)).toHaveLength(200);
    expect(events.every(e => e.id === 'o-target')).toBe(true);
    expect(events.map(e => e.status)).toEqual(expectedTarget);
    expect(new Set(expectedTarget).size).toBe(4); // the sequence mixes all four statuses, so order is visible
    expect(events.every(e => ['orders', 'shipping'].includes(e.source) && typeof e.publishedAt === 'string')).toBe(true);
    expect(otherGot.map(d => (d.payload.data as any).onOrderStatus.id)).toEqual(Array(10).fill('o-other'));
    expect(other.data.get(otherId)).toHaveLength(10);
    expect(all).toHaveLength(400);
    expect(everything.data.get(allId)).toHaveLength(400);

    // the protocol as a client sees it
    await target.unsubscribe(targetId);
    expect(target.log.map(m => m.type).filter(t => t !== 'ka' && t !== 'data')).toEqual(['connection_ack', 'start_ack', 'complete']);
    for (const c of [target, other, everything]) c.close();
  }, 180_000);
});
