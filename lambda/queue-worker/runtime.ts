/**
 * The queue-worker runtime: a long-running process (ECS Fargate task, EC2 instance, or a plain
 * `node` anywhere) that polls an SQS queue and runs your handler for each message.
 *
 * - Long-poll receive of up to min(10, free slots) messages; at most WORKER_CONCURRENCY jobs at once.
 * - Per-message visibility heartbeat (ChangeMessageVisibility) while the job runs.
 * - Delete on success; on failure the message stays invisible until its visibility timeout ends,
 *   then SQS redelivers it (and moves it to the DLQ after the queue's maxReceiveCount).
 * - SIGTERM/SIGINT: stop receiving, let in-flight jobs finish within SHUTDOWN_GRACE_SECONDS, then
 *   release the rest (visibility 0, handler aborted) and exit 0.
 * - ECS task scale-in protection while busy (see protection.ts). JSON logs on stdout.
 */
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  Message,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { readWorkerConfig, WorkerConfig, WorkerConfigError } from './config';
import { Heartbeat } from './heartbeat';
import { createLogger, Logger, parseLogLevel } from './log';
import { FetchLike, ScaleInProtection } from './protection';
import { nextShutdownState, ShutdownEvent, ShutdownState } from './shutdown';
import { Slots } from './slots';

/** A received message, as the handler sees it. */
export interface WorkerMessage {
  readonly messageId: string;
  readonly body: string;
  /** ApproximateReceiveCount: 1 on the first delivery. */
  readonly receiveCount: number;
  /** SentTimestamp (ms since epoch), when SQS reports it. */
  readonly sentTimestamp?: number;
  readonly messageAttributes: Record<string, string | undefined>;
}

/** What a handler gets besides the message. */
export interface JobContext {
  /** Aborted when the job is released at shutdown: stop work (e.g. pass it to child_process.spawn). */
  readonly signal: AbortSignal;
  /** A logger whose lines carry the messageId. */
  readonly log: Logger;
}

/** Processes one message; resolve = done (the message is deleted), reject = failed (redelivered later). */
export type JobHandler = (message: WorkerMessage, context: JobContext) => Promise<void>;

export interface QueueWorkerOptions {
  readonly handler: JobHandler;
  /** Environment to read the contract from (default process.env). */
  readonly env?: NodeJS.ProcessEnv;
  /** SQS client (default: one created from the environment: AWS_REGION, AWS_ENDPOINT_URL). */
  readonly sqs?: SQSClient;
  readonly logger?: Logger;
  /** fetch used for the ECS agent (default global fetch). */
  readonly fetch?: FetchLike;
  /** Stop on SIGTERM and SIGINT (default true). */
  readonly handleSignals?: boolean;
}

export interface WorkerSummary {
  readonly received: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly released: number;
  readonly heartbeats: number;
  /** The state the worker stopped from: 'draining' means every in-flight job finished in the grace period. */
  readonly stoppedFrom: ShutdownState;
}

/** A started worker. */
export interface QueueWorker {
  readonly config: WorkerConfig;
  /** Resolves when the worker has stopped. */
  readonly done: Promise<WorkerSummary>;
  readonly state: ShutdownState;
  /** Starts the shutdown (as SIGTERM does); a second call releases in-flight jobs at once. */
  stop(reason?: string): void;
}

interface Job {
  readonly message: WorkerMessage;
  readonly receiptHandle: string;
  readonly abort: AbortController;
  readonly heartbeat: Heartbeat;
  readonly settled: Promise<void>;
  released: boolean;
}

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

function toWorkerMessage(m: Message): WorkerMessage {
  const attributes: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(m.MessageAttributes ?? {})) attributes[name] = value.StringValue;
  const sent = Number(m.Attributes?.SentTimestamp);
  return {
    messageId: m.MessageId ?? '',
    body: m.Body ?? '',
    receiveCount: Number(m.Attributes?.ApproximateReceiveCount ?? '1'),
    sentTimestamp: Number.isFinite(sent) ? sent : undefined,
    messageAttributes: attributes,
  };
}

/** An SQS client from the environment (AWS_REGION, AWS_ENDPOINT_URL honoured). */
export function sqsClientFromEnv(env: NodeJS.ProcessEnv = process.env): SQSClient {
  return new SQSClient({
    ...(env.AWS_ENDPOINT_URL_SQS || env.AWS_ENDPOINT_URL ? { endpoint: env.AWS_ENDPOINT_URL_SQS || env.AWS_ENDPOINT_URL } : {}),
  });
}

