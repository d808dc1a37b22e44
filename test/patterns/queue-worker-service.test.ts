import { CfnElement, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { IConstruct } from 'constructs';
import { QueueWorkerAutoScalingGroup, QueueWorkerService, QueueWorkerServiceProps } from '../../src';
import { errorMessageOf, expectFragmentsInOrder, newStack, templateOf } from '../support';

const logicalId = (c: IConstruct) => Stack.of(c).getLogicalId((c instanceof CfnElement ? c : c.node.defaultChild) as CfnElement);
const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/busybox:stable');
const scaling = { acceptableLatency: Duration.minutes(5), averageProcessingTime: Duration.seconds(30) };

describe('QueueWorkerService defaults', () => {
  const stack = newStack();
  const workers = new QueueWorkerService(stack, 'Workers', { image, scaling });
  const template = templateOf(stack);
  const queueArn = { 'Fn::GetAtt': [logicalId(workers.queue), 'Arn'] };

  test('a queue with a DLQ, 2-minute visibility, encrypted', () => {
    template.hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 120, SqsManagedSseEnabled: true, RedrivePolicy: Match.objectLike({ maxReceiveCount: 5 }) });
    expect(workers.deadLetterQueue).toBeDefined();
  });

  test('worker environment: the runtime contract', () => {
    expect(Stack.of(stack).resolve(workers.environment)).toEqual({
      QUEUE_URL: { Ref: logicalId(workers.queue) },
      WORKER_CONCURRENCY: '1',
      VISIBILITY_TIMEOUT_SECONDS: '120',
      HEARTBEAT_INTERVAL_SECONDS: '30',
      SHUTDOWN_GRACE_SECONDS: '115',
    });
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Cpu: '256',
      Memory: '512',
      RuntimePlatform: { CpuArchitecture: 'X86_64', OperatingSystemFamily: 'LINUX' },
      ContainerDefinitions: [Match.objectLike({
        StopTimeout: 120,
        Environment: Match.arrayWith([{ Name: 'WORKER_CONCURRENCY', Value: '1' }, { Name: 'HEARTBEAT_INTERVAL_SECONDS', Value: '30' }]),
        LogConfiguration: Match.objectLike({ LogDriver: 'awslogs', Options: Match.objectLike({ mode: 'non-blocking' }) }),
      })],
    });
  });

  test('task role: receive, delete, change visibility on the queue only', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: logicalId(workers.taskRole) }],
      PolicyDocument: {
        Statement: [{
          Effect: 'Allow',
          Action: ['sqs:ReceiveMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueUrl', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
          Resource: queueArn,
        }],
      },
    });
  });

  test('a new cluster with Container Insights, in a new VPC of public subnets without NAT; tasks get a public IP', () => {
    template.hasResourceProperties('AWS::ECS::Cluster', { ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }] });
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    template.resourceCountIs('AWS::EC2::Subnet', 2);
    template.hasResourceProperties('AWS::EC2::FlowLog', { TrafficType: 'REJECT' });
    template.hasResourceProperties('AWS::ECS::Service', {
      LaunchType: 'FARGATE',
      NetworkConfiguration: { AwsvpcConfiguration: Match.objectLike({ AssignPublicIp: 'ENABLED' }) },
      DeploymentConfiguration: Match.objectLike({ DeploymentCircuitBreaker: { Enable: true, Rollback: true }, MinimumHealthyPercent: 100 }),
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroup', { SecurityGroupIngress: Match.absent() });
  });

  test('BacklogScaling on the service; alarms of the queue and the scaling; dashboard', () => {
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 0, MaxCapacity: 10 });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({ TargetValue: 10 }),
    });
    expect(workers.scaling.targetBacklogPerWorker).toBe(10);
    expect(workers.alarms).toHaveLength(3); // oldest message age, DLQ not empty, at max workers
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    const body = JSON.stringify(template.findResources('AWS::CloudWatch::Dashboard'));
    expect(body).toContain('Backlog per worker');
    expect(body).toContain('RunningTaskCount');
  });
});

