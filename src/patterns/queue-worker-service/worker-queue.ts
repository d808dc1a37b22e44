import { Duration, RemovalPolicy, Tokenization } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { QueueWorkerOptions } from './props';
import { SecureQueue } from '../../core/secure-queue';
import { secondsOf } from '../../core/validation';
import { BacklogScalingOptions } from '../backlog-scaling';

/** The queue-worker runtime's default grace after SIGTERM: QueueWorkerService's default stopTimeout (2 minutes) minus 5 s. */
export const DEFAULT_SHUTDOWN_GRACE_SECONDS = 115;

/** Resolved queue and worker settings, shared by both fleets. */
interface WorkerQueue {
  readonly secureQueue: SecureQueue;
  readonly environment: { [key: string]: string };
  readonly scaling: BacklogScalingOptions;
}

/** Builds (after the construct ran its rule table) the queue and the worker environment. */
export function workerQueue(scope: Construct, props: QueueWorkerOptions): WorkerQueue {
  const queueProps = props.queueProps ?? {};
  const visibility = props.visibilityTimeout ?? Duration.minutes(2);
  const visibilitySeconds = secondsOf(visibility);
  // A token visibility cannot be divided here: the runtime then derives the heartbeat itself (a quarter).
  const heartbeat = props.heartbeatInterval
    ?? (visibilitySeconds === undefined ? undefined : Duration.seconds(Math.max(1, Math.floor(visibilitySeconds / 4))));
  const concurrency = props.workerConcurrency ?? 1;
  const existing = queueProps.existingQueue !== undefined;
  const secureQueue = new SecureQueue(scope, 'Jobs', {
    ...queueProps,
    visibilityTimeout: existing ? undefined : visibility,
    alarmTopic: queueProps.alarmTopic ?? props.alarmTopic,
    alarmsEnabled: (props.alarmsEnabled ?? true) && (queueProps.alarmsEnabled ?? true),
  });
  return {
    secureQueue,
    environment: {
      ...props.environment,
      QUEUE_URL: secureQueue.queue.queueUrl,
      WORKER_CONCURRENCY: Tokenization.stringifyNumber(concurrency),
      VISIBILITY_TIMEOUT_SECONDS: Tokenization.stringifyNumber(visibility.toSeconds()),
      ...(heartbeat ? { HEARTBEAT_INTERVAL_SECONDS: Tokenization.stringifyNumber(heartbeat.toSeconds()) } : {}),
      // After SIGTERM, jobs in hand may finish for this long, then the rest are released. The
      // runtime's default; QueueWorkerService sets it from its container's stopTimeout.
      SHUTDOWN_GRACE_SECONDS: String(DEFAULT_SHUTDOWN_GRACE_SECONDS),
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
