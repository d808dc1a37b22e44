/**
 * BacklogScaling with tokens where the target backlog per worker is derived
 * (`workerConcurrency x acceptableLatency / averageProcessingTime`): CloudFormation cannot divide,
 * so ECS hands the inputs to the controller (it computes and checks the target at run time) and
 * EC2 normalizes its policies (backlog per worker / target, tracked at 1). Nothing is refused.
 */
import { CfnElement, CfnParameter, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { IConstruct } from 'constructs';
import { readControllerConfig } from '../../lambda/backlog-controller/config';
import { desiredWorkers } from '../../lambda/backlog-controller/decide';
import { BacklogScaling, BacklogScalingOptions, QueueWorkerAutoScalingGroup, QueueWorkerService } from '../../src';
import { durationAmount } from '../../src/core/validation';
import { expectBadInput, newStack } from '../support';

const logicalId = (c: IConstruct) => Stack.of(c).getLogicalId((c instanceof CfnElement ? c : c.node.defaultChild) as CfnElement);
const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/busybox:stable');

/** A number parameter and its token. */
function param(stack: Stack, id: string, value: number): number {
  return new CfnParameter(stack, id, { type: 'Number', default: value }).valueAsNumber;
}

/** A template value with parameters replaced by values (Ref) and Fn::Join joined: what CloudFormation deploys. */
function deployed(value: unknown, params: Record<string, number>): unknown {
  if (Array.isArray(value)) return value.map(v => deployed(v, params));
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (typeof o.Ref === 'string' && o.Ref in params) return String(params[o.Ref]);
    if (Array.isArray(o['Fn::Join'])) {
      const [sep, parts] = o['Fn::Join'] as [string, unknown[]];
      return parts.map(p => deployed(p, params)).join(sep);
    }
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, deployed(v, params)]));
  }
  return value;
}

/**
 * A tiny evaluator of the CloudWatch metric math these policies use (numbers, ids, + - * /,
 * comparisons, AND, IF(c, a, b)), over one data point per id. JavaScript's grammar and
 * precedence match for these operators.
 */
function evaluate(expression: string, values: Record<string, number>): number {
  const js = expression.replace(/\bAND\b/g, '&&');
  if (!/^[\w\s.+\-*/()<>=,&|]+$/.test(js)) throw new Error(`not metric math this evaluator knows: ${expression}`);
  const ids = Object.keys(values);
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const f = new Function('IF', ...ids, `return (${js});`) as (...args: unknown[]) => number | boolean;
  return Number(f((c: unknown, a: number, b: number) => (c ? a : b), ...ids.map(id => values[id])));
}

function ecsStack() {
  const stack = newStack();
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 1, natGateways: 0, subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
  const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task');
  taskDefinition.addContainer('worker', { image });
  const service = new ecs.FargateService(stack, 'Service', { cluster: new ecs.Cluster(stack, 'Cluster', { vpc }), taskDefinition });
  return { stack, service, queue: new sqs.Queue(stack, 'Jobs') };
}

function asgStack() {
  const stack = newStack();
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 1, natGateways: 0, subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
  const launchTemplate = new ec2.LaunchTemplate(stack, 'LaunchTemplate', {
    instanceType: new ec2.InstanceType('t4g.small'), machineImage: ec2.MachineImage.latestAmazonLinux2023({ cpuType: ec2.AmazonLinuxCpuType.ARM_64 }),
  });
  return { stack, asg: new autoscaling.AutoScalingGroup(stack, 'Workers', { vpc, launchTemplate }), queue: new sqs.Queue(stack, 'Jobs') };
}

describe('durationAmount: a duration as its amount in its own unit and that unit in ms, token or not', () => {
  test.each([
    ['millis', Duration.millis, 1], ['seconds', Duration.seconds, 1_000], ['minutes', Duration.minutes, 60_000], ['hours', Duration.hours, 3_600_000], ['days', Duration.days, 86_400_000],
  ] as const)('%s', (_unit, make, ms) => {
    expect(durationAmount(make(7))).toEqual({ amount: 7, msPerUnit: ms });
    const stack = new Stack();
    const token = param(stack, 'P', 7);
    if (ms !== 1) expect(() => make(token).toMilliseconds()).toThrow(/cannot be converted/); // why the helper exists
    const got = durationAmount(make(token));
    expect(got.msPerUnit).toBe(ms);
    expect(stack.resolve(got.amount)).toEqual({ Ref: 'P' });
  });
});

