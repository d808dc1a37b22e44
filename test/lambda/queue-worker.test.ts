import { ChangeMessageVisibilityCommand, DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { readWorkerConfig, WorkerConfigError } from '../../lambda/queue-worker/config';
import { Heartbeat, Timers } from '../../lambda/queue-worker/heartbeat';
import { createLogger, Logger } from '../../lambda/queue-worker/log';
import { FetchLike, protectionAction, ScaleInProtection } from '../../lambda/queue-worker/protection';
import { startQueueWorker } from '../../lambda/queue-worker/runtime';
import { nextShutdownState } from '../../lambda/queue-worker/shutdown';
import { Slots } from '../../lambda/queue-worker/slots';

const QUEUE = 'http://127.0.0.1:4566/000000000000/jobs';

function captureLogger(): { log: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  return { log: createLogger({ level: 'debug', write: line => lines.push(JSON.parse(line)) }), lines };
}

describe('readWorkerConfig', () => {
  test('defaults', () => {
    expect(readWorkerConfig({ QUEUE_URL: QUEUE })).toEqual({
      queueUrl: QUEUE,
      concurrency: 1,
      visibilityTimeoutSeconds: 120,
      heartbeatIntervalSeconds: 30,
      shutdownGraceSeconds: 115,
      receiveWaitTimeSeconds: 20,
      ecsAgentUri: undefined,
      protectionMinutes: 60,
    });
  });
  test('reads the contract QueueWorkerService sets', () => {
    const c = readWorkerConfig({ QUEUE_URL: QUEUE, WORKER_CONCURRENCY: '4', VISIBILITY_TIMEOUT_SECONDS: '60', HEARTBEAT_INTERVAL_SECONDS: '20', ECS_AGENT_URI: 'http://169.254.170.2/v4/x' });
    expect(c).toMatchObject({ concurrency: 4, visibilityTimeoutSeconds: 60, heartbeatIntervalSeconds: 20, ecsAgentUri: 'http://169.254.170.2/v4/x' });
  });
  test('the heartbeat defaults to a quarter of the visibility timeout', () => {
    expect(readWorkerConfig({ QUEUE_URL: QUEUE, VISIBILITY_TIMEOUT_SECONDS: '4' }).heartbeatIntervalSeconds).toBe(1);
    expect(readWorkerConfig({ QUEUE_URL: QUEUE, VISIBILITY_TIMEOUT_SECONDS: '900' }).heartbeatIntervalSeconds).toBe(225);
  });
  test('refuses a heartbeat interval >= the visibility timeout, naming both and the fix', () => {
    expect(() => readWorkerConfig({ QUEUE_URL: QUEUE, VISIBILITY_TIMEOUT_SECONDS: '30', HEARTBEAT_INTERVAL_SECONDS: '30' }))
      .toThrow('HEARTBEAT_INTERVAL_SECONDS=30 must be less than VISIBILITY_TIMEOUT_SECONDS=30: a message would become visible, and be received by another worker, before its visibility is extended. Fix: set HEARTBEAT_INTERVAL_SECONDS to at most 29');
    expect(() => readWorkerConfig({ QUEUE_URL: QUEUE, VISIBILITY_TIMEOUT_SECONDS: '30', HEARTBEAT_INTERVAL_SECONDS: '45' })).toThrow(WorkerConfigError);
  });
  test('refuses a missing queue and out-of-range numbers', () => {
    expect(() => readWorkerConfig({})).toThrow('QUEUE_URL is not set');
    expect(() => readWorkerConfig({ QUEUE_URL: QUEUE, WORKER_CONCURRENCY: '0' })).toThrow('WORKER_CONCURRENCY="0" is invalid: expected a whole number from 1 to 100');
    expect(() => readWorkerConfig({ QUEUE_URL: QUEUE, WORKER_CONCURRENCY: '2.5' })).toThrow('WORKER_CONCURRENCY="2.5" is invalid');
    expect(() => readWorkerConfig({ QUEUE_URL: QUEUE, VISIBILITY_TIMEOUT_SECONDS: '50000' })).toThrow('VISIBILITY_TIMEOUT_SECONDS="50000" is invalid: expected a whole number from 1 to 43200');
    expect(() => readWorkerConfig({ QUEUE_URL: QUEUE, RECEIVE_WAIT_TIME_SECONDS: '21' })).toThrow('from 0 to 20');
    expect(() => readWorkerConfig({ QUEUE_URL: QUEUE, SHUTDOWN_GRACE_SECONDS: 'soon' })).toThrow('SHUTDOWN_GRACE_SECONDS="soon" is invalid');
  });
});

describe('Heartbeat', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  test('extends once per interval until stopped', async () => {
    const extend = jest.fn(() => Promise.resolve());
    const hb = new Heartbeat({ intervalMs: 2000, extend }).start();
    await jest.advanceTimersByTimeAsync(1999);
    expect(extend).toHaveBeenCalledTimes(0);
    await jest.advanceTimersByTimeAsync(1);
    expect(extend).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(8000);
    expect(extend).toHaveBeenCalledTimes(5);
    hb.stop();
    await jest.advanceTimersByTimeAsync(10_000);
    expect(extend).toHaveBeenCalledTimes(5);
    expect(hb.beats).toBe(5);
  });

  test('never overlaps calls: a beat due while the previous call is pending is skipped', async () => {
    let finish: () => void = () => undefined;
    const extend = jest.fn(() => new Promise<void>(r => { finish = r; }));
    const hb = new Heartbeat({ intervalMs: 1000, extend }).start();
    await jest.advanceTimersByTimeAsync(3000);
    expect(extend).toHaveBeenCalledTimes(1);
    expect(hb.skipped).toBe(2);
    finish();
    await jest.advanceTimersByTimeAsync(1000);
    expect(extend).toHaveBeenCalledTimes(2);
    hb.stop();
  });

  test('a failed extension is reported and the beat goes on', async () => {
    const onError = jest.fn();
    const extend = jest.fn().mockRejectedValueOnce(new Error('throttled')).mockResolvedValue(undefined);
    const hb = new Heartbeat({ intervalMs: 1000, extend, onError }).start();
    await jest.advanceTimersByTimeAsync(2000);
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ message: 'throttled' }), 1);
    expect(extend).toHaveBeenCalledTimes(2);
    hb.stop();
  });

  test('uses injected timers', () => {
    const scheduled: number[] = [];
    const timers: Timers = { setTimeout: (_fn, ms) => { scheduled.push(ms); return scheduled.length; }, clearTimeout: () => undefined };
    new Heartbeat({ intervalMs: 1500, extend: () => Promise.resolve(), timers }).start();
    expect(scheduled).toEqual([1500]);
    expect(() => new Heartbeat({ intervalMs: 0, extend: () => Promise.resolve() })).toThrow('heartbeat interval must be > 0 ms');
  });
});

