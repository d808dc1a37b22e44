/**
 * BacklogScaling's controller as a real process: the bundled Lambda handler
 * (assets/lambda/backlog-controller.lambda/index.js, the file the function runs) invoked with `node`
 * against MiniStack's SQS, ECS and CloudWatch on 127.0.0.1, once per "tick" as the schedule would.
 *
 * Resources are created here with SDK calls: a jobs queue, an ECS cluster and a Fargate service at
 * 0 tasks. Each tick the test sends or consumes messages, runs the handler in a fresh process (a
 * cold start, the worst case) or twice in one process (a warm container), and reads back what the
 * controller did: the service's desired count (DescribeServices) and the metrics it published
 * (GetMetricData). The emulator is the e2e suite's (globalSetup) when one runs, else this file
 * starts and stops its own.
 *
 * Not covered here (MiniStack has no IAM and runs no containers): least privilege (template
 * assertions in test/patterns/backlog-scaling.test.ts) and tasks that take work (the simulator).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CreateClusterCommand, CreateServiceCommand, DescribeServicesCommand, ECSClient, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { CreateQueueCommand, DeleteMessageCommand, ReceiveMessageCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { clientConfig } from './harness/clients';
import { localAwsEnv } from './harness/deploy';
import { EmulatorState, reportStop, runningOrOwnEmulator, stopEmulator } from './harness/emulator';
import { progress, REPO_ROOT } from './harness/paths';

const BUNDLE = path.join(REPO_ROOT, 'assets', 'lambda', 'backlog-controller.lambda', 'index.js');
const RUN = `bc${Date.now().toString(36)}`;
const NAMESPACE = 'CdkIntegrationPatterns/BacklogScaling';

let emulator: EmulatorState;
let ownEmulator = false;
let sqs: SQSClient;
let ecs: ECSClient;
let cloudwatch: CloudWatchClient;
const res = { queueUrl: '', cluster: `${RUN}-cluster`, service: `${RUN}-workers` };

function controllerEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...localAwsEnv(emulator.endpoint),
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    QUEUE_URL: res.queueUrl,
    CLUSTER_NAME: res.cluster,
    SERVICE_NAME: res.service,
    METRIC_NAMESPACE: NAMESPACE,
    SCALING_NAME: `${RUN}/Scaling`,
    TARGET_BACKLOG_PER_WORKER: '5',
    WORKER_CONCURRENCY: '1',
    MIN_WORKERS: '0',
    MAX_WORKERS: '8',
    ...extra,
  };
}

interface Invocation { code: number | null; results: any[]; stdout: string; stderr: string }

/** Runs the bundled handler `times` times in one fresh Node process, as Lambda's Node runtime would. */
function invoke(times = 1, extra: Record<string, string> = {}): Invocation {
  const script = `const h = require(${JSON.stringify(BUNDLE)}).handler;
(async () => { const out = []; for (let i = 0; i < ${times}; i++) out.push(await h({}, {})); process.stdout.write('RESULT ' + JSON.stringify(out) + '\\n'); })()
  .catch(e => { process.stderr.write('ERROR ' + e.message + '\\n'); process.exit(1); });`;
  const r = spawnSync(process.execPath, ['-e', script], { env: controllerEnv(extra), encoding: 'utf8', timeout: 60_000 });
  const line = r.stdout.split('\n').find(l => l.startsWith('RESULT '));
  return { code: r.status, results: line ? JSON.parse(line.slice(7)) : [], stdout: r.stdout, stderr: r.stderr };
}

async function desiredCount(): Promise<number> {
  const out = await ecs.send(new DescribeServicesCommand({ cluster: res.cluster, services: [res.service] }));
  return out.services![0].desiredCount!;
}

async function send(n: number): Promise<void> {
  for (let i = 0; i < n; i += 10) {
    const entries = Array.from({ length: Math.min(10, n - i) }, (_, k) => ({ Id: String(k), MessageBody: JSON.stringify({ job: i + k }) }));
    await sqs.send(new SendMessageBatchCommand({ QueueUrl: res.queueUrl, Entries: entries }));
  }
}

