import { CfnElement, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { IConstruct } from 'constructs';
import { readWorkerConfig, WORKER_DEFAULTS } from '../../lambda/queue-worker/config';
import { BacklogScaling, QueueWorkerAutoScalingGroup, QueueWorkerService, QueueWorkerServiceProps } from '../../src';
import { expectBadInput, expectFragmentsInOrder, newStack, templateOf } from '../support';

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

  test('BacklogScaling on the service: its controller, no Application Auto Scaling; alarms of the queue and the scaling; dashboard', () => {
    template.resourceCountIs('AWS::ApplicationAutoScaling::ScalableTarget', 0);
    template.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'rate(1 minute)' });
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ TARGET_BACKLOG_PER_WORKER: '10', MAX_WORKERS: '10', SERVICE_NAME: Match.anyValue() }) } });
    expect(workers.scaling.targetBacklogPerWorker).toBe(10);
    expect(workers.alarms).toHaveLength(5); // oldest message age, DLQ not empty, controller errors, controller silent, at max workers
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    const body = JSON.stringify(template.findResources('AWS::CloudWatch::Dashboard'));
    expect(body).toContain('Backlog per worker');
    expect(body).toContain('NeededWorkers');
  });

  test('IMonitoredBlock: its alarms, and widgets for a shared dashboard (queue, scaling, workers)', () => {
    const widgets = JSON.stringify(workers.dashboardWidgets().map(w => w.toJson()));
    for (const fragment of ['ApproximateAgeOfOldestMessage', 'RunningWorkers', 'CPUUtilization']) expect(widgets).toContain(fragment);
  });

  test('no DesiredCount in the template: a deployment never resets the count the controller set', () => {
    const svc = Object.values(template.findResources('AWS::ECS::Service'))[0] as { Properties: { DesiredCount?: number } };
    expect(svc.Properties.DesiredCount).toBeUndefined();
  });
});

