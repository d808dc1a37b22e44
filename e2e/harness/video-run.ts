/**
 * One measured run of each video design against the deployed stack, shared by the e2e scenario
 * and the bench:
 * - decoupled (ours): callers ask the HTTP API for upload URLs and PUT clips to the upload bucket;
 *   S3 notifications fill the jobs queue; local worker processes (the transcoder bundle, with the
 *   task definition's environment) transcode to the output bucket and publish completions, which a
 *   queue subscribed to the completion topic collects;
 * - synchronous (the peer): the same callers POST the same clips to a synchronous transcoding
 *   service with the same number of workers, and wait.
 */
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { SubscribeCommand, UnsubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, DeleteMessageBatchCommand, DeleteQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { LocalClients } from './clients';
import { listObjectKeys, queueDepth } from './collect';
import { StackOutputs } from './deploy';
import { output } from './scenarios/types';
import { startSyncTranscoder, SyncTranscoderStats } from './sync-transcoder';
import { CallResult, generateClip, probe, runCalls, SyncClient, TINY_CLIP, UploadClient } from './video-clients';
import { localWorkerEnv, LogLine, parseWorkerEnvironment, WorkerFleet } from './video-workers';

const sleep = (ms: number) => new Promise<void>(r => setTimeout(r, ms));

/** How uploads arrive: all at once, or evenly spread at `perMinute`. */
export interface Arrivals {
  readonly uploads: number;
  /** Undefined: a burst (every caller starts at once, at most `maxConcurrentCallers` in flight). */
  readonly perMinute?: number;
}

export interface DecoupledOptions {
  readonly arrivals: Arrivals;
  /** Workers running when the uploads start. */
  readonly workers: number;
  /** Grow the fleet to this many once every upload has been accepted (as the scaling policy would ask). */
  readonly growTo?: number;
  /** SIGKILL one worker in the middle of a job once this share of the videos is done (then replace it). */
  readonly killAtShare?: number;
  /**
   * Callers in flight at once for a burst. Default 25: MiniStack runs one Node process (≈ 66 MB,
   * a cold start) per concurrent invocation of the presign function, where AWS Lambda would
   * scale to the burst.
   */
  readonly maxConcurrentCallers?: number;
  readonly timeoutMs: number;
  readonly log: (message: string) => void;
}

/** Where the decoupled design is at one moment. */
export interface Sample {
  /** Seconds since the first upload started. */
  readonly t: number;
  readonly accepted: number;
  readonly backlog: number;
  readonly inFlight: number;
  readonly done: number;
  readonly workers: number;
}

export interface DecoupledResult {
  readonly run: string;
  readonly calls: CallResult[];
  /** Completion notifications received, in order. */
  readonly completions: Array<Record<string, any>>;
  /** Output objects of this run. */
  readonly outputKeys: string[];
  /** `video transcoded` log lines per source key. */
  readonly transcodesByKey: Record<string, number>;
  readonly samples: Sample[];
  readonly startedAt: number;
  /** When the last video of the run was transcoded (ms since epoch), if all were. */
  readonly allDoneAt?: number;
  readonly killed?: { worker: string; messageId: string; key?: string; redeliveredReceiveCount?: number };
  readonly finalDepth: { jobs: number; dlq: number };
  readonly workerExits: Array<{ name: string; code: number | null; signal: NodeJS.Signals | null }>;
  readonly probes: Array<{ key: string; codec: string; width: number; height: number; duration: number }>;
  readonly workerEnvironment: Record<string, string>;
  readonly lines: LogLine[];
}

/** The outputs a video run needs, read (with clear errors) from the deployed stack. */
export function videoOutputs(outputs: StackOutputs, stackName: string) {
  const o = (key: string) => output(outputs, stackName, key);
  return {
    apiUrl: o('ApiUrl'),
    uploadBucket: o('UploadBucketName'),
    outputBucket: o('OutputBucketName'),
    jobsQueueUrl: o('JobsQueueUrl'),
    dlqUrl: o('JobsDeadLetterQueueUrl'),
    topicArn: o('CompletionTopicArn'),
    workerEnvironment: parseWorkerEnvironment(o('WorkerEnvironment')),
  };
}

/** A queue subscribed to the completion topic (raw delivery), to count what the workers publish. */
async function completionTap(clients: LocalClients, topicArn: string, run: string) {
  const url = (await clients.sqs.send(new CreateQueueCommand({ QueueName: `video-completions-${run}` }))).QueueUrl!;
  const arn = (await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
  const sub = await clients.sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: arn, Attributes: { RawMessageDelivery: 'true' } }));
  const received: Array<Record<string, any>> = [];
  return {
    received,
    async collect(): Promise<void> {
      for (;;) {
        const r = await clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
        if (!r.Messages?.length) return;
        for (const m of r.Messages) {
          const body = JSON.parse(m.Body!);
          received.push(body.Type === 'Notification' ? JSON.parse(body.Message) : body);
        }
        const entries = r.Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! }));
        await clients.sqs.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: entries }));
      }
    },
    async remove(): Promise<void> {
      await clients.sns.send(new UnsubscribeCommand({ SubscriptionArn: sub.SubscriptionArn! })).catch(() => undefined);
      await clients.sqs.send(new DeleteQueueCommand({ QueueUrl: url })).catch(() => undefined);
    },
  };
}