describe('Slots', () => {
  test('asks for min(10, free) messages and blocks when full', async () => {
    const slots = new Slots(12);
    expect(slots.receiveBatchSize()).toBe(10);
    for (let i = 0; i < 9; i++) slots.take();
    expect(slots.receiveBatchSize()).toBe(3);
    for (let i = 0; i < 3; i++) slots.take();
    expect(slots.receiveBatchSize()).toBe(0);
    expect(() => slots.take()).toThrow('no free slot (12/12 in use)');
    let freed = false;
    const wait = slots.whenFree().then(() => { freed = true; });
    await Promise.resolve();
    expect(freed).toBe(false);
    slots.release();
    await wait;
    expect(freed).toBe(true);
    expect(slots.receiveBatchSize()).toBe(1);
  });
  test('rejects bad capacity and unbalanced release', () => {
    expect(() => new Slots(0)).toThrow('capacity must be a whole number >= 1');
    expect(() => new Slots(1).release()).toThrow('release without take');
  });
});

describe('shutdown state machine', () => {
  test.each([
    ['running', 'stop', 2, 'draining'],
    ['running', 'stop', 0, 'stopped'],
    ['running', 'graceElapsed', 1, 'running'],
    ['draining', 'jobsSettled', 1, 'draining'],
    ['draining', 'jobsSettled', 0, 'stopped'],
    ['draining', 'graceElapsed', 1, 'releasing'],
    ['draining', 'stop', 1, 'releasing'],
    ['draining', 'graceElapsed', 0, 'stopped'],
    ['releasing', 'jobsSettled', 0, 'stopped'],
    ['releasing', 'stop', 1, 'releasing'],
    ['stopped', 'stop', 0, 'stopped'],
  ] as const)('%s + %s with %i in flight -> %s', (state, event, inFlight, expected) => {
    expect(nextShutdownState(state, event, inFlight)).toBe(expected);
  });
});