describe('QueueWorkerService options', () => {
  test('workerConcurrency sets the env var and multiplies the target; explicit visibility and heartbeat', () => {
    const stack = newStack();
    const workers = new QueueWorkerService(stack, 'Workers', {
      image,
      scaling,
      workerConcurrency: 4,
      visibilityTimeout: Duration.minutes(10),
      heartbeatInterval: Duration.minutes(2),
      cpu: 1024,
      memoryLimitMiB: 2048,
      cpuArchitecture: ecs.CpuArchitecture.ARM64,
      environment: { OUTPUT_BUCKET: 'out' },
    });
    const template = templateOf(stack);
    expect(workers.scaling.targetBacklogPerWorker).toBe(40);
    expect(workers.environment).toMatchObject({ WORKER_CONCURRENCY: '4', VISIBILITY_TIMEOUT_SECONDS: '600', HEARTBEAT_INTERVAL_SECONDS: '120', OUTPUT_BUCKET: 'out' });
    template.hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 600, RedrivePolicy: Match.anyValue() });
    template.hasResourceProperties('AWS::ECS::TaskDefinition', { Cpu: '1024', Memory: '2048', RuntimePlatform: Match.objectLike({ CpuArchitecture: 'ARM64' }) });
  });

  test('an existing cluster in a VPC with private subnets: tasks there, no public IP, no new VPC', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
    const cluster = new ecs.Cluster(stack, 'Cluster', { vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });
    new QueueWorkerService(stack, 'Workers', { image, scaling, cluster });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::EC2::VPC', 1);
    template.resourceCountIs('AWS::ECS::Cluster', 1);
    template.hasResourceProperties('AWS::ECS::Service', { NetworkConfiguration: { AwsvpcConfiguration: Match.objectLike({ AssignPublicIp: 'DISABLED' }) } });
  });

  test('an existing queue: read, not reconfigured', () => {
    const stack = newStack();
    const existing = new sqs.Queue(stack, 'Existing', { enforceSSL: true, deadLetterQueue: { queue: new sqs.Queue(stack, 'ExistingDlq', { enforceSSL: true }), maxReceiveCount: 3 } });
    const workers = new QueueWorkerService(stack, 'Workers', { image, scaling, queueProps: { existingQueue: existing } });
    expect(workers.queue).toBe(existing);
    Template.fromStack(stack).resourceCountIs('AWS::SQS::Queue', 2);
  });

  test('alarmsEnabled: false creates no alarms', () => {
    const stack = newStack();
    const workers = new QueueWorkerService(stack, 'Workers', { image, scaling, alarmsEnabled: false });
    expect(workers.alarms).toEqual([]);
    Template.fromStack(stack).resourceCountIs('AWS::CloudWatch::Alarm', 1); // only the scale-out-from-zero trigger
  });
});

describe('QueueWorkerAutoScalingGroup', () => {
  const stack = newStack();
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC }] });
  vpc.addFlowLog('FlowLog');
  const workers = new QueueWorkerAutoScalingGroup(stack, 'Workers', { vpc, startCommands: ['systemctl start my-worker'], scaling: { ...scaling, maxWorkers: 6 }, workerConcurrency: 2 });
  const template = templateOf(stack);

  test('an ASG of t4g.small on AL2023, IMDSv2, encrypted root volume, group metrics, min/max from the scaling', () => {
    template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', {
      MinSize: '0',
      MaxSize: '6',
      MetricsCollection: [{ Granularity: '1Minute', Metrics: ['GroupDesiredCapacity', 'GroupInServiceInstances'] }],
    });
    template.hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: Match.objectLike({
        InstanceType: 't4g.small',
        MetadataOptions: Match.objectLike({ HttpTokens: 'required' }),
        BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { Encrypted: true, VolumeSize: 20 } }],
      }),
    });
  });

  test('user data writes the worker environment before the start commands', () => {
    const userData = JSON.stringify(template.findResources('AWS::EC2::LaunchTemplate'));
    expectFragmentsInOrder(userData, ['cat > /etc/queue-worker.env', 'QUEUE_URL=', 'WORKER_CONCURRENCY=2', 'systemctl start my-worker']);
  });

  test('target tracking on the group with target 2 x 5 min / 30 s = 20', () => {
    expect(workers.scaling.targetBacklogPerWorker).toBe(20);
    template.hasResourceProperties('AWS::AutoScaling::ScalingPolicy', { PolicyType: 'TargetTrackingScaling', TargetTrackingConfiguration: Match.objectLike({ TargetValue: 20 }) });
    template.hasResourceProperties('AWS::AutoScaling::ScalingPolicy', { PolicyType: 'StepScaling' });
  });
});

