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
import { clientConfig } from './harness/clients';
import { readOutputs } from './harness/deploy';
import { readEmulatorState } from './harness/emulator';
import { paths, progress } from './harness/paths';
import { loadResolver, LoadedResolver, runUnitResolver } from '../test/lambda/appsync-resolvers/appsync-js-runtime';
import { dynamoDbDataSource, DynamoDbDataSourceStats } from '../test/lambda/appsync-resolvers/dynamodb-data-source';

const STACK = 'IntegrationPatterns-LiveOrders';
const LABEL = process.env.LIVE_ORDERS_LABEL ?? 'reference';
const MODEL = '[MODEL: AppSync unit resolver + DynamoDB data source (test/lambda/appsync-resolvers), shipped code from the deployed template, MiniStack DynamoDB enforces the condition]';

let endpoint: string;
let outputs: Record<string, string>;
let dynamodb: DynamoDBClient;
let resolvers: Record<string, LoadedResolver>;
const run = Date.now().toString(36);

beforeAll(() => {
  endpoint = readEmulatorState().endpoint;
  outputs = readOutputs(LABEL)[STACK];
  dynamodb = new DynamoDBClient(clientConfig(endpoint));
  const template = JSON.parse(fs.readFileSync(path.join(paths.cdkOut, LABEL, `${STACK}.template.json`), 'utf8'));
  resolvers = {};
  for (const r of Object.values<any>(template.Resources)) {
    if (r.Type === 'AWS::AppSync::Resolver') resolvers[`${r.Properties.TypeName}.${r.Properties.FieldName}`] = loadResolver(r.Properties.Code);
  }
});
afterAll(() => dynamodb?.destroy());

async function http(query: string, variables: Record<string, unknown>) {
  const res = await fetch(`${endpoint}/v1/apis/${outputs.ApiId}/graphql`, {
    method: 'POST',
    // IAM is the API's mode; MiniStack accepts any Authorization header (docs/local-aws-fidelity.md).
    headers: { 'content-type': 'application/json', 'authorization': 'AWS4-HMAC-SHA256 Credential=test/20261201/us-east-1/appsync/aws4_request, SignedHeaders=host, Signature=0' },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, body: await res.json() as any };
}

async function modelled(field: string, args: Record<string, unknown>, stats?: DynamoDbDataSourceStats) {
  const [typeName, fieldName] = field.split('.');
  return runUnitResolver(resolvers[field], { args, typeName, fieldName } as any, dynamoDbDataSource(dynamodb, outputs.OrdersTableName, stats));
}

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
    const created = await modelled('Mutation.updateOrderStatus', { id, status: 'PLACED', expectedVersion: 0 });
    expect(created.errors).toEqual([]);
    const stats: DynamoDbDataSourceStats = { conditionalCheckFailures: 0, writes: 0 };
    const statuses = ['CONFIRMED', 'CANCELLED', 'SHIPPED', 'DELIVERED'];
    const outcomes = await Promise.all(Array.from({ length: 50 }, (_, i) =>
      modelled('Mutation.updateOrderStatus', { id, status: statuses[i % 4], expectedVersion: 1 }, stats)));
    const winners = outcomes.filter(o => o.errors.length === 0);
    const conflicts = outcomes.filter(o => o.errors[0]?.errorType === 'ConflictError');
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
    // The client's first sync: everything so far, and the cursor for next time.
    const held = new Map<string, number>();
    const sync = async (since: string) => {
      const pages: any[] = [];
      let nextToken: string | undefined;
      let nextSince: string | undefined;
      do {
        const page = await modelled('Query.ordersChangedSince', { since, limit: 30, nextToken });
        expect(page.errors).toEqual([]);
        pages.push(page.data);
        nextSince ??= (page.data as any).nextSince;
        nextToken = (page.data as any).nextToken ?? undefined;
      } while (nextToken);
      return { items: pages.flatMap(p => p.items) as any[], nextSince: nextSince!, pages: pages.length };
    };
    // Before the client goes offline: 50 orders it will see in its first sync.
    for (let i = 0; i < 50; i++) {
      expect((await modelled('Mutation.updateOrderStatus', { id: `seen-${run}-${i}`, status: 'PLACED', expectedVersion: 0 })).errors).toEqual([]);
    }
    const first = await sync('1970-01-01T00:00:00.000Z');
    for (const item of first.items) held.set(item.id, item.version);
    expect(held.get(`seen-${run}-49`)).toBe(1);

    // While the client is offline: 100 updates, 50 new orders and 50 status changes of the orders it holds.
    await new Promise(r => setTimeout(r, 1000));
    const missed: string[] = [];
    for (let i = 0; i < 50; i++) {
      const created = await modelled('Mutation.updateOrderStatus', { id: `offline-${run}-${i}`, status: 'PLACED', expectedVersion: 0 });
      const changed = await modelled('Mutation.updateOrderStatus', { id: `seen-${run}-${i}`, status: 'CONFIRMED', expectedVersion: 1 });
      expect([...created.errors, ...changed.errors]).toEqual([]);
      missed.push(`offline-${run}-${i}@1`, `seen-${run}-${i}@2`);
    }

    const catchUp = await sync(first.nextSince);
    // What the client applies: items newer than what it holds (the overlap re-delivers the last seconds).
    const applied = catchUp.items.filter(item => (held.get(item.id) ?? 0) < item.version);
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
