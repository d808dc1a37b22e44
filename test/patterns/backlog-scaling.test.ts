import { CfnElement, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { IConstruct } from 'constructs';
import { BacklogScaling, BacklogScalingProps } from '../../src';
import { errorMessageOf, expectFragmentsInOrder, newStack } from '../support';

const logicalId = (c: IConstruct) => Stack.of(c).getLogicalId((c instanceof CfnElement ? c : c.node.defaultChild) as CfnElement);

/** A Fargate service in a cluster with Container Insights, and a queue. Not nag-checked: the service is a stand-in. */
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

describe('BacklogScaling on an ECS service, defaults', () => {
  const { stack, service, queue } = ecsFixture();
  const scaling = new BacklogScaling(stack, 'Scaling', { queue, service, ...latency });
  const template = Template.fromStack(stack);
  const queueName = { 'Fn::GetAtt': [logicalId(queue), 'QueueName'] };
  const clusterName = { Ref: logicalId(service.cluster) };
  const serviceName = { 'Fn::GetAtt': [logicalId(service), 'Name'] };

  test('target = acceptable latency / processing time (5 min / 30 s = 10 per worker); 0 to 10 workers', () => {
    expect(scaling.targetBacklogPerWorker).toBe(10);
    expect([scaling.minWorkers, scaling.maxWorkers, scaling.includeInFlight]).toEqual([0, 10, true]);
  });

  test('scalable target: the service\'s desired count, 0..10, service-linked role', () => {
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      ServiceNamespace: 'ecs',
      ScalableDimension: 'ecs:service:DesiredCount',
      ResourceId: { 'Fn::Join': ['', ['service/', clusterName, '/', serviceName]] },
      MinCapacity: 0,
      MaxCapacity: 10,
      RoleARN: Match.absent(),
    });
  });

  test('target tracking on backlog per worker: exact metric math, 1-minute metrics with dimensions, cooldowns', () => {
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      PolicyType: 'TargetTrackingScaling',
      ScalingTargetId: { Ref: logicalId(scaling.scalableTarget!) },
      TargetTrackingScalingPolicyConfiguration: {
        TargetValue: 10,
        ScaleInCooldown: 300,
        ScaleOutCooldown: 60,
        CustomizedMetricSpecification: {
          Metrics: [
            { Id: 'visible', ReturnData: false, MetricStat: { Stat: 'Sum', Metric: { Namespace: 'AWS/SQS', MetricName: 'ApproximateNumberOfMessagesVisible', Dimensions: [{ Name: 'QueueName', Value: queueName }] } } },
            { Id: 'in_flight', ReturnData: false, MetricStat: { Stat: 'Sum', Metric: { Namespace: 'AWS/SQS', MetricName: 'ApproximateNumberOfMessagesNotVisible', Dimensions: [{ Name: 'QueueName', Value: queueName }] } } },
            {
              Id: 'running',
              ReturnData: false,
              MetricStat: {
                Stat: 'Average',
                Metric: { Namespace: 'ECS/ContainerInsights', MetricName: 'RunningTaskCount', Dimensions: [{ Name: 'ClusterName', Value: clusterName }, { Name: 'ServiceName', Value: serviceName }] },
              },
            },
            {
              Id: 'desired',
              ReturnData: false,
              MetricStat: {
                Stat: 'Average',
                Metric: { Namespace: 'ECS/ContainerInsights', MetricName: 'DesiredTaskCount', Dimensions: [{ Name: 'ClusterName', Value: clusterName }, { Name: 'ServiceName', Value: serviceName }] },
              },
            },
            { Id: 'backlog_per_worker', Label: 'Backlog per worker', Expression: '(visible + in_flight) / IF(desired > running, desired, IF(running > 0, running, 1))', ReturnData: true },
          ],
        },
      },
    });
  });

  test('scale-out from zero: step policy on visible > 0 while desired < 1, steps sized by the target', () => {
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      PolicyType: 'StepScaling',
      StepScalingPolicyConfiguration: {
        AdjustmentType: 'ChangeInCapacity',
        MetricAggregationType: 'Maximum',
        Cooldown: 60,
        StepAdjustments: [
          { MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 10, ScalingAdjustment: 1 },
          { MetricIntervalLowerBound: 10, MetricIntervalUpperBound: 20, ScalingAdjustment: 2 },
          { MetricIntervalLowerBound: 20, MetricIntervalUpperBound: 50, ScalingAdjustment: 5 },
          { MetricIntervalLowerBound: 50, ScalingAdjustment: 10 },
        ],
      },
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: logicalId(scaling.scaleOutFromZeroPolicy!) }],
      Metrics: Match.arrayWith([
        Match.objectLike({ Id: 'expr_1', Expression: 'IF(desired < 1, visible, 0)' }),
        Match.objectLike({ Id: 'visible', MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: 'ApproximateNumberOfMessagesVisible', Dimensions: [{ Name: 'QueueName', Value: queueName }] }) }) }),
        Match.objectLike({ Id: 'desired', MetricStat: Match.objectLike({ Metric: { Namespace: 'ECS/ContainerInsights', MetricName: 'DesiredTaskCount', Dimensions: [{ Name: 'ClusterName', Value: clusterName }, { Name: 'ServiceName', Value: serviceName }] } }) }),
      ]),
    });
  });

  test('alarm: at max workers and still over target for 15 minutes', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      EvaluationPeriods: 15,
      Threshold: 0,
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: 'IF(running >= 10 AND (visible + in_flight) / IF(desired > running, desired, IF(running > 0, running, 1)) > 10, 1, 0)' }),
      ]),
    });
    expect(scaling.alarms).toHaveLength(1);
  });

  test('dashboard widgets: backlog per worker with its target, running and desired workers', () => {
    const widgets = JSON.stringify(scaling.dashboardWidgets().map(w => w.toJson()));
    expect(widgets).toContain('{"value":10,"label":"target","yAxis":"left"}');
    expect(widgets).toContain('RunningTaskCount');
    expect(widgets).toContain('DesiredTaskCount');
    expect(widgets).toContain('(visible + in_flight) / IF(desired > running, desired, IF(running > 0, running, 1))');
  });

  test('no warning when the cluster has Container Insights', () => {
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('Container Insights'));
  });
});

