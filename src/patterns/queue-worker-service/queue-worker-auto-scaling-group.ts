import { Validations } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { QueueWorkerOptions } from './props';
import { QUEUE_WORKER_ASG_RULES } from './rules';
import { workerQueue } from './worker-queue';
import { SecureQueue } from '../../core/secure-queue';
import { validateProps } from '../../core/validation';
import { IMonitoredBlock } from '../../monitoring/monitored-block';
import { PatternDashboard } from '../../monitoring/pattern-dashboard';
import { BacklogScaling } from '../backlog-scaling';

/**
 * Properties of a {@link QueueWorkerAutoScalingGroup}.
 */
export interface QueueWorkerAutoScalingGroupProps extends QueueWorkerOptions {
  /** The VPC the instances run in. */
  readonly vpc: ec2.IVpc;

  /**
   * Where the instances run.
   *
   * @default - the VPC's private subnets with egress, or its public subnets (with a public IP,
   * nothing admitted inbound) when it has none
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * Instance type of a worker.
   *
   * @default t4g.small
   */
  readonly instanceType?: ec2.InstanceType;

  /**
   * Machine image of a worker.
   *
   * @default - the latest Amazon Linux 2023 for the instance type's architecture
   */
  readonly machineImage?: ec2.IMachineImage;

  /**
   * Commands that install and start your worker. They run after the worker environment has
   * been written to `/etc/queue-worker.env` (`QUEUE_URL=...` lines, for systemd's
   * `EnvironmentFile=` or `set -a; . /etc/queue-worker.env`). The environment gives the worker
   * `SHUTDOWN_GRACE_SECONDS=115` after SIGTERM: give its systemd unit `TimeoutStopSec=120`.
   */
  readonly startCommands: string[];
}

/**
 * Queue workers on an EC2 Auto Scaling group, scaled on backlog per worker by
 * {@link BacklogScaling}: for workers that need instances (GPUs, local disks, long boot-time
 * caches). The instance role may consume the queue; the worker environment is written to
 * `/etc/queue-worker.env` before your `startCommands` run. Instances use IMDSv2 and an
 * encrypted root volume.
 */
export class QueueWorkerAutoScalingGroup extends Construct implements IMonitoredBlock {
  /** The queue block. */
  public readonly secureQueue: SecureQueue;
  /** The jobs queue. */
  public readonly queue: sqs.IQueue;
  /** The dead-letter queue; undefined for an existing queue without one. */
  public readonly deadLetterQueue?: sqs.IQueue;
  /** The Auto Scaling group. */
  public readonly autoScalingGroup: autoscaling.AutoScalingGroup;
  /** The role the instances run with: grant your job's permissions here. */
  public readonly role: iam.IRole;
  /** The scaling on backlog per worker. */
  public readonly scaling: BacklogScaling;
  /** The environment the worker receives. */
  public readonly environment: { [key: string]: string };
  /** The alarms of the queue and the scaling. */
  public readonly alarms: cloudwatch.IAlarm[] = [];
  /** The dashboard. */
  public readonly dashboard: PatternDashboard;

  constructor(scope: Construct, id: string, props: QueueWorkerAutoScalingGroupProps) {
    super(scope, id);
    validateProps(this, props, QUEUE_WORKER_ASG_RULES);
    const worker = workerQueue(this, props);
    this.secureQueue = worker.secureQueue;
    this.queue = worker.secureQueue.queue;
    this.deadLetterQueue = worker.secureQueue.deadLetterQueue;
    this.environment = worker.environment;
    this.alarms.push(...this.secureQueue.alarms);

    const instanceType = props.instanceType ?? new ec2.InstanceType('t4g.small');
    const userData = ec2.UserData.forLinux();
    const envFile = Object.entries(this.environment).map(([k, v]) => `${k}=${v}`).join('\n');
    userData.addCommands(`cat > /etc/queue-worker.env <<'QUEUE_WORKER_ENV'\n${envFile}\nQUEUE_WORKER_ENV`, ...props.startCommands);
    const usePublic = props.vpcSubnets === undefined && props.vpc.privateSubnets.length === 0;
    const role = new iam.Role(this, 'Role', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'), description: `Instances of ${this.node.path}` });
    this.role = role;
    this.queue.grantConsumeMessages(role);
    const securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `Workers of ${this.node.path}: outbound only`,
      allowAllOutbound: true,
    });
    // A launch template (launch configurations are retired for new accounts).
    const launchTemplate = new ec2.LaunchTemplate(this, 'LaunchTemplate', {
      instanceType,
      machineImage: props.machineImage ?? ec2.MachineImage.latestAmazonLinux2023({
        cpuType: instanceType.architecture === ec2.InstanceArchitecture.ARM_64 ? ec2.AmazonLinuxCpuType.ARM_64 : ec2.AmazonLinuxCpuType.X86_64,
      }),
      userData,
      role,
      securityGroup,
      requireImdsv2: true,
      associatePublicIpAddress: usePublic ? true : undefined,
      blockDevices: [{ deviceName: '/dev/xvda', volume: ec2.BlockDeviceVolume.ebs(20, { encrypted: true }) }],
    });
    this.autoScalingGroup = new autoscaling.AutoScalingGroup(this, 'Group', {
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets ?? (usePublic ? { subnetType: ec2.SubnetType.PUBLIC } : undefined),
      launchTemplate,
      groupMetrics: [new autoscaling.GroupMetrics(autoscaling.GroupMetric.DESIRED_CAPACITY, autoscaling.GroupMetric.IN_SERVICE_INSTANCES)],
    });
    Validations.of(this.autoScalingGroup).acknowledge({
      id: 'AwsSolutions-AS3',
      reason: 'Scaling activity is visible on the pattern dashboard (desired and in-service workers) and alarmed when the fleet is stuck at maxWorkers; per-event notifications would be noise for a fleet that scales all day.',
    });
    this.scaling = new BacklogScaling(this, 'Scaling', {
      ...worker.scaling,
      queue: this.queue,
      autoScalingGroup: this.autoScalingGroup,
      alarmsEnabled: props.alarmsEnabled,
      alarmTopic: props.alarmTopic,
    });
    this.alarms.push(...this.scaling.alarms);
    this.dashboard = new PatternDashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      description: 'Queue workers on EC2 Auto Scaling, scaled on backlog per worker.',
    });
    this.dashboard.addBlock('Jobs queue', this.secureQueue);
    this.dashboard.addBlock('Scaling', this.scaling);
  }

  /** Widgets for a pattern dashboard: the jobs queue and the scaling. */
  public dashboardWidgets(): cloudwatch.IWidget[] {
    return [...this.secureQueue.dashboardWidgets(), ...this.scaling.dashboardWidgets()];
  }
}
