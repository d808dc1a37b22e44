/**
 * Message backbone: SNS topic -> SQS queue (raw delivery, DLQ) -> recorder Lambda -> DynamoDB.
 *
 * Traffic: N orders with unique ids published to the topic; once they are recorded, some of them
 * are published again with a changed payload (a redelivery must neither add nor overwrite an item);
 * and poison messages (not JSON, JSON without orderId) that must end in the DLQ after
 * maxReceiveCount receives, while no valid order ever does.
 *
 * The recorder runs as a real Lambda process inside MiniStack (a Node worker fed by the SQS event
 * source mapping); this scenario only publishes and reads back.
 */
import { randomBytes } from 'crypto';
import { PublishBatchCommand } from '@aws-sdk/client-sns';
import { Message } from '@aws-sdk/client-sqs';
import { drainQueue, PlainItem, queueDepth, scanTable, waitFor } from '../collect';
import { listIds, output, Row, Scenario, ScenarioContext, ScenarioResult } from './types';

export interface MessageBackboneTraffic {
  /** Orders with unique ids. */
  readonly orders: number;
  /** Of those, how many are published a second time (same orderId, changed payload). */
  readonly duplicates: number;
  /** Poison: bodies that are not JSON. */
  readonly notJson: number;
  /** Poison: JSON objects without an orderId. */
  readonly missingOrderId: number;
  /** How long to wait for the orders, then for the poison to reach the DLQ. */
  readonly ordersTimeoutMs: number;
  readonly deadLetterTimeoutMs: number;
}

export const DEFAULT_TRAFFIC: MessageBackboneTraffic = {
  orders: 200,
  duplicates: 20,
  notJson: 3,
  missingOrderId: 2,
  ordersTimeoutMs: 90_000,
  // Local profile: visibility 19 s x maxReceiveCount 2, plus polling slack.
  deadLetterTimeoutMs: 120_000,
};

/** Stop waiting when nothing is in the queue and nothing changed for this many polls (1 s apart). */
const QUIET_POLLS = 5;

const ARCHITECTURE = 'message-backbone';

async function publishAll(context: ScenarioContext, topicArn: string, bodies: readonly string[]): Promise<void> {
  const batches: string[][] = [];
  for (let i = 0; i < bodies.length; i += 10) batches.push(bodies.slice(i, i + 10));
  const send = async (batch: string[]) => {
    const res = await context.clients.sns.send(new PublishBatchCommand({
      TopicArn: topicArn,
      PublishBatchRequestEntries: batch.map((body, i) => ({ Id: String(i), Message: body })),
    }));
    if ((res.Failed ?? []).length > 0) throw new Error(`SNS PublishBatch failed for ${res.Failed!.length} entries: ${JSON.stringify(res.Failed)}`);
  };
  // Five batches in flight at a time.
  for (let i = 0; i < batches.length; i += 5) await Promise.all(batches.slice(i, i + 5).map(send));
}

/** The message backbone scenario, against the reference stack or a fixture stack of the same shape. */
export function messageBackboneScenario(
  stackName = 'IntegrationPatterns-MessageBackbone',
  options: { traffic?: MessageBackboneTraffic; label?: string } = {},
): Scenario {
  const architecture = options.label ?? ARCHITECTURE;
  return {
    architecture,
    stackName,
    run: context => runMessageBackbone({ ...context, stackName }, architecture, options.traffic ?? DEFAULT_TRAFFIC),
  };
}