describe('contract with the queue-worker runtime: the environment the constructs write is what lambda/queue-worker reads, and the defaults agree', () => {
  type TaskDef = { Properties: { ContainerDefinitions: Array<{ Environment: Array<{ Name: string; Value: unknown }> }> } };
  function containerEnvironment(stack: Stack): NodeJS.ProcessEnv {
    const def = Object.values(Template.fromStack(stack).findResources('AWS::ECS::TaskDefinition'))[0] as TaskDef;
    // Tokens (the queue URL) become a placeholder: the runtime only needs a value there.
    return Object.fromEntries(def.Properties.ContainerDefinitions[0].Environment.map(e => [e.Name, typeof e.Value === 'string' ? e.Value : `token:${e.Name}`]));
  }

  test('QueueWorkerService with defaults: the runtime reads from the template exactly what it uses when nothing is set', () => {
    const stack = newStack();
    new QueueWorkerService(stack, 'Workers', { image, scaling });
    const env = containerEnvironment(stack);
    expect(readWorkerConfig(env)).toEqual(readWorkerConfig({ QUEUE_URL: env.QUEUE_URL }));
    expect(readWorkerConfig(env)).toMatchObject({
      concurrency: WORKER_DEFAULTS.concurrency,
      visibilityTimeoutSeconds: WORKER_DEFAULTS.visibilityTimeoutSeconds,
      heartbeatIntervalSeconds: WORKER_DEFAULTS.visibilityTimeoutSeconds / WORKER_DEFAULTS.heartbeatDivisor,
      shutdownGraceSeconds: WORKER_DEFAULTS.shutdownGraceSeconds,
    });
  });

  test('QueueWorkerAutoScalingGroup with defaults writes the same settings into /etc/queue-worker.env', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 1, natGateways: 0, subnetConfiguration: [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC }] });
    const workers = new QueueWorkerAutoScalingGroup(stack, 'Workers', { vpc, startCommands: ['systemctl start w'], scaling });
    const env = { ...Stack.of(stack).resolve(workers.environment), QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/111111111111/jobs' };
    expect(readWorkerConfig(env)).toEqual(readWorkerConfig({ QUEUE_URL: env.QUEUE_URL }));
  });

  test('set values arrive as set: concurrency, visibility, heartbeat, and the grace derived from stopTimeout', () => {
    const stack = newStack();
    new QueueWorkerService(stack, 'Workers', {
      image,
      scaling,
      workerConcurrency: 4,
      visibilityTimeout: Duration.minutes(10),
      heartbeatInterval: Duration.minutes(1),
      stopTimeout: Duration.seconds(60),
    });
    expect(readWorkerConfig(containerEnvironment(stack))).toMatchObject({
      concurrency: 4, visibilityTimeoutSeconds: 600, heartbeatIntervalSeconds: 60, shutdownGraceSeconds: 55,
    });
  });

  test('workerConcurrency has one range: the constructs, BacklogScaling and the runtime all accept 100 and refuse 101', () => {
    const stack = newStack();
    new QueueWorkerService(stack, 'Workers', { image, scaling, workerConcurrency: WORKER_DEFAULTS.maxConcurrency });
    expect(readWorkerConfig(containerEnvironment(stack)).concurrency).toBe(100);
    expect(() => readWorkerConfig({ QUEUE_URL: 'q', WORKER_CONCURRENCY: '101' })).toThrow('from 1 to 100');
    expectBadInput({
      build: st => new QueueWorkerService(st, 'Workers', { image, scaling, workerConcurrency: 101 }),
      path: 'TestStack/Workers',
      prop: 'workerConcurrency',
      value: '101',
      allowed: 'a whole number from 1 to 100',
      fix: 'run more workers',
    });
    expectBadInput({
      build: st => {
        const vpc = new ec2.Vpc(st, 'Vpc', { maxAzs: 1, natGateways: 0, subnetConfiguration: [{ name: 'i', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
        const cluster = new ecs.Cluster(st, 'Cluster', { vpc });
        const task = new ecs.FargateTaskDefinition(st, 'Task');
        task.addContainer('w', { image });
        new BacklogScaling(st, 'Scaling', { queue: new sqs.Queue(st, 'Q'), service: new ecs.FargateService(st, 'S', { cluster, taskDefinition: task }), ...scaling, workerConcurrency: 101 });
      },
      path: 'TestStack/Scaling',
      code: 'BACKLOG_SCALING_WORKER_CONCURRENCY',
      prop: 'workerConcurrency',
      value: '101',
      allowed: 'a whole number from 1 to 100',
      fix: 'run more workers',
    });
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
    Template.fromStack(stack).resourceCountIs('AWS::CloudWatch::Alarm', 0);
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
  const qws = (props: Partial<QueueWorkerServiceProps>) => (stack: Stack) => { new QueueWorkerService(stack, 'Workers', { image, scaling, ...props }); };
  const W = 'TestStack/Workers';
  // [name, build, path, code, prop, value, allowed, fix]
  const cases: Array<[string, (s: Stack) => void, string, string, string, string, string, string]> = [
    ['heartbeat interval >= visibility timeout', qws({ visibilityTimeout: Duration.seconds(60), heartbeatInterval: Duration.seconds(60) }), W, 'QUEUE_WORKER_HEARTBEAT_VISIBILITY',
      'heartbeatInterval', '1 minute (60 s) with visibilityTimeout 1 minute (60 s)', 'less than visibilityTimeout (1 minute (60 s)); a heartbeat that comes later than the timeout lets another worker receive the message mid-job',
      'lower heartbeatInterval to a quarter of visibilityTimeout (15 seconds) or raise visibilityTimeout'],
    ['processing time >= acceptable latency (the scaling rules, under scaling.)', qws({ scaling: { acceptableLatency: Duration.seconds(10), averageProcessingTime: Duration.seconds(20) } }), W,
      'BACKLOG_SCALING_LATENCY_UNDER_PROCESSING', 'scaling.averageProcessingTime', '20 seconds with scaling.acceptableLatency 10 seconds', 'less than scaling.acceptableLatency (10 seconds)',
      'raise scaling.acceptableLatency above the processing time, or make processing faster'],
    ['max workers 0 (the scaling rules, under scaling.)', qws({ scaling: { ...scaling, maxWorkers: 0 } }), W, 'BACKLOG_SCALING_MAX_WORKERS', 'scaling.maxWorkers', '0', 'from 1 to', 'set scaling.maxWorkers'],
    ['min workers above max workers (the scaling rules, under scaling.)', qws({ scaling: { ...scaling, minWorkers: 3, maxWorkers: 2 } }), W, 'BACKLOG_SCALING_MIN_OVER_MAX',
      'scaling.minWorkers', '3 with scaling.maxWorkers 2', 'at most scaling.maxWorkers (2)', 'lower scaling.minWorkers to 2 or less'],
    ['negative target backlog (the scaling rules, under scaling.)', qws({ scaling: { targetBacklogPerWorker: -1 } }), W, 'BACKLOG_SCALING_TARGET', 'scaling.targetBacklogPerWorker', '-1', 'a number greater than 0, up to 1,000,000 (messages per worker)',
      'set targetBacklogPerWorker to the messages one worker may have waiting'],
    ['visibility set on the queue instead of the service', qws({ queueProps: { visibilityTimeout: Duration.minutes(1) } }), W, 'QUEUE_WORKER_VISIBILITY_ON_QUEUE',
      'queueProps.visibilityTimeout', '1 minute (60 s)', 'no value on a worker queue (the workers\' heartbeat needs to know it)', 'set visibilityTimeout on the worker construct instead'],
    ['concurrency in the scaling options', qws({ scaling: { ...scaling, workerConcurrency: 2 } }), W, 'QUEUE_WORKER_CONCURRENCY_IN_SCALING', 'scaling.workerConcurrency', '2',
      'no value on a worker fleet (it also sets WORKER_CONCURRENCY)', 'set workerConcurrency on the worker construct instead'],
    ['reserved environment name', qws({ environment: { QUEUE_URL: 'x' } }), W, 'QUEUE_WORKER_RESERVED_ENVIRONMENT', 'environment.QUEUE_URL', 'set by you',
      'names other than QUEUE_URL, WORKER_CONCURRENCY, VISIBILITY_TIMEOUT_SECONDS, HEARTBEAT_INTERVAL_SECONDS, SHUTDOWN_GRACE_SECONDS (the construct sets them)', 'remove QUEUE_URL; set it through the construct\'s props'],
    ['worker concurrency 0', qws({ workerConcurrency: 0 }), W, 'QUEUE_WORKER_CONCURRENCY', 'workerConcurrency', '0', 'a whole number from 1 to 100',
      'set workerConcurrency from 1 to 100 (the worker runtime\'s WORKER_CONCURRENCY range); for more parallel jobs, run more workers'],
    ['worker concurrency NaN', qws({ workerConcurrency: NaN }), W, 'QUEUE_WORKER_CONCURRENCY', 'workerConcurrency', 'NaN', 'a whole number from 1 to 100', 'set workerConcurrency from 1 to 100'],
    ['visibility timeout below 10 s', qws({ visibilityTimeout: Duration.seconds(5) }), W, 'QUEUE_WORKER_VISIBILITY_TIMEOUT', 'visibilityTimeout', '5 seconds', '10 seconds to 12 hours (43,200 s)',
      'set visibilityTimeout between 10 seconds and 12 hours'],
    ['heartbeat interval below 1 s', qws({ heartbeatInterval: Duration.millis(500) }), W, 'QUEUE_WORKER_HEARTBEAT_INTERVAL', 'heartbeatInterval', '500 millis', '1 second to 12 hours',
      'set heartbeatInterval between 1 second and 12 hours'],
    ['stop timeout above ECS\'s 2 minutes', qws({ stopTimeout: Duration.minutes(5) }), W, 'QUEUE_WORKER_SERVICE_STOP_TIMEOUT', 'stopTimeout', '5 minutes (300 s)', '2 seconds to 2 minutes (120 s)',
      'set stopTimeout between 2 seconds and 2 minutes'],
    ['vpc together with cluster', (stack) => {
      const vpc = new ec2.Vpc(stack, 'Vpc');
      new QueueWorkerService(stack, 'Workers', { image, scaling, vpc, cluster: new ecs.Cluster(stack, 'C', { vpc }) });
    }, W, 'QUEUE_WORKER_SERVICE_VPC_WITH_CLUSTER', 'vpc', 'given together with cluster', 'vpc only when no cluster is given (the cluster has its VPC)', 'remove vpc, or remove cluster'],
    ['a CPU size Fargate does not offer', qws({ cpu: 300 }), W, 'QUEUE_WORKER_SERVICE_FARGATE_CPU', 'cpu', '300', 'one of Fargate\'s CPU sizes: 256, 512, 1024, 2048, 4096, 8192, 16384',
      'set cpu to one of those (256 = 0.25 vCPU), or leave it unset for 256'],
    ['a memory size the CPU size does not take', qws({ cpu: 1024, memoryLimitMiB: 512 }), W, 'QUEUE_WORKER_SERVICE_FARGATE_MEMORY', 'memoryLimitMiB', '512 MiB with cpu 1024',
      'with cpu 1024: 2048 to 8192 MiB in steps of 1024 (Fargate\'s combinations)', 'set memoryLimitMiB to one of those, or change cpu'],
    ['a memory size off the CPU size\'s steps', qws({ memoryLimitMiB: 768 }), W, 'QUEUE_WORKER_SERVICE_FARGATE_MEMORY', 'memoryLimitMiB', '768 MiB with cpu 256',
      'with cpu 256: 512 to 2048 MiB in steps of 512', 'set memoryLimitMiB to one of those'],
    ['jobs queue settings are checked under queueProps (nested)', qws({ queueProps: { maxReceiveCount: 0 } }), W, 'SECURE_QUEUE_MAX_RECEIVE_COUNT', 'queueProps.maxReceiveCount', '0',
      'a whole number from 1 to 1,000', 'set queueProps.maxReceiveCount to a whole number from 1 to 1,000'],
    ['ASG variant without start commands', (stack) => { new QueueWorkerAutoScalingGroup(stack, 'Workers', { vpc: new ec2.Vpc(stack, 'Vpc'), startCommands: [], scaling }); },
      W, 'QUEUE_WORKER_ASG_START_COMMANDS', 'startCommands', 'an empty list', 'at least one command that starts the worker', 'add the commands that install and start your worker program'],
    ['ASG variant: the shared worker rules apply too', (stack) => {
      new QueueWorkerAutoScalingGroup(stack, 'Workers', { vpc: new ec2.Vpc(stack, 'Vpc'), startCommands: ['run'], scaling, workerConcurrency: 101 });
    }, W, 'QUEUE_WORKER_CONCURRENCY', 'workerConcurrency', '101', 'a whole number from 1 to 100', 'set workerConcurrency from 1 to 100'],
  ];
  test.each(cases)('%s', (_name, build, path, code, prop, value, allowed, fix) => {
    expectBadInput({ build, path, code, prop, value, allowed, fix });
  });

  test('every Fargate combination AWS lists synthesizes (the rule refuses none of them)', () => {
    for (const [cpu, memories] of [[256, [512, 1024, 2048]], [4096, [8192, 30720]], [16384, [32768, 122880]]] as const) {
      for (const memoryLimitMiB of memories) {
        expect(() => new QueueWorkerService(newStack(), 'Workers', { image, scaling, cpu, memoryLimitMiB })).not.toThrow();
      }
    }
  });
});
