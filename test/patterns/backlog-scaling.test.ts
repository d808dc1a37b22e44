import { CfnElement, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { IConstruct } from 'constructs';
import { readControllerConfig } from '../../lambda/backlog-controller/config';
import { BacklogScaling, BacklogScalingProps } from '../../src';
import { CONTROLLER_METRIC_NAMESPACE } from '../../src/patterns/backlog-scaling/backlog-controller';
import { expectBadInput, expectNumberTokenAccepted, nagFindings, newStack } from '../support';

const logicalId = (c: IConstruct) => Stack.of(c).getLogicalId((c instanceof CfnElement ? c : c.node.defaultChild) as CfnElement);

/** A Fargate service in a cluster, and a queue. Not nag-checked as a whole: the service is a stand-in. */
function ecsFixture(clusterInsights = true) {
  const stack = newStack();
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
  const cluster = new ecs.Cluster(stack, 'Cluster', { vpc, containerInsightsV2: clusterInsights ? ecs.ContainerInsights.ENABLED : undefined });
  const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task');
  taskDefinition.addContainer('worker', { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/busybox:stable') });
  const service = new ecs.FargateService(stack, 'Service', { cluster, taskDefinition });
  const queue = new sqs.Queue(stack, 'Jobs');
  return { stack, service, queue };
}

function asgFixture(groupMetrics?: autoscaling.GroupMetrics[]) {
  const stack = newStack();
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
  const launchTemplate = new ec2.LaunchTemplate(stack, 'LaunchTemplate', {
    instanceType: new ec2.InstanceType('t4g.small'),
    machineImage: ec2.MachineImage.latestAmazonLinux2023({ cpuType: ec2.AmazonLinuxCpuType.ARM_64 }),
  });
  const asg = new autoscaling.AutoScalingGroup(stack, 'Workers', { vpc, launchTemplate, groupMetrics });
  const queue = new sqs.Queue(stack, 'Jobs');
  return { stack, asg, queue };
}

const latency = { acceptableLatency: Duration.minutes(5), averageProcessingTime: Duration.seconds(30) };

describe('BacklogScaling on an ECS service, defaults: the controller', () => {
  const { stack, service, queue } = ecsFixture();
  const scaling = new BacklogScaling(stack, 'Scaling', { queue, service, ...latency });
  const template = Template.fromStack(stack);
  const fnId = logicalId(scaling.controllerFunction!);
  const clusterName = { Ref: logicalId(service.cluster) };
  const serviceName = { 'Fn::GetAtt': [logicalId(service), 'Name'] };

  test('target = acceptable latency / processing time (5 min / 30 s = 10 per worker); 0 to 10 workers', () => {
    expect(scaling.targetBacklogPerWorker).toBe(10);
    expect([scaling.minWorkers, scaling.maxWorkers, scaling.includeInFlight]).toEqual([0, 10, true]);
  });

  test('no Application Auto Scaling: the controller alone sets the desired count', () => {
    template.resourceCountIs('AWS::ApplicationAutoScaling::ScalableTarget', 0);
    template.resourceCountIs('AWS::ApplicationAutoScaling::ScalingPolicy', 0);
    expect(scaling.targetTrackingPolicy).toBeUndefined();
  });

  test('the controller function: bundled, Node.js 24 on arm64, 256 MB, 30 s, its environment is the contract', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      MemorySize: 256,
      Timeout: 30,
      Handler: 'index.handler',
      Environment: {
        Variables: {
          QUEUE_URL: { Ref: logicalId(queue) },
          CLUSTER_NAME: clusterName,
          SERVICE_NAME: serviceName,
          METRIC_NAMESPACE: CONTROLLER_METRIC_NAMESPACE,
          SCALING_NAME: 'TestStack/Scaling',
          TARGET_BACKLOG_PER_WORKER: '10',
          WORKER_CONCURRENCY: '1',
          MIN_WORKERS: '0',
          MAX_WORKERS: '10',
          INCLUDE_IN_FLIGHT: 'true',
        },
      },
    });
  });

  test('schedule: rate(1 minute), no flexible window, no retry of a stale tick (scheduler or Lambda), invoked through a role that may invoke this function only', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(1 minute)',
      State: 'ENABLED',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        Arn: { 'Fn::GetAtt': [fnId, 'Arn'] },
        RoleArn: Match.anyValue(),
        RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 },
      },
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: fnId }, Qualifier: '$LATEST', MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60,
    });
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'scheduler.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' } } }] },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [{ Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: { 'Fn::GetAtt': [fnId, 'Arn'] } }] },
    });
  });

  test('least privilege: GetQueueAttributes on the queue, DescribeServices/UpdateService on the service, PutMetricData in its namespace, logs to its own group', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          { Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Effect: 'Allow', Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('ScalingControllerFunctionLogGroup'), 'Arn'] } },
          { Action: 'sqs:GetQueueAttributes', Effect: 'Allow', Resource: { 'Fn::GetAtt': [logicalId(queue), 'Arn'] } },
          { Action: ['ecs:DescribeServices', 'ecs:UpdateService'], Effect: 'Allow', Resource: { Ref: logicalId(service) } },
          { Action: 'cloudwatch:PutMetricData', Effect: 'Allow', Resource: '*', Condition: { StringEquals: { 'cloudwatch:namespace': CONTROLLER_METRIC_NAMESPACE } } },
        ],
      },
    });
    template.resourcePropertiesCountIs('AWS::IAM::Role', { ManagedPolicyArns: Match.anyValue() }, 0);
  });

  test('alarms: controller errors, controller silent (missing data breaches), and the backlog needing more than maxWorkers for 15 minutes', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: fnId } }],
      Statistic: 'Sum',
      Period: 300,
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
      EvaluationPeriods: 1,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: CONTROLLER_METRIC_NAMESPACE,
      MetricName: 'DesiredWorkers',
      Dimensions: [{ Name: 'Scaling', Value: 'TestStack/Scaling' }],
      Statistic: 'SampleCount',
      Period: 300,
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 1,
      TreatMissingData: 'breaching',
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: CONTROLLER_METRIC_NAMESPACE,
      MetricName: 'NeededWorkers',
      Dimensions: [{ Name: 'Scaling', Value: 'TestStack/Scaling' }],
      Statistic: 'Minimum',
      Period: 60,
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 10,
      EvaluationPeriods: 15,
      TreatMissingData: 'notBreaching',
      AlarmDescription: Match.stringLikeRegexp('needed more than 10 workers \\(maxWorkers\\) for 15 minutes'),
    });
    expect(scaling.alarms).toHaveLength(3);
  });

  test('the controller and its schedule pass cdk-nag AwsSolutions (the one wildcard, PutMetricData, acknowledged with its reason)', () => {
    expect(nagFindings(scaling)).toEqual([]);
  });

  test('dashboard widgets: running, desired and needed workers against maxWorkers; backlog per worker with its target', () => {
    const widgets = JSON.stringify(scaling.dashboardWidgets().map(w => w.toJson()));
    expect(widgets).toContain('{"value":10,"label":"target","yAxis":"left"}');
    for (const name of ['RunningWorkers', 'DesiredWorkers', 'NeededWorkers', 'ApproximateNumberOfMessagesVisible']) expect(widgets).toContain(name);
    expect(widgets).toContain('(visible + in_flight) / IF(running > 0, running, 1)');
  });

  test('contract: the controller reads exactly these settings from the synthesized environment', () => {
    const fn = template.findResources('AWS::Lambda::Function')[fnId] as { Properties: { Environment: { Variables: Record<string, unknown> } } };
    const env = Object.fromEntries(Object.entries(fn.Properties.Environment.Variables).map(([k, v]) => [k, typeof v === 'string' ? v : `token-${k}`]));
    expect(readControllerConfig(env)).toMatchObject({
      targetBacklogPerWorker: 10, workerConcurrency: 1, minWorkers: 0, maxWorkers: 10, includeInFlight: true,
    });
  });
});

