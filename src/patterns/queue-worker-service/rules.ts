import { Duration } from 'aws-cdk-lib';
import { QueueWorkerOptions, QueueWorkerServiceProps } from './props';
import { QueueWorkerAutoScalingGroupProps } from './queue-worker-auto-scaling-group';
import { secureQueueRules } from '../../core/secure-queue-rules';
import { Rule, describeDuration, nested, secondsOf, usable } from '../../core/validation';
import { backlogScalingOptionsRules } from '../backlog-scaling/rules';

/** Environment variables the construct sets for the worker runtime (a user may not set them). */
export const RESERVED_WORKER_ENVIRONMENT = ['QUEUE_URL', 'WORKER_CONCURRENCY', 'VISIBILITY_TIMEOUT_SECONDS', 'HEARTBEAT_INTERVAL_SECONDS', 'SHUTDOWN_GRACE_SECONDS'];

/** The rules every queue worker fleet shares (QueueWorkerService and QueueWorkerAutoScalingGroup). */
export const QUEUE_WORKER_RULES: ReadonlyArray<Rule<QueueWorkerOptions>> = [
  (p, v) => v.notSetWith('QUEUE_WORKER_VISIBILITY_ON_QUEUE', 'queueProps.visibilityTimeout', p.queueProps?.visibilityTimeout,
    'on a worker queue (the workers\' heartbeat needs to know it)', 'set visibilityTimeout on the worker construct instead'),
  (p, v) => v.notSetWith('QUEUE_WORKER_CONCURRENCY_IN_SCALING', 'scaling.workerConcurrency', p.scaling.workerConcurrency,
    'on a worker fleet (it also sets WORKER_CONCURRENCY)', 'set workerConcurrency on the worker construct instead'),
  // The one range of workerConcurrency: BacklogScaling's rule and the runtime's WORKER_CONCURRENCY
  // allow the same (test/patterns/queue-worker-service.test.ts checks all three agree).
  (p, v) => v.numberInRange('QUEUE_WORKER_CONCURRENCY', 'workerConcurrency', p.workerConcurrency, {
    min: 1, max: 100, fix: 'set workerConcurrency from 1 to 100 (the worker runtime\'s WORKER_CONCURRENCY range); for more parallel jobs, run more workers',
  }),
  (p, v) => v.durationInRange('QUEUE_WORKER_VISIBILITY_TIMEOUT', 'visibilityTimeout', p.visibilityTimeout, { min: Duration.seconds(10), max: Duration.hours(12) }),
  (p, v) => v.durationInRange('QUEUE_WORKER_HEARTBEAT_INTERVAL', 'heartbeatInterval', p.heartbeatInterval, { min: Duration.seconds(1), max: Duration.hours(12) }),
  (p, v) => {
    const visibility = p.visibilityTimeout ?? Duration.minutes(2);
    const vis = secondsOf(visibility);
    const beat = secondsOf(p.heartbeatInterval);
    if (vis === undefined || beat === undefined) return; // a token (or the default quarter) is never compared
    v.check('QUEUE_WORKER_HEARTBEAT_VISIBILITY', beat < vis, {
      prop: 'heartbeatInterval',
      value: `${describeDuration(p.heartbeatInterval!)} with visibilityTimeout ${describeDuration(visibility)}`,
      allowed: `less than visibilityTimeout (${describeDuration(visibility)}); a heartbeat that comes later than the timeout lets another worker receive the message mid-job`,
      fix: `lower heartbeatInterval to a quarter of visibilityTimeout (${describeDuration(Duration.seconds(Math.max(1, Math.floor(vis / 4))))}) or raise visibilityTimeout`,
    });
  },
  (p, v) => {
    for (const key of Object.keys(p.environment ?? {})) {
      v.check('QUEUE_WORKER_RESERVED_ENVIRONMENT', !RESERVED_WORKER_ENVIRONMENT.includes(key), {
        prop: `environment.${key}`,
        value: 'set by you',
        allowed: `names other than ${RESERVED_WORKER_ENVIRONMENT.join(', ')} (the construct sets them)`,
        fix: `remove ${key}; set it through the construct's props`,
      });
    }
  },
  nested(p => p.queueProps, secureQueueRules('queueProps.')),
  nested(p => p.scaling, backlogScalingOptionsRules('scaling.')),
];

/** Fargate's CPU units and the memory (MiB) each allows: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html */
const FARGATE_SIZES: ReadonlyArray<[number, number, number, number]> = [
  // cpu, min memory, max memory, step
  [256, 512, 2048, 512], [512, 1024, 4096, 1024], [1024, 2048, 8192, 1024], [2048, 4096, 16384, 1024],
  [4096, 8192, 30720, 1024], [8192, 16384, 61440, 4096], [16384, 32768, 122880, 8192],
];

/** The rule table of {@link QueueWorkerService}. */
export const QUEUE_WORKER_SERVICE_RULES: ReadonlyArray<Rule<QueueWorkerServiceProps>> = [
  (p, v) => v.check('QUEUE_WORKER_SERVICE_VPC_WITH_CLUSTER', p.cluster === undefined || p.vpc === undefined, {
    prop: 'vpc', value: 'given together with cluster', allowed: 'vpc only when no cluster is given (the cluster has its VPC)', fix: 'remove vpc, or remove cluster',
  }),
  (p, v) => v.durationInRange('QUEUE_WORKER_SERVICE_STOP_TIMEOUT', 'stopTimeout', p.stopTimeout, { min: Duration.seconds(2), max: Duration.minutes(2) }),
  (p, v) => {
    const cpu = p.cpu ?? 256;
    const memory = p.memoryLimitMiB ?? 512;
    if (!usable(cpu) || !usable(memory)) return; // a token is never checked
    const size = FARGATE_SIZES.find(([c]) => c === cpu);
    if (!size) {
      v.add({
        code: 'QUEUE_WORKER_SERVICE_FARGATE_CPU',
        prop: 'cpu',
        value: `${cpu}`,
        allowed: `one of Fargate's CPU sizes: ${FARGATE_SIZES.map(s => s[0]).join(', ')}`,
        fix: 'set cpu to one of those (256 = 0.25 vCPU), or leave it unset for 256',
      });
      return;
    }
    const [, min, max, step] = size;
    v.check('QUEUE_WORKER_SERVICE_FARGATE_MEMORY', memory >= min && memory <= max && (memory - min) % step === 0, {
      prop: 'memoryLimitMiB',
      value: `${memory} MiB with cpu ${cpu}`,
      allowed: `with cpu ${cpu}: ${min} to ${max} MiB in steps of ${step} (Fargate's combinations)`,
      fix: 'set memoryLimitMiB to one of those, or change cpu',
    });
  },
  ...QUEUE_WORKER_RULES,
];

/** The rule table of {@link QueueWorkerAutoScalingGroup}. */
export const QUEUE_WORKER_ASG_RULES: ReadonlyArray<Rule<QueueWorkerAutoScalingGroupProps>> = [
  (p, v) => v.check('QUEUE_WORKER_ASG_START_COMMANDS', p.startCommands.length > 0, {
    prop: 'startCommands', value: 'an empty list', allowed: 'at least one command that starts the worker', fix: 'add the commands that install and start your worker program',
  }),
  ...QUEUE_WORKER_RULES,
];