describe('ECS: a target derived from tokens is computed by the controller at run time', () => {
  const { stack, service, queue } = ecsStack();
  const latency = param(stack, 'LatencyMinutes', 5);
  const concurrency = param(stack, 'Concurrency', 4);
  const scaling = new BacklogScaling(stack, 'Scaling', {
    queue, service, acceptableLatency: Duration.minutes(latency), averageProcessingTime: Duration.seconds(30), workerConcurrency: concurrency,
  });
  const template = Template.fromStack(stack);
  /** The deployed environment as the function sees it (other references as placeholders). */
  const deployedEnv = (params: Record<string, number>) => Object.fromEntries(Object.entries(deployed(env(), params) as Record<string, unknown>)
    .map(([k, v]) => [k, typeof v === 'string' ? v : `token-${k}`]));
  const env = () => {
    const fn = template.findResources('AWS::Lambda::Function')[logicalId(scaling.controllerFunction!)] as { Properties: { Environment: { Variables: Record<string, unknown> } } };
    return fn.Properties.Environment.Variables;
  };

  test('no refusal; the public target is undefined (derived from tokens)', () => {
    expect(scaling.targetBacklogPerWorker).toBeUndefined();
  });

  test('the controller gets the inputs (amount + unit in ms), not TARGET_BACKLOG_PER_WORKER', () => {
    expect(env()).toMatchObject({
      ACCEPTABLE_LATENCY: { Ref: 'LatencyMinutes' },
      ACCEPTABLE_LATENCY_UNIT_MS: '60000',
      AVERAGE_PROCESSING_TIME: '30',
      AVERAGE_PROCESSING_TIME_UNIT_MS: '1000',
      WORKER_CONCURRENCY: { Ref: 'Concurrency' },
      MIN_WORKERS: '0',
      MAX_WORKERS: '10',
    });
    expect(env().TARGET_BACKLOG_PER_WORKER).toBeUndefined();
  });

  test('contract: the controller reads the deployed environment and computes the target (4 x 5 min / 30 s = 40)', () => {
    const plain = deployedEnv({ LatencyMinutes: 5, Concurrency: 4 });
    expect(readControllerConfig(plain)).toMatchObject({ targetBacklogPerWorker: 40, workerConcurrency: 4, minWorkers: 0, maxWorkers: 10 });
    // the same decision as a BacklogScaling given the numbers
    const known = ecsStack();
    new BacklogScaling(known.stack, 'Scaling', { queue: known.queue, service: known.service, acceptableLatency: Duration.minutes(5), averageProcessingTime: Duration.seconds(30), workerConcurrency: 4 });
    const knownEnv = Template.fromStack(known.stack).findResources('AWS::Lambda::Function');
    type Fn = { Properties: { Environment?: { Variables: Record<string, unknown> } } };
    const knownVars = Object.values(knownEnv).map(r => (r as Fn).Properties.Environment?.Variables).find(v => v?.TARGET_BACKLOG_PER_WORKER)!;
    expect(knownVars.TARGET_BACKLOG_PER_WORKER).toBe('40');
    const knownConfig = readControllerConfig(Object.fromEntries(Object.entries(knownVars).map(([k, v]) => [k, typeof v === 'string' ? v : `token-${k}`])));
    for (const o of [{ visible: 0, inFlight: 0 }, { visible: 1, inFlight: 0 }, { visible: 399, inFlight: 7 }, { visible: 10_000, inFlight: 50 }]) {
      expect(desiredWorkers(o, readControllerConfig(plain))).toBe(desiredWorkers(o, knownConfig));
    }
  });

  test('a bad deployed value fails the controller with its message (the errors alarm fires), e.g. processing time not under the latency', () => {
    expect(() => readControllerConfig(deployedEnv({ LatencyMinutes: 0.5, Concurrency: 4 }))).toThrow('AVERAGE_PROCESSING_TIME=30 x 1000 ms (30000 ms) is not less than ACCEPTABLE_LATENCY=0.5 x 60000 ms (30000 ms)');
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'Errors', Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalId(scaling.controllerFunction!) } }] });
  });

  test('dashboard: the derived target is a metric-math line labelled target (an annotation cannot hold math)', () => {
    const backlog = stack.resolve(scaling.dashboardWidgets()[1].toJson()) as Array<{ properties: { annotations?: unknown; metrics: unknown[][] } }>;
    expect(backlog[0].properties.annotations).toBeUndefined();
    expect(backlog[0].properties.metrics).toContainEqual([{
      label: 'target', period: 60, expression: { 'Fn::Join': ['', ['visible * 0 + ((', { Ref: 'Concurrency' }, ' * ', { Ref: 'LatencyMinutes' }, ' * 60000) / (30000))']] },
    }]);
    // deployed with 4 and 5 minutes, the line is at 40 (= the controller's target)
    const line = backlog[0].properties.metrics.flat().find(m => (m as { label?: string })?.label === 'target');
    expect(evaluate((deployed(line, { Concurrency: 4, LatencyMinutes: 5 }) as { expression: string }).expression, { visible: 12 })).toBe(40);
  });
});