describe('scale-in protection', () => {
  const now = 1_000_000;
  test('protect when busy, renew past half the granted time, drop when idle', () => {
    expect(protectionAction({ enabled: false, expiresAt: 0 }, true, now, 60)).toBe('enable');
    expect(protectionAction({ enabled: true, expiresAt: now + 40 * 60_000 }, true, now, 60)).toBe('none');
    expect(protectionAction({ enabled: true, expiresAt: now + 20 * 60_000 }, true, now, 60)).toBe('enable');
    expect(protectionAction({ enabled: true, expiresAt: now + 20 * 60_000 }, false, now, 60)).toBe('disable');
    expect(protectionAction({ enabled: false, expiresAt: 0 }, false, now, 60)).toBe('none');
  });

  test('PUTs the ECS agent endpoint', async () => {
    const calls: Array<{ url: string; body: unknown }> = [];
    const fetchFn: FetchLike = async (url, init) => {
      calls.push({ url, body: JSON.parse(init.body) });
      return { ok: true, status: 200, text: async () => '{"protection":{"ProtectionEnabled":true}}' };
    };
    const { log } = captureLogger();
    const p = new ScaleInProtection('http://169.254.170.2/v4/abc', 30, log, fetchFn);
    await p.setBusy(true);
    await p.setBusy(true);
    await p.close();
    expect(calls).toEqual([
      { url: 'http://169.254.170.2/v4/abc/task-protection/v1/state', body: { ProtectionEnabled: true, ExpiresInMinutes: 30 } },
      { url: 'http://169.254.170.2/v4/abc/task-protection/v1/state', body: { ProtectionEnabled: false } },
    ]);
  });

  test('without ECS_AGENT_URI: skipped, logged once, no request', async () => {
    const fetchFn = jest.fn();
    const { log, lines } = captureLogger();
    const p = new ScaleInProtection(undefined, 60, log, fetchFn);
    await p.setBusy(true);
    await p.setBusy(false);
    expect(fetchFn).not.toHaveBeenCalled();
    expect(lines.filter(l => String(l.msg).startsWith('scale-in protection skipped'))).toHaveLength(1);
  });

  test('an agent failure is logged, not thrown', async () => {
    const { log, lines } = captureLogger();
    const p = new ScaleInProtection('http://agent', 60, log, async () => ({ ok: false, status: 400, text: async () => '{"failure":{"Reason":"x"}}' }));
    await p.setBusy(true);
    expect(lines.some(l => l.msg === 'scale-in protection request failed' && l.status === 400)).toBe(true);
  });
});

/** An in-memory SQS: a list of messages handed out by ReceiveMessage, calls recorded. */
class FakeSqs {
  public readonly calls: Array<{ name: string; input: Record<string, unknown> }> = [];
  private pending: Array<{ MessageId: string; ReceiptHandle: string; Body: string; Attributes: Record<string, string> }> = [];

  add(id: string, body = '{}') {
    this.pending.push({ MessageId: id, ReceiptHandle: `rh-${id}`, Body: body, Attributes: { ApproximateReceiveCount: '1' } });
  }

  client(): SQSClient {
    return {
      send: async (command: { constructor: { name: string }; input: Record<string, unknown> }, opts?: { abortSignal?: AbortSignal }) => {
        const name = command.constructor.name;
        this.calls.push({ name, input: command.input });
        if (command instanceof ReceiveMessageCommand) {
          const max = Number(command.input.MaxNumberOfMessages);
          if (this.pending.length === 0) {
            // Long poll: wait until aborted (or 50 ms, then empty).
            await new Promise<void>((resolve, reject) => {
              const t = setTimeout(resolve, 50);
              opts?.abortSignal?.addEventListener('abort', () => { clearTimeout(t); reject(new Error('aborted')); });
            });
            return { Messages: [] };
          }
          return { Messages: this.pending.splice(0, max) };
        }
        return {};
      },
    } as unknown as SQSClient;
  }

