/**
 * Order fan-out: orders topic -> Shipping (attribute filter eventType = OrderPlaced), Fraud
 * (attributes eventType = OrderPlaced and amount >= 1000), Analytics (body filter eventType =
 * OrderPlaced, raw delivery), each read by the bundled idempotent recorder into a table of its own
 * (keyed by orderId); uploads bucket -> one notification rule (ObjectCreated, incoming/*.csv) ->
 * uploads topic -> Import and Audit queues (no filter, no consumer).
 *
 * Traffic: 1,000 orders published with SNS PublishBatch (10 per call), with mixed message
 * attributes: 70 % OrderPlaced, the rest OrderCancelled, OrderShipped or no eventType at all;
 * amounts cycle through 12.5, 999.99, 1000, 1000.01, 250, 5000, 40 (so the fraud boundary is
 * crossed both ways, also by orders that are not OrderPlaced). One raw-delivery probe (below),
 * and three S3 PutObjects into the uploads bucket: one the rule matches, one outside its prefix and
 * one outside its suffix.
 *
 * Raw delivery is proven through the consumers, not by reading a setting back: the probe's
 * published body is itself shaped like an SNS envelope around an inner order. The recorder
 * unwraps exactly one envelope. On a raw subscription (Analytics) the queue body IS the published
 * body, so the recorder unwraps the probe and records the INNER id; on an enveloped subscription
 * (Shipping) SNS wraps the body once more, the recorder removes SNS's envelope and records the
 * OUTER id. Were Analytics not raw, it would record the outer id like Shipping.
 *
 * S3: the matching upload must reach every subscribed queue (Import and Audit) exactly once, and
 * the two others no queue at all (the rule's prefix and suffix are applied by S3).
 *
 * The recorders run as real Lambda processes inside MiniStack; this scenario only publishes and
 * reads back.
 */
import { randomBytes } from 'crypto';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import {
  GetSubscriptionAttributesCommand, ListSubscriptionsByTopicCommand, PublishBatchCommand, PublishBatchRequestEntry,
} from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand, Message } from '@aws-sdk/client-sqs';
import { drainQueue, PlainItem, queueDepth, scanTable, waitFor } from '../collect';
import { listIds, output, Row, Scenario, ScenarioContext, ScenarioResult } from './types';

export interface OrderFanOutTraffic {
  /** Orders published (ids unique to the run). */
  readonly orders: number;
  /** How long to wait until every recorder has written what it should. */
  readonly ordersTimeoutMs: number;
  /** How long to wait for the S3 event in the upload subscribers' queues. */
  readonly uploadTimeoutMs: number;
}

export const DEFAULT_FAN_OUT_TRAFFIC: OrderFanOutTraffic = {
  orders: 1000,
  ordersTimeoutMs: 120_000,
  uploadTimeoutMs: 20_000,
};

/** The subscribers of the reference stack that record orders, and those of its uploads topic (no consumer). */
const RECORDING_SUBSCRIBERS = ['Shipping', 'Fraud', 'Analytics'] as const;
const UPLOAD_SUBSCRIBERS = ['Import', 'Audit'] as const;
const ALL_SUBSCRIBERS = [...RECORDING_SUBSCRIBERS, ...UPLOAD_SUBSCRIBERS] as const;
type RecordingSubscriber = typeof RECORDING_SUBSCRIBERS[number];
type UploadSubscriber = typeof UPLOAD_SUBSCRIBERS[number];

/** Event types in rotation (index = order number % 10): 7 of 10 are OrderPlaced; `undefined` = no attribute. */
const EVENT_TYPES: ReadonlyArray<string | undefined> = [
  'OrderPlaced', 'OrderPlaced', 'OrderPlaced', 'OrderPlaced', 'OrderPlaced', 'OrderPlaced', 'OrderPlaced',
  'OrderCancelled', 'OrderShipped', undefined,
];
/** Amounts in rotation (index = order number % 7, coprime with 10 so every type meets every amount). */
const AMOUNTS: readonly number[] = [12.5, 999.99, 1000, 1000.01, 250, 5000, 40];
/** The stack's default fraud threshold (OrderFanOutStackProps.fraudThreshold). */
export const FRAUD_THRESHOLD = 1000;