describe('BacklogScaling options', () => {
  test('targetBacklogPerWorker given, visible only, min above 0, 5-minute interval, alarms off', () => {
    const { stack, service, queue } = ecsFixture();
    const scaling = new BacklogScaling(stack, 'Scaling', {
      queue,
      service,
      targetBacklogPerWorker: 25,
      includeInFlight: false,
      minWorkers: 2,
      maxWorkers: 40,
      controlInterval: Duration.minutes(5),
      alarmsEnabled: false,
    });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
    template.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'rate(5 minutes)' });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ TARGET_BACKLOG_PER_WORKER: '25', MIN_WORKERS: '2', MAX_WORKERS: '40', INCLUDE_IN_FLIGHT: 'false' }) },
    });
    expect(scaling.alarms).toEqual([]);
  });

  test('workerConcurrency multiplies the computed target (4 x 2 min / 45 s = 10.67) and reaches the controller', () => {
    const { stack, service, queue } = ecsFixture();
    const scaling = new BacklogScaling(stack, 'Scaling', { queue, service, acceptableLatency: Duration.minutes(2), averageProcessingTime: Duration.seconds(45), workerConcurrency: 4 });
    expect(scaling.targetBacklogPerWorker).toBe(10.67);
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ WORKER_CONCURRENCY: '4', TARGET_BACKLOG_PER_WORKER: '10.67' }) } });
  });

  test('numeric props given as CfnParameter tokens synthesize (never checked)', () => {
    expectNumberTokenAccepted((stack, token) => {
      const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 1, natGateways: 0, subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
      const cluster = new ecs.Cluster(stack, 'Cluster', { vpc });
      const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task');
      taskDefinition.addContainer('worker', { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/busybox:stable') });
      const service = new ecs.FargateService(stack, 'Service', { cluster, taskDefinition });
      new BacklogScaling(stack, 'Scaling', { queue: new sqs.Queue(stack, 'Jobs'), service, targetBacklogPerWorker: token, minWorkers: token, maxWorkers: token });
    });
  });
});