describe('QueueWorkerService bad input', () => {
  const attempt = (props: Partial<QueueWorkerServiceProps>) => errorMessageOf(() => {
    const stack = newStack();
    new QueueWorkerService(stack, 'Workers', { image, scaling, ...props });
  });

  test('heartbeat interval >= visibility timeout', () => {
    expectFragmentsInOrder(attempt({ visibilityTimeout: Duration.seconds(60), heartbeatInterval: Duration.seconds(60) }), [
      '[TestStack/Workers] invalid heartbeatInterval: 1 minute (60 s) with visibilityTimeout 1 minute (60 s)',
      'less than visibilityTimeout', 'another worker receive the message mid-job', 'Fix: lower heartbeatInterval to a quarter of visibilityTimeout (15 seconds)',
    ]);
  });

  test('processing time >= acceptable latency, max workers 0, min > max, target <= 0 (through BacklogScaling)', () => {
    expect(attempt({ scaling: { acceptableLatency: Duration.seconds(10), averageProcessingTime: Duration.seconds(20) } })).toContain('[TestStack/Workers/Scaling] invalid averageProcessingTime');
    expect(attempt({ scaling: { ...scaling, maxWorkers: 0 } })).toContain('invalid maxWorkers: 0');
    expect(attempt({ scaling: { ...scaling, minWorkers: 3, maxWorkers: 2 } })).toContain('invalid minWorkers: 3 with maxWorkers 2');
    expect(attempt({ scaling: { targetBacklogPerWorker: -1 } })).toContain('invalid targetBacklogPerWorker: -1');
  });

  test('visibility set on the queue instead of the service; concurrency in the scaling; reserved env names; vpc with cluster', () => {
    expectFragmentsInOrder(attempt({ queueProps: { visibilityTimeout: Duration.minutes(1) } }), ['invalid queueProps.visibilityTimeout', 'set visibilityTimeout on the worker construct instead']);
    expectFragmentsInOrder(attempt({ scaling: { ...scaling, workerConcurrency: 2 } }), ['invalid scaling.workerConcurrency', 'set workerConcurrency on the worker construct instead']);
    expectFragmentsInOrder(attempt({ environment: { QUEUE_URL: 'x' } }), ['invalid environment.QUEUE_URL', 'the construct sets them']);
    expect(attempt({ workerConcurrency: 0 })).toContain('invalid workerConcurrency: 0. Allowed: a whole number from 1 to 100');
    expect(attempt({ stopTimeout: Duration.minutes(5) })).toContain('invalid stopTimeout');
    const msg = errorMessageOf(() => {
      const stack = newStack();
      const vpc = new ec2.Vpc(stack, 'Vpc');
      new QueueWorkerService(stack, 'Workers', { image, scaling, vpc, cluster: new ecs.Cluster(stack, 'C', { vpc }) });
    });
    expect(msg).toContain('invalid vpc: given together with cluster');
  });

  test('ASG variant without start commands', () => {
    const msg = errorMessageOf(() => {
      const stack = newStack();
      new QueueWorkerAutoScalingGroup(stack, 'Workers', { vpc: new ec2.Vpc(stack, 'Vpc'), startCommands: [], scaling });
    });
    expectFragmentsInOrder(msg, ['invalid startCommands: an empty list', 'add the commands that install and start your worker program']);
  });
});
