/**
 * Live orders on MiniStack (`cdk deploy` of IntegrationPatterns-LiveOrders by the e2e globalSetup).
 *
 * 1. Over HTTP, MiniStack's AppSync runs the shipped APPSYNC_JS query resolvers against the
 *    deployed table (order(id), ordersChangedSince). Its JS UpdateItem ignores the update
 *    expression and the condition (tripwire below).
 * 2. Conflict detection — 50 concurrent updates of one order with the same expectedVersion:
 *    MiniStack's AppSync ignores conditions (tripwire below), so the shipped resolver's code, as
 *    synthesized, runs through a LABELLED MODEL of AppSync's unit-resolver flow and DynamoDB data
 *    source (test/lambda/appsync-resolvers/) against MiniStack's DynamoDB, which enforces the
 *    ConditionExpression: exactly 1 wins, 49 get ConflictError with the winner's item.
 * 3. Offline catch-up: a client that synced, then missed 100 updates, pages through the delta
 *    query (same model, the deployed change-feed index) and gets exactly those 100.
 */
import * as fs from 'fs';
import * as path from 'path';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { clientConfig, localClients } from './harness/clients';
import { readOutputs } from './harness/deploy';
import { readEmulatorState } from './harness/emulator';
import { paths, progress } from './harness/paths';
import { assertScenario } from './harness/scenarios';
import { concurrentUpdates, liveOrdersScenario, LIVE_ORDERS_MODEL as MODEL, LIVE_ORDERS_STACK as STACK, liveOrdersClient, LiveOrdersClient, offlineCatchUp, resolversOf } from './harness/scenarios/live-orders';

const LABEL = process.env.LIVE_ORDERS_LABEL ?? 'reference';

let outputs: Record<string, string>;
let dynamodb: DynamoDBClient;
let client: LiveOrdersClient;
const run = Date.now().toString(36);

beforeAll(() => {
  const endpoint = readEmulatorState().endpoint;
  outputs = readOutputs(LABEL)[STACK];
  dynamodb = new DynamoDBClient(clientConfig(endpoint));
  const template = JSON.parse(fs.readFileSync(path.join(paths.cdkOut, LABEL, `${STACK}.template.json`), 'utf8'));
  client = liveOrdersClient({ endpoint, apiId: outputs.ApiId, tableName: outputs.OrdersTableName, dynamodb, resolvers: resolversOf(template) });
});
afterAll(() => dynamodb?.destroy());

const http = (query: string, variables: Record<string, unknown>) => client.http(query, variables);
const modelled = (field: string, args: Record<string, unknown>) => client.modelled(field, args);

describe('queries over HTTP: MiniStack\'s AppSync runs the shipped APPSYNC_JS resolvers (its own Node evaluator) against the deployed table', () => {
  test('order(id) reads an order back (GetItem resolver); an unknown id is null', async () => {
    const id = `http-${run}`;
    expect((await modelled('Mutation.updateOrderStatus', { id, status: 'PLACED', expectedVersion: 0 })).errors).toEqual([]);
    const got = await http('query Q($id: ID!) { order(id: $id) { id status version updatedAt } }', { id });
    progress(`HTTP order(id) → ${JSON.stringify(got.body)}`);
    expect(got.status).toBe(200);
    expect(got.body.data.order).toMatchObject({ id, status: 'PLACED', version: 1 });
    const missing = await http('query Q($id: ID!) { order(id: $id) { id } }', { id: `nope-${run}` });
    expect(missing.body).toMatchObject({ data: { order: null } });
  });

  test('ordersChangedSince returns the changed orders with nextSince (MiniStack runs the Query as a Scan: limit and the index are not honoured)', async () => {
    const got = await http('query Q($s: AWSDateTime!) { ordersChangedSince(since: $s, limit: 2) { items { id version } nextToken nextSince } }', { s: '1970-01-01T00:00:00.000Z' });
    const page = got.body.data.ordersChangedSince;
    progress(`HTTP ordersChangedSince(limit: 2) → ${page.items.length} items, nextSince ${page.nextSince}`);
    expect(page.items.map((i: any) => i.id)).toContain(`http-${run}`);
    expect(typeof page.nextSince).toBe('string');
  });

  test('tripwire: MiniStack\'s AppSync still ignores a JS UpdateItem\'s update expression and condition (the write keeps only the key); '
    + 'when this fails, prove writes and conflicts over HTTP instead of the model', async () => {
    const id = `trip-${run}`;
    const res = await http('mutation U($id: ID!) { updateOrderStatus(id: $id, status: PLACED, expectedVersion: 0) { id version } }', { id });
    const stored = await dynamodb.send(new GetItemCommand({ TableName: outputs.OrdersTableName, Key: { id: { S: id } }, ConsistentRead: true }));
    progress(`HTTP updateOrderStatus → ${JSON.stringify(res.body)}; stored: ${JSON.stringify(stored.Item)}`);
    expect(res.body.data.updateOrderStatus).toBeNull();
    expect(stored.Item?.version).toBeUndefined();
  });
});

