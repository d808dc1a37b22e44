import { performance } from 'perf_hooks';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DeleteMessageBatchCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { FRONT_DOOR_FIXTURE_STACK } from '../../e2e/fixtures/front-door-api-key';
import { localClients } from '../../e2e/harness/clients';
import { bootstrap, deployApp } from '../../e2e/harness/deploy';
import { installEmulator, startEmulator, stopEmulator } from '../../e2e/harness/emulator';
import { HTTP_MODEL_LABEL, invokeHttpThroughModel, readHttpIntegrations } from '../../e2e/harness/front-door-model';
import { signedFetch } from '../../e2e/harness/sigv4';
import { stats, Stats } from '../lib/stats';
import { Suite, SuiteContext, SuiteResult } from '../lib/suite';

/**
 * FrontDoor's direct integrations against the Lambda proxy people write instead, in the same run
 * on MiniStack, with the fixture e2e/fixtures/front-door-api-key.ts deployed by the real CDK CLI:
 *
 * - REST direct: `POST /orders` of a REST FrontDoor (IAM, SigV4-signed) through MiniStack's own
 *   API Gateway, which forwards REST -> SQS (real);
 * - HTTP direct: `POST /orders` of an HTTP API FrontDoor (SQS-SendMessage). MiniStack does not run
 *   HTTP API first-class integrations, so these requests go through the LABELLED integration model
 *   (the deployed request parameters, mapped as API Gateway documents, sent with the SDK): its
 *   requests and landed messages are counted like the others, its latency is not API Gateway's;
 * - Lambda proxy (peer): `POST /orders` of an HTTP API whose Lambda proxy integration sends the
 *   body to SQS (real: MiniStack runs the function as a Node worker).
 *
 * Requests per message are counted, not assumed: API requests = what the client sent (retries
 * included), SendMessage = messages that landed in the queue, Lambda invocations = distinct
 * invocation ids the function stamped on what landed. Cost per million messages multiplies those
 * by AWS list prices (us-east-1, cited in the notes).
 */
const MESSAGES = 300;
const CONCURRENCY = 10;

/** AWS list prices, us-east-1, USD per million (API Gateway: first tier). */
export const PRICES = {
  restApiRequest: 3.5,
  httpApiRequest: 1.0,
  sqsRequest: 0.4,
  lambdaRequest: 0.2,
  /** Lambda x86_64 per GB-second, times 128 MB x 50 ms (assumed billed duration of a SendMessage proxy). */
  lambdaDurationPerMillion: 0.0000166667 * 0.125 * 0.05 * 1_000_000,
};

interface Run {
  seconds: number;
  apiRequests: number;
  landed: number;
  duplicates: number;
  lambdaInvocations: number;
  failed: number;
}

type Subject = 'REST direct (FrontDoor)' | 'HTTP direct (FrontDoor, via the model)' | 'HTTP API -> Lambda -> SQS (peer)';

function costPerMillion(subject: Subject, perMessage: { api: number; sqs: number; lambda: number }): number {
  const api = subject.startsWith('REST') ? PRICES.restApiRequest : PRICES.httpApiRequest;
  return perMessage.api * api + perMessage.sqs * PRICES.sqsRequest + perMessage.lambda * (PRICES.lambdaRequest + PRICES.lambdaDurationPerMillion);
}

async function pool<T>(items: T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < items.length) await fn(items[next++]);
  }));
}