describe('BacklogScaling on an EC2 Auto Scaling group', () => {
  const { stack, asg, queue } = asgFixture();
  const scaling = new BacklogScaling(stack, 'Scaling', { queue, autoScalingGroup: asg, ...latency, maxWorkers: 20 });
  const template = Template.fromStack(stack);
  const groupName = { Ref: logicalId(asg) };

  test('the group gets min/max from the scaling and collects the group metrics it reads', () => {
    template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', {
      MinSize: '0',
      MaxSize: '20',
      MetricsCollection: [{ Granularity: '1Minute', Metrics: ['GroupDesiredCapacity', 'GroupInServiceInstances'] }],
    });
  });

  test('target tracking with the same metric math over GroupInServiceInstances and GroupDesiredCapacity', () => {
    template.hasResourceProperties('AWS::AutoScaling::ScalingPolicy', {
      AutoScalingGroupName: groupName,
      PolicyType: 'TargetTrackingScaling',
      EstimatedInstanceWarmup: 180,
      TargetTrackingConfiguration: {
        TargetValue: 10,
        CustomizedMetricSpecification: {
          Metrics: Match.arrayWith([
            Match.objectLike({ Id: 'running', MetricStat: { Stat: 'Average', Metric: { Namespace: 'AWS/AutoScaling', MetricName: 'GroupInServiceInstances', Dimensions: [{ Name: 'AutoScalingGroupName', Value: groupName }] } } }),
            Match.objectLike({ Id: 'desired', MetricStat: { Stat: 'Average', Metric: { Namespace: 'AWS/AutoScaling', MetricName: 'GroupDesiredCapacity', Dimensions: [{ Name: 'AutoScalingGroupName', Value: groupName }] } } }),
            { Id: 'backlog_per_worker', Label: 'Backlog per worker', Expression: '(visible + in_flight) / IF(desired > running, desired, IF(running > 0, running, 1))', ReturnData: true },
          ]),
        },
      },
    });
  });

  test('step policy from zero on the group, triggered by the alarm on GroupDesiredCapacity', () => {
    template.hasResourceProperties('AWS::AutoScaling::ScalingPolicy', {
      PolicyType: 'StepScaling',
      AdjustmentType: 'ChangeInCapacity',
      MetricAggregationType: 'Maximum',
      StepAdjustments: Match.arrayWith([
        { MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 10, ScalingAdjustment: 1 },
        { MetricIntervalLowerBound: 100, ScalingAdjustment: 20 },
      ]),
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmActions: [{ Ref: logicalId(scaling.scaleOutFromZeroPolicy!) }],
      Metrics: Match.arrayWith([Match.objectLike({ Id: 'desired', MetricStat: Match.objectLike({ Metric: { Namespace: 'AWS/AutoScaling', MetricName: 'GroupDesiredCapacity', Dimensions: [{ Name: 'AutoScalingGroupName', Value: groupName }] } }) })]),
    });
  });

  test('a group that already collects every metric is left alone', () => {
    const f = asgFixture([autoscaling.GroupMetrics.all()]);
    new BacklogScaling(f.stack, 'Scaling', { queue: f.queue, autoScalingGroup: f.asg, ...latency });
    Template.fromStack(f.stack).hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', { MetricsCollection: [{ Granularity: '1Minute', Metrics: Match.absent() }] });
  });
});