/** Stop waiting when every queue is empty and no table changed for this many polls (1 s apart). */
const QUIET_POLLS = 5;
const ARCHITECTURE = 'order-fan-out';

export interface PlannedOrder {
  readonly orderId: string;
  readonly eventType?: string;
  readonly amount: number;
}

/** The orders of one run and, derived from the stack's filter policies, who must receive which. */
export function planOrders(run: string, count: number): { orders: PlannedOrder[]; expected: Record<RecordingSubscriber, string[]> } {
  const orders = Array.from({ length: count }, (_, i): PlannedOrder => ({
    orderId: `f-${run}-${i + 1}`,
    eventType: EVENT_TYPES[i % EVENT_TYPES.length],
    amount: AMOUNTS[i % AMOUNTS.length],
  }));
  const placed = orders.filter(o => o.eventType === 'OrderPlaced');
  return {
    orders,
    expected: {
      Shipping: placed.map(o => o.orderId),
      Fraud: placed.filter(o => o.amount >= FRAUD_THRESHOLD).map(o => o.orderId),
      // Analytics filters on eventType = OrderPlaced too (raw delivery changes the format, not the set).
      Analytics: placed.map(o => o.orderId),
    },
  };
}

function orderEntry(order: PlannedOrder, i: number): PublishBatchRequestEntry {
  return {
    Id: String(i),
    Message: JSON.stringify({ orderId: order.orderId, amount: order.amount, ...(order.eventType ? { eventType: order.eventType } : {}) }),
    MessageAttributes: {
      amount: { DataType: 'Number', StringValue: String(order.amount) },
      ...(order.eventType ? { eventType: { DataType: 'String', StringValue: order.eventType } } : {}),
    },
  };
}

async function publishEntries(context: ScenarioContext, topicArn: string, entries: readonly PublishBatchRequestEntry[]): Promise<number> {
  const batches: PublishBatchRequestEntry[][] = [];
  for (let i = 0; i < entries.length; i += 10) batches.push(entries.slice(i, i + 10).map((e, j) => ({ ...e, Id: String(j) })));
  let calls = 0;
  const send = async (batch: PublishBatchRequestEntry[]) => {
    const res = await context.clients.sns.send(new PublishBatchCommand({ TopicArn: topicArn, PublishBatchRequestEntries: batch }));
    calls++;
    if ((res.Failed ?? []).length > 0) throw new Error(`SNS PublishBatch failed for ${res.Failed!.length} entries: ${JSON.stringify(res.Failed)}`);
  };
  // Five batches in flight at a time.
  for (let i = 0; i < batches.length; i += 5) await Promise.all(batches.slice(i, i + 5).map(send));
  return calls;
}

/** The order fan-out scenario, against the reference stack (or a fixture stack of the same shape). */
export function orderFanOutScenario(
  stackName = 'IntegrationPatterns-OrderFanOut',
  options: { traffic?: OrderFanOutTraffic; label?: string } = {},
): Scenario {
  const architecture = options.label ?? ARCHITECTURE;
  return {
    architecture,
    stackName,
    run: context => runOrderFanOut({ ...context, stackName }, architecture, options.traffic ?? DEFAULT_FAN_OUT_TRAFFIC),
  };
}