type Resources = Record<string, { Type: string; Properties: any }>;

/** Plain (known numbers) and token (same numbers as CfnParameters) Auto Scaling groups, side by side. */
function ec2Pair(options: BacklogScalingOptions, tokens: (stack: Stack) => BacklogScalingOptions, params: Record<string, number>) {
  const plain = asgStack();
  const plainScaling = new BacklogScaling(plain.stack, 'Scaling', { queue: plain.queue, autoScalingGroup: plain.asg, maxWorkers: 20, ...options });
  const token = asgStack();
  const tokenScaling = new BacklogScaling(token.stack, 'Scaling', { queue: token.queue, autoScalingGroup: token.asg, maxWorkers: 20, ...tokens(token.stack) });
  const tokenTemplate = Template.fromStack(token.stack);
  return {
    plain: { scaling: plainScaling, template: Template.fromStack(plain.stack).toJSON() },
    token: { scaling: tokenScaling, template: tokenTemplate, deployed: deployed(tokenTemplate.toJSON(), params) as { Resources: Resources } },
  };
}

const ofType = (t: { Resources: Resources }, type: string, where: (p: any) => boolean = () => true) =>
  Object.values(t.Resources).filter(r => r.Type === type && where(r.Properties)).map(r => r.Properties);

/** The value of a policy's or alarm's metric math (the query that returns data) for one data point per id. */
function metricValue(metrics: Array<{ Id: string; Expression?: string; ReturnData?: boolean }>, values: Record<string, number>): number {
  const out = metrics.find(m => m.Expression !== undefined && m.ReturnData !== false)!;
  return evaluate(out.Expression!, values);
}

/** The step a step policy takes for a metric value (bounds relative to threshold 0). */
type Step = { MetricIntervalLowerBound: number; MetricIntervalUpperBound?: number; ScalingAdjustment: number };
function stepFor(steps: Step[], value: number): number | undefined {
  const inside = (s: Step) => value >= s.MetricIntervalLowerBound && (s.MetricIntervalUpperBound === undefined || value < s.MetricIntervalUpperBound);
  return steps.find(inside)?.ScalingAdjustment;
}

const GRID = [0, 1, 2, 3, 7, 10, 19, 20, 21, 45, 99, 100, 101, 150, 199, 200, 201, 499, 1000, 5000];
const FLEETS = [[0, 0], [0, 1], [1, 1], [3, 5], [20, 20], [2, 0]];
const POINTS = GRID.flatMap(visible => FLEETS.map(([running, desired]) => ({ visible, in_flight: visible % 7, running, desired })));

