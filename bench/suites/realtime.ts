import * as http from 'http';
import * as net from 'net';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildSchema, graphql } from 'graphql';
import { RealtimeConnection, graphqlRequest } from '../../e2e/harness/appsync-realtime/client';
import { REALTIME_TOOL_DIR, startRealtimeServer, wsModule } from '../../e2e/harness/appsync-realtime/launcher';
import { readDeployment } from '../../e2e/harness/appsync-realtime/template';
import { LiveOrdersStack } from '../../src';
import { Suite, SuiteContext, SuiteResult } from '../lib/suite';

/**
 * RealtimeApi, two measurements on this machine (servers on 127.0.0.1, bytes counted on the
 * client's sockets, headers included):
 *
 * 1. Bytes over the wire for a client that needs 3 fields of an order: a GraphQL query
 *    (`order(id) { id status updatedAt }`, executed by graphql-js, the reference implementation of
 *    the projection AppSync performs) vs the peer, a REST endpoint returning the whole item.
 * 2. Subscription fan-out: messages/s delivered by the AppSync real-time protocol server
 *    (amplify-appsync-simulator with the synthesized LiveOrders publish resolver) to N WebSocket
 *    subscribers, vs the peer, a bare `ws` broadcast server (no GraphQL, no protocol): the
 *    ceiling for this machine.
 */
const ORDER = {
  id: 'o-123456',
  status: 'SHIPPED',
  version: 7,
  updatedAt: '2026-12-01T12:00:00.000Z',
  changeFeed: 'orders',
  customerId: 'c-98765',
  email: 'buyer@example.com',
  currency: 'EUR',
  total: 249.9,
  note: 'leave at the door',
  shippingAddress: { name: 'A. Buyer', street: '1 Example Street', city: 'Springfield', postcode: '12345', country: 'DE' },
  lines: Array.from({ length: 5 }, (_, i) => ({ sku: `SKU-${1000 + i}`, quantity: i + 1, unitPrice: 9.99 + i, title: `Item number ${i + 1}` })),
  createdAt: '2026-11-30T09:15:00.000Z',
  carrier: 'DHL',
  trackingNumber: 'JD0000000001234567',
};

const SCHEMA = buildSchema(`
  type Address { name: String street: String city: String postcode: String country: String }
  type Line { sku: String quantity: Int unitPrice: Float title: String }
  type Order { id: ID! status: String version: Int updatedAt: String changeFeed: String customerId: String email: String currency: String
    total: Float note: String shippingAddress: Address lines: [Line] createdAt: String carrier: String trackingNumber: String }
  type Query { order(id: ID!): Order }
`);

async function listen(handler: http.RequestListener): Promise<{ server: http.Server; port: number }> {
  const server = http.createServer(handler);
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as net.AddressInfo).port };
}

/** One request on a fresh connection; returns bytes sent and received on that socket. */
function measure(port: number, method: string, pathname: string, body?: string): Promise<{ sent: number; received: number; payload: string }> {
  return new Promise((resolve, reject) => {
    const agent = new http.Agent({ keepAlive: false });
    const req = http.request({ host: '127.0.0.1', port, method, path: pathname, agent, headers: body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {} }, res => {
      let payload = '';
      res.on('data', c => { payload += c; });
      res.on('end', () => {
        const socket = req.socket!;
        resolve({ sent: socket.bytesWritten, received: socket.bytesRead, payload });
      });
    });
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}

async function bytesOverTheWire() {
  const rest = await listen((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(ORDER));
  });
  const gql = await listen((req, res) => {
    let body = '';
    req.on('data', c => { body += c; });
    req.on('end', async () => {
      const { query, variables } = JSON.parse(body);
      const result = await graphql({ schema: SCHEMA, source: query, variableValues: variables, rootValue: { order: () => ORDER } });
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(result));
    });
  });
  try {
    const query = JSON.stringify({ query: 'query O($id: ID!) { order(id: $id) { id status updatedAt } }', variables: { id: ORDER.id } });
    const g = await measure(gql.port, 'POST', '/graphql', query);
    const r = await measure(rest.port, 'GET', `/orders/${ORDER.id}`);
    return { graphql: g, rest: r };
  } finally {
    gql.server.close();
    rest.server.close();
  }
}

async function fanOut(subscribers: number, events: number) {
  const deployment = readDeployment(Template.fromStack(new LiveOrdersStack(new App(), 'LiveOrders')).toJSON() as any);
  const server = await startRealtimeServer({ ...deployment, filterByArguments: true });
  const Ws = wsModule();
  const auth = { 'host': `127.0.0.1:${server.port}`, 'x-api-key': server.apiKey };
  try {
    const conns = await Promise.all(Array.from({ length: subscribers }, () => RealtimeConnection.open(Ws, server.wsUrl, auth)));
    const ids = await Promise.all(conns.map(c => c.subscribe('subscription { onOrderStatus { id status } }', {})));
    const op = deployment.rules[0].graphqlOperation;
    const start = performance.now();
    for (let i = 0; i < events; i++) {
      await graphqlRequest(server.httpUrl, { 'x-api-key': server.apiKey }, op, { id: `o-${i}`, status: 'SHIPPED', source: 'bench' });
    }
    await Promise.all(conns.map((c, i) => c.waitForData(ids[i], events, 60_000)));
    const ms = performance.now() - start;
    const delivered = conns.reduce((n, c, i) => n + (c.data.get(ids[i])?.length ?? 0), 0);
    conns.forEach(c => c.close());
    return { delivered, ms };
  } finally {
    await server.stop();
  }
}