  named(name: string) {
    return this.calls.filter(c => c.name === name).map(c => c.input);
  }
}

const sleep = (ms: number) => new Promise<void>(r => setTimeout(r, ms));

describe('startQueueWorker (in-memory SQS)', () => {
  test('deletes on success, leaves failures for redelivery, never exceeds the concurrency', async () => {
    const sqs = new FakeSqs();
    for (let i = 0; i < 7; i++) sqs.add(`m${i}`, JSON.stringify({ fail: i === 3 }));
    let running = 0;
    let peak = 0;
    const { log } = captureLogger();
    const worker = startQueueWorker({
      env: { QUEUE_URL: QUEUE, WORKER_CONCURRENCY: '3', VISIBILITY_TIMEOUT_SECONDS: '30' },
      sqs: sqs.client(),
      logger: log,
      handleSignals: false,
      handler: async message => {
        running++;
        peak = Math.max(peak, running);
        await sleep(20);
        running--;
        if (JSON.parse(message.body).fail) throw new Error('bad video');
      },
    });
    for (let i = 0; i < 100 && sqs.named('DeleteMessageCommand').length < 6; i++) await sleep(10);
    worker.stop('test');
    const summary = await worker.done;
    expect(summary).toMatchObject({ received: 7, succeeded: 6, failed: 1, released: 0, stoppedFrom: 'running' });
    expect(sqs.named('DeleteMessageCommand').map(i => i.ReceiptHandle).sort()).toEqual(['rh-m0', 'rh-m1', 'rh-m2', 'rh-m4', 'rh-m5', 'rh-m6']);
    expect(peak).toBe(3);
    const receives = sqs.named('ReceiveMessageCommand');
    expect(receives[0]).toMatchObject({ QueueUrl: QUEUE, MaxNumberOfMessages: 3, WaitTimeSeconds: 20, VisibilityTimeout: 30 });
    expect(receives.every(r => Number(r.MaxNumberOfMessages) >= 1 && Number(r.MaxNumberOfMessages) <= 3)).toBe(true);
  });

  test('heartbeats a long job, then deletes it', async () => {
    const sqs = new FakeSqs();
    sqs.add('long');
    const worker = startQueueWorker({
      env: { QUEUE_URL: QUEUE, VISIBILITY_TIMEOUT_SECONDS: '2', HEARTBEAT_INTERVAL_SECONDS: '0.1' },
      sqs: sqs.client(),
      logger: captureLogger().log,
      handleSignals: false,
      handler: () => sleep(450),
    });
    for (let i = 0; i < 100 && sqs.named('DeleteMessageCommand').length < 1; i++) await sleep(20);
    worker.stop();
    const summary = await worker.done;
    const beats = sqs.named('ChangeMessageVisibilityCommand');
    expect(beats.length).toBeGreaterThanOrEqual(3);
    expect(beats.every(b => b.VisibilityTimeout === 2 && b.ReceiptHandle === 'rh-long')).toBe(true);
    expect(summary.heartbeats).toBe(beats.length);
    // No heartbeat after the delete.
    const names = sqs.calls.map(c => c.name).filter(n => n !== 'ReceiveMessageCommand');
    expect(names[names.length - 1]).toBe(DeleteMessageCommand.name);
  });

  test('stop while busy: stops receiving, lets the job finish within the grace period, deletes it', async () => {
    const sqs = new FakeSqs();
    sqs.add('a');
    const worker = startQueueWorker({
      env: { QUEUE_URL: QUEUE, SHUTDOWN_GRACE_SECONDS: '5' },
      sqs: sqs.client(),
      logger: captureLogger().log,
      handleSignals: false,
      handler: () => sleep(200),
    });
    await sleep(50);
    worker.stop('SIGTERM');
    expect(worker.state).toBe('draining');
    sqs.add('b');
    const summary = await worker.done;
    expect(summary).toMatchObject({ succeeded: 1, released: 0, stoppedFrom: 'draining' });
    expect(sqs.named('DeleteMessageCommand')).toEqual([{ QueueUrl: QUEUE, ReceiptHandle: 'rh-a' }]);
    expect(sqs.named('ReceiveMessageCommand')).toHaveLength(1);
  });

  test('a job longer than the grace period is released (visibility 0), aborted, not deleted', async () => {
    const sqs = new FakeSqs();
    sqs.add('slow');
    let aborted = false;
    const worker = startQueueWorker({
      env: { QUEUE_URL: QUEUE, SHUTDOWN_GRACE_SECONDS: '0.2' },
      sqs: sqs.client(),
      logger: captureLogger().log,
      handleSignals: false,
      handler: (_m, { signal }) => new Promise((_resolve, reject) => {
        signal.addEventListener('abort', () => { aborted = true; reject(signal.reason); });
      }),
    });
    await sleep(50);
    worker.stop('SIGTERM');
    const summary = await worker.done;
    expect(aborted).toBe(true);
    expect(summary).toMatchObject({ succeeded: 0, failed: 0, released: 1, stoppedFrom: 'releasing' });
    expect(sqs.named('ChangeMessageVisibilityCommand')).toEqual([{ QueueUrl: QUEUE, ReceiptHandle: 'rh-slow', VisibilityTimeout: 0 }]);
    expect(sqs.named('DeleteMessageCommand')).toEqual([]);
  });

  test('refuses a bad configuration before touching SQS', () => {
    const sqs = new FakeSqs();
    expect(() => startQueueWorker({
      env: { QUEUE_URL: QUEUE, VISIBILITY_TIMEOUT_SECONDS: '4', HEARTBEAT_INTERVAL_SECONDS: '4' },
      sqs: sqs.client(),
      handleSignals: false,
      handler: async () => undefined,
    })).toThrow('HEARTBEAT_INTERVAL_SECONDS=4 must be less than VISIBILITY_TIMEOUT_SECONDS=4');
    expect(sqs.calls).toEqual([]);
  });

  test('JSON log lines carry the message id', async () => {
    const sqs = new FakeSqs();
    sqs.add('x');
    const { log, lines } = captureLogger();
    const worker = startQueueWorker({
      env: { QUEUE_URL: QUEUE }, sqs: sqs.client(), logger: log, handleSignals: false, handler: async () => undefined,
    });
    for (let i = 0; i < 100 && sqs.named('DeleteMessageCommand').length < 1; i++) await sleep(10);
    worker.stop();
    await worker.done;
    expect(lines.find(l => l.msg === 'job done: message deleted')).toMatchObject({ level: 'info', messageId: 'x' });
    expect(lines.every(l => typeof l.time === 'string')).toBe(true);
    expect(ChangeMessageVisibilityCommand).toBeDefined();
  });
});