describe.each([
  ['latency a token (minutes)', { acceptableLatency: Duration.minutes(5), averageProcessingTime: Duration.seconds(30) },
    (s: Stack) => ({ acceptableLatency: Duration.minutes(param(s, 'L', 5)), averageProcessingTime: Duration.seconds(30) }), { L: 5 }, 10],
  ['processing time a token (millis), concurrency 3', { acceptableLatency: Duration.minutes(2), averageProcessingTime: Duration.seconds(45), workerConcurrency: 3 },
    (s: Stack) => ({ acceptableLatency: Duration.minutes(2), averageProcessingTime: Duration.millis(param(s, 'P', 45_000)), workerConcurrency: 3 }), { P: 45_000 }, 8],
  ['all three tokens', { acceptableLatency: Duration.seconds(90), averageProcessingTime: Duration.seconds(10), workerConcurrency: 2 },
    (s: Stack) => ({ acceptableLatency: Duration.seconds(param(s, 'L', 90)), averageProcessingTime: Duration.seconds(param(s, 'P', 10)), workerConcurrency: param(s, 'C', 2) }), { L: 90, P: 10, C: 2 }, 18],
  ['targetBacklogPerWorker itself a token', { targetBacklogPerWorker: 10 }, (s: Stack) => ({ targetBacklogPerWorker: param(s, 'T', 10) }), { T: 10 }, 10],
])('EC2, %s: normalized policies behave as the plain ones', (_name, options, tokens, params, target) => {
  const pair = ec2Pair(options as BacklogScalingOptions, tokens, params);
  const plainPolicy = (type: string) => ofType(pair.plain.template as { Resources: Resources }, 'AWS::AutoScaling::ScalingPolicy', p => p.PolicyType === type)[0];
  const tokenPolicy = (type: string) => ofType(pair.token.deployed, 'AWS::AutoScaling::ScalingPolicy', p => p.PolicyType === type)[0];

  test('no refusal; the plain one has the number as its target', () => {
    expect(plainPolicy('TargetTrackingScaling').TargetTrackingConfiguration.TargetValue).toBe(target);
    expect(pair.plain.scaling.targetBacklogPerWorker).toBe(target);
  });

  test('target tracking on backlog per worker / target (the target written from the tokens with Fn::Join), at TargetValue 1', () => {
    pair.token.template.hasResourceProperties('AWS::AutoScaling::ScalingPolicy', {
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingConfiguration: {
        TargetValue: 1,
        CustomizedMetricSpecification: {
          Metrics: Match.arrayWith([{
            Id: 'backlog_per_target',
            Label: 'Backlog per worker / target',
            ReturnData: true,
            Expression: { 'Fn::Join': ['', Match.arrayWith([{ Ref: Object.keys(params)[0] }])] },
          }]),
        },
      },
    });
  });

  test('tracked metric / TargetValue is the same ratio as the plain policy\'s at every point (target tracking scales by that ratio)', () => {
    const plain = plainPolicy('TargetTrackingScaling').TargetTrackingConfiguration;
    const token = tokenPolicy('TargetTrackingScaling').TargetTrackingConfiguration;
    for (const point of POINTS) {
      const a = metricValue(plain.CustomizedMetricSpecification.Metrics, point) / plain.TargetValue;
      const b = metricValue(token.CustomizedMetricSpecification.Metrics, point) / token.TargetValue;
      expect(b).toBeCloseTo(a, 9);
    }
  });

  test('scale out from zero: the normalized alarm metric picks the same step as the plain one (bounds in workers: 1, 2, 5, 10, then maxWorkers)', () => {
    const tokenSteps = tokenPolicy('StepScaling').StepAdjustments;
    expect(tokenSteps).toEqual([
      { MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 1, ScalingAdjustment: 1 },
      { MetricIntervalLowerBound: 1, MetricIntervalUpperBound: 2, ScalingAdjustment: 2 },
      { MetricIntervalLowerBound: 2, MetricIntervalUpperBound: 5, ScalingAdjustment: 5 },
      { MetricIntervalLowerBound: 5, MetricIntervalUpperBound: 10, ScalingAdjustment: 10 },
      { MetricIntervalLowerBound: 10, ScalingAdjustment: 20 },
    ]);
    const plainSteps = plainPolicy('StepScaling').StepAdjustments;
    const alarm = (t: { Resources: Resources }) => ofType(t, 'AWS::CloudWatch::Alarm', p => /at zero; starts workers/.test(JSON.stringify(p.AlarmDescription)))[0];
    const plainAlarm = alarm(pair.plain.template as { Resources: Resources });
    const tokenAlarm = alarm(pair.token.deployed);
    for (const point of POINTS) {
      const a = metricValue(plainAlarm.Metrics, point);
      const b = metricValue(tokenAlarm.Metrics, point);
      expect(a > plainAlarm.Threshold).toBe(b > tokenAlarm.Threshold); // the alarm fires alike
      if (a > plainAlarm.Threshold) expect(stepFor(tokenSteps, b)).toBe(stepFor(plainSteps, a));
    }
  });

  test('the at-max-workers alarm compares with the target expression and fires alike', () => {
    const alarm = (t: { Resources: Resources }) => ofType(t, 'AWS::CloudWatch::Alarm', p => /maxWorkers/.test(JSON.stringify(p.AlarmDescription)))[0];
    const plainAlarm = alarm(pair.plain.template as { Resources: Resources });
    const tokenAlarm = alarm(pair.token.deployed);
    const raw = ofType(pair.token.template.toJSON() as { Resources: Resources }, 'AWS::CloudWatch::Alarm', p => /maxWorkers/.test(JSON.stringify(p.AlarmDescription)))[0];
    expect(JSON.stringify(raw.Metrics)).toContain('Fn::Join');
    for (const point of POINTS) expect(metricValue(tokenAlarm.Metrics, point)).toBe(metricValue(plainAlarm.Metrics, point));
    expect(POINTS.some(point => metricValue(plainAlarm.Metrics, point) === 1)).toBe(true); // the grid reaches the alarm
  });

  test('no encoded token (a huge double) reaches the template', () => {
    expect(JSON.stringify(pair.token.template.toJSON()).match(/-?\d\.\d+e\+[23]\d\d/g) ?? []).toEqual([]);
  });
});