async function bareBroadcast(subscribers: number, events: number) {
  // The same pinned `ws` the protocol client uses (installed into .local-aws/appsync-realtime).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const wsPkg = require(path.join(REALTIME_TOOL_DIR, 'node_modules', 'ws')) as any;
  const wss = new wsPkg.WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise(r => wss.on('listening', r));
  const port = wss.address().port;
  const clients: any[] = [];
  let delivered = 0;
  await Promise.all(Array.from({ length: subscribers }, () => new Promise<void>(r => {
    const c = new wsPkg.WebSocket(`ws://127.0.0.1:${port}`);
    c.on('message', () => { delivered += 1; });
    c.on('open', () => { clients.push(c); r(); });
  })));
  const start = performance.now();
  for (let i = 0; i < events; i++) {
    const msg = JSON.stringify({ type: 'data', payload: { data: { onOrderStatus: { id: `o-${i}`, status: 'SHIPPED' } } } });
    for (const s of wss.clients) s.send(msg);
  }
  while (delivered < subscribers * events) await new Promise(r => setTimeout(r, 5));
  const ms = performance.now() - start;
  clients.forEach(c => c.close());
  wss.close();
  return { delivered, ms };
}

async function runRealtimeSuite(ctx: SuiteContext): Promise<SuiteResult> {
  const bytes = await bytesOverTheWire();
  ctx.progress(`bytes: GraphQL ${bytes.graphql.sent}+${bytes.graphql.received}, REST ${bytes.rest.sent}+${bytes.rest.received}`);
  const subscribers = Number(process.env.BENCH_SUBSCRIBERS ?? 50);
  const events = Number(process.env.BENCH_EVENTS ?? 100);
  const ours = await fanOut(subscribers, events);
  ctx.progress(`fan-out (AppSync protocol server): ${ours.delivered} messages in ${ours.ms.toFixed(0)} ms`);
  const peer = await bareBroadcast(subscribers, events);
  ctx.progress(`fan-out (bare ws broadcast): ${peer.delivered} messages in ${peer.ms.toFixed(0)} ms`);
  const rate = (r: { delivered: number; ms: number }) => (r.delivered / (r.ms / 1000)).toFixed(0);
  const total = (b: { sent: number; received: number }) => b.sent + b.received;
  return {
    table: {
      title: 'RealtimeApi: bytes for 3 fields of an order, and subscription fan-out (127.0.0.1)',
      columns: ['measure', 'ours', 'peer', 'ours / peer'],
      numeric: [false, true, true, true],
      rows: [
        ['response body bytes (GraphQL 3 fields vs REST whole item)', String(Buffer.byteLength(bytes.graphql.payload)), String(Buffer.byteLength(bytes.rest.payload)),
          (Buffer.byteLength(bytes.graphql.payload) / Buffer.byteLength(bytes.rest.payload)).toFixed(2)],
        ['bytes on the wire, request + response with headers', String(total(bytes.graphql)), String(total(bytes.rest)), (total(bytes.graphql) / total(bytes.rest)).toFixed(2)],
        [`fan-out msgs/s (${subscribers} subscribers × ${events} events; peer: bare ws broadcast)`, rate(ours), rate(peer), (Number(rate(ours)) / Number(rate(peer))).toFixed(3)],
      ],
    },
    notes: [
      'Bytes: GraphQL = POST /graphql with the query text, executed by graphql-js (the projection AppSync does); REST = GET /orders/{id} returning the whole 20-field item.',
      'Fan-out: ours = amplify-appsync-simulator (AppSync real-time protocol, the synthesized LiveOrders publish resolver through the APPSYNC_JS model), one publish mutation per event over HTTP, sequential; '
        + 'the peer pushes pre-serialized frames with no GraphQL execution, so it is this machine\'s ceiling, not a competing product. AppSync itself scales fan-out in the service; this is not a prediction of it.',
    ],
    summary: [`GraphQL 3-field response is ${(Buffer.byteLength(bytes.graphql.payload) / Buffer.byteLength(bytes.rest.payload) * 100).toFixed(0)} % of the REST item's body; fan-out ${rate(ours)} msgs/s locally (bare ws: ${rate(peer)})`],
    settings: { subscribers, events },
    results: { bytes, ours, peer },
  };
}

export const realtimeSuite: Suite = {
  name: 'realtime',
  description: 'RealtimeApi: bytes over the wire (GraphQL 3 fields vs REST whole item) and subscription fan-out msgs/s on the local AppSync protocol server',
  run: runRealtimeSuite,
};