test('a message that arrives in the long poll pending at SIGTERM is released at once, not run', async () => {
  const calls: Array<{ name: string; input: Record<string, unknown> }> = [];
  let receives = 0;
  const sqs = {
    send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      calls.push({ name: command.constructor.name, input: command.input });
      if (command instanceof ReceiveMessageCommand) {
        receives++;
        await sleep(100);
        return receives === 1 ? { Messages: [{ MessageId: 'late', ReceiptHandle: 'rh-late', Body: '{}', Attributes: {} }] } : { Messages: [] };
      }
      return {};
    },
  } as unknown as SQSClient;
  const handler = jest.fn(async () => undefined);
  const worker = startQueueWorker({ env: { QUEUE_URL: QUEUE }, sqs, logger: captureLogger().log, handleSignals: false, handler });
  await sleep(20);
  worker.stop('SIGTERM');
  const summary = await worker.done;
  expect(handler).not.toHaveBeenCalled();
  expect(receives).toBe(1);
  expect(calls.filter(c => c.name === 'ChangeMessageVisibilityCommand').map(c => c.input)).toEqual([{ QueueUrl: QUEUE, ReceiptHandle: 'rh-late', VisibilityTimeout: 0 }]);
  expect(summary).toMatchObject({ received: 1, succeeded: 0, stoppedFrom: 'running' });
});