/** Starts polling; returns at once. Throws WorkerConfigError on a bad environment. */
export function startQueueWorker(options: QueueWorkerOptions): QueueWorker {
  const env = options.env ?? process.env;
  const log = options.logger ?? createLogger({ level: parseLogLevel(env.LOG_LEVEL), base: { component: 'queue-worker' } });
  const config = readWorkerConfig(env);
  const sqs = options.sqs ?? sqsClientFromEnv(env);
  const slots = new Slots(config.concurrency);
  const protection = new ScaleInProtection(config.ecsAgentUri, config.protectionMinutes, log, options.fetch);
  const jobs = new Set<Job>();
  const receiveAbort = new AbortController();
  const counts = { received: 0, succeeded: 0, failed: 0, released: 0, heartbeats: 0 };
  let state: ShutdownState = 'running';
  let stoppedFrom: ShutdownState = 'running';
  let graceTimer: NodeJS.Timeout | undefined;
  let resolveStopped!: () => void;
  const stopped = new Promise<void>(r => { resolveStopped = r; });

  const transition = (event: ShutdownEvent) => {
    const before = state;
    const after = nextShutdownState(state, event, jobs.size);
    if (after === before) return;
    state = after;
    log.info('worker state changed', { state: after, from: before, event, inFlight: jobs.size });
    if (after === 'draining') {
      // The pending long poll is left to return (at most RECEIVE_WAIT_TIME_SECONDS): aborting it
      // would not cancel it on the SQS side, and whatever it received would stay invisible for a
      // whole visibility timeout. What it returns is released at once instead.
      slots.wake();
      graceTimer = setTimeout(() => transition('graceElapsed'), config.shutdownGraceSeconds * 1000);
    } else if (after === 'releasing') {
      if (graceTimer) clearTimeout(graceTimer);
      receiveAbort.abort();
      void releaseAll();
    } else if (after === 'stopped') {
      if (graceTimer) clearTimeout(graceTimer);
      slots.wake();
      stoppedFrom = before;
      resolveStopped();
    }
  };

  const releaseAll = async () => {
    const toRelease = [...jobs];
    await Promise.all(toRelease.map(async job => {
      job.released = true;
      job.heartbeat.stop();
      try {
        await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: config.queueUrl, ReceiptHandle: job.receiptHandle, VisibilityTimeout: 0 }));
        counts.released++;
        log.warn('job released: message visible again for another worker', { messageId: job.message.messageId });
      } catch (error) {
        log.error('could not release message: it returns after its visibility timeout', { messageId: job.message.messageId, error });
      }
      job.abort.abort(new Error('worker shutting down: job released'));
    }));
    // Handlers were told to stop; give them a moment to clean up, then stop regardless.
    await Promise.race([Promise.all(toRelease.map(j => j.settled)), sleep(5000)]);
    jobs.clear();
    transition('jobsSettled');
  };

  const runJob = (m: Message) => {
    const message = toWorkerMessage(m);
    const receiptHandle = m.ReceiptHandle ?? '';
    const jobLog = log.child({ messageId: message.messageId });
    const abort = new AbortController();
    const heartbeat = new Heartbeat({
      intervalMs: config.heartbeatIntervalSeconds * 1000,
      extend: async () => {
        await sqs.send(new ChangeMessageVisibilityCommand({
          QueueUrl: config.queueUrl, ReceiptHandle: receiptHandle, VisibilityTimeout: config.visibilityTimeoutSeconds,
        }));
        counts.heartbeats++;
        jobLog.debug('heartbeat: visibility extended', { visibilityTimeoutSeconds: config.visibilityTimeoutSeconds });
      },
      onError: (error, beat) => jobLog.warn('heartbeat failed: the message may become visible to other workers', { beat, error }),
    });
    slots.take();
    const job: Job = {
      message,
      receiptHandle,
      abort,
      heartbeat,
      released: false,
      settled: Promise.resolve().then(async () => {
        const started = Date.now();
        jobLog.info('job started', { receiveCount: message.receiveCount });
        heartbeat.start();
        try {
          await options.handler(message, { signal: abort.signal, log: jobLog });
          heartbeat.stop();
          if (job.released) {
            jobLog.warn('job finished after its message was released: not deleted', { durationMs: Date.now() - started });
            return;
          }
          await sqs.send(new DeleteMessageCommand({ QueueUrl: config.queueUrl, ReceiptHandle: receiptHandle }));
          counts.succeeded++;
          jobLog.info('job done: message deleted', { durationMs: Date.now() - started, heartbeats: heartbeat.beats });
        } catch (error) {
          heartbeat.stop();
          if (job.released) {
            jobLog.info('job aborted after release', { durationMs: Date.now() - started });
          } else {
            counts.failed++;
            jobLog.error('job failed: the message returns after its visibility timeout', {
              durationMs: Date.now() - started, receiveCount: message.receiveCount, error,
            });
          }
        }
      }).finally(() => {
        jobs.delete(job);
        slots.release();
        if (jobs.size === 0) void protection.setBusy(false);
        if (state === 'draining' || state === 'releasing') {
          if (state === 'draining') transition('jobsSettled');
        }
      }),
    };
    jobs.add(job);
    void protection.setBusy(true);
  };

  const poll = async () => {
    let failures = 0;
    while (state === 'running') {
      await slots.whenFree();
      if (state !== 'running') break;
      let messages: Message[];
      try {
        const res = await sqs.send(new ReceiveMessageCommand({
          QueueUrl: config.queueUrl,
          MaxNumberOfMessages: slots.receiveBatchSize(),
          WaitTimeSeconds: config.receiveWaitTimeSeconds,
          VisibilityTimeout: config.visibilityTimeoutSeconds,
          MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'],
          MessageAttributeNames: ['All'],
        }), { abortSignal: receiveAbort.signal });
        messages = res.Messages ?? [];
        failures = 0;
      } catch (error) {
        if (receiveAbort.signal.aborted) break;
        failures++;
        const backoffMs = Math.min(20_000, 500 * 2 ** Math.min(failures, 6));
        log.error('receive failed, retrying', { error, backoffMs });
        await sleep(backoffMs);
        continue;
      }
      counts.received += messages.length;
      for (const m of messages) {
        if (state !== 'running') {
          // Received while the stop came in: hand it straight back.
          log.info('message received during shutdown: released', { messageId: m.MessageId });
          await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: config.queueUrl, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0 }))
            .catch(() => undefined);
          continue;
        }
        runJob(m);
      }
    }
  };

  const signalHandlers: Array<[NodeJS.Signals, () => void]> = [];
  const stop = (reason = 'stop requested') => {
    log.info('stop requested', { reason, state, inFlight: jobs.size });
    transition('stop');
  };
  if (options.handleSignals ?? true) {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const handler = () => stop(signal);
      process.on(signal, handler);
      signalHandlers.push([signal, handler]);
    }
  }

  log.info('worker started', {
    queueUrl: config.queueUrl,
    concurrency: config.concurrency,
    visibilityTimeoutSeconds: config.visibilityTimeoutSeconds,
    heartbeatIntervalSeconds: config.heartbeatIntervalSeconds,
    shutdownGraceSeconds: config.shutdownGraceSeconds,
    scaleInProtection: protection.enabled,
  });

  const done = (async (): Promise<WorkerSummary> => {
    const polling = poll().catch(error => {
      log.error('poll loop crashed: stopping', { error });
      transition('stop');
      transition('graceElapsed');
    });
    await stopped;
    await polling;
    await protection.close();
    for (const [signal, handler] of signalHandlers) process.off(signal, handler);
    const summary: WorkerSummary = { ...counts, stoppedFrom };
    log.info('worker stopped', { ...summary });
    return summary;
  })();

  return {
    config,
    stop,
    done,
    get state() {
      return state;
    },
  };
}

/**
 * Runs a worker until SIGTERM/SIGINT, then exits the process: 0 after a clean stop, 1 when the
 * configuration is invalid (with a message naming the variable and the fix).
 */
export async function runQueueWorker(options: QueueWorkerOptions): Promise<never> {
  let worker: QueueWorker;
  try {
    worker = startQueueWorker(options);
  } catch (error) {
    const log = options.logger ?? createLogger({ base: { component: 'queue-worker' } });
    if (error instanceof WorkerConfigError) log.error(`invalid configuration: ${error.message}`);
    else log.error('worker could not start', { error });
    process.exit(1);
  }
  await worker.done;
  process.exit(0);
}