/** Receives `n` messages (they become in flight), returning their receipt handles. */
async function receive(n: number): Promise<string[]> {
  const handles: string[] = [];
  while (handles.length < n) {
    const out = await sqs.send(new ReceiveMessageCommand({
      QueueUrl: res.queueUrl, MaxNumberOfMessages: Math.min(10, n - handles.length), VisibilityTimeout: 300, WaitTimeSeconds: 1,
    }));
    handles.push(...(out.Messages ?? []).map(m => m.ReceiptHandle!));
  }
  return handles;
}

beforeAll(async () => {
  if (!fs.existsSync(BUNDLE)) {
    const b = spawnSync('npx', ['projen', 'bundle:lambda/backlog-controller.lambda'], { cwd: REPO_ROOT, encoding: 'utf8' });
    if (b.status !== 0) throw new Error(`npx projen bundle:lambda/backlog-controller.lambda failed:\n${b.stderr}`);
  }
  ({ emulator, own: ownEmulator } = await runningOrOwnEmulator());
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const config = clientConfig(emulator.endpoint);
  sqs = new SQSClient(config);
  ecs = new ECSClient(config);
  cloudwatch = new CloudWatchClient(config);
  progress(`backlog-controller e2e: MiniStack ${emulator.endpoint}${ownEmulator ? ' (started by this test)' : ''}`);
  res.queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `${RUN}-jobs` }))).QueueUrl!;
  await ecs.send(new CreateClusterCommand({ clusterName: res.cluster }));
  await ecs.send(new RegisterTaskDefinitionCommand({
    family: `${RUN}-worker`,
    requiresCompatibilities: ['FARGATE'],
    networkMode: 'awsvpc',
    cpu: '256',
    memory: '512',
    containerDefinitions: [{ name: 'worker', image: 'public.ecr.aws/docker/library/node:22-bookworm-slim', essential: true }],
  }));
  await ecs.send(new CreateServiceCommand({ cluster: res.cluster, serviceName: res.service, taskDefinition: `${RUN}-worker`, desiredCount: 0, launchType: 'FARGATE' }));
}, 600_000);

afterAll(async () => {
  sqs?.destroy();
  ecs?.destroy();
  cloudwatch?.destroy();
  if (ownEmulator) reportStop(emulator, await stopEmulator(emulator));
}, 60_000);

test('scale from zero, size to the backlog, hold, cap at max, back to zero: the desired count ECS reports', async () => {
  // Empty queue, 0 tasks: nothing to do, no UpdateService.
  let r = invoke();
  expect(r.code).toBe(0);
  expect(r.results[0]).toMatchObject({ visible: 0, inFlight: 0, previousDesired: 0, desired: 0, changed: false });
  expect(await desiredCount()).toBe(0);

  // 12 waiting: ceil(12 / 5) = 3 workers, from zero.
  await send(12);
  r = invoke();
  expect(r.results[0]).toMatchObject({ visible: 12, inFlight: 0, previousDesired: 0, desired: 3, changed: true });
  expect(await desiredCount()).toBe(3);

  // Workers took 6 (in flight), 6 wait: ceil(6 / 2 + 6 / 5) = 5. A warm container runs the same step twice: set once, then kept.
  const handles = await receive(6);
  r = invoke(2);
  expect(r.results.map(x => [x.desired, x.changed])).toEqual([[5, true], [5, false]]);
  expect(await desiredCount()).toBe(5);

  // 100 more waiting: ceil(6 / 2 + 106 / 5) = 25, capped at MAX_WORKERS 8.
  await send(100);
  r = invoke();
  expect(r.results[0]).toMatchObject({ visible: 106, inFlight: 6, needed: 25, desired: 8, changed: true });
  expect(await desiredCount()).toBe(8);

  // Everything processed: back to zero (busy tasks protect themselves; ECS stops idle ones).
  for (const h of handles) await sqs.send(new DeleteMessageCommand({ QueueUrl: res.queueUrl, ReceiptHandle: h }));
  for (const h of await receive(106)) await sqs.send(new DeleteMessageCommand({ QueueUrl: res.queueUrl, ReceiptHandle: h }));
  r = invoke();
  expect(r.results[0]).toMatchObject({ visible: 0, inFlight: 0, desired: 0, changed: true });
  expect(await desiredCount()).toBe(0);
  // One JSON log line per invocation.
  expect(JSON.parse(r.stdout.split('\n')[0])).toMatchObject({ level: 'info', msg: 'desired count set', service: res.service, desired: 0 });
});