describe('BacklogScaling bad input', () => {
  const ecsBuild = (props: Partial<BacklogScalingProps>) => (stack: Stack) => {
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 1, natGateways: 0, subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    const cluster = new ecs.Cluster(stack, 'Cluster', { vpc });
    const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task');
    taskDefinition.addContainer('worker', { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/busybox:stable') });
    const service = new ecs.FargateService(stack, 'Service', { cluster, taskDefinition });
    new BacklogScaling(stack, 'Scaling', { queue: new sqs.Queue(stack, 'Jobs'), service, ...props } as BacklogScalingProps);
  };
  const path = 'TestStack/Scaling';

  test('target <= 0, NaN or absurd', () => {
    expectBadInput({ build: ecsBuild({ targetBacklogPerWorker: 0 }), path, code: 'BACKLOG_SCALING_TARGET', prop: 'targetBacklogPerWorker', value: '0', allowed: 'a number greater than 0', fix: 'set targetBacklogPerWorker to the messages one worker may have waiting' });
    expectBadInput({ build: ecsBuild({ targetBacklogPerWorker: NaN }), path, code: 'BACKLOG_SCALING_TARGET', prop: 'targetBacklogPerWorker', value: 'NaN', allowed: 'greater than 0', fix: 'set targetBacklogPerWorker' });
  });

  test('min > max, max 0, min negative', () => {
    expectBadInput({ build: ecsBuild({ targetBacklogPerWorker: 5, minWorkers: 5, maxWorkers: 3 }), path, code: 'BACKLOG_SCALING_MIN_OVER_MAX', prop: 'minWorkers', value: '5 with maxWorkers 3', allowed: 'at most maxWorkers (3)', fix: 'lower minWorkers to 3 or less' });
    expectBadInput({ build: ecsBuild({ targetBacklogPerWorker: 5, maxWorkers: 0 }), path, code: 'BACKLOG_SCALING_MAX_WORKERS', prop: 'maxWorkers', value: '0', allowed: 'from 1 to 10,000', fix: 'set maxWorkers to at least 1' });
    expectBadInput({ build: ecsBuild({ targetBacklogPerWorker: 5, minWorkers: -1 }), path, code: 'BACKLOG_SCALING_MIN_WORKERS', prop: 'minWorkers', value: '-1', allowed: 'from 0 to 10,000', fix: 'set minWorkers' });
  });

  test('workerConcurrency: 1 to 100, the runtime\'s range', () => {
    expectBadInput({ build: ecsBuild({ ...latency, workerConcurrency: 101 }), path, code: 'BACKLOG_SCALING_WORKER_CONCURRENCY', prop: 'workerConcurrency', value: '101', allowed: 'a whole number from 1 to 100', fix: 'run more workers' });
  });

  test('controlInterval: whole minutes from 1 minute to 1 hour, ECS only', () => {
    expectBadInput({ build: ecsBuild({ ...latency, controlInterval: Duration.seconds(30) }), path, code: 'BACKLOG_SCALING_CONTROL_INTERVAL', prop: 'controlInterval', value: '30 seconds', allowed: '1 minute (60 s) to 1 hour (3,600 s)', fix: 'whole minutes between 1 minute and 1 hour' });
    expectBadInput({ build: ecsBuild({ ...latency, controlInterval: Duration.seconds(90) }), path, code: 'BACKLOG_SCALING_CONTROL_INTERVAL_MINUTES', prop: 'controlInterval', value: '1 minute 30 seconds (90 s)', allowed: 'whole minutes', fix: 'round it to whole minutes' });
    expectBadInput({ build: ecsBuild({ ...latency, controlInterval: Duration.hours(2) }), path, code: 'BACKLOG_SCALING_CONTROL_INTERVAL', prop: 'controlInterval', value: '2 hours (7,200 s)', allowed: 'to 1 hour (3,600 s)', fix: 'between 1 minute and 1 hour' });
    expectBadInput({
      build: stack => {
        const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 1, natGateways: 0, subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
        const launchTemplate = new ec2.LaunchTemplate(stack, 'LaunchTemplate', { instanceType: new ec2.InstanceType('t4g.small'), machineImage: ec2.MachineImage.latestAmazonLinux2023({ cpuType: ec2.AmazonLinuxCpuType.ARM_64 }) });
        const asg = new autoscaling.AutoScalingGroup(stack, 'Workers', { vpc, launchTemplate });
        new BacklogScaling(stack, 'Scaling', { queue: new sqs.Queue(stack, 'Jobs'), autoScalingGroup: asg, ...latency, controlInterval: Duration.minutes(2) });
      },
      path,
      code: 'BACKLOG_SCALING_INTERVAL_ON_EC2',
      prop: 'controlInterval',
      value: '2 minutes (120 s)',
      allowed: 'for an Auto Scaling group',
      fix: 'remove controlInterval',
    });
  });

  test('atMaxWorkersAlarmPeriod: whole minutes, 1 minute to 1 day', () => {
    expectBadInput({ build: ecsBuild({ ...latency, atMaxWorkersAlarmPeriod: Duration.seconds(90) }), path, code: 'BACKLOG_SCALING_AT_MAX_PERIOD_MINUTES', prop: 'atMaxWorkersAlarmPeriod', value: '90 s', allowed: 'whole minutes', fix: 'round it' });
  });

  test('processing time >= acceptable latency', () => {
    expectBadInput({
      build: ecsBuild({ acceptableLatency: Duration.seconds(30), averageProcessingTime: Duration.minutes(1) }),
      path,
      code: 'BACKLOG_SCALING_LATENCY_UNDER_PROCESSING',
      prop: 'averageProcessingTime',
      value: '1 minute (60 s) with acceptableLatency 30 seconds',
      allowed: 'can never meet the latency',
      fix: 'raise acceptableLatency',
    });
  });

  test('no target and no latency: both missing props in one error', () => {
    const message = expectBadInput({ build: ecsBuild({}), path, code: 'BACKLOG_SCALING_TARGET_MISSING', prop: 'acceptableLatency', value: 'not set', allowed: 'or targetBacklogPerWorker instead', fix: 'or give targetBacklogPerWorker' });
    expect(message).toContain('invalid averageProcessingTime: not set');
  });

  test('target given together with latency', () => {
    expectBadInput({ build: ecsBuild({ targetBacklogPerWorker: 5, ...latency }), path, code: 'BACKLOG_SCALING_TARGET_AND_LATENCY', prop: 'acceptableLatency', value: '5 minutes', allowed: 'together with targetBacklogPerWorker', fix: 'remove acceptableLatency' });
  });

  test('neither service nor autoScalingGroup', () => {
    expectBadInput({
      build: stack => new BacklogScaling(stack, 'Scaling', { queue: new sqs.Queue(stack, 'Jobs'), targetBacklogPerWorker: 5 }),
      path,
      code: 'BACKLOG_SCALING_TARGET_KIND',
      prop: 'service',
      value: 'neither service nor autoScalingGroup',
      allowed: 'exactly one of service (ECS) and autoScalingGroup (EC2)',
      fix: 'not both',
    });
  });

  test('warmup on ECS', () => {
    expectBadInput({ build: ecsBuild({ targetBacklogPerWorker: 5, instanceWarmup: Duration.minutes(1) }), path, code: 'BACKLOG_SCALING_WARMUP_ON_ECS', prop: 'instanceWarmup', value: '1 minute', allowed: 'for an ECS service', fix: 'remove instanceWarmup' });
  });

  test('a group whose group metrics leave out what the policies read', () => {
    expectBadInput({
      build: () => {
        const f = asgFixture([new autoscaling.GroupMetrics(autoscaling.GroupMetric.MIN_SIZE)]);
        new BacklogScaling(f.stack, 'Scaling', { queue: f.queue, autoScalingGroup: f.asg, targetBacklogPerWorker: 5 });
      },
      path,
      code: 'BACKLOG_SCALING_GROUP_METRICS',
      prop: 'autoScalingGroup',
      value: 'whose groupMetrics leave out GroupDesiredCapacity',
      allowed: 'a group that collects GroupDesiredCapacity and GroupInServiceInstances (the scaling policies read them)',
      fix: 'add autoscaling.GroupMetric.DESIRED_CAPACITY and GroupMetric.IN_SERVICE_INSTANCES to the group\'s groupMetrics, or remove groupMetrics',
    });
  });
});
