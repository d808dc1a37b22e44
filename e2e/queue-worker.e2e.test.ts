/**
 * The queue-worker runtime as a real process: the bundled video transcoder
 * (assets/video-transcoder/index.js, the file the container image runs) started with `node` against
 * MiniStack's SQS, S3 and SNS on 127.0.0.1, transcoding real clips with ffmpeg.
 *
 * Resources are created here with SDK calls (upload bucket with an S3 -> SQS notification, output
 * bucket, job queue, completion topic with a queue subscribed to count completions). The emulator
 * is the e2e suite's (globalSetup) when one runs, else this file starts and stops its own.
 * ffmpeg comes from scripts/ensure-ffmpeg.sh (apt-get when missing).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CreateBucketCommand, GetObjectCommand, PutBucketNotificationConfigurationCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { CreateTopicCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand, DeleteMessageCommand, GetQueueAttributesCommand, PurgeQueueCommand, ReceiveMessageCommand, SetQueueAttributesCommand,
} from '@aws-sdk/client-sqs';
import { LocalClients, localClients } from './harness/clients';
import { localAwsEnv } from './harness/deploy';
import { EmulatorState, reportStop, runningOrOwnEmulator, stopEmulator } from './harness/emulator';
import { progress, REPO_ROOT } from './harness/paths';
import { groupMembers, JsonLogProcess, killGroup } from './harness/process';

const BUNDLE = path.join(REPO_ROOT, 'assets', 'video-transcoder', 'index.js');
const RUN = `qw${Date.now().toString(36)}`;
const VISIBILITY = 4;
const sleep = (ms: number) => new Promise<void>(r => setTimeout(r, ms));

let emulator: EmulatorState;
let ownEmulator = false;
let clients: LocalClients;
let workDir: string;
const res = { uploads: `${RUN}-uploads`, outputs: `${RUN}-outputs`, jobsUrl: '', completionsUrl: '', topicArn: '' };
const completions: Array<Record<string, any>> = [];
const workers: Worker[] = [];

/** A worker process (the queue-worker bundle) and its JSON log lines: the harness's JsonLogProcess. */
class Worker extends JsonLogProcess {
  constructor(name: string, extraEnv: Record<string, string> = {}) {
    super(name, BUNDLE, {
      ...localAwsEnv(emulator.endpoint),
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      S3_FORCE_PATH_STYLE: 'true',
      QUEUE_URL: res.jobsUrl,
      OUTPUT_BUCKET: res.outputs,
      COMPLETION_TOPIC_ARN: res.topicArn,
      WORKER_CONCURRENCY: '2',
      VISIBILITY_TIMEOUT_SECONDS: String(VISIBILITY),
      HEARTBEAT_INTERVAL_SECONDS: '1',
      RECEIVE_WAIT_TIME_SECONDS: '1',
      LOG_LEVEL: 'debug',
      ...extraEnv,
    }, workDir);
    workers.push(this);
  }
}