test('publishes what it saw and decided to CloudWatch, readable with GetMetricData', async () => {
  const r = invoke();
  expect(r.code).toBe(0);
  const now = Date.now();
  const query = (name: string) => ({
    Id: name.toLowerCase(),
    MetricStat: { Metric: { Namespace: NAMESPACE, MetricName: name, Dimensions: [{ Name: 'Scaling', Value: `${RUN}/Scaling` }] }, Period: 60, Stat: 'SampleCount' },
  });
  const out = await cloudwatch.send(new GetMetricDataCommand({
    StartTime: new Date(now - 15 * 60_000),
    EndTime: new Date(now + 60_000),
    MetricDataQueries: ['NeededWorkers', 'DesiredWorkers', 'RunningWorkers'].map(query),
  }));
  const counts = Object.fromEntries(out.MetricDataResults!.map(m => [m.Id, (m.Values ?? []).reduce((a, b) => a + b, 0)]));
  // Every invocation of this file so far published one datapoint of each (7 so far, the warm one twice).
  expect(counts).toEqual({ neededworkers: 7, desiredworkers: 7, runningworkers: 7 });
});

test('bad configuration: the invocation fails with the variable, the value, the range and the fix; the service is untouched', async () => {
  const before = await desiredCount();
  const r = invoke(1, { MAX_WORKERS: '0' });
  expect(r.code).toBe(1);
  expect(r.stderr).toContain('MAX_WORKERS="0" is invalid: expected a whole number from 1 to 10000. Fix:');
  expect(await desiredCount()).toBe(before);
});

test('a service that does not exist fails the invocation (alarmed), naming it', async () => {
  const r = invoke(1, { SERVICE_NAME: `${RUN}-missing` });
  expect(r.code).toBe(1);
  expect(r.stderr).toContain(`${RUN}-missing`);
});

test('tripwire: MiniStack runs no ECS tasks (runningCount = desiredCount at once); the scaling over time is proven by a MODEL, the bench simulator', async () => {
  progress('backlog-controller e2e: MODEL — ECS task start/stop and scaling over time are simulated in bench/scaling (MiniStack runs no tasks); see docs/local-aws-fidelity.md');
  await send(10);
  const r = invoke();
  expect(r.results[0]).toMatchObject({ desired: 2, changed: true });
  const out = await ecs.send(new DescribeServicesCommand({ cluster: res.cluster, services: [res.service] }));
  const s = out.services![0];
  // AWS: the new tasks are PENDING for about a minute (image pull) before they count as running.
  // When the emulator starts doing that, this fails: run the controller against its tasks instead of the model.
  expect({ desired: s.desiredCount, running: s.runningCount, pending: s.pendingCount }).toEqual({ desired: 2, running: 2, pending: 0 });
});

test('a target derived from tokens (BacklogScaling passes ACCEPTABLE_LATENCY and AVERAGE_PROCESSING_TIME with their units instead): the same decision as the given target', async () => {
  // 150 s / 30,000 ms = 5 per worker, the TARGET_BACKLOG_PER_WORKER of the other tests; the queue holds the tripwire's 10.
  const derived = { TARGET_BACKLOG_PER_WORKER: '', ACCEPTABLE_LATENCY: '150', ACCEPTABLE_LATENCY_UNIT_MS: '1000', AVERAGE_PROCESSING_TIME: '30000', AVERAGE_PROCESSING_TIME_UNIT_MS: '1' };
  await send(13); // 23 waiting: ceil(23 / 5) = 5
  const given = invoke();
  const computed = invoke(1, derived);
  expect(computed.code).toBe(0);
  expect(computed.results[0]).toMatchObject({ visible: 23, desired: 5, changed: false });
  expect(given.results[0]).toMatchObject({ visible: 23, desired: 5, changed: true });
  // A deployed parameter that makes the processing time reach the latency fails the invocation with the fix; the service is untouched.
  const bad = invoke(1, { ...derived, AVERAGE_PROCESSING_TIME: '150000' });
  expect(bad.code).toBe(1);
  expect(bad.stderr).toContain('AVERAGE_PROCESSING_TIME=150000 x 1 ms (150000 ms) is not less than ACCEPTABLE_LATENCY=150 x 1000 ms (150000 ms)');
  expect(await desiredCount()).toBe(5);
});