describe(`conflict detection ${MODEL}`, () => {
  test('50 concurrent updates of one order with the same version: exactly 1 wins, 49 get ConflictError carrying the winner\'s item', async () => {
    const id = `conflict-${run}`;
    const { winners, conflicts, stats } = await concurrentUpdates(client, id, 50);
    progress(`${MODEL} 50 concurrent updates at version 1: ${winners.length} won, ${conflicts.length} ConflictError; DynamoDB refused ${stats.conditionalCheckFailures} conditional writes`);
    expect(winners).toHaveLength(1);
    expect(conflicts).toHaveLength(49);
    expect(stats).toEqual({ writes: 1, conditionalCheckFailures: 49 });
    const winner = winners[0].data as any;
    expect(winner.version).toBe(2);
    for (const c of conflicts) {
      expect(c.errors[0].data).toMatchObject({ id, version: 2, status: winner.status });
      expect(c.errors[0].errorInfo).toEqual({ expectedVersion: 1, currentVersion: 2 });
    }
    const read = await modelled('Query.order', { id });
    expect(read.data).toMatchObject({ id, version: 2, status: winner.status });
  });
});

describe(`offline catch-up ${MODEL}`, () => {
  test('a client that synced, then missed 100 updates, gets exactly those 100 from the delta query', async () => {
    // 50 orders the client sees in its first sync; then, while it is offline, 100 updates:
    // 50 new orders and 50 status changes of the orders it holds.
    const { first, held, missed, catchUp, applied } = await offlineCatchUp(client, run, 50);
    expect(held.get(`seen-${run}-49`)).toBe(1);
    // What the client applies: items newer than what it holds (the overlap re-delivers the last seconds).
    progress(`${MODEL} catch-up from ${first.nextSince}: ${catchUp.items.length} items in ${catchUp.pages} pages of ≤ 30, `
      + `${applied.length} newer than held (${catchUp.items.length - applied.length} re-delivered by the ${5} s overlap and dropped by version)`);
    expect(applied.map(i => `${i.id}@${i.version}`).sort()).toEqual([...missed].sort());
    expect(applied).toHaveLength(100);
    expect(applied.every(i => i.status === (i.version === 2 ? 'CONFIRMED' : 'PLACED'))).toBe(true);
    // oldest first: the index's sort key
    const stamps = catchUp.items.map(i => i.updatedAt);
    expect([...stamps].sort()).toEqual(stamps);
  });
});

describe('the `npx projen local` scenario (same code, smaller traffic)', () => {
  test('every row is ok: HTTP read-back, 1 winner of 5 concurrent writers, 10 missed updates caught up', async () => {
    const clients = localClients(readEmulatorState().endpoint);
    try {
      const scenario = liveOrdersScenario(STACK, { writers: 5, missed: 10 });
      const result = await scenario.run({ clients, outputs: readOutputs(LABEL), stackName: STACK, log: progress });
      progress(`live-orders scenario rows: ${result.rows.map(r => `${r.what} ${r.arrived}/${r.expected}`).join('; ')}`);
      expect(result.rows).toHaveLength(4);
      assertScenario(result);
    } finally {
      clients.destroy();
    }
  });
});
