/**
 * Order intake: producers and a REST front door -> write buffer (SQS + DLQ) -> throttled, bundled
 * writer Lambda -> DynamoDB orders table.
 *
 * Traffic: 10,000 messages sent with SendMessageBatch, 5 % of them poison (malformed JSON, and
 * JSON that fails the order schema), shuffled; plus a few orders through the API Gateway front
 * door (SigV4-signed, as IAM authorization wants). While they are written, a fault proxy in front
 * of the emulator's DynamoDB throttles BatchWriteItem for a window (whole requests refused with
 * ProvisionedThroughputExceededException, or half-written with UnprocessedItems): the writer is
 * pointed at it by adding `AWS_ENDPOINT_URL_DYNAMODB` to its environment for the run, and the
 * environment is restored afterwards.
 *
 * Checked: every valid order id in the table exactly once with its payload, every poison id in
 * the DLQ (with the writer's error code), no valid order in the DLQ, nothing left in the queue.
 */
import { randomBytes } from 'crypto';
import { GetFunctionConfigurationCommand, LambdaClient, UpdateFunctionConfigurationCommand, waitUntilFunctionUpdatedV2 } from '@aws-sdk/client-lambda';
import { Message, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { clientConfig } from '../clients';
import { drainQueue, PlainItem, queueDepth, scanTable, waitFor } from '../collect';
import { FaultCounts, startFaultProxy } from '../fault-proxy';
import { localSigner } from '../sigv4';
import { listIds, output, Row, Scenario, ScenarioContext, ScenarioResult } from './types';

export interface OrderIntakeTraffic {
  /** Messages sent to the queue with SendMessageBatch, poison included. */
  readonly messages: number;
  /** Share of them that is poison (half malformed JSON, half schema failures). */
  readonly poisonShare: number;
  /** Valid orders sent through the REST front door. */
  readonly frontDoorOrders: number;
  /** How long BatchWriteItem is throttled, from the first send. */
  readonly throttleWindowMs: number;
  /** How long to wait for everything to settle. */
  readonly timeoutMs: number;
}

export const ORDER_INTAKE_TRAFFIC: OrderIntakeTraffic = {
  messages: 10_000,
  poisonShare: 0.05,
  frontDoorOrders: 10,
  throttleWindowMs: 20_000,
  timeoutMs: 240_000,
};

const ARCHITECTURE = 'order-intake';
/** The environment variable that routes the writer's DynamoDB calls through the fault proxy. */
const DYNAMODB_ENDPOINT_VARIABLE = 'AWS_ENDPOINT_URL_DYNAMODB';

interface Planned {
  readonly valid: Array<{ orderId: string; body: string; amount: number }>;
  readonly malformed: Array<{ id: string; body: string }>;
  readonly schemaFailures: Array<{ id: string; body: string }>;
}

/** Valid orders and poison with ids unique to this run, shuffled together. */
export function planOrderIntake(run: string, traffic: OrderIntakeTraffic): Planned {
  const poison = Math.round(traffic.messages * traffic.poisonShare);
  const malformedCount = Math.floor(poison / 2);
  const valid = Array.from({ length: traffic.messages - poison }, (_, i) => {
    const orderId = `o-${run}-${i + 1}`;
    const amount = (i % 1000) / 10;
    return { orderId, amount, body: JSON.stringify({ orderId, customerId: `c-${i % 97}`, amount, currency: 'EUR' }) };
  });
  const malformed = Array.from({ length: malformedCount }, (_, i) => {
    const id = `p-${run}-json-${i + 1}`;
    return { id, body: `{"orderId":"${id}","amount": ${i % 2 === 0 ? '' : '12,}'}` };
  });
  // Three ways to fail the order schema: no amount, a negative amount, a currency not in the enum.
  const schemaFailures = Array.from({ length: poison - malformedCount }, (_, i) => {
    const id = `p-${run}-schema-${i + 1}`;
    const variants = [
      { orderId: id, customerId: 'c-1' },
      { orderId: id, customerId: 'c-1', amount: -5 },
      { orderId: id, customerId: 'c-1', amount: 10, currency: 'XXX' },
    ];
    return { id, body: JSON.stringify(variants[i % 3]) };
  });
  return { valid, malformed, schemaFailures };
}

/** The order intake scenario, against the reference stack or a fixture stack of the same shape. */
export function orderIntakeScenario(
  stackName = 'IntegrationPatterns-OrderIntake',
  options: { traffic?: OrderIntakeTraffic; label?: string } = {},
): Scenario {
  const architecture = options.label ?? ARCHITECTURE;
  const traffic = options.traffic ?? ORDER_INTAKE_TRAFFIC;
  return { architecture, stackName, run: context => runOrderIntake({ ...context, stackName }, architecture, traffic) };
}

/** Deterministic shuffle (so a failing run can be repeated). */
function shuffle<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

async function sendAll(context: ScenarioContext, queueUrl: string, bodies: readonly string[]): Promise<void> {
  const batches: string[][] = [];
  for (let i = 0; i < bodies.length; i += 10) batches.push(bodies.slice(i, i + 10));
  const send = async (batch: string[]) => {
    const res = await context.clients.sqs.send(new SendMessageBatchCommand({
      QueueUrl: queueUrl,
      Entries: batch.map((body, i) => ({ Id: String(i), MessageBody: body })),
    }));
    if ((res.Failed ?? []).length > 0) throw new Error(`SendMessageBatch failed for ${res.Failed!.length} entries: ${JSON.stringify(res.Failed)}`);
  };
  // Ten batches in flight at a time.
  for (let i = 0; i < batches.length; i += 10) await Promise.all(batches.slice(i, i + 10).map(send));
}

/** POST /orders on the emulator's execute-api endpoint, SigV4-signed (the method uses IAM authorization). */
async function postOrder(endpoint: string, apiUrl: string, body: string): Promise<{ status: number; text: string }> {
  // https://<api-id>.execute-api.<region>.amazonaws.com/<stage>/orders -> <endpoint>/_aws/execute-api/<api-id>/<stage>/orders
  const api = new URL(apiUrl);
  const apiId = api.hostname.split('.')[0];
  const local = new URL(`${endpoint}/_aws/execute-api/${apiId}${api.pathname}`);
  const signer = localSigner(endpoint, 'execute-api');
  const signed = await signer.sign({
    method: 'POST',
    protocol: local.protocol,
    hostname: local.hostname,
    port: Number(local.port),
    path: local.pathname,
    query: {},
    headers: { 'host': local.host, 'content-type': 'application/json' },
    body,
  });
  const res = await fetch(local, { method: 'POST', headers: signed.headers, body });
  return { status: res.status, text: await res.text() };
}

/** Sets (or with `undefined`, removes) one environment variable of the writer and waits for the update. */
async function setWriterVariable(lambda: LambdaClient, functionName: string, value: string | undefined): Promise<void> {
  const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }));
  const variables = { ...(config.Environment?.Variables ?? {}) };
  if (value === undefined) delete variables[DYNAMODB_ENDPOINT_VARIABLE];
  else variables[DYNAMODB_ENDPOINT_VARIABLE] = value;
  await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: functionName, Environment: { Variables: variables } }));
  await waitUntilFunctionUpdatedV2({ client: lambda, maxWaitTime: 60, minDelay: 1 }, { FunctionName: functionName });
}