/** The S3 key named in an SNS envelope around an S3 event notification, if it is one. */
function s3KeysOf(message: Message): string[] {
  try {
    const envelope = JSON.parse(message.Body ?? '') as { Type?: string; Message?: string };
    if (envelope.Type !== 'Notification' || typeof envelope.Message !== 'string') return [];
    const event = JSON.parse(envelope.Message) as { Records?: Array<{ eventSource?: string; s3?: { object?: { key?: string } } }> };
    return (event.Records ?? []).filter(r => r.eventSource === 'aws:s3').map(r => decodeURIComponent(r.s3?.object?.key ?? ''));
  } catch {
    return [];
  }
}

async function runOrderFanOut(context: ScenarioContext, architecture: string, traffic: OrderFanOutTraffic): Promise<ScenarioResult> {
  const started = Date.now();
  const { clients, outputs, stackName, log } = context;
  const topicArn = output(outputs, stackName, 'OrdersTopicArn');
  const bucket = output(outputs, stackName, 'UploadsBucketName');
  const queueUrl = Object.fromEntries(ALL_SUBSCRIBERS.map(s => [s, output(outputs, stackName, `${s}QueueUrl`)])) as Record<typeof ALL_SUBSCRIBERS[number], string>;
  const dlqUrl = Object.fromEntries(ALL_SUBSCRIBERS.map(s => [s, output(outputs, stackName, `${s}DeadLetterQueueUrl`)])) as Record<typeof ALL_SUBSCRIBERS[number], string>;
  const tableName = Object.fromEntries(RECORDING_SUBSCRIBERS.map(s => [s, output(outputs, stackName, `${s}TableName`)])) as Record<RecordingSubscriber, string>;

  // Ids unique to this run, so a rerun against the same stack never counts an earlier run's items.
  const run = randomBytes(3).toString('hex');
  const prefix = `f-${run}-`;
  const { orders, expected } = planOrders(run, traffic.orders);
  const probeOuter = `${prefix}probe-outer`;
  const probeInner = `${prefix}probe-inner`;
  const probeBody = JSON.stringify({
    Type: 'Notification',
    TopicArn: 'arn:aws:sns:us-east-1:000000000000:raw-delivery-probe',
    Message: JSON.stringify({ orderId: probeInner, amount: 1, eventType: 'OrderPlaced' }),
    orderId: probeOuter,
    amount: 1,
    eventType: 'OrderPlaced',
  });
  // One upload the notification rule matches (prefix incoming/, suffix .csv), and one outside
  // each of its filters; each names the run so a rerun never counts an earlier run's events.
  const uploadKey = `incoming/${run}/orders-${run}.csv`;
  const offPrefixKey = `scratch/${run}/orders-${run}.csv`;
  const offSuffixKey = `incoming/${run}/notes-${run}.txt`;
  for (const key of [uploadKey, offPrefixKey, offSuffixKey]) {
    log(`${stackName}: S3 PutObject s3://${bucket}/${key}`);
    await clients.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: `orderId,amount\n${prefix}upload,1\n` }));
  }
  // Each upload subscriber's queue, read (and emptied) until the matching upload's event is in all of them.
  const uploadsMessages = Object.fromEntries(UPLOAD_SUBSCRIBERS.map(s => [s, new Map<string, Message>()])) as
    Record<UploadSubscriber, Map<string, Message>>;
  const uploadWait = await waitFor(async () => {
    for (const s of UPLOAD_SUBSCRIBERS) {
      for (const m of await drainQueue(clients, queueUrl[s], { emptyReceives: 1, waitTimeSeconds: 1 })) uploadsMessages[s].set(m.MessageId!, m);
    }
    return uploadsMessages;
  }, all => UPLOAD_SUBSCRIBERS.every(s => [...all[s].values()].some(m => s3KeysOf(m).includes(uploadKey))),
  { timeoutMs: traffic.uploadTimeoutMs, intervalMs: 500 });
  log(`${stackName}: upload events read from ${UPLOAD_SUBSCRIBERS.join(' and ')} after ${(uploadWait.waitedMs / 1000).toFixed(1)} s`);

  const publishStarted = Date.now();
  const entries = [...orders.map(orderEntry), {
    Id: 'probe',
    Message: probeBody,
    MessageAttributes: { eventType: { DataType: 'String', StringValue: 'OrderPlaced' }, amount: { DataType: 'Number', StringValue: '1' } },
  }];
  const calls = await publishEntries(context, topicArn, entries);
  log(`${stackName}: published ${orders.length} orders + 1 raw-delivery probe in ${calls} PublishBatch calls (${((Date.now() - publishStarted) / 1000).toFixed(1)} s; run ${run}); `
    + `expected: Shipping ${expected.Shipping.length}, Fraud ${expected.Fraud.length}, Analytics ${expected.Analytics.length}`);

  const recorded = async (): Promise<Record<RecordingSubscriber, PlainItem[]>> => {
    const entriesRead = await Promise.all(RECORDING_SUBSCRIBERS.map(async s =>
      [s, (await scanTable(clients, tableName[s])).filter(item => String(item.orderId).startsWith(prefix))] as const));
    return Object.fromEntries(entriesRead) as Record<RecordingSubscriber, PlainItem[]>;
  };
  const orderQueuesDepth = async () =>
    (await Promise.all(RECORDING_SUBSCRIBERS.map(s => queueDepth(clients, queueUrl[s])))).reduce((a, d) => a + d.total, 0);
  // Shipping and Analytics also record one probe id each.
  const target = { Shipping: expected.Shipping.length + 1, Fraud: expected.Fraud.length, Analytics: expected.Analytics.length + 1 };
  let quiet = 0;
  let lastCounts = '';
  const wait = await waitFor(async () => {
    const items = await recorded();
    const counts = RECORDING_SUBSCRIBERS.map(s => items[s].length).join('/');
    const depth = await orderQueuesDepth();
    quiet = depth === 0 && counts === lastCounts ? quiet + 1 : 0;
    lastCounts = counts;
    return { items, depth };
  }, ({ items, depth }) => (depth === 0 && RECORDING_SUBSCRIBERS.every(s => items[s].length >= target[s])) || quiet >= QUIET_POLLS,
  { timeoutMs: traffic.ordersTimeoutMs });
  log(`${stackName}: recorded Shipping/Fraud/Analytics ${lastCounts} of ${target.Shipping}/${target.Fraud}/${target.Analytics} after ${(wait.waitedMs / 1000).toFixed(1)} s`);

  // Late upload events (e.g. of the keys outside the rule, were S3 to publish them) are in the queues by now.
  for (const s of UPLOAD_SUBSCRIBERS) {
    for (const m of await drainQueue(clients, queueUrl[s], { emptyReceives: 2, waitTimeSeconds: 1 })) uploadsMessages[s].set(m.MessageId!, m);
  }

  // Final read: tables, DLQs (peeked, left in place), queue depths, subscription settings.
  const items = await recorded();
  const ids = Object.fromEntries(RECORDING_SUBSCRIBERS.map(s => [s, new Set(items[s].map(i => String(i.orderId)))])) as
    Record<RecordingSubscriber, Set<string>>;
  const deadLetters = Object.fromEntries(await Promise.all(ALL_SUBSCRIBERS.map(async s =>
    [s, await drainQueue(clients, dlqUrl[s], { delete: false, emptyReceives: 1, waitTimeSeconds: 0 })] as const))) as
    Record<typeof ALL_SUBSCRIBERS[number], Message[]>;
  const depths = Object.fromEntries(await Promise.all(ALL_SUBSCRIBERS.map(async s => [s, await queueDepth(clients, queueUrl[s])] as const)));
  const recordingQueues = Object.fromEntries(RECORDING_SUBSCRIBERS.map(s => [s, queueUrl[s]]));
  const rawBySubscriber = await rawDeliveryBySubscriber(context, topicArn, recordingQueues);

  const architectureRow = (what: string, where: string, exp: number, arrived: number, ok: boolean, problem: string): Row =>
    ({ architecture, what, where, expected: exp, arrived, ok, ...(ok ? {} : { problem }) });
  const rows: Row[] = [];
  const what: Record<RecordingSubscriber, string> = {
    Shipping: 'OrderPlaced orders recorded, no others',
    Fraud: `OrderPlaced with amount >= ${FRAUD_THRESHOLD} recorded, no others`,
    Analytics: 'OrderPlaced orders recorded, no others (body filter, raw)',
  };
  const orderIds = new Set(orders.map(o => o.orderId));
  for (const s of RECORDING_SUBSCRIBERS) {
    const want = new Set(expected[s]);
    const missing = expected[s].filter(id => !ids[s].has(id));
    const unexpected = [...ids[s]].filter(id => orderIds.has(id) && !want.has(id));
    const got = [...ids[s]].filter(id => want.has(id)).length;
    rows.push(architectureRow(what[s], `${s} table`, want.size, got + unexpected.length, missing.length === 0 && unexpected.length === 0,
      `${s} table (${tableName[s]}): ${missing.length} of ${want.size} expected orders did not arrive${missing.length ? `: ${listIds(missing)}` : ''}`
      + `${unexpected.length ? `; ${unexpected.length} orders arrived that its filter must drop: ${listIds(unexpected)}` : ''}`));
  }
  const notPlaced = orders.filter(o => o.eventType !== 'OrderPlaced').map(o => o.orderId);
  const notPlacedAnywhere = notPlaced.filter(id => RECORDING_SUBSCRIBERS.some(s => ids[s].has(id)));
  rows.push(architectureRow('orders not OrderPlaced (other/no eventType) recorded', 'any table', 0, notPlacedAnywhere.length, notPlacedAnywhere.length === 0,
    `${notPlacedAnywhere.length} of ${notPlaced.length} orders without eventType=OrderPlaced reached a recorder: ${listIds(notPlacedAnywhere)}`));

  // Raw delivery, seen by the consumers (see the file comment).
  const rawOk = ids.Analytics.has(probeInner) && !ids.Analytics.has(probeOuter);
  rows.push(architectureRow('raw delivery: probe body arrived unwrapped (inner id)', 'Analytics table', 1, rawOk ? 1 : 0, rawOk,
    `Analytics did not receive the published body as is: it recorded ${[probeInner, probeOuter].filter(id => ids.Analytics.has(id)).join(', ') || 'neither probe id'}`
    + ` (raw delivery records ${probeInner}; an SNS envelope would make it record ${probeOuter})`));
  const envelopeOk = ids.Shipping.has(probeOuter) && !ids.Shipping.has(probeInner);
  rows.push(architectureRow('envelope delivery: probe arrived in an SNS envelope (outer id)', 'Shipping table', 1, envelopeOk ? 1 : 0, envelopeOk,
    `Shipping did not receive an SNS envelope around the probe: it recorded ${[probeInner, probeOuter].filter(id => ids.Shipping.has(id)).join(', ') || 'neither probe id'}`
    + ` (an envelope records ${probeOuter})`));
  const rawSubs = Object.entries(rawBySubscriber).filter(([, raw]) => raw).map(([s]) => s);
  const rawSettingOk = rawSubs.length === 1 && rawSubs[0] === 'Analytics' && Object.keys(rawBySubscriber).length === RECORDING_SUBSCRIBERS.length;
  rows.push(architectureRow('subscriptions with RawMessageDelivery=true (Analytics only)', 'subscriptions', 1, rawSubs.length, rawSettingOk,
    `RawMessageDelivery is true on [${rawSubs.join(', ')}] of the subscriptions found [${Object.keys(rawBySubscriber).join(', ')}]; expected Analytics only`));

  // S3 uploads: one notification rule reaches every subscribed queue, once; keys outside it reach none.
  for (const s of UPLOAD_SUBSCRIBERS) {
    const events = [...uploadsMessages[s].values()];
    const arrived = events.filter(m => s3KeysOf(m).includes(uploadKey)).length;
    rows.push(architectureRow(`S3 upload incoming/*.csv reached ${s} (one rule, every subscriber)`, `${s} queue`, 1, arrived, arrived === 1,
      `${arrived} S3 ObjectCreated event(s) naming ${uploadKey} arrived in ${stackName} ${s} queue (expected exactly 1: bucket rule -> uploads topic -> every subscribed queue)`));
  }
  const offRule = UPLOAD_SUBSCRIBERS.flatMap(s => [...uploadsMessages[s].values()].flatMap(m => s3KeysOf(m))
    .filter(k => k === offPrefixKey || k === offSuffixKey).map(k => `${s}: ${k}`));
  rows.push(architectureRow('S3 uploads outside the rule (scratch/*.csv, incoming/*.txt) published', 'Import/Audit queues', 0, offRule.length, offRule.length === 0,
    `uploads the notification rule (prefix incoming/, suffix .csv) must not publish arrived: ${offRule.join(', ')}`));
  const ordersInUploads = UPLOAD_SUBSCRIBERS.flatMap(s => [...uploadsMessages[s].values()])
    .filter(m => m.Body?.includes(prefix) && s3KeysOf(m).length === 0).length;
  rows.push(architectureRow('orders in the upload subscribers\' queues (other topic)', 'Import/Audit queues', 0, ordersInUploads, ordersInUploads === 0,
    `${ordersInUploads} orders of this run reached ${stackName} Import/Audit queues, which subscribe to the uploads topic only`));

  // DLQs and queues.
  const dead = ALL_SUBSCRIBERS.filter(s => deadLetters[s].length > 0);
  const deadCount = ALL_SUBSCRIBERS.reduce((n, s) => n + deadLetters[s].length, 0);
  rows.push(architectureRow('messages in the 5 dead-letter queues', 'DLQs', 0, deadCount, deadCount === 0,
    `dead letters: ${dead.map(s => `${s} DLQ ${deadLetters[s].length} (${listIds(deadLetters[s].map(m => (m.Body ?? '').slice(0, 80)), 3)})`).join('; ')}`));
  const left = ALL_SUBSCRIBERS.filter(s => depths[s].total > 0);
  const leftCount = ALL_SUBSCRIBERS.reduce((n, s) => n + depths[s].total, 0);
  rows.push(architectureRow('messages left in the 5 queues (drained)', 'queues', 0, leftCount, leftCount === 0,
    `messages still in: ${left.map(s => `${s} queue ${depths[s].total} (${depths[s].visible} visible, ${depths[s].inFlight} in flight)`).join('; ')}`));
  return { architecture, stackName, rows, durationMs: Date.now() - started };
}

/** RawMessageDelivery of each of the topic's subscriptions, by subscriber (matched through the queue ARN). */
async function rawDeliveryBySubscriber(
  context: ScenarioContext, topicArn: string, queueUrl: Record<string, string>,
): Promise<Record<string, boolean>> {
  const { clients } = context;
  const arnToSubscriber = new Map<string, string>();
  for (const [s, url] of Object.entries(queueUrl)) {
    const res = await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
    arnToSubscriber.set(res.Attributes!.QueueArn!, s);
  }
  const result: Record<string, boolean> = {};
  let token: string | undefined;
  do {
    const page = await clients.sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn, NextToken: token }));
    for (const sub of page.Subscriptions ?? []) {
      const subscriber = arnToSubscriber.get(sub.Endpoint ?? '');
      if (!subscriber) continue;
      const attrs = await clients.sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: sub.SubscriptionArn }));
      result[subscriber] = attrs.Attributes?.RawMessageDelivery === 'true';
    }
    token = page.NextToken;
  } while (token);
  return result;
}
