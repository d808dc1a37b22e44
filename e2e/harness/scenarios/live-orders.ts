/**
 * Live orders: AppSync GraphQL API (IAM) -> APPSYNC_JS resolvers -> DynamoDB orders table with a
 * change-feed index; bus events -> subscribers.
 *
 * On MiniStack, its AppSync runs the shipped query resolvers over HTTP against the deployed table,
 * but ignores a JS UpdateItem's update expression and condition (docs/local-aws-fidelity.md). So
 * writes, conflicts and the delta query run the shipped resolver code, read from the DEPLOYED
 * template, through a LABELLED MODEL of AppSync's unit-resolver flow and DynamoDB data source
 * (test/lambda/appsync-resolvers/) against MiniStack's DynamoDB, which enforces the condition.
 *
 * Checked: an order written through the model reads back over HTTP; N concurrent updates of one
 * order at the same version → exactly 1 wins, N-1 get ConflictError with the winner's item; a
 * client that synced and then missed M updates gets exactly those M from the delta query.
 */
import { GetTemplateCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { listIds, output, Row, Scenario, ScenarioContext, ScenarioResult } from './types';
import { loadResolver, LoadedResolver, runUnitResolver, FieldOutcome } from '../../../test/lambda/appsync-resolvers/appsync-js-runtime';
import { dynamoDbDataSource, DynamoDbDataSourceStats } from '../../../test/lambda/appsync-resolvers/dynamodb-data-source';

export const LIVE_ORDERS_STACK = 'IntegrationPatterns-LiveOrders';
export const LIVE_ORDERS_MODEL = '[MODEL: AppSync unit resolver + DynamoDB data source (test/lambda/appsync-resolvers), shipped code from the deployed template, MiniStack DynamoDB enforces the condition]';

/** A GraphQL response over HTTP. */
export interface GraphqlHttpResponse {
  readonly status: number;
  readonly body: any;
}

/** The deployed LiveOrders API: HTTP GraphQL against MiniStack's AppSync, and the labelled resolver model. */
export interface LiveOrdersClient {
  readonly apiId: string;
  readonly tableName: string;
  http(query: string, variables: Record<string, unknown>): Promise<GraphqlHttpResponse>;
  /** Runs `Type.field`'s deployed resolver code in the model against the deployed table. */
  modelled(field: string, args: Record<string, unknown>, stats?: DynamoDbDataSourceStats): Promise<FieldOutcome>;
}

/** The resolvers of a deployed template, by `Type.field`. */
export function resolversOf(template: { Resources: Record<string, { Type: string; Properties?: any }> }): Record<string, LoadedResolver> {
  const resolvers: Record<string, LoadedResolver> = {};
  for (const r of Object.values(template.Resources)) {
    if (r.Type === 'AWS::AppSync::Resolver') resolvers[`${r.Properties.TypeName}.${r.Properties.FieldName}`] = loadResolver(r.Properties.Code);
  }
  return resolvers;
}

export function liveOrdersClient(options: {
  readonly endpoint: string;
  readonly apiId: string;
  readonly tableName: string;
  readonly dynamodb: DynamoDBClient;
  readonly resolvers: Record<string, LoadedResolver>;
}): LiveOrdersClient {
  const { endpoint, apiId, tableName, dynamodb, resolvers } = options;
  return {
    apiId,
    tableName,
    async http(query, variables) {
      const res = await fetch(`${endpoint}/v1/apis/${apiId}/graphql`, {
        method: 'POST',
        // IAM is the API's mode; MiniStack accepts any Authorization header (docs/local-aws-fidelity.md).
        headers: { 'content-type': 'application/json', 'authorization': 'AWS4-HMAC-SHA256 Credential=test/20261201/us-east-1/appsync/aws4_request, SignedHeaders=host, Signature=0' },
        body: JSON.stringify({ query, variables }),
      });
      return { status: res.status, body: await res.json() as any };
    },
    async modelled(field, args, stats) {
      const resolver = resolvers[field];
      if (!resolver) throw new Error(`the deployed template has no resolver for ${field} (it has: ${Object.keys(resolvers).join(', ')})`);
      const [typeName, fieldName] = field.split('.');
      return runUnitResolver(resolver, { args, typeName, fieldName } as any, dynamoDbDataSource(dynamodb, tableName, stats));
    },
  };
}

/** The result of N concurrent same-version updates. */
export interface ConflictOutcome {
  readonly winners: FieldOutcome[];
  readonly conflicts: FieldOutcome[];
  readonly stats: DynamoDbDataSourceStats;
}

/** Creates order `id` at version 1, then sends `writers` concurrent updates that all expect version 1. */
export async function concurrentUpdates(client: LiveOrdersClient, id: string, writers: number): Promise<ConflictOutcome> {
  const created = await client.modelled('Mutation.updateOrderStatus', { id, status: 'PLACED', expectedVersion: 0 });
  if (created.errors.length > 0) throw new Error(`creating ${id} failed: ${JSON.stringify(created.errors)}`);
  const stats: DynamoDbDataSourceStats = { conditionalCheckFailures: 0, writes: 0 };
  const statuses = ['CONFIRMED', 'CANCELLED', 'SHIPPED', 'DELIVERED'];
  const outcomes = await Promise.all(Array.from({ length: writers }, (_, i) =>
    client.modelled('Mutation.updateOrderStatus', { id, status: statuses[i % 4], expectedVersion: 1 }, stats)));
  return {
    winners: outcomes.filter(o => o.errors.length === 0),
    conflicts: outcomes.filter(o => o.errors[0]?.errorType === 'ConflictError'),
    stats,
  };
}

/** What a client that pages through the delta query from `since` receives. */
export interface SyncResult {
  readonly items: any[];
  readonly nextSince: string;
  readonly pages: number;
}

export async function syncSince(client: LiveOrdersClient, since: string, limit = 30): Promise<SyncResult> {
  const pages: any[] = [];
  let nextToken: string | undefined;
  let nextSince: string | undefined;
  do {
    const page = await client.modelled('Query.ordersChangedSince', { since, limit, nextToken });
    if (page.errors.length > 0) throw new Error(`ordersChangedSince failed: ${JSON.stringify(page.errors)}`);
    pages.push(page.data);
    nextSince ??= (page.data as any).nextSince;
    nextToken = (page.data as any).nextToken ?? undefined;
  } while (nextToken);
  return { items: pages.flatMap(p => p.items), nextSince: nextSince!, pages: pages.length };
}

/** Catch-up: `seen` orders synced, then `missed / 2` new orders and `missed / 2` changes of held ones while offline. */
export async function offlineCatchUp(client: LiveOrdersClient, run: string, missedPairs: number) {
  const held = new Map<string, number>();
  for (let i = 0; i < missedPairs; i++) {
    const r = await client.modelled('Mutation.updateOrderStatus', { id: `seen-${run}-${i}`, status: 'PLACED', expectedVersion: 0 });
    if (r.errors.length > 0) throw new Error(`seen-${run}-${i}: ${JSON.stringify(r.errors)}`);
  }
  const first = await syncSince(client, '1970-01-01T00:00:00.000Z');
  for (const item of first.items) held.set(item.id, item.version);
  // Let the clock move past the first sync's cursor.
  await new Promise(r => setTimeout(r, 1000));
  const missed: string[] = [];
  for (let i = 0; i < missedPairs; i++) {
    const created = await client.modelled('Mutation.updateOrderStatus', { id: `offline-${run}-${i}`, status: 'PLACED', expectedVersion: 0 });
    const changed = await client.modelled('Mutation.updateOrderStatus', { id: `seen-${run}-${i}`, status: 'CONFIRMED', expectedVersion: 1 });
    if (created.errors.length + changed.errors.length > 0) throw new Error(`offline update ${i}: ${JSON.stringify([...created.errors, ...changed.errors])}`);
    missed.push(`offline-${run}-${i}@1`, `seen-${run}-${i}@2`);
  }
  const catchUp = await syncSince(client, first.nextSince);
  // What the client applies: items newer than what it holds (the overlap re-delivers the last seconds).
  const applied = catchUp.items.filter(item => (held.get(item.id) ?? 0) < item.version);
  return { first, held, missed, catchUp, applied };
}

export interface LiveOrdersTraffic {
  /** Concurrent same-version updates of one order. */
  readonly writers: number;
  /** Updates a client misses while offline (half new orders, half changes). */
  readonly missed: number;
}

export const DEFAULT_LIVE_ORDERS_TRAFFIC: LiveOrdersTraffic = { writers: 50, missed: 100 };

export function liveOrdersScenario(stackName = LIVE_ORDERS_STACK, traffic: LiveOrdersTraffic = DEFAULT_LIVE_ORDERS_TRAFFIC): Scenario {
  return { architecture: 'live-orders', stackName, run: context => runLiveOrders({ ...context, stackName }, traffic) };
}

async function runLiveOrders(context: ScenarioContext, traffic: LiveOrdersTraffic): Promise<ScenarioResult> {
  const started = Date.now();
  const architecture = 'live-orders';
  const { clients, outputs, stackName, log } = context;
  const deployed = await clients.cloudformation.send(new GetTemplateCommand({ StackName: stackName }));
  const client = liveOrdersClient({
    endpoint: clients.endpoint,
    apiId: output(outputs, stackName, 'ApiId'),
    tableName: output(outputs, stackName, 'OrdersTableName'),
    dynamodb: clients.dynamodb,
    resolvers: resolversOf(JSON.parse(deployed.TemplateBody ?? '{"Resources":{}}')),
  });
  const run = Date.now().toString(36);
  const rows: Row[] = [];
  const row = (what: string, where: string, expected: number, arrived: number, problem?: string) =>
    rows.push({ architecture, what, where, expected, arrived, ok: expected === arrived && !problem, problem: expected === arrived && !problem ? undefined : problem ?? `${what}: expected ${expected}, got ${arrived}` });

  // 1. Over HTTP (MiniStack's AppSync runs the shipped query resolver against the deployed table).
  const id = `local-${run}`;
  await client.modelled('Mutation.updateOrderStatus', { id, status: 'PLACED', expectedVersion: 0 });
  const got = await client.http('query Q($id: ID!) { order(id: $id) { id status version } }', { id });
  const read = got.body?.data?.order;
  log(`live-orders: HTTP order(${id}) → ${JSON.stringify(got.body)}`);
  row('order read back over HTTP (GraphQL query → JS resolver → table)', `API ${client.apiId}`, 1,
    read?.id === id && read?.version === 1 ? 1 : 0, read?.id === id ? undefined : `order(${id}) over HTTP returned ${JSON.stringify(got.body)}`);

  // 2. Conflicts (model).
  const conflict = await concurrentUpdates(client, `conflict-${run}`, traffic.writers);
  log(`live-orders ${LIVE_ORDERS_MODEL}: ${traffic.writers} concurrent updates at version 1: ${conflict.winners.length} won, ${conflict.conflicts.length} ConflictError`);
  row('[model] concurrent updates at one version: winners', 'orders table', 1, conflict.winners.length);
  const carry = conflict.conflicts.filter(c => (c.errors[0].data as any)?.version === 2).length;
  row('[model] ConflictError carrying the winner\'s item', 'caller', traffic.writers - 1, carry);

  // 3. Offline catch-up (model).
  const pairs = Math.floor(traffic.missed / 2);
  const catchUp = await offlineCatchUp(client, run, pairs);
  const appliedIds = new Set(catchUp.applied.map(i => `${i.id}@${i.version}`));
  const lost = catchUp.missed.filter(m => !appliedIds.has(m));
  const extra = [...appliedIds].filter(a => !catchUp.missed.includes(a));
  row('[model] missed updates received by a client catching up', 'delta query', pairs * 2, catchUp.applied.length - extra.length,
    lost.length + extra.length > 0 ? `catch-up lost ${listIds(lost)}; unexpected ${listIds(extra)}` : undefined);

  return { architecture, stackName, rows, durationMs: Date.now() - started };
}

