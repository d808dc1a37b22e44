import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { QueueWorkerOptions } from './props';
import { SecureQueue } from '../../core/secure-queue';
import { check, checkDurationInRange, checkNotSetWith, checkNumberInRange, describeDuration } from '../../core/validation';
import { BacklogScalingOptions } from '../backlog-scaling';

/** Resolved queue and worker settings, shared by both fleets. */
interface WorkerQueue {
  readonly secureQueue: SecureQueue;
  readonly environment: { [key: string]: string };
  readonly scaling: BacklogScalingOptions;
}

/** Validates the shared worker settings and builds the queue and the worker environment. */
export function workerQueue(scope: Construct, props: QueueWorkerOptions): WorkerQueue {
  const queueProps = props.queueProps ?? {};
  checkNotSetWith(scope, 'queueProps.visibilityTimeout', queueProps.visibilityTimeout, 'on a worker queue (the workers\' heartbeat needs to know it)',
    'set visibilityTimeout on the worker construct instead');
  checkNotSetWith(scope, 'scaling.workerConcurrency', props.scaling.workerConcurrency, 'on a worker fleet (it also sets WORKER_CONCURRENCY)',
    'set workerConcurrency on the worker construct instead');
  checkNumberInRange(scope, 'workerConcurrency', props.workerConcurrency, { min: 1, max: 100 });
  checkDurationInRange(scope, 'visibilityTimeout', props.visibilityTimeout, { min: Duration.seconds(10), max: Duration.hours(12) });
  const visibility = props.visibilityTimeout ?? Duration.minutes(2);
  const heartbeat = props.heartbeatInterval ?? Duration.seconds(Math.max(1, Math.floor(visibility.toSeconds() / 4)));
  checkDurationInRange(scope, 'heartbeatInterval', props.heartbeatInterval, { min: Duration.seconds(1), max: Duration.hours(12) });
  if (!visibility.isUnresolved() && !heartbeat.isUnresolved()) {
    check(scope, heartbeat.toSeconds() < visibility.toSeconds(), {
      prop: 'heartbeatInterval',
      value: `${describeDuration(heartbeat)} with visibilityTimeout ${describeDuration(visibility)}`,
      allowed: `less than visibilityTimeout (${describeDuration(visibility)}); a heartbeat that comes later than the timeout lets another worker receive the message mid-job`,
      fix: `lower heartbeatInterval to a quarter of visibilityTimeout (${describeDuration(Duration.seconds(Math.floor(visibility.toSeconds() / 4)))}) or raise visibilityTimeout`,
    });
  }
  const concurrency = props.workerConcurrency ?? 1;
  const existing = queueProps.existingQueue !== undefined;
  const secureQueue = new SecureQueue(scope, 'Jobs', {
    ...queueProps,
    visibilityTimeout: existing ? undefined : visibility,
    alarmTopic: queueProps.alarmTopic ?? props.alarmTopic,
    alarmsEnabled: (props.alarmsEnabled ?? true) && (queueProps.alarmsEnabled ?? true),
  });
  const reserved = ['QUEUE_URL', 'WORKER_CONCURRENCY', 'VISIBILITY_TIMEOUT_SECONDS', 'HEARTBEAT_INTERVAL_SECONDS', 'SHUTDOWN_GRACE_SECONDS'];
  for (const key of Object.keys(props.environment ?? {})) {
    check(scope, !reserved.includes(key), {
      prop: `environment.${key}`, value: 'set by you', allowed: `names other than ${reserved.join(', ')} (the construct sets them)`, fix: `remove ${key}; set it through the construct's props`,
    });
  }
  return {
    secureQueue,
    environment: {
      ...props.environment,
      QUEUE_URL: secureQueue.queue.queueUrl,
      WORKER_CONCURRENCY: String(concurrency),
      VISIBILITY_TIMEOUT_SECONDS: String(visibility.toSeconds()),
      HEARTBEAT_INTERVAL_SECONDS: String(heartbeat.toSeconds()),
    },
    scaling: { ...props.scaling, workerConcurrency: props.scaling.targetBacklogPerWorker === undefined ? concurrency : undefined },
  };
}

/** 2 AZs, public subnets only (no NAT gateway to pay for), flow logs to CloudWatch Logs. */
export function workerVpc(scope: Construct): ec2.Vpc {
  const vpc = new ec2.Vpc(scope, 'Vpc', {
    maxAzs: 2,
    natGateways: 0,
    subnetConfiguration: [{ name: 'workers', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 }],
    restrictDefaultSecurityGroup: false,
  });
  const flowLogs = new logs.LogGroup(scope, 'FlowLogs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
  vpc.addFlowLog('FlowLog', { destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs), trafficType: ec2.FlowLogTrafficType.REJECT });
  return vpc;
}
