import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { QueueWorkerServiceProps } from './props';
import { QUEUE_WORKER_SERVICE_RULES } from './rules';
import { workerQueue, workerVpc } from './worker-queue';
import { acknowledgeWildcardResource } from '../../core/nag-acknowledgements';
import { SecureQueue } from '../../core/secure-queue';
import { secondsOf, validateProps } from '../../core/validation';
import { IMonitoredBlock } from '../../monitoring/monitored-block';
import { PatternDashboard } from '../../monitoring/pattern-dashboard';
import { BacklogScaling } from '../backlog-scaling';

/**
 * Queue workers on ECS Fargate, scaled on their backlog: a jobs queue (with a dead-letter
 * queue), a Fargate service running your container, {@link BacklogScaling} (a controller that sets
 * the desired count from the backlog every minute, scale to and from zero, busy tasks protected
 * from scale-in), least-privilege grants, alarms and a dashboard.
 *
 * The task role may receive, delete and change the visibility of the queue's messages (and use
 * its key); grant what your job needs on `taskRole`. Tasks protect themselves from scale-in
 * while they work through the ECS agent endpoint, which needs no IAM permission.
 *
 * @example
 * const workers = new QueueWorkerService(this, 'Transcoders', {
 *   image: ecs.ContainerImage.fromAsset('containers/transcoder'),
 *   scaling: { acceptableLatency: Duration.minutes(10), averageProcessingTime: Duration.minutes(1), maxWorkers: 50 },
 * });
 * outputBucket.grantPut(workers.taskRole);
 */
export class QueueWorkerService extends Construct implements IMonitoredBlock {
  /** The queue block (queue, dead-letter queue, alarms). */
  public readonly secureQueue: SecureQueue;
  /** The jobs queue. */
  public readonly queue: sqs.IQueue;
  /** The dead-letter queue; undefined for an existing queue without one. */
  public readonly deadLetterQueue?: sqs.IQueue;
  /** The cluster the service runs in. */
  public readonly cluster: ecs.ICluster;
  /** The Fargate service. */
  public readonly service: ecs.FargateService;
  /** The task definition. */
  public readonly taskDefinition: ecs.FargateTaskDefinition;
  /** The worker container. */
  public readonly container: ecs.ContainerDefinition;
  /** The role the worker's code runs with: grant your job's permissions here. */
  public readonly taskRole: iam.IRole;
  /** The worker's log group. */
  public readonly logGroup: logs.LogGroup;
  /** The scaling on backlog per worker. */
  public readonly scaling: BacklogScaling;
  /** The environment the worker receives (contract with the worker runtime, plus yours). */
  public readonly environment: { [key: string]: string };
  /** The alarms of the queue and the scaling. */
  public readonly alarms: cloudwatch.IAlarm[] = [];
  /** The dashboard: queue, scaling and workers. */
  public readonly dashboard: PatternDashboard;

  constructor(scope: Construct, id: string, props: QueueWorkerServiceProps) {
    super(scope, id);
    validateProps(this, props, QUEUE_WORKER_SERVICE_RULES);
    const stopTimeout = props.stopTimeout ?? Duration.minutes(2);
    const worker = workerQueue(this, props);
    this.secureQueue = worker.secureQueue;
    this.queue = worker.secureQueue.queue;
    this.deadLetterQueue = worker.secureQueue.deadLetterQueue;
    // The runtime finishes jobs in hand for this long after SIGTERM, then releases the rest
    // (a few seconds before ECS kills the container).
    this.environment = { ...worker.environment, SHUTDOWN_GRACE_SECONDS: shutdownGrace(stopTimeout) };
    this.alarms.push(...this.secureQueue.alarms);

    const newVpc = props.cluster === undefined && props.vpc === undefined;
    this.cluster = props.cluster ?? new ecs.Cluster(this, 'Cluster', {
      vpc: props.vpc ?? workerVpc(this),
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
    });
    const usePublic = newVpc || (props.taskSubnets === undefined && this.cluster.vpc.privateSubnets.length === 0);

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'TaskDefinition', {
      cpu: props.cpu ?? 256,
      memoryLimitMiB: props.memoryLimitMiB ?? 512,
      runtimePlatform: {
        cpuArchitecture: props.cpuArchitecture ?? ecs.CpuArchitecture.X86_64,
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
      },
    });
    this.taskRole = this.taskDefinition.taskRole;
    this.queue.grantConsumeMessages(this.taskRole);
    this.container = this.taskDefinition.addContainer('Worker', {
      image: props.image,
      environment: this.environment,
      logging: ecs.LogDrivers.awsLogs({ logGroup: this.logGroup, streamPrefix: 'worker', mode: ecs.AwsLogDriverMode.NON_BLOCKING }),
      stopTimeout,
      readonlyRootFilesystem: false,
    });
    const executionRole = this.taskDefinition.obtainExecutionRole();
    acknowledgeWildcardResource(executionRole, '*', 'ecr:GetAuthorizationToken (needed to pull an image from ECR, e.g. one built from a Dockerfile) has no resource-level permissions: AWS requires "*".');
    Validations.of(this.taskDefinition).acknowledge({
      id: 'AwsSolutions-ECS2',
      reason: 'The environment holds plain configuration (queue URL, concurrency, heartbeat clock, bucket and topic names), no secrets; secrets belong in ecs.Secret.',
    });

    this.service = new ecs.FargateService(this, 'Service', {
      cluster: this.cluster,
      taskDefinition: this.taskDefinition,
      assignPublicIp: usePublic,
      vpcSubnets: props.taskSubnets ?? (usePublic ? { subnetType: ec2.SubnetType.PUBLIC } : undefined),
      circuitBreaker: { rollback: true },
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      enableExecuteCommand: false,
    });
    this.scaling = new BacklogScaling(this, 'Scaling', {
      ...worker.scaling,
      queue: this.queue,
      service: this.service,
      alarmsEnabled: props.alarmsEnabled,
      alarmTopic: props.alarmTopic,
    });
    this.alarms.push(...this.scaling.alarms);

    this.dashboard = new PatternDashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      description: 'Queue workers on ECS Fargate, scaled on backlog per worker. Look first at backlog per worker against its target, then at the dead-letter queue.',
    });
    this.dashboard.addBlock('Jobs queue', this.secureQueue);
    this.dashboard.addBlock('Scaling', this.scaling);
    this.dashboard.addSection('Workers', [this.workerWidget()]);
  }

  /** Widgets for a pattern dashboard: the jobs queue, the scaling, the workers' CPU and memory. */
  public dashboardWidgets(): cloudwatch.IWidget[] {
    return [...this.secureQueue.dashboardWidgets(), ...this.scaling.dashboardWidgets(), this.workerWidget()];
  }

  private workerWidget(): cloudwatch.IWidget {
    return new cloudwatch.GraphWidget({
      title: 'Workers: CPU and memory',
      left: [
        this.service.metricCpuUtilization({ period: Duration.minutes(1) }),
        this.service.metricMemoryUtilization({ period: Duration.minutes(1) }),
      ],
      width: 24,
    });
  }
}

/**
 * Seconds the runtime may finish jobs in hand after SIGTERM: the stop timeout minus 5 s. A token
 * stop timeout cannot be subtracted from at synth time: then 0 (jobs in hand are released at once
 * and reappear on the queue after their visibility timeout; nothing is lost).
 */
function shutdownGrace(stopTimeout: Duration): string {
  const seconds = secondsOf(stopTimeout);
  return String(seconds === undefined ? 0 : Math.max(0, seconds - 5));
}
