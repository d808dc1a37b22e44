/**
 * The environment contract between QueueWorkerService (which sets it) and the worker runtime
 * (which reads it once at start). Bad values stop the worker at start with a message naming the
 * variable, the value, the allowed range and the fix: a worker that cannot keep its messages
 * invisible would process them twice.
 */

/**
 * The runtime's defaults: the same as QueueWorkerService's (test/patterns/queue-worker-service.test.ts
 * reads the construct's environment from a synthesized template and checks they agree), so a worker
 * started without the construct behaves as one the construct configured.
 */
export const WORKER_DEFAULTS = {
  concurrency: 1,
  /** Jobs at once per process: 1 to 100, the construct's `workerConcurrency` range. */
  maxConcurrency: 100,
  /** QueueWorkerService `visibilityTimeout` default: 2 minutes. */
  visibilityTimeoutSeconds: 120,
  /** QueueWorkerService `heartbeatInterval` default: a quarter of the visibility timeout. */
  heartbeatDivisor: 4,
  /** QueueWorkerService `stopTimeout` default (2 minutes) minus 5 s to release what is left. */
  shutdownGraceSeconds: 115,
} as const;

/** The default heartbeat for a visibility timeout: a quarter of it, at least 1 s. */
export function defaultHeartbeatSeconds(visibilityTimeoutSeconds: number): number {
  return Math.max(1, Math.floor(visibilityTimeoutSeconds / WORKER_DEFAULTS.heartbeatDivisor));
}

export interface WorkerConfig {
  /** QUEUE_URL: the queue to poll. */
  readonly queueUrl: string;
  /** WORKER_CONCURRENCY: jobs processed at once by this process (1–100, default 1: WORKER_DEFAULTS). */
  readonly concurrency: number;
  /** VISIBILITY_TIMEOUT_SECONDS: visibility given at receive and by every heartbeat (1–43200, default 120: WORKER_DEFAULTS). */
  readonly visibilityTimeoutSeconds: number;
  /** HEARTBEAT_INTERVAL_SECONDS: how often a running job's visibility is extended (< visibility; default visibility / 4). */
  readonly heartbeatIntervalSeconds: number;
  /** SHUTDOWN_GRACE_SECONDS: after SIGTERM, how long in-flight jobs may finish before they are released (0–3600, default 115: QueueWorkerService's stopTimeout of 2 minutes minus 5 s to release). */
  readonly shutdownGraceSeconds: number;
  /** RECEIVE_WAIT_TIME_SECONDS: long-poll wait (0–20, default 20). */
  readonly receiveWaitTimeSeconds: number;
  /** ECS_AGENT_URI: set by the ECS agent on Fargate/ECS; scale-in protection is skipped without it. */
  readonly ecsAgentUri?: string;
  /** SCALE_IN_PROTECTION_MINUTES: how long one protection request lasts (1–2880, default 60); renewed while busy. */
  readonly protectionMinutes: number;
}

/** A configuration error: the worker refuses to start. */
export class WorkerConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WorkerConfigError';
  }
}

function numberFrom(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number, fix: string, integer = true): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || (integer && !Number.isInteger(value)) || value < min || value > max) {
    throw new WorkerConfigError(`${name}=${JSON.stringify(raw)} is invalid: expected ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}. Fix: ${fix}`);
  }
  return value;
}

/** Reads and checks the environment; throws WorkerConfigError with a clear message on bad input. */
export function readWorkerConfig(env: NodeJS.ProcessEnv): WorkerConfig {
  const queueUrl = env.QUEUE_URL?.trim();
  if (!queueUrl) {
    throw new WorkerConfigError('QUEUE_URL is not set: expected the URL of the SQS queue to poll. Fix: set QUEUE_URL (QueueWorkerService sets it on the container).');
  }
  const concurrency = numberFrom(env, 'WORKER_CONCURRENCY', WORKER_DEFAULTS.concurrency, 1, WORKER_DEFAULTS.maxConcurrency, 'set WORKER_CONCURRENCY to the jobs one task runs at once (QueueWorkerService prop workerConcurrency).');
  const visibilityTimeoutSeconds = numberFrom(env, 'VISIBILITY_TIMEOUT_SECONDS', WORKER_DEFAULTS.visibilityTimeoutSeconds, 1, 43_200,
    'set VISIBILITY_TIMEOUT_SECONDS to the queue\'s visibility timeout (SQS allows 0 s to 12 h).');
  const heartbeatIntervalSeconds = numberFrom(env, 'HEARTBEAT_INTERVAL_SECONDS', defaultHeartbeatSeconds(visibilityTimeoutSeconds), 0.1, 43_200,
    'set HEARTBEAT_INTERVAL_SECONDS to about a quarter of VISIBILITY_TIMEOUT_SECONDS.', false);
  if (heartbeatIntervalSeconds >= visibilityTimeoutSeconds) {
    throw new WorkerConfigError(`HEARTBEAT_INTERVAL_SECONDS=${heartbeatIntervalSeconds} must be less than VISIBILITY_TIMEOUT_SECONDS=${visibilityTimeoutSeconds}: `
      + 'a message would become visible, and be received by another worker, before its visibility is extended. '
      + `Fix: set HEARTBEAT_INTERVAL_SECONDS to at most ${visibilityTimeoutSeconds - 1} (about ${defaultHeartbeatSeconds(visibilityTimeoutSeconds)} leaves room for a slow or failed call).`);
  }
  const shutdownGraceSeconds = numberFrom(env, 'SHUTDOWN_GRACE_SECONDS', WORKER_DEFAULTS.shutdownGraceSeconds, 0, 3600,
    'set SHUTDOWN_GRACE_SECONDS a few seconds below the container\'s stopTimeout (ECS default 30 s, maximum 120 s).', false);
  const receiveWaitTimeSeconds = numberFrom(env, 'RECEIVE_WAIT_TIME_SECONDS', 20, 0, 20, 'set RECEIVE_WAIT_TIME_SECONDS from 0 to 20 (SQS long polling maximum).');
  const protectionMinutes = numberFrom(env, 'SCALE_IN_PROTECTION_MINUTES', 60, 1, 2880, 'set SCALE_IN_PROTECTION_MINUTES from 1 to 2880 (ECS task protection limit, 48 h).');
  const ecsAgentUri = env.ECS_AGENT_URI?.trim() || undefined;
  return {
    queueUrl,
    concurrency,
    visibilityTimeoutSeconds,
    heartbeatIntervalSeconds,
    shutdownGraceSeconds,
    receiveWaitTimeSeconds,
    ecsAgentUri,
    protectionMinutes,
  };
}