function ffmpeg(args: string[]): void {
  const r = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ffmpeg ${args.join(' ')} failed: ${r.stderr}`);
}

/** A generated test clip (ffmpeg's testsrc), `seconds` long, 320x240 at 10 fps. */
function clip(seconds: number): string {
  const file = path.join(workDir, `clip-${seconds}s.mp4`);
  if (!fs.existsSync(file)) ffmpeg(['-f', 'lavfi', '-i', `testsrc=duration=${seconds}:size=320x240:rate=10`, '-pix_fmt', 'yuv420p', file]);
  return file;
}

async function upload(key: string, seconds: number): Promise<void> {
  await clients.s3.send(new PutObjectCommand({ Bucket: res.uploads, Key: key, Body: fs.readFileSync(clip(seconds)), ContentType: 'video/mp4' }));
}

/** Drains the completion queue into `completions` (SNS raw delivery: the body is the notification). */
async function collectCompletions(): Promise<void> {
  for (;;) {
    const r = await clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: res.completionsUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    if (!r.Messages?.length) return;
    for (const m of r.Messages) {
      const body = JSON.parse(m.Body!);
      completions.push(body.Type === 'Notification' ? JSON.parse(body.Message) : body);
      await clients.sqs.send(new DeleteMessageCommand({ QueueUrl: res.completionsUrl, ReceiptHandle: m.ReceiptHandle! }));
    }
  }
}

async function waitForCompletion(key: string, timeoutMs = 60_000): Promise<Record<string, any>> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    await collectCompletions();
    const hit = completions.find(c => c.source?.key === key);
    if (hit) return hit;
    await sleep(250);
  }
  throw new Error(`no completion notification for ${key} within ${timeoutMs} ms`);
}

async function queueCounts(): Promise<{ visible: number; inFlight: number }> {
  const r = await clients.sqs.send(new GetQueueAttributesCommand({
    QueueUrl: res.jobsUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
  }));
  return { visible: Number(r.Attributes?.ApproximateNumberOfMessages), inFlight: Number(r.Attributes?.ApproximateNumberOfMessagesNotVisible) };
}

async function stopWorker(w: Worker): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  w.signal('SIGTERM');
  return Promise.race([w.exited, sleep(30_000).then(() => { throw new Error(`${w.name} did not exit within 30 s of SIGTERM`); })]);
}

beforeAll(async () => {
  const ff = spawnSync('bash', [path.join(REPO_ROOT, 'scripts', 'ensure-ffmpeg.sh')], { encoding: 'utf8', timeout: 600_000 });
  if (ff.status !== 0) throw new Error(`scripts/ensure-ffmpeg.sh failed:\n${ff.stdout}\n${ff.stderr}`);
  progress(ff.stdout.trim());
  if (!fs.existsSync(BUNDLE)) {
    const b = spawnSync('npx', ['projen', 'bundle:queue-worker'], { cwd: REPO_ROOT, encoding: 'utf8' });
    if (b.status !== 0) throw new Error(`npx projen bundle:queue-worker failed:\n${b.stderr}`);
  }
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'queue-worker-e2e-'));
  ({ emulator, own: ownEmulator } = await runningOrOwnEmulator());
  clients = localClients(emulator.endpoint);
  progress(`queue-worker e2e: MiniStack ${emulator.endpoint}${ownEmulator ? ' (started by this test)' : ''}, worker logs in ${workDir}`);

  const jobs = await clients.sqs.send(new CreateQueueCommand({ QueueName: `${RUN}-jobs`, Attributes: { VisibilityTimeout: String(VISIBILITY) } }));
  res.jobsUrl = jobs.QueueUrl!;
  const completionQueue = await clients.sqs.send(new CreateQueueCommand({ QueueName: `${RUN}-completions` }));
  res.completionsUrl = completionQueue.QueueUrl!;
  const arnOf = async (url: string) => (await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
  const jobsArn = await arnOf(res.jobsUrl);
  const completionsArn = await arnOf(res.completionsUrl);
  res.topicArn = (await clients.sns.send(new CreateTopicCommand({ Name: `${RUN}-done` }))).TopicArn!;
  await clients.sns.send(new SubscribeCommand({ TopicArn: res.topicArn, Protocol: 'sqs', Endpoint: completionsArn, Attributes: { RawMessageDelivery: 'true' } }));
  await clients.sqs.send(new SetQueueAttributesCommand({
    QueueUrl: res.jobsUrl,
    Attributes: {
      Policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 's3.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: jobsArn }],
      }),
    },
  }));
  await clients.s3.send(new CreateBucketCommand({ Bucket: res.uploads }));
  await clients.s3.send(new CreateBucketCommand({ Bucket: res.outputs }));
  await clients.s3.send(new PutBucketNotificationConfigurationCommand({
    Bucket: res.uploads,
    NotificationConfiguration: { QueueConfigurations: [{ QueueArn: jobsArn, Events: ['s3:ObjectCreated:*'] }] },
  }));
  // Generate the clips before any worker runs (a 2 s, a 6 s and a 10 s clip).
  for (const s of [2, 6, 10]) clip(s);
}, 900_000);

/** No worker outlives its test (a leftover worker would take the next test's jobs). */
afterEach(async () => {
  for (const w of workers.splice(0)) {
    if (groupMembers(w.pid).length > 0) await killGroup(w.pid, 2000);
  }
});

afterAll(async () => {
  for (const w of workers) {
    if (groupMembers(w.pid).length > 0) await killGroup(w.pid, 2000);
  }
  clients?.destroy();
  if (ownEmulator) reportStop(emulator, await stopEmulator(emulator));
}, 60_000);

test('an upload is transcoded: output written (valid 320 px H.264), completion published, message deleted; SIGTERM when idle exits 0', async () => {
  const worker = new Worker('happy');
  await worker.waitFor('worker started');
  await upload('incoming/cat video.mp4', 2);
  const done = await waitForCompletion('incoming/cat video.mp4');
  expect(done).toMatchObject({ status: 'done', output: { bucket: res.outputs, key: 'incoming/cat video.mp4', width: 320 } });

  const object = await clients.s3.send(new GetObjectCommand({ Bucket: res.outputs, Key: done.output.key }));
  const outFile = path.join(workDir, 'out.mp4');
  fs.writeFileSync(outFile, Buffer.from(await object.Body!.transformToByteArray()));
  const probe = spawnSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=codec_name,width,height:format=duration', '-of', 'json', outFile], { encoding: 'utf8' });
  expect(probe.status).toBe(0);
  const info = JSON.parse(probe.stdout);
  expect(info.streams[0]).toMatchObject({ codec_name: 'h264', width: 320, height: 240 });
  expect(Number(info.format.duration)).toBeCloseTo(2, 0);

  await worker.waitFor('job done: message deleted');
  expect(await queueCounts()).toEqual({ visible: 0, inFlight: 0 });
  // Scale-in protection is skipped outside ECS, and said so once.
  expect(worker.lines.filter(l => String(l.msg).startsWith('scale-in protection skipped'))).toHaveLength(1);
  const exit = await stopWorker(worker);
  expect(exit).toEqual({ code: 0, signal: null });
  expect(worker.logged('worker stopped')[0]).toMatchObject({ stoppedFrom: 'running', failed: 0 });
  progress(`happy path: ${JSON.stringify(done)}`);
});

test('kill -9 mid-job: the message comes back after the visibility timeout and is processed exactly once by a restarted worker', async () => {
  const key = 'incoming/killed.mp4';
  // -re reads the input at its frame rate: a 6 s clip takes about 6 s, long enough to kill mid-job.
  const first = new Worker('killed', { FFMPEG_INPUT_OPTIONS: '-re' });
  await upload(key, 6);
  await first.waitFor('job started');
  await sleep(1500);
  first.signal('SIGKILL');
  const killedAt = Date.now();
  expect((await first.exited).signal).toBe('SIGKILL');
  expect(first.logged('job done: message deleted')).toHaveLength(0);
  expect((await queueCounts()).inFlight).toBe(1);

  const second = new Worker('restarted');
  const firstReceive = (await first.waitFor('job started')).receiveCount;
  const started = await second.waitFor('job started', 30_000);
  const reappearedAfterMs = Date.now() - killedAt;
  expect(started.receiveCount).toBe(firstReceive + 1);
  const done = await waitForCompletion(key);
  expect(done.receiveCount).toBe(firstReceive + 1);
  // Longer than a visibility timeout more: a duplicate would have shown up by now.
  await sleep((VISIBILITY + 2) * 1000);
  await collectCompletions();
  expect(completions.filter(c => c.source?.key === key)).toHaveLength(1);
  expect(await queueCounts()).toEqual({ visible: 0, inFlight: 0 });
  expect(await stopWorker(second)).toEqual({ code: 0, signal: null });
  progress(`kill -9: message received again ${(reappearedAfterMs / 1000).toFixed(1)} s after the kill (visibility ${VISIBILITY} s), processed once`);
}, 120_000);

test('a job longer than the visibility timeout stays invisible thanks to the heartbeat: a second worker never receives it', async () => {
  const key = 'incoming/long.mp4';
  const slow = new Worker('long-job', { FFMPEG_INPUT_OPTIONS: '-re', HEARTBEAT_INTERVAL_SECONDS: '2' });
  await upload(key, 10);
  await slow.waitFor('job started');
  const other = new Worker('bystander');
  await other.waitFor('worker started');
  const done = await waitForCompletion(key, 60_000);
  expect(done.durationMs).toBeGreaterThan(VISIBILITY * 2 * 1000);
  const finished = await slow.waitFor('job done: message deleted');
  expect(finished.heartbeats).toBeGreaterThanOrEqual(4);
  expect(other.logged('job started')).toHaveLength(0);
  await collectCompletions();
  expect(completions.filter(c => c.source?.key === key)).toHaveLength(1);
  expect(await Promise.all([stopWorker(slow), stopWorker(other)])).toEqual([{ code: 0, signal: null }, { code: 0, signal: null }]);
  progress(`heartbeat: a ${(done.durationMs / 1000).toFixed(1)} s job with visibility ${VISIBILITY} s, ${finished.heartbeats} heartbeats, never received by the second worker`);
}, 120_000);

test('SIGTERM during a job: finishes it within the grace period and exits 0', async () => {
  const key = 'incoming/drained.mp4';
  const worker = new Worker('drain', { FFMPEG_INPUT_OPTIONS: '-re', SHUTDOWN_GRACE_SECONDS: '25' });
  await upload(key, 6);
  await worker.waitFor('job started');
  await sleep(1000);
  worker.signal('SIGTERM');
  expect(await worker.exited).toEqual({ code: 0, signal: null });
  expect(worker.logged('worker stopped')[0]).toMatchObject({ stoppedFrom: 'draining', succeeded: 1, released: 0 });
  await waitForCompletion(key, 5000);
  await collectCompletions();
  expect(completions.filter(c => c.source?.key === key)).toHaveLength(1);
  expect(await queueCounts()).toEqual({ visible: 0, inFlight: 0 });
}, 60_000);

test('SIGTERM during a job longer than the grace period: releases it (visible again at once, ffmpeg stopped) and exits 0', async () => {
  const key = 'incoming/released.mp4';
  const worker = new Worker('release', { FFMPEG_INPUT_OPTIONS: '-re', SHUTDOWN_GRACE_SECONDS: '1', VISIBILITY_TIMEOUT_SECONDS: '60', HEARTBEAT_INTERVAL_SECONDS: '20' });
  await upload(key, 10);
  await worker.waitFor('job started');
  await sleep(1000);
  worker.signal('SIGTERM');
  expect(await worker.exited).toEqual({ code: 0, signal: null });
  expect(worker.logged('worker stopped')[0]).toMatchObject({ stoppedFrom: 'releasing', succeeded: 0, released: 1 });
  expect(groupMembers(worker.pid)).toEqual([]);
  // Released with visibility 0: receivable now, not after the 60 s visibility timeout.
  const r = await clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: res.jobsUrl, WaitTimeSeconds: 2, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }));
  expect(r.Messages).toHaveLength(1);
  expect(Number(r.Messages![0].Attributes?.ApproximateReceiveCount)).toBeGreaterThanOrEqual(2);
  await clients.sqs.send(new PurgeQueueCommand({ QueueUrl: res.jobsUrl }));
}, 60_000);

test('refuses a heartbeat interval >= the visibility timeout at start, with a clear message (exit 1)', async () => {
  const worker = new Worker('bad-config', { VISIBILITY_TIMEOUT_SECONDS: '4', HEARTBEAT_INTERVAL_SECONDS: '4' });
  expect(await worker.exited).toEqual({ code: 1, signal: null });
  expect(worker.lines[0]).toMatchObject({ level: 'error' });
  expect(worker.lines[0].msg).toContain('HEARTBEAT_INTERVAL_SECONDS=4 must be less than VISIBILITY_TIMEOUT_SECONDS=4');
});