async function runMessageBackbone(context: ScenarioContext, architecture: string, traffic: MessageBackboneTraffic): Promise<ScenarioResult> {
  const started = Date.now();
  const { clients, outputs, stackName, log } = context;
  const topicArn = output(outputs, stackName, 'OrdersTopicArn');
  const queueUrl = output(outputs, stackName, 'OrdersQueueUrl');
  const dlqUrl = output(outputs, stackName, 'OrdersDeadLetterQueueUrl');
  const tableName = output(outputs, stackName, 'OrdersTableName');

  // Ids unique to this run, so a rerun against the same stack never counts an earlier run's items.
  const run = randomBytes(3).toString('hex');
  const orderIds = Array.from({ length: traffic.orders }, (_, i) => `o-${run}-${i + 1}`);
  const duplicateIds = orderIds.slice(0, traffic.duplicates);
  const poisonIds = Array.from({ length: traffic.notJson + traffic.missingOrderId }, (_, i) => `poison-${run}-${i + 1}`);
  const poisonBodies = poisonIds.map((id, i) => i < traffic.notJson
    ? `not json: ${id} {`
    : JSON.stringify({ poisonId: id, sku: 'SKU-1', quantity: 1 }));
  const order = (orderId: string, attempt: number, i: number) =>
    JSON.stringify({ orderId, sku: `SKU-${(i % 7) + 1}`, quantity: attempt === 1 ? (i % 5) + 1 : 99, attempt });

  // Poison first: its retry clock (visibility x maxReceiveCount) runs while the orders are recorded.
  log(`${stackName}: publishing ${poisonIds.length} poison messages and ${orderIds.length} orders to the topic (run ${run})`);
  await publishAll(context, topicArn, poisonBodies);
  await publishAll(context, topicArn, orderIds.map((id, i) => order(id, 1, i)));

  const recorded = async () => {
    const items = await scanTable(clients, tableName);
    return items.filter(item => String(item.orderId).startsWith(`o-${run}-`));
  };
  // Wait until every order is recorded, or nothing is left in the queue and nothing changes.
  let quiet = 0;
  let lastCount = -1;
  const ordersWait = await waitFor(async () => {
    const items = await recorded();
    const depth = await queueDepth(clients, queueUrl);
    quiet = depth.total === 0 && items.length === lastCount ? quiet + 1 : 0;
    lastCount = items.length;
    return items;
  }, items => items.length >= orderIds.length || quiet >= QUIET_POLLS, { timeoutMs: traffic.ordersTimeoutMs });
  log(`${stackName}: ${ordersWait.value.length} of ${orderIds.length} orders recorded after ${(ordersWait.waitedMs / 1000).toFixed(1)} s`);

  // Redeliveries: the same orderIds again, with a changed payload that must not be written.
  log(`${stackName}: publishing ${duplicateIds.length} orders again (same orderId, changed payload)`);
  await publishAll(context, topicArn, duplicateIds.map((id, i) => order(id, 2, i)));

  // Wait for the poison to reach the DLQ and the queue to empty (duplicates processed too).
  const deadLettered = new Map<string, Message>();
  quiet = 0;
  let lastDead = -1;
  const dlqWait = await waitFor(async () => {
    for (const m of await drainQueue(clients, dlqUrl, { emptyReceives: 1, waitTimeSeconds: 0 })) deadLettered.set(m.MessageId!, m);
    const depth = await queueDepth(clients, queueUrl);
    quiet = depth.total === 0 && deadLettered.size === lastDead ? quiet + 1 : 0;
    lastDead = deadLettered.size;
    return depth;
  }, depth => (depth.total === 0 && poisonIds.every(id => [...deadLettered.values()].some(m => m.Body?.includes(id)))) || quiet >= QUIET_POLLS,
  { timeoutMs: traffic.deadLetterTimeoutMs });
  log(`${stackName}: ${deadLettered.size} message(s) in the DLQ, ${dlqWait.value.total} left in the queue after ${(dlqWait.waitedMs / 1000).toFixed(1)} s more`);

  // Final read.
  for (const m of await drainQueue(clients, dlqUrl, { emptyReceives: 2 })) deadLettered.set(m.MessageId!, m);
  const items = await recorded();
  const byId = new Map<string, PlainItem>(items.map(item => [String(item.orderId), item]));
  const depth = await queueDepth(clients, queueUrl);
  const dlqBodies = [...deadLettered.values()].map(m => m.Body ?? '');

  const missing = orderIds.filter(id => !byId.has(id));
  const firstWrite = (id: string) => {
    const payload = byId.get(id)?.payload;
    try {
      return typeof payload === 'string' && (JSON.parse(payload) as { attempt?: number }).attempt === 1;
    } catch {
      return false;
    }
  };
  const duplicatesMissing = duplicateIds.filter(id => !byId.has(id));
  const duplicatesOverwritten = duplicateIds.filter(id => byId.has(id) && !firstWrite(id));
  const unexpectedItems = items.map(item => String(item.orderId)).filter(id => !orderIds.includes(id));
  const poisonMissing = poisonIds.filter(id => !dlqBodies.some(body => body.includes(id)));
  const ordersInDlq = orderIds.filter(id => dlqBodies.some(body => body.includes(`"${id}"`)));

  const table = `${stackName} orders table`;
  const row = (what: string, where: string, expected: number, arrived: number, ok: boolean, problem: string): Row =>
    ({ architecture, what, where, expected, arrived, ok, ...(ok ? {} : { problem }) });
  const rows: Row[] = [
    row('orders recorded (recorder Lambda in MiniStack)', 'orders table', orderIds.length, orderIds.length - missing.length, missing.length === 0,
      `${missing.length} of ${orderIds.length} orders did not arrive in ${table}: ${listIds(missing)}`),
    row('re-sent orders kept their first write (idempotent)', 'orders table', duplicateIds.length,
      duplicateIds.length - duplicatesMissing.length - duplicatesOverwritten.length,
      duplicatesMissing.length === 0 && duplicatesOverwritten.length === 0,
      `${duplicatesMissing.length + duplicatesOverwritten.length} of ${duplicateIds.length} re-sent orders were not kept once in ${table}`
      + `${duplicatesMissing.length ? `; missing: ${listIds(duplicatesMissing)}` : ''}${duplicatesOverwritten.length ? `; overwritten: ${listIds(duplicatesOverwritten)}` : ''}`),
    row('items for this run (one per orderId, nothing else)', 'orders table', orderIds.length, items.length,
      items.length === orderIds.length && unexpectedItems.length === 0,
      `${table} holds ${items.length} items for ${orderIds.length} orders${unexpectedItems.length ? `; not sent: ${listIds(unexpectedItems)}` : ''}`),
    row('poison messages dead-lettered (not JSON, no orderId)', 'orders DLQ', poisonIds.length, poisonIds.length - poisonMissing.length, poisonMissing.length === 0,
      `${poisonMissing.length} of ${poisonIds.length} poison messages did not arrive in ${stackName} DLQ: ${listIds(poisonMissing)}`),
    row('valid orders in the DLQ', 'orders DLQ', 0, ordersInDlq.length, ordersInDlq.length === 0,
      `${ordersInDlq.length} valid orders ended in ${stackName} DLQ: ${listIds(ordersInDlq)}`),
    row('messages left in the orders queue', 'orders queue', 0, depth.total, depth.total === 0,
      `${depth.total} messages are still in ${stackName} orders queue (${depth.visible} visible, ${depth.inFlight} in flight)`),
  ];
  return { architecture, stackName, rows, durationMs: Date.now() - started };
}