async function runOrderIntake(context: ScenarioContext, architecture: string, traffic: OrderIntakeTraffic): Promise<ScenarioResult> {
  const started = Date.now();
  const { clients, outputs, stackName, log } = context;
  const queueUrl = output(outputs, stackName, 'OrdersQueueUrl');
  const dlqUrl = output(outputs, stackName, 'OrdersDeadLetterQueueUrl');
  const tableName = output(outputs, stackName, 'OrdersTableName');
  const writerName = output(outputs, stackName, 'WriterFunctionName');
  const apiUrl = output(outputs, stackName, 'OrderIntakeApiUrl');

  const run = randomBytes(3).toString('hex');
  const plan = planOrderIntake(run, traffic);
  const frontDoorIds = Array.from({ length: traffic.frontDoorOrders }, (_, i) => `api-${run}-${i + 1}`);
  const invalidFrontDoorId = `api-${run}-invalid`;
  const validIds = [...plan.valid.map(v => v.orderId), ...frontDoorIds];
  const poison = [...plan.malformed, ...plan.schemaFailures];
  const bodies = shuffle([...plan.valid.map(v => v.body), ...poison.map(p => p.body)], parseInt(run, 16));

  const proxy = await startFaultProxy(clients.endpoint);
  const lambda = new LambdaClient(clientConfig(clients.endpoint));
  let counts: FaultCounts = proxy.counts();
  const deadLettered = new Map<string, Message>();
  let frontDoorStatuses: number[] = [];
  let invalidFrontDoor = { status: 0, text: '' };
  try {
    log(`${stackName}: writer ${writerName} now reaches DynamoDB through the fault proxy ${proxy.url}`);
    await setWriterVariable(lambda, writerName, proxy.url);

    proxy.throttleFor(traffic.throttleWindowMs);
    log(`${stackName}: sending ${bodies.length} messages (${poison.length} poison: ${plan.malformed.length} malformed JSON, ${plan.schemaFailures.length} schema failures) `
      + `with SendMessageBatch; BatchWriteItem throttled for ${traffic.throttleWindowMs / 1000} s (run ${run})`);
    const sendStarted = Date.now();
    await sendAll(context, queueUrl, bodies);
    log(`${stackName}: sent in ${((Date.now() - sendStarted) / 1000).toFixed(1)} s`);

    log(`${stackName}: ${frontDoorIds.length} orders and 1 schema-invalid request through POST /orders (SigV4)`);
    frontDoorStatuses = await Promise.all(frontDoorIds.map(async (orderId, i) =>
      (await postOrder(clients.endpoint, apiUrl, JSON.stringify({ orderId, customerId: 'c-api', amount: i + 1, currency: 'USD' }))).status));
    invalidFrontDoor = await postOrder(clients.endpoint, apiUrl, JSON.stringify({ orderId: invalidFrontDoorId, customerId: 'c-api' }));

    const written = async () => (await scanTable(clients, tableName)).filter(i => String(i.orderId).includes(`-${run}-`));
    const wait = await waitFor(async () => {
      for (const m of await drainQueue(clients, dlqUrl, { emptyReceives: 1, waitTimeSeconds: 0 })) deadLettered.set(m.MessageId!, m);
      const items = await written();
      const depth = await queueDepth(clients, queueUrl);
      return { items: items.length, depth: depth.total };
    }, v => v.items >= validIds.length && deadLettered.size >= poison.length && v.depth === 0, { timeoutMs: traffic.timeoutMs, intervalMs: 3000 });
    log(`${stackName}: ${wait.value.items} orders written, ${deadLettered.size} messages dead-lettered, ${wait.value.depth} left in the queue after ${(wait.waitedMs / 1000).toFixed(1)} s`);
  } finally {
    counts = proxy.counts();
    await setWriterVariable(lambda, writerName, undefined).catch(err => log(`${stackName}: could not restore the writer's environment: ${(err as Error).message}`));
    await proxy.stop();
    lambda.destroy();
  }
  log(`${stackName}: fault proxy saw ${counts.batchWrites} BatchWriteItem requests: ${counts.throttled} throttled, ${counts.partial} half-written (${counts.unprocessedItems} items returned unprocessed)`);

  for (const m of await drainQueue(clients, dlqUrl, { emptyReceives: 2 })) deadLettered.set(m.MessageId!, m);
  const items = (await scanTable(clients, tableName)).filter(i => String(i.orderId).includes(`-${run}-`));
  const depth = await queueDepth(clients, queueUrl);

  const byId = new Map<string, PlainItem[]>();
  for (const item of items) byId.set(String(item.orderId), [...(byId.get(String(item.orderId)) ?? []), item]);
  const missing = validIds.filter(id => !byId.has(id));
  const duplicates = [...byId.entries()].filter(([, list]) => list.length > 1).map(([id]) => id);
  const unexpected = [...byId.keys()].filter(id => !validIds.includes(id) && id !== invalidFrontDoorId);
  const expectedAmount = new Map(plan.valid.map(v => [v.orderId, v.amount]));
  const wrongPayload = plan.valid
    .filter(v => byId.has(v.orderId) && byId.get(v.orderId)![0].amount !== expectedAmount.get(v.orderId))
    .map(v => v.orderId);

  const dlq = [...deadLettered.values()];
  const codeOf = (m: Message) => m.MessageAttributes?.writeBufferError?.StringValue ?? '';
  const inDlq = (id: string) => dlq.find(m => (m.Body ?? '').includes(`"${id}"`));
  const malformedMissing = plan.malformed.filter(p => !inDlq(p.id)).map(p => p.id);
  const schemaMissing = plan.schemaFailures.filter(p => !inDlq(p.id)).map(p => p.id);
  const uncoded = poison.filter(p => inDlq(p.id) && codeOf(inDlq(p.id)!) === '').map(p => p.id);
  const codes = [...new Set(dlq.map(codeOf))].sort();
  const validInDlq = validIds.filter(id => inDlq(id));
  const frontDoorRefused = frontDoorStatuses.filter(s => s !== 200).length;
  // AWS refuses the invalid request with 400 (request validator); an emulator that does not
  // validate request models accepts it, and the writer must then dead-letter it.
  const invalidHandled = invalidFrontDoor.status === 400 || (invalidFrontDoor.status === 200 && inDlq(invalidFrontDoorId) !== undefined);
  const invalidWritten = byId.has(invalidFrontDoorId);

  const minimumRequests = Math.ceil(validIds.length / 25);
  const row = (what: string, where: string, expected: number, arrived: number, ok: boolean, problem: string): Row =>
    ({ architecture, what, where, expected, arrived, ok, ...(ok ? {} : { problem }) });
  const table = `${stackName} orders table`;
  const rows: Row[] = [
    row(`valid orders written (${plan.valid.length} via SQS, ${frontDoorIds.length} via POST /orders)`, 'orders table', validIds.length,
      validIds.length - missing.length, missing.length === 0,
      `${missing.length} of ${validIds.length} valid orders are not in ${table}: ${listIds(missing)}`),
    row('orders written more than once, or not sent', 'orders table', 0, duplicates.length + unexpected.length,
      duplicates.length === 0 && unexpected.length === 0 && items.length === validIds.length,
      `${table} holds ${items.length} items for ${validIds.length} orders; duplicates: ${listIds(duplicates)}; not sent: ${listIds(unexpected)}`),
    row('orders written with the payload sent (amount)', 'orders table', plan.valid.length, plan.valid.length - missing.filter(id => expectedAmount.has(id)).length - wrongPayload.length,
      wrongPayload.length === 0, `${wrongPayload.length} orders have another amount than sent: ${listIds(wrongPayload)}`),
    row('malformed JSON dead-lettered', 'orders DLQ', plan.malformed.length, plan.malformed.length - malformedMissing.length, malformedMissing.length === 0,
      `${malformedMissing.length} malformed messages are not in the DLQ: ${listIds(malformedMissing)}`),
    row('schema failures dead-lettered (no amount, amount < 0, unknown currency)', 'orders DLQ', plan.schemaFailures.length,
      plan.schemaFailures.length - schemaMissing.length, schemaMissing.length === 0,
      `${schemaMissing.length} schema failures are not in the DLQ: ${listIds(schemaMissing)}`),
    row(`dead letters carry the writer's error code (${codes.join(', ') || 'none'})`, 'orders DLQ', poison.length, poison.length - uncoded.length,
      uncoded.length === 0, `${uncoded.length} dead letters have no writeBufferError attribute: ${listIds(uncoded)}`),
    row('valid orders in the DLQ', 'orders DLQ', 0, validInDlq.length, validInDlq.length === 0,
      `${validInDlq.length} valid orders ended in the DLQ: ${listIds(validInDlq)}`),
    row(`BatchWriteItem throttled during the window (fault proxy: ${counts.throttled} refused, ${counts.partial} half-written of ${counts.batchWrites})`,
      'DynamoDB', 1, counts.throttled > 0 && counts.partial > 0 ? 1 : 0,
      counts.throttled > 0 && counts.partial > 0,
      `the fault proxy throttled ${counts.throttled} and half-wrote ${counts.partial} of ${counts.batchWrites} BatchWriteItem requests: the window did not hit the writer`),
    // Only the writer reaches DynamoDB through the proxy: its requests prove the bundled writer ran as a Lambda in the emulator.
    row('BatchWriteItem requests by the writer Lambda (at least one per 25 orders)', 'fault proxy', minimumRequests, counts.batchWrites,
      counts.batchWrites >= minimumRequests, `the fault proxy saw ${counts.batchWrites} BatchWriteItem requests, fewer than the ${minimumRequests} that ${validIds.length} orders need`),
    row('POST /orders accepted (200)', 'front door', frontDoorIds.length, frontDoorIds.length - frontDoorRefused, frontDoorRefused === 0,
      `${frontDoorRefused} of ${frontDoorIds.length} front-door requests were refused: statuses ${frontDoorStatuses.join(', ')}`),
    row(`schema-invalid POST refused (AWS: 400) or dead-lettered (emulator: got ${invalidFrontDoor.status})`, 'front door', 1, invalidHandled && !invalidWritten ? 1 : 0,
      invalidHandled && !invalidWritten, `the schema-invalid request got ${invalidFrontDoor.status} ${invalidFrontDoor.text} and was ${invalidWritten ? 'written to the table' : 'not dead-lettered'}`),
    row('messages left in the buffer queue', 'orders queue', 0, depth.total, depth.total === 0,
      `${depth.total} messages are still in the buffer queue (${depth.visible} visible, ${depth.inFlight} in flight)`),
  ];
  return { architecture, stackName, rows, durationMs: Date.now() - started };
}