describe('rules with tokens: a token is never checked, known values still are', () => {
  const asgBuild = (options: (stack: Stack) => BacklogScalingOptions) => (stack: Stack) => {
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 1, natGateways: 0, subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    const autoScalingGroup = new autoscaling.AutoScalingGroup(stack, 'Workers', {
      vpc, instanceType: new ec2.InstanceType('t4g.small'), machineImage: ec2.MachineImage.latestAmazonLinux2023({ cpuType: ec2.AmazonLinuxCpuType.ARM_64 }),
    });
    new BacklogScaling(stack, 'Scaling', { queue: new sqs.Queue(stack, 'Jobs'), autoScalingGroup, ...options(stack) });
  };

  test('a known processing time of 0 is refused even when the latency is a token', () => {
    expectBadInput({
      build: asgBuild(stack => ({ acceptableLatency: Duration.minutes(param(stack, 'L', 5)), averageProcessingTime: Duration.seconds(0) })),
      path: 'TestStack/Scaling',
      code: 'BACKLOG_SCALING_PROCESSING_TIME',
      prop: 'averageProcessingTime',
      value: '0 seconds',
      allowed: 'more than 0',
      fix: 'give the measured average time',
    });
  });

  test('a known processing time over a known latency is still refused when the concurrency is a token', () => {
    expectBadInput({
      build: asgBuild(stack => ({ acceptableLatency: Duration.seconds(30), averageProcessingTime: Duration.minutes(1), workerConcurrency: param(stack, 'C', 2) })),
      path: 'TestStack/Scaling',
      code: 'BACKLOG_SCALING_LATENCY_UNDER_PROCESSING',
      prop: 'averageProcessingTime',
      value: '1 minute (60 s) with acceptableLatency 30 seconds',
      allowed: 'can never meet the latency',
      fix: 'raise acceptableLatency',
    });
  });

  test('a token processing time with a known latency (and the reverse) synthesizes: compared at run time on ECS, documented for EC2', () => {
    expect(() => asgBuild(stack => ({ acceptableLatency: Duration.minutes(5), averageProcessingTime: Duration.seconds(param(stack, 'P', 30)) }))(newStack())).not.toThrow();
    expect(() => asgBuild(stack => ({ acceptableLatency: Duration.minutes(param(stack, 'L', 5)), averageProcessingTime: Duration.seconds(30) }))(newStack())).not.toThrow();
  });
});

describe('the worker fleets pass a token workerConcurrency and token scaling inputs through (no refusal)', () => {
  test('QueueWorkerService: token workerConcurrency with latency + processing time: the workers and the controller get the parameter', () => {
    const stack = newStack();
    const concurrency = param(stack, 'Concurrency', 4);
    const workers = new QueueWorkerService(stack, 'Workers', { image, workerConcurrency: concurrency, scaling: { acceptableLatency: Duration.minutes(param(stack, 'L', 5)), averageProcessingTime: Duration.seconds(30) } });
    const template = Template.fromStack(stack);
    expect(workers.scaling.targetBacklogPerWorker).toBeUndefined();
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ WORKER_CONCURRENCY: { Ref: 'Concurrency' }, ACCEPTABLE_LATENCY: { Ref: 'L' }, ACCEPTABLE_LATENCY_UNIT_MS: '60000', AVERAGE_PROCESSING_TIME: '30' }) },
    });
    template.hasResourceProperties('AWS::ECS::TaskDefinition', { ContainerDefinitions: [Match.objectLike({ Environment: Match.arrayWith([{ Name: 'WORKER_CONCURRENCY', Value: { Ref: 'Concurrency' } }]) })] });
  });

  test('QueueWorkerAutoScalingGroup: token workerConcurrency: normalized target tracking at 1', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 1, natGateways: 0, subnetConfiguration: [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC }] });
    new QueueWorkerAutoScalingGroup(stack, 'Workers', {
      vpc, startCommands: ['run-worker'], workerConcurrency: param(stack, 'Concurrency', 4), scaling: { acceptableLatency: Duration.minutes(5), averageProcessingTime: Duration.seconds(30) },
    });
    Template.fromStack(stack).hasResourceProperties('AWS::AutoScaling::ScalingPolicy', {
      TargetTrackingConfiguration: Match.objectLike({
        TargetValue: 1,
        CustomizedMetricSpecification: { Metrics: Match.arrayWith([Match.objectLike({ Id: 'backlog_per_target', Expression: { 'Fn::Join': ['', Match.arrayWith([{ Ref: 'Concurrency' }, ' * 300000) / (30000))'])] } })]) },
      }),
    });
  });
});