describe('BacklogScaling options', () => {
  test('targetBacklogPerWorker given, visible only, min above 0: no step policy, no from-zero alarm', () => {
    const { stack, service, queue } = ecsFixture();
    const scaling = new BacklogScaling(stack, 'Scaling', {
      queue,
      service,
      targetBacklogPerWorker: 25,
      includeInFlight: false,
      minWorkers: 2,
      maxWorkers: 40,
      scaleInCooldown: Duration.minutes(10),
      scaleOutCooldown: Duration.seconds(30),
      alarmsEnabled: false,
    });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::ApplicationAutoScaling::ScalingPolicy', 1);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 2, MaxCapacity: 40 });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({
        TargetValue: 25,
        ScaleInCooldown: 600,
        ScaleOutCooldown: 30,
        CustomizedMetricSpecification: { Metrics: Match.arrayWith([Match.objectLike({ Id: 'backlog_per_worker', Expression: 'visible / IF(desired > running, desired, IF(running > 0, running, 1))' })]) },
      }),
    });
    expect(scaling.scaleOutFromZeroPolicy).toBeUndefined();
    expect(scaling.alarms).toEqual([]);
  });

  test('workerConcurrency multiplies the computed target (4 x 2 min / 45 s = 10.67)', () => {
    const { stack, service, queue } = ecsFixture();
    const scaling = new BacklogScaling(stack, 'Scaling', { queue, service, acceptableLatency: Duration.minutes(2), averageProcessingTime: Duration.seconds(45), workerConcurrency: 4 });
    expect(scaling.targetBacklogPerWorker).toBe(10.67);
  });

  test('from-zero steps stop below maxWorkers; the last step starts maxWorkers', () => {
    const { stack, service, queue } = ecsFixture();
    new BacklogScaling(stack, 'Scaling', { queue, service, targetBacklogPerWorker: 4, maxWorkers: 3 });
    Template.fromStack(stack).hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      StepScalingPolicyConfiguration: Match.objectLike({
        StepAdjustments: [
          { MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 4, ScalingAdjustment: 1 },
          { MetricIntervalLowerBound: 4, MetricIntervalUpperBound: 8, ScalingAdjustment: 2 },
          { MetricIntervalLowerBound: 8, ScalingAdjustment: 3 },
        ],
      }),
    });
  });

  test('warns when the cluster has no Container Insights', () => {
    const { stack, service, queue } = ecsFixture(false);
    new BacklogScaling(stack, 'Scaling', { queue, service, ...latency });
    Annotations.fromStack(stack).hasWarning('/TestStack/Scaling', Match.stringLikeRegexp('containerInsightsV2: ecs.ContainerInsights.ENABLED'));
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
  const attempt = (props: Partial<BacklogScalingProps>) => errorMessageOf(() => {
    const { stack, service, queue } = ecsFixture();
    new BacklogScaling(stack, 'Scaling', { queue, service, ...props } as BacklogScalingProps);
  });

  test('target <= 0', () => {
    expectFragmentsInOrder(attempt({ targetBacklogPerWorker: 0 }), ['[TestStack/Scaling]', 'invalid targetBacklogPerWorker: 0', 'a number greater than 0', 'Fix:']);
    expect(attempt({ targetBacklogPerWorker: -5 })).toContain('invalid targetBacklogPerWorker: -5');
  });

  test('min > max', () => {
    expectFragmentsInOrder(attempt({ targetBacklogPerWorker: 5, minWorkers: 5, maxWorkers: 3 }), ['invalid minWorkers: 5 with maxWorkers 3', 'at most maxWorkers (3)', 'lower minWorkers to 3 or less']);
  });

  test('max workers 0', () => {
    expectFragmentsInOrder(attempt({ targetBacklogPerWorker: 5, maxWorkers: 0 }), ['invalid maxWorkers: 0', 'from 1 to 10,000', 'set maxWorkers to at least 1']);
  });

  test('processing time >= acceptable latency', () => {
    expectFragmentsInOrder(attempt({ acceptableLatency: Duration.seconds(30), averageProcessingTime: Duration.minutes(1) }),
      ['invalid averageProcessingTime: 1 minute (60 s) with acceptableLatency 30 seconds', 'less than acceptableLatency', 'can never meet the latency', 'Fix: raise acceptableLatency']);
    expect(attempt({ acceptableLatency: Duration.seconds(30), averageProcessingTime: Duration.seconds(30) })).toContain('invalid averageProcessingTime');
  });

  test('no target and no latency', () => {
    expectFragmentsInOrder(attempt({}), ['invalid acceptableLatency: not set', 'or give targetBacklogPerWorker']);
    expect(attempt({ acceptableLatency: Duration.minutes(1) })).toContain('invalid averageProcessingTime: not set');
  });

  test('target given together with latency', () => {
    expectFragmentsInOrder(attempt({ targetBacklogPerWorker: 5, ...latency }), ['invalid acceptableLatency', 'together with targetBacklogPerWorker', 'Fix: remove acceptableLatency']);
  });

  test('neither or both of service and autoScalingGroup', () => {
    const stack = newStack();
    const queue = new sqs.Queue(stack, 'Jobs');
    expectFragmentsInOrder(errorMessageOf(() => new BacklogScaling(stack, 'Scaling', { queue, targetBacklogPerWorker: 5 })),
      ['invalid service: neither service nor autoScalingGroup', 'exactly one of service (ECS) and autoScalingGroup (EC2)']);
  });

  test('cooldowns on an Auto Scaling group, warmup on ECS, cooldown out of range', () => {
    const f = asgFixture();
    expectFragmentsInOrder(errorMessageOf(() => new BacklogScaling(f.stack, 'Scaling', { queue: f.queue, autoScalingGroup: f.asg, targetBacklogPerWorker: 5, scaleInCooldown: Duration.minutes(1) })),
      ['invalid scaleInCooldown', 'EC2 target tracking has no scale-in cooldown', 'use instanceWarmup']);
    expect(attempt({ targetBacklogPerWorker: 5, instanceWarmup: Duration.minutes(1) })).toContain('invalid instanceWarmup');
    expect(attempt({ targetBacklogPerWorker: 5, scaleInCooldown: Duration.hours(2) })).toContain('invalid scaleInCooldown: 2 hours (7,200 s). Allowed: 0 seconds to 1 hour (3,600 s)');
  });

  test('a group whose group metrics leave out what the policies read', () => {
    const f = asgFixture([new autoscaling.GroupMetrics(autoscaling.GroupMetric.MIN_SIZE)]);
    expectFragmentsInOrder(errorMessageOf(() => new BacklogScaling(f.stack, 'Scaling', { queue: f.queue, autoScalingGroup: f.asg, targetBacklogPerWorker: 5 })),
      ['invalid autoScalingGroup', 'leave out GroupDesiredCapacity', 'add autoscaling.GroupMetric.DESIRED_CAPACITY']);
  });
});