async function runFrontDoorSuite(ctx: SuiteContext): Promise<SuiteResult> {
  await installEmulator();
  const emulator = await startEmulator();
  const raw: Record<string, Run[]> = {};
  const results: Record<string, Record<string, Stats>> = {};
  try {
    await bootstrap(emulator.endpoint);
    ctx.progress('deploying the front-door fixture (REST and HTTP FrontDoors, Lambda-proxy peer) with cdk deploy');
    const out = (await deployApp({ endpoint: emulator.endpoint, label: 'bench-front-door', appFile: 'e2e/fixtures/front-door-api-key.ts' }))[FRONT_DOOR_FIXTURE_STACK];
    const clients = localClients(emulator.endpoint);
    const config = { region: 'us-east-1', endpoint: emulator.endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
    const model = { sqs: clients.sqs, kinesis: clients.kinesis, eventBridge: new EventBridgeClient(config), stepFunctions: new SFNClient(config) };
    const httpRoute = (await readHttpIntegrations(emulator.endpoint, out.HttpApiId, FRONT_DOOR_FIXTURE_STACK))['POST /orders'];

    const post = (apiPath: string, body: string) => signedFetch(emulator.endpoint, 'execute-api', 'POST', apiPath, { 'content-type': 'application/json' }, body);
    const subjects: Record<Subject, { queueUrl: string; send: (body: string) => Promise<boolean> }> = {
      'REST direct (FrontDoor)': { queueUrl: out.RestQueueUrl, send: async b => (await post(`/_aws/execute-api/${out.RestApiId}/prod/orders`, b)).status === 200 },
      'HTTP direct (FrontDoor, via the model)': { queueUrl: out.HttpOrdersQueueUrl, send: async b => (await invokeHttpThroughModel(model, httpRoute, { body: b })).accepted },
      'HTTP API -> Lambda -> SQS (peer)': { queueUrl: out.ProxyQueueUrl, send: async b => (await post(`/_aws/execute-api/${out.ProxyApiId}/$default/orders`, b)).status === 200 },
    };

    let runNo = 0;
    for (const [subject, s] of Object.entries(subjects) as Array<[Subject, typeof subjects[Subject]]>) {
      raw[subject] = [];
      for (let i = 0; i < ctx.warmup + ctx.runs; i++) {
        const tag = `b${process.pid}-${runNo++}`;
        const bodies = Array.from({ length: MESSAGES }, (_, n) => JSON.stringify({ orderId: `${tag}-${n}`, customerId: 'c\'1', amount: n, note: 'it\'s "ok" é' }));
        let apiRequests = 0;
        let failed = 0;
        const start = performance.now();
        await pool(bodies, CONCURRENCY, async body => {
          for (let attempt = 0; attempt < 5; attempt++) {
            apiRequests++;
            if (await s.send(body)) return;
          }
          failed++;
        });
        const seconds = (performance.now() - start) / 1000;
        // Drain what landed: ids, duplicates, and the function's invocation ids.
        const seen = new Map<string, number>();
        const invocations = new Set<string>();
        for (let empty = 0; empty < 3;) {
          const r = await clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: s.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, MessageAttributeNames: ['All'] }));
          const ms = r.Messages ?? [];
          empty = ms.length === 0 ? empty + 1 : 0;
          for (const m of ms) {
            const id = JSON.parse(m.Body ?? '{}').orderId as string;
            if (id?.startsWith(`${tag}-`)) seen.set(id, (seen.get(id) ?? 0) + 1);
            const via = m.MessageAttributes?.viaLambda?.StringValue;
            if (via && id?.startsWith(`${tag}-`)) invocations.add(via);
          }
          if (ms.length > 0) {
            const entries = ms.map((m, n) => ({ Id: String(n), ReceiptHandle: m.ReceiptHandle! }));
            await clients.sqs.send(new DeleteMessageBatchCommand({ QueueUrl: s.queueUrl, Entries: entries }));
          }
        }
        if (i < ctx.warmup) continue;
        const landed = seen.size;
        const duplicates = [...seen.values()].reduce((n, c) => n + c - 1, 0);
        const run: Run = { seconds, apiRequests, landed, duplicates, lambdaInvocations: invocations.size, failed };
        raw[subject].push(run);
        ctx.progress(`${subject}: run ${i - ctx.warmup + 1}/${ctx.runs}: ${landed}/${MESSAGES} landed, ${apiRequests} API requests, ${invocations.size} invocations, ${(MESSAGES / seconds).toFixed(0)} msg/s`);
      }
      const runs = raw[subject];
      results[subject] = {
        messagesPerSecond: stats(runs.map(r => MESSAGES / r.seconds), 0),
        apiPerMessage: stats(runs.map(r => r.apiRequests / Math.max(1, r.landed)), 3),
        sqsPerMessage: stats(runs.map(r => (r.landed + r.duplicates) / Math.max(1, r.landed)), 3),
        lambdaPerMessage: stats(runs.map(r => r.lambdaInvocations / Math.max(1, r.landed)), 3),
        landed: stats(runs.map(r => r.landed), 0),
        duplicates: stats(runs.map(r => r.duplicates), 0),
        failed: stats(runs.map(r => r.failed), 0),
      };
    }
    clients.destroy();
    model.eventBridge.destroy();
    model.stepFunctions.destroy();
  } finally {
    await stopEmulator(emulator);
  }

  const rows = (Object.keys(results) as Subject[]).map(subject => {
    const r = results[subject];
    const perMessage = { api: r.apiPerMessage.median, sqs: r.sqsPerMessage.median, lambda: r.lambdaPerMessage.median };
    const requests = perMessage.api + perMessage.sqs + perMessage.lambda;
    return [
      subject,
      `${r.landed.min}/${MESSAGES}`,
      `${r.duplicates.max}`,
      perMessage.api.toFixed(3),
      perMessage.lambda.toFixed(3),
      perMessage.sqs.toFixed(3),
      requests.toFixed(3),
      `$${costPerMillion(subject, perMessage).toFixed(2)}`,
      subject.includes('model') ? 'n/a (model)' : r.messagesPerSecond.median.toFixed(0),
    ];
  });
  const perMessageOf = (s: Subject) => ({
    api: results[s].apiPerMessage.median,
    sqs: results[s].sqsPerMessage.median,
    lambda: results[s].lambdaPerMessage.median,
  });
  const cost = (s: Subject) => costPerMillion(s, perMessageOf(s));
  return {
    table: {
      title: `FrontDoor: ${MESSAGES} messages per run into SQS, REST direct vs HTTP direct vs a Lambda proxy (MiniStack, same run)`,
      columns: ['path', 'landed (min)', 'duplicates (max)', 'API requests/msg', 'Lambda invocations/msg', 'SQS SendMessage/msg', 'billable requests/msg', 'cost per million messages', 'msg/s local (median)'],
      numeric: [false, true, true, true, true, true, true, true, true],
      rows,
    },
    notes: [
      `Median of ${ctx.runs} runs after ${ctx.warmup} warm-up, ${CONCURRENCY} requests in flight; counts come from the client's requests and what landed in each queue (ids compared), invocations from the ids the function stamps on its messages.`,
      `HTTP direct runs through the integration model ${HTTP_MODEL_LABEL}: MiniStack does not run HTTP API first-class integrations (docs/local-aws-fidelity.md). Its counts are real (the deployed mapping, MiniStack's SQS); its speed is not API Gateway's, so none is shown.`,
      'Prices: API Gateway REST $3.50 and HTTP $1.00 per million requests (first tier, us-east-1; https://aws.amazon.com/api-gateway/pricing/), SQS standard $0.40 per million requests '
      + '(https://aws.amazon.com/sqs/pricing/), Lambda $0.20 per million requests + $0.0000166667 per GB-second x86 (https://aws.amazon.com/lambda/pricing/) with an ASSUMED 50 ms billed at 128 MB. '
      + 'Free tiers, data transfer and CloudWatch are left out; bodies under 64 KB (one SQS request, one HTTP API 512 KB unit).',
      'msg/s is the local machine (2 shared cores, MiniStack starting a Node worker per concurrent Lambda call): compare the paths, not AWS latency.',
    ],
    summary: [
      `cost per million messages: REST direct $${cost('REST direct (FrontDoor)').toFixed(2)}, HTTP direct $${cost('HTTP direct (FrontDoor, via the model)').toFixed(2)}, `
      + `HTTP API -> Lambda -> SQS $${cost('HTTP API -> Lambda -> SQS (peer)').toFixed(2)}`,
    ],
    settings: { messages: MESSAGES, concurrency: CONCURRENCY, runs: ctx.runs, warmup: ctx.warmup, prices: PRICES },
    results: { stats: results, runs: raw },
  };
}

export const frontDoorSuite: Suite = {
  name: 'front-door',
  description: 'FrontDoor: requests per message and cost per million, REST direct vs HTTP direct (model) vs an HTTP API -> Lambda -> SQS peer, on MiniStack',
  run: runFrontDoorSuite,
};