/** Starts each call at its arrival time (burst: all now, `maxConcurrent` in flight). */
async function arrive<T>(arrivals: Arrivals, maxConcurrent: number, call: (i: number) => Promise<T>): Promise<T[]> {
  if (arrivals.perMinute === undefined) {
    return runCalls(Array.from({ length: arrivals.uploads }, (_, i) => () => call(i)), maxConcurrent);
  }
  const gapMs = 60_000 / arrivals.perMinute;
  const started = Date.now();
  return Promise.all(Array.from({ length: arrivals.uploads }, async (_, i) => {
    await sleep(Math.max(0, started + i * gapMs - Date.now()));
    return call(i);
  }));
}

export async function runDecoupled(
  clients: LocalClients, outputs: StackOutputs, stackName: string, options: DecoupledOptions,
): Promise<DecoupledResult> {
  const out = videoOutputs(outputs, stackName);
  const run = randomBytes(3).toString('hex');
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), `video-${run}-`));
  const clip = fs.readFileSync(generateClip(workDir, TINY_CLIP));
  const tap = await completionTap(clients, out.topicArn, run);
  const env = localWorkerEnv(clients.endpoint, out.workerEnvironment);
  const fleet = new WorkerFleet(env, workDir, `w-${run}`);
  const uploader = new UploadClient(clients.endpoint, out.apiUrl, clip);
  const n = options.arrivals.uploads;
  const samples: Sample[] = [];
  let killed: DecoupledResult['killed'];
  let sampling = true;
  let startedAt = Date.now();
  let accepted = 0;
  const mine = (c: Record<string, any>) => String(c.source?.key ?? '').includes(`v-${run}-`);
  try {
    fleet.scaleTo(options.workers);
    await fleet.started();
    options.log(`video ${run}: ${options.workers} local workers (the transcoder bundle, the task definition's environment; logs in ${workDir}); `
      + `${n} uploads ${options.arrivals.perMinute === undefined ? 'in a burst' : `at ${options.arrivals.perMinute}/min`}`);
    startedAt = Date.now();
    const sampler = (async () => {
      while (sampling) {
        await tap.collect();
        const depth = await queueDepth(clients, out.jobsQueueUrl);
        const done = new Set(tap.received.filter(mine).map(c => c.source.key)).size;
        const t = (Date.now() - startedAt) / 1000;
        samples.push({ t, accepted, backlog: depth.visible, inFlight: depth.inFlight, done, workers: fleet.running.length });
        if (killed === undefined && options.killAtShare !== undefined && done >= n * options.killAtShare) {
          const victim = fleet.running.find(w => w.jobInProgress() !== undefined);
          const job = victim?.jobInProgress();
          if (victim && job) {
            victim.signal('SIGKILL');
            killed = { worker: victim.name, messageId: job.messageId };
            options.log(`video ${run}: SIGKILL ${victim.name} (pid ${victim.pid}) in the middle of message ${job.messageId}, ${done} of ${n} done; a new worker replaces it`);
            await victim.exited;
            fleet.scaleTo(options.growTo ?? options.workers);
          }
        }
        await sleep(500);
      }
    })();
    const calls = await arrive(options.arrivals, options.maxConcurrentCallers ?? 25, async i => {
      const r = await uploader.upload(`v-${run}-${i}`, `v-${run}-${i}.mp4`);
      if (r.ok) accepted++;
      return r;
    });
    const failed = calls.filter(c => !c.ok);
    options.log(`video ${run}: ${calls.length - failed.length} of ${n} uploads accepted in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`
      + (failed.length ? `; first failure: ${failed[0].error}` : ''));
    if (options.growTo !== undefined) {
      fleet.scaleTo(options.growTo);
      options.log(`video ${run}: fleet grown to ${options.growTo} workers`);
    }
    const deadline = startedAt + options.timeoutMs;
    const expected = calls.filter(c => c.ok).length;
    while (Date.now() < deadline) {
      const done = new Set(tap.received.filter(mine).map(c => c.source.key)).size;
      const depth = await queueDepth(clients, out.jobsQueueUrl);
      if (done >= expected && depth.total === 0) break;
      await sleep(500);
    }
    sampling = false;
    await sampler;
    // Longer than a visibility timeout more: a duplicate (a job redelivered after it was done) would show up by now.
    if (killed) await sleep((Number(out.workerEnvironment.VISIBILITY_TIMEOUT_SECONDS) + 2) * 1000);
    await tap.collect();
    const workerExits = await fleet.stop();
    const lines = fleet.lines();
    const transcoded = lines.filter(l => l.msg === 'video transcoded' && String(l.source).includes(`v-${run}-`));
    const transcodesByKey: Record<string, number> = {};
    for (const l of transcoded) {
      const key = String(l.source).replace(/^s3:\/\/[^/]+\//, '');
      transcodesByKey[key] = (transcodesByKey[key] ?? 0) + 1;
    }
    const completions = tap.received.filter(mine);
    if (killed) {
      const again = completions.find(c => c.messageId === killed!.messageId);
      killed = { ...killed, key: again?.source?.key, redeliveredReceiveCount: again?.receiveCount };
    }
    const allDoneAt = transcoded.length > 0 && Object.keys(transcodesByKey).length >= expected
      ? Math.max(...transcoded.map(l => Date.parse(l.time))) : undefined;
    const outputKeys = (await listObjectKeys(clients, out.outputBucket, 'uploads/')).filter(k => k.includes(`v-${run}-`));
    const probes = [];
    for (const key of outputKeys.filter((_, i) => i % Math.max(1, Math.floor(outputKeys.length / 5)) === 0).slice(0, 5)) {
      const object = await clients.s3.send(new GetObjectCommand({ Bucket: out.outputBucket, Key: key }));
      const file = path.join(workDir, `probe-${probes.length}.mp4`);
      fs.writeFileSync(file, Buffer.from(await object.Body!.transformToByteArray()));
      probes.push({ key, ...probe(file) });
    }
    const jobs = await queueDepth(clients, out.jobsQueueUrl);
    const dlq = await queueDepth(clients, out.dlqUrl);
    return {
      run,
      calls,
      completions,
      outputKeys,
      transcodesByKey,
      samples,
      startedAt,
      allDoneAt,
      killed,
      finalDepth: { jobs: jobs.total, dlq: dlq.total },
      workerExits,
      probes,
      workerEnvironment: out.workerEnvironment,
      lines,
    };
  } finally {
    sampling = false;
    await fleet.kill();
    await tap.remove();
  }
}

