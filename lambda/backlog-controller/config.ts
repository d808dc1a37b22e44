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

/** Milliseconds in the units a CDK Duration can be made in (millis, seconds, minutes, hours, days). */
const UNIT_MS = [1, 1_000, 60_000, 3_600_000, 86_400_000];

const TARGET_RANGE = { min: 0.01, max: 1_000_000 };

function isSet(env: NodeJS.ProcessEnv, name: string): boolean {
  return (env[name] ?? '').trim() !== '';
}

/** A duration passed as its amount (NAME) and its unit in milliseconds (NAME_UNIT_MS); returns milliseconds. */
function durationFrom(env: NodeJS.ProcessEnv, name: string, prop: string): number {
  const raw = required(env, name, `the amount of BacklogScaling's ${prop}, a number greater than 0, in the unit ${name}_UNIT_MS gives`);
  const amount = Number(raw);
  if (!Number.isFinite(amount) || amount <= 0) {
    throw new ControllerConfigError(`${name}=${JSON.stringify(raw)} is invalid: expected a number greater than 0 (${prop}, in units of ${name}_UNIT_MS milliseconds). `
      + `Fix: give ${prop} a value greater than 0 (it comes from BacklogScaling's ${prop}, e.g. the CfnParameter behind it).`);
  }
  const unitRaw = required(env, `${name}_UNIT_MS`, `the milliseconds in the unit of ${name}: one of ${UNIT_MS.join(', ')}`);
  const unit = Number(unitRaw);
  if (!UNIT_MS.includes(unit)) {
    throw new ControllerConfigError(`${name}_UNIT_MS=${JSON.stringify(unitRaw)} is invalid: expected one of ${UNIT_MS.join(', ')} (milliseconds in a millisecond, second, minute, hour, day). `
      + `Fix: set ${name}_UNIT_MS to the milliseconds of the unit ${name} is in (BacklogScaling sets it from the Duration).`);
  }
  return amount * unit;
}

/**
 * The target backlog per worker: TARGET_BACKLOG_PER_WORKER when BacklogScaling knew it at synth,
 * or `workerConcurrency x acceptable latency / average processing time` computed here from
 * ACCEPTABLE_LATENCY and AVERAGE_PROCESSING_TIME (each an amount with its unit in
 * milliseconds, *_UNIT_MS) when one of the inputs was a token (a CfnParameter) that CloudFormation
 * cannot divide. Rounded to 2 decimals, as BacklogScaling rounds it.
 */
function targetFrom(env: NodeJS.ProcessEnv, workerConcurrency: number): number {
  const given = isSet(env, 'TARGET_BACKLOG_PER_WORKER');
  const derived = ['ACCEPTABLE_LATENCY', 'AVERAGE_PROCESSING_TIME'].filter(name => isSet(env, name));
  if (given && derived.length > 0) {
    throw new ControllerConfigError(`TARGET_BACKLOG_PER_WORKER is set together with ${derived.join(' and ')}: expected one of them, the target or its inputs. `
      + 'Fix: set TARGET_BACKLOG_PER_WORKER alone, or ACCEPTABLE_LATENCY and AVERAGE_PROCESSING_TIME (with their _UNIT_MS) without it (BacklogScaling sets one or the other).');
  }
  if (given || derived.length === 0) {
    if (!given) {
      throw new ControllerConfigError(`TARGET_BACKLOG_PER_WORKER is not set, nor ACCEPTABLE_LATENCY and AVERAGE_PROCESSING_TIME: expected the target backlog per worker (a number from ${TARGET_RANGE.min} to ${TARGET_RANGE.max}) or its inputs. `
        + 'Fix: set TARGET_BACKLOG_PER_WORKER, or ACCEPTABLE_LATENCY, AVERAGE_PROCESSING_TIME and their _UNIT_MS (BacklogScaling sets them on the controller function).');
    }
    return numberFrom(env, 'TARGET_BACKLOG_PER_WORKER', TARGET_RANGE.min, TARGET_RANGE.max, false);
  }
  const latencyMs = durationFrom(env, 'ACCEPTABLE_LATENCY', 'acceptableLatency');
  const processingMs = durationFrom(env, 'AVERAGE_PROCESSING_TIME', 'averageProcessingTime');
  if (processingMs >= latencyMs) {
    throw new ControllerConfigError(`AVERAGE_PROCESSING_TIME=${env.AVERAGE_PROCESSING_TIME} x ${env.AVERAGE_PROCESSING_TIME_UNIT_MS} ms (${processingMs} ms) is not less than `
      + `ACCEPTABLE_LATENCY=${env.ACCEPTABLE_LATENCY} x ${env.ACCEPTABLE_LATENCY_UNIT_MS} ms (${latencyMs} ms): expected a processing time greater than 0 and less than the acceptable latency `
      + '(a message that takes longer to process than it may wait in total can never meet the latency, whatever the fleet size). '
      + 'Fix: raise acceptableLatency above averageProcessingTime, or lower averageProcessingTime (the CfnParameters behind BacklogScaling\'s props).');
  }
  const target = Math.round((workerConcurrency * latencyMs / processingMs) * 100) / 100;
  if (target > TARGET_RANGE.max) {
    throw new ControllerConfigError(`The target backlog per worker computed from WORKER_CONCURRENCY=${workerConcurrency}, ACCEPTABLE_LATENCY (${latencyMs} ms) and AVERAGE_PROCESSING_TIME (${processingMs} ms) is ${target}: `
      + `expected at most ${TARGET_RANGE.max} messages per worker. Fix: lower acceptableLatency or raise averageProcessingTime to the measured time one message takes.`);
  }
  return target;
}

/** Reads and checks the environment. */
export function readControllerConfig(env: NodeJS.ProcessEnv): ControllerConfig {
  const workerConcurrency = numberFrom(env, 'WORKER_CONCURRENCY', 1, 100, true, 1);
  const config = {
    queueUrl: required(env, 'QUEUE_URL', 'the URL of the SQS queue whose backlog sizes the fleet'),
    clusterName: required(env, 'CLUSTER_NAME', 'the name of the ECS cluster'),
    serviceName: required(env, 'SERVICE_NAME', 'the name of the ECS service to scale'),
    metricNamespace: required(env, 'METRIC_NAMESPACE', 'the CloudWatch namespace of the controller\'s metrics'),
    scalingName: required(env, 'SCALING_NAME', 'the Scaling dimension of the controller\'s metrics'),
    targetBacklogPerWorker: targetFrom(env, workerConcurrency),
    workerConcurrency,
    minWorkers: numberFrom(env, 'MIN_WORKERS', 0, 10_000, true),
    maxWorkers: numberFrom(env, 'MAX_WORKERS', 1, 10_000, true),
    includeInFlight: (env.INCLUDE_IN_FLIGHT ?? 'true').trim() !== 'false',
  };
  if (config.minWorkers > config.maxWorkers) {
    throw new ControllerConfigError(`MIN_WORKERS=${config.minWorkers} is more than MAX_WORKERS=${config.maxWorkers}. Fix: set MIN_WORKERS to at most MAX_WORKERS.`);
  }
  return config;
}
