/**
 * The environment contract between BacklogScaling (which sets it on the controller function) and
 * the controller (which reads it once per container). A bad value fails every invocation with a
 * message naming the variable, the value, the allowed range and the fix, and the controller's
 * errors alarm goes off: a controller that guesses would size the fleet wrongly and silently.
 */
import type { DecisionSettings } from './decide';

export interface ControllerConfig extends DecisionSettings {
  /** QUEUE_URL: the queue whose backlog sizes the fleet. */
  readonly queueUrl: string;
  /** CLUSTER_NAME: the ECS cluster of the service. */
  readonly clusterName: string;
  /** SERVICE_NAME: the ECS service whose desired count is set. */
  readonly serviceName: string;
  /** METRIC_NAMESPACE: where the controller publishes what it saw and decided. */
  readonly metricNamespace: string;
  /** SCALING_NAME: the value of the `Scaling` dimension of those metrics (the construct path). */
  readonly scalingName: string;
}

/** A configuration error: the controller refuses to act. */
export class ControllerConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ControllerConfigError';
  }
}

function required(env: NodeJS.ProcessEnv, name: string, what: string): string {
  const value = env[name]?.trim();
  if (!value) throw new ControllerConfigError(`${name} is not set: expected ${what}. Fix: set ${name} (BacklogScaling sets it on the controller function).`);
  return value;
}

function numberFrom(env: NodeJS.ProcessEnv, name: string, min: number, max: number, integer: boolean, fallback?: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') {
    if (fallback !== undefined) return fallback;
    throw new ControllerConfigError(`${name} is not set: expected ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}. Fix: set ${name} (BacklogScaling sets it on the controller function).`);
  }
  const value = Number(raw);
  if (!Number.isFinite(value) || (integer && !Number.isInteger(value)) || value < min || value > max) {
    throw new ControllerConfigError(`${name}=${JSON.stringify(raw)} is invalid: expected ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}. Fix: set ${name} within that range (BacklogScaling sets it from its props).`);
  }
  return value;
}

/** Reads and checks the environment. */
export function readControllerConfig(env: NodeJS.ProcessEnv): ControllerConfig {
  const config = {
    queueUrl: required(env, 'QUEUE_URL', 'the URL of the SQS queue whose backlog sizes the fleet'),
    clusterName: required(env, 'CLUSTER_NAME', 'the name of the ECS cluster'),
    serviceName: required(env, 'SERVICE_NAME', 'the name of the ECS service to scale'),
    metricNamespace: required(env, 'METRIC_NAMESPACE', 'the CloudWatch namespace of the controller\'s metrics'),
    scalingName: required(env, 'SCALING_NAME', 'the Scaling dimension of the controller\'s metrics'),
    targetBacklogPerWorker: numberFrom(env, 'TARGET_BACKLOG_PER_WORKER', 0.01, 1_000_000, false),
    workerConcurrency: numberFrom(env, 'WORKER_CONCURRENCY', 1, 100, true, 1),
    minWorkers: numberFrom(env, 'MIN_WORKERS', 0, 10_000, true),
    maxWorkers: numberFrom(env, 'MAX_WORKERS', 1, 10_000, true),
    includeInFlight: (env.INCLUDE_IN_FLIGHT ?? 'true').trim() !== 'false',
  };
  if (config.minWorkers > config.maxWorkers) {
    throw new ControllerConfigError(`MIN_WORKERS=${config.minWorkers} is more than MAX_WORKERS=${config.maxWorkers}. Fix: set MIN_WORKERS to at most MAX_WORKERS.`);
  }
  return config;
}