export interface SyncOptions {
  readonly arrivals: Arrivals;
  readonly workers: number;
  /** The service's request deadline and the caller's timeout (API Gateway: 29 s). */
  readonly requestTimeoutMs: number;
  /** Retries after a failed or timed-out call. */
  readonly retries: number;
  readonly maxConcurrentCallers?: number;
  readonly outputWidth: number;
  readonly log: (message: string) => void;
}

export interface SyncResult {
  readonly calls: CallResult[];
  readonly stats: SyncTranscoderStats;
  readonly startedAt: number;
  /** When the service went idle (nothing running or waiting). */
  readonly idleAt: number;
}

export async function runSynchronous(options: SyncOptions): Promise<SyncResult> {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'video-sync-'));
  const clip = fs.readFileSync(generateClip(workDir, TINY_CLIP));
  const { workers, requestTimeoutMs, outputWidth } = options;
  const service = await startSyncTranscoder({ workers, requestTimeoutMs, outputWidth });
  try {
    const client = new SyncClient(service.url, clip, options.requestTimeoutMs + 1000, options.retries);
    options.log(`synchronous: ${options.workers} workers at ${service.url}, ${options.requestTimeoutMs / 1000} s request timeout, ${options.retries} retr${options.retries === 1 ? 'y' : 'ies'}; `
      + `${options.arrivals.uploads} calls ${options.arrivals.perMinute === undefined ? 'in a burst' : `at ${options.arrivals.perMinute}/min`}`);
    const startedAt = Date.now();
    const calls = await arrive(options.arrivals, options.maxConcurrentCallers ?? Infinity, i => client.transcode(`s-${i}`));
    await service.idle();
    const idleAt = Date.now();
    options.log(`synchronous: ${calls.filter(c => c.ok).length} of ${calls.length} calls answered 200 in ${((idleAt - startedAt) / 1000).toFixed(1)} s`);
    return { calls, stats: service.stats(), startedAt, idleAt };
  } finally {
    await service.stop();
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}
