import { Duration, SecretValue, Size, Stack } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import {
  BacklogScaling, EventRouter, FanOutSubscriber, FrontDoor, FrontDoorAuthorization, FrontDoorRoute, FrontDoorValue, QueueEncryption,
  QueueWorkerAutoScalingGroup, QueueWorkerService, RealtimeApi, RealtimeSchema, RouteTarget, Saga, ScheduledJob, ScheduledJobTarget,
  SecureQueue, SecureTopic, StreamPipeline, TopicFanOut, WriteBuffer,
  WriteBufferSink, Workflow,
} from '../../src';
import { expectNumberTokenAccepted } from '../support';
import { numericPropsOfConstructs } from '../support/numeric-props';

/**
 * Tokens are never checked and never break another check's arithmetic (issue #11). For EVERY
 * numeric input (number, Duration, Size) of EVERY exported construct — found in the TypeScript
 * source by numericPropsOfConstructs(), nested structs, lists, method options and factory options
 * included — one case below builds the construct with a CfnParameter token there and synthesizes.
 * The tripwire fails when a construct gains a numeric prop that has no case here.
 *
 * Each case also asserts the token reached the template as a token: a number token turned into a
 * string with String() (instead of Tokenization.stringifyNumber) shows up as its encoded double.
 */

type Kind = 'number' | 'Duration' | 'Size';
/** Builds the construct with the token at `path` (relative to the construct's props). */
type Build = (stack: Stack, path: string, value: any, n: number) => void;

const code = lambda.Code.fromInline('exports.handler = async () => undefined;');
const fn = { code, handler: 'index.handler' };
const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/busybox:stable');
const latency = { acceptableLatency: Duration.minutes(5), averageProcessingTime: Duration.seconds(30) };
const SCHEMA = `
type Order { id: ID! status: String! version: Int! updatedAt: AWSDateTime }
type OrderStatusEvent { id: ID! status: String! publishedAt: AWSDateTime }
type OrderPage { items: [Order!]! nextToken: String nextSince: AWSDateTime! }
type Query { order(id: ID!): Order ordersChangedSince(since: AWSDateTime!, limit: Int, nextToken: String): OrderPage! }
type Mutation { publishOrderStatus(id: ID!, status: String!, publishedAt: AWSDateTime): OrderStatusEvent }
type Subscription { onOrderStatus(id: ID): OrderStatusEvent @aws_subscribe(mutations: ["publishOrderStatus"]) }
`;

/**
 * What a prop needs beside it to be meaningful at all (any value, not only a token): set with it.
 * E.g. `dataKeyReuse` only exists with KMS encryption, `dailyQuota` only with API keys.
 */
const SIBLINGS: Record<string, object> = {
  dataKeyReuse: { encryption: QueueEncryption.KMS },
  dailyQuota: { authorization: FrontDoorAuthorization.API_KEY },
};

/** Sets `path` (`a.b.c`, `list[].x` = the first element) in a copy of `base`, with the leaf's SIBLINGS. */
function set(base: any, path: string, value: unknown): any {
  const [head, ...rest] = path.split('.');
  if (rest.length === 0 && !head.endsWith('[]') && SIBLINGS[head]) return { ...(base ?? {}), ...SIBLINGS[head], [head]: value };
  const copy = Array.isArray(base) ? [...base] : { ...(base ?? {}) };
  if (head.endsWith('[]')) {
    const key = head.slice(0, -2);
    const list = [...(copy[key] ?? [{}])];
    list[0] = rest.length ? set(list[0], rest.join('.'), value) : value;
    copy[key] = list;
  } else {
    copy[head] = rest.length ? set(copy[head], rest.join('.'), value) : value;
  }
  return copy;
}
/** `method(param).rest` → its parts. */
function call(path: string): { method: string; param: string; rest: string } | undefined {
  const m = /^(\w+)\((\w+)\)\.(.+)$/.exec(path);
  return m ? { method: m[1], param: m[2], rest: m[3] } : undefined;
}
const under = (path: string, prefix: string) => path.startsWith(prefix) ? path.slice(prefix.length) : undefined;

/** Durations a prop takes in a unit other than seconds (as its docs say), by the end of its path. */
/**
 * A token Duration can only be read in the unit it was made in (CDK cannot convert a token), so
 * each case uses the unit the construct reads the prop in (its docs say which): minutes for
 * schedules and alarm periods, hours for a stream's retention, days for an archive's,
 * milliseconds for latency thresholds and API Gateway timeouts; seconds otherwise.
 */
const DURATION_UNITS: Array<[RegExp, (n: number) => Duration]> = [
  [/^StreamPipeline\.retentionPeriod$/, Duration.hours],
  [/^EventRouter\.archive\.retention$/, Duration.days],
  [/(controlInterval|atMaxWorkersAlarmPeriod|^ScheduledJob\.rate|flexibleWindow)$/, Duration.minutes],
  [/(latencyThreshold|P99Threshold|integrationTimeout|acceptableLatency|averageProcessingTime|maxIteratorAge)$/, Duration.millis],
];
function tokenValue(construct: string, path: string, kind: Kind, n: number): unknown {
  if (kind === 'number') return n;
  if (kind === 'Size') return Size.mebibytes(n);
  const unit = DURATION_UNITS.find(([re]) => re.test(`${construct}.${path}`));
  return (unit ? unit[1] : Duration.seconds)(n);
}

// ---- builders, one per construct ----

const secureQueue: Build = (s, p, v) => { new SecureQueue(s, 'Q', set({}, p, v)); };
const secureTopic: Build = (s, p, v) => { new SecureTopic(s, 'T', set({ deliveryStatusLogging: { protocols: [sns.LoggingProtocol.SQS] } }, p, v)); };

const subscriberBase = (p: string) => (p.startsWith('consumer.') ? { consumer: fn } : {});
const topicFanOut: Build = (s, p, v) => {
  const add = call(p);
  if (add) {
    const t = new TopicFanOut(s, 'T');
    t.addSubscriber('A', set(subscriberBase(add.rest), add.rest, v));
    return;
  }
  const sub = under(p, 'subscribers[].');
  if (sub !== undefined) { new TopicFanOut(s, 'T', { subscribers: [set({ name: 'A', ...subscriberBase(sub) }, sub, v)] }); return; }
  if (p.startsWith('topicProps.deliveryStatusLogging')) { new TopicFanOut(s, 'T', set({ topicProps: { deliveryStatusLogging: { protocols: [sns.LoggingProtocol.SQS] } } }, p, v)); return; }
  new TopicFanOut(s, 'T', set({ subscribers: [{ name: 'A', filterPolicy: { tier: sns.SubscriptionFilter.stringFilter({ allowlist: ['high'] }) } }] }, p, v));
};
const fanOutSubscriber: Build = (s, p, v) => { new FanOutSubscriber(s, 'S', { topic: new sns.Topic(s, 'T'), ...set(subscriberBase(p), p, v) }); };

const table = (s: Stack) => new dynamodb.Table(s, 'Table', { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING } });
const writeBuffer: Build = (s, p, v) => {
  const base = p.startsWith('frontDoor.cors.') ? { frontDoor: { cors: { allowOrigins: ['https://shop.example.com'] } } }
    : p.startsWith('frontDoor.') ? { frontDoor: {} } : {};
  new WriteBuffer(s, 'B', { sink: WriteBufferSink.dynamoDb({ table: table(s) }), ...set(base, p, v) });
};

function ecsService(s: Stack): ecs.FargateService {
  const vpc = new ec2.Vpc(s, 'Vpc', { maxAzs: 1, natGateways: 0, subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
  const taskDefinition = new ecs.FargateTaskDefinition(s, 'Task');
  taskDefinition.addContainer('worker', { image });
  return new ecs.FargateService(s, 'Service', { cluster: new ecs.Cluster(s, 'Cluster', { vpc }), taskDefinition });
}
function isolatedVpc(s: Stack, subnetType = ec2.SubnetType.PRIVATE_ISOLATED): ec2.Vpc {
  return new ec2.Vpc(s, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'subnets', subnetType }] });
}
/** The scaling options a token at `leaf` needs beside it (target given, or latency + processing time). */
const scalingBase = (leaf: string) => (['acceptableLatency', 'averageProcessingTime', 'workerConcurrency'].includes(leaf) ? latency : { targetBacklogPerWorker: 5 });
const backlogScaling: Build = (s, p, v) => {
  const queue = new sqs.Queue(s, 'Jobs');
  if (p === 'instanceWarmup') { // EC2 fleets only
    const asg = new autoscaling.AutoScalingGroup(s, 'Asg', {
      vpc: isolatedVpc(s), instanceType: new ec2.InstanceType('t4g.small'), machineImage: ec2.MachineImage.latestAmazonLinux2023({ cpuType: ec2.AmazonLinuxCpuType.ARM_64 }),
    });
    new BacklogScaling(s, 'Scaling', { queue, autoScalingGroup: asg, ...set(scalingBase(p), p, v) });
    return;
  }
  new BacklogScaling(s, 'Scaling', { queue, service: ecsService(s), ...set(scalingBase(p), p, v) });
};
const workerProps = (p: string, v: unknown) => {
  const leaf = under(p, 'scaling.');
  return leaf !== undefined ? { scaling: set(scalingBase(leaf), leaf, v) } : { scaling: { targetBacklogPerWorker: 5 }, ...set({}, p, v) };
};
const queueWorkerService: Build = (s, p, v) => {
  // Fargate sizes: a token cpu with the default memory, a token memory with the default cpu (never compared).
  new QueueWorkerService(s, 'Workers', { image, ...workerProps(p, v) });
};
const queueWorkerAsg: Build = (s, p, v) => {
  new QueueWorkerAutoScalingGroup(s, 'Workers', { vpc: isolatedVpc(s, ec2.SubnetType.PUBLIC), startCommands: ['run-worker'], ...workerProps(p, v) });
};

const streamPipeline: Build = (s, p, v) => {
  let base: any = { consumer: fn };
  if (p === 'shardCount' || p.startsWith('expectedWrite')) base = { streamMode: kinesis.StreamMode.PROVISIONED };
  if (p.startsWith('archive.')) base = { archive: {} };
  new StreamPipeline(s, 'Clicks', set(base, p, v));
};

/** A route target built by its factory with the token in its options (`queue(options).maxEventAge`). */
function routeTarget(s: Stack, factory: string, param: string, leaf: string, v: unknown): RouteTarget {
  const opts = (o: object = {}) => set(o, leaf, v);
  switch (factory) {
    case 'queue': return RouteTarget.queue(new sqs.Queue(s, 'TargetQueue'), opts());
    case 'lambda': return param === 'consumer' ? RouteTarget.lambda(opts(fn)) : RouteTarget.lambda(fn, opts());
    case 'topic': return RouteTarget.topic(new sns.Topic(s, 'TargetTopic'), opts());
    case 'stateMachine': return RouteTarget.stateMachine(new sfn.StateMachine(s, 'TargetSm', { definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(s, 'P')) }), opts());
    case 'eventBus': return RouteTarget.eventBus(new events.EventBus(s, 'TargetBus'), opts());
    case 'apiDestination': return RouteTarget.apiDestination(opts({ endpoint: 'https://example.com/hook', apiKeyName: 'x-api-key', apiKeyValue: SecretValue.unsafePlainText('test') }) as any);
    default: throw new Error(`no route target factory ${factory} in this test: add it`);
  }
}
/** A route with the token at `p` (relative to the route's props). */
function routeProps(s: Stack, p: string, v: unknown): any {
  const t = /^targets\[\]\.(\w+)\((\w+)\)\.(.+)$/.exec(p);
  if (t) return { pattern: { source: ['shop'] }, targets: [routeTarget(s, t[1], t[2], t[3], v)] };
  return set({ pattern: { source: ['shop'] }, targets: [RouteTarget.queue(new sqs.Queue(s, 'TargetQueue'))] }, p, v);
}
const eventRouter: Build = (s, p, v) => {
  const add = call(p);
  if (add && add.method === 'addRoute') { new EventRouter(s, 'Router').addRoute('orders', routeProps(s, add.rest, v)); return; }
  const route = under(p, 'routes[].');
  if (route !== undefined) { new EventRouter(s, 'Router', { routes: [{ name: 'orders', ...routeProps(s, route, v) }] }); return; }
  if (p.startsWith('archive.')) { new EventRouter(s, 'Router', set({ archive: {} }, p, v)); return; }
  new EventRouter(s, 'Router', { ...set({}, p, v), routes: [{ name: 'orders', ...routeProps(s, 'description', 'x') }] });
};
const eventRoute: Build = (s, p, v) => { new EventRouter(s, 'Router').addRoute('orders', routeProps(s, p, v)); };

const scheduledJob: Build = (s, p, v) => {
  const target = /^target\.lambda\(consumer\)\.(.+)$/.exec(p);
  if (target) { new ScheduledJob(s, 'Job', { cronExpression: '0 21 * * ? *', target: ScheduledJobTarget.lambda(set(fn, target[1], v)) }); return; }
  const options = /^target\.lambda\(options\)\.(.+)$/.exec(p);
  if (options) { new ScheduledJob(s, 'Job', { cronExpression: '0 21 * * ? *', target: ScheduledJobTarget.lambda(fn, undefined, set({}, options[1], v)) }); return; }
  const when = p === 'rate' ? {} : { cronExpression: '0 21 * * ? *' };
  new ScheduledJob(s, 'Job', { ...when, target: ScheduledJobTarget.lambda(fn), ...set({}, p, v) });
};

function ordersTable(s: Stack): dynamodb.Table {
  const t = new dynamodb.Table(s, 'Orders', { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING }, billingMode: dynamodb.BillingMode.PAY_PER_REQUEST });
  t.addGlobalSecondaryIndex({ indexName: 'byUpdatedAt', partitionKey: { name: 'changeFeed', type: dynamodb.AttributeType.STRING }, sortKey: { name: 'updatedAt', type: dynamodb.AttributeType.STRING } });
  return t;
}
const api = (s: Stack, props: object = {}) => new RealtimeApi(s, 'Live', { schema: RealtimeSchema.fromString(SCHEMA), ...props });
const eventsOptions = (s: Stack) => ({
  eventBus: new events.EventBus(s, 'Bus'), eventPattern: { source: ['shop'] }, mutationField: 'publishOrderStatus', variables: { id: '$.detail.id', status: '$.detail.status' },
});
const realtimeApi: Build = (s, p, v) => {
  const m = call(p);
  if (!m) { api(s, set({}, p, v)); return; }
  if (m.method === 'addTable') { realtimeTable(s, m.rest, v, 0); return; }
  if (m.method === 'addLambdaDataSource') { api(s).addLambdaDataSource('Fn', set(fn, m.rest, v)); return; }
  if (m.method === 'routeEventsToSubscribers') { api(s).routeEventsToSubscribers('Events', set(eventsOptions(s), m.rest, v)); return; }
  throw new Error(`no case for RealtimeApi.${m.method} in this test: add it`);
};
const realtimeTable: Build = (s, p, v) => {
  // The change feed's settings are read by the delta query's resolver: resolve one.
  api(s).addTable('Orders', set({ existingTable: ordersTable(s), changeFeed: { indexName: 'byUpdatedAt' } }, p, v)).resolveChangesSince('Query', 'ordersChangedSince');
};
const eventsToSubscribers: Build = (s, p, v) => { api(s).routeEventsToSubscribers('Events', set(eventsOptions(s), p, v)); };

/** A FrontDoor route built by its factory with the token in its options. */
function doorRoute(s: Stack, factory: string, leaf: string, v: unknown, path = 'orders'): FrontDoorRoute {
  const o = (extra: object) => set({ path, ...extra }, leaf, v);
  switch (factory) {
    case 'toQueue': return FrontDoorRoute.toQueue(o({ queue: new sqs.Queue(s, `Q${path}`) }));
    case 'toStream': return FrontDoorRoute.toStream(o({ stream: new kinesis.Stream(s, `K${path}`, { encryption: kinesis.StreamEncryption.MANAGED }), partitionKey: FrontDoorValue.requestId() }));
    case 'toEventBus': return FrontDoorRoute.toEventBus(o({ eventBus: new events.EventBus(s, `B${path}`), source: 'shop', detailType: 'OrderPlaced' }));
    case 'toWorkflow': return FrontDoorRoute.toWorkflow(o({
      stateMachine: new sfn.StateMachine(s, `W${path}`, { stateMachineType: sfn.StateMachineType.EXPRESS, definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(s, `P${path}`)) }),
    }));
    default: throw new Error(`no FrontDoorRoute.${factory} in this test: add it`);
  }
}
const frontDoor: Build = (s, p, v) => {
  const r = /^(routes\[\]|addRoute\(route\))\.(\w+)\(options\)\.(.+)$/.exec(p);
  if (r && r[1] === 'routes[]') { new FrontDoor(s, 'Door', { routes: [doorRoute(s, r[2], r[3], v)] }); return; }
  if (r) { new FrontDoor(s, 'Door', { routes: [doorRoute(s, 'toQueue', 'description', 'x', 'first')] }).addRoute(doorRoute(s, r[2], r[3], v)); return; }
  const base = p.startsWith('cors.') ? { cors: { allowOrigins: ['https://shop.example.com'] } } : {};
  new FrontDoor(s, 'Door', { routes: [doorRoute(s, 'toQueue', 'description', 'x')], ...set(base, p, v) });
};

const chain = (s: Stack) => new sfn.Pass(s, 'Prepare').next(new sfn.Succeed(s, 'Done'));
const starter = (s: Stack, method: string, p: string, v: unknown) => {
  const wf = new Workflow(s, 'Orders', { definition: chain(s) });
  if (method === 'startFromQueue') wf.startFromQueue('FromQueue', set({}, p, v));
  else if (method === 'startOnSchedule') wf.startOnSchedule('Nightly', set({ scheduleExpression: 'rate(1 day)' }, p, v));
  else if (method === 'startOnEvent') wf.startOnEvent('OnEvent', set({ eventBus: new events.EventBus(s, 'Bus'), eventPattern: { source: ['shop'] } }, p, v));
  else throw new Error(`no case for Workflow.${method} in this test: add it`);
};
const workflow: Build = (s, p, v) => {
  const m = call(p);
  if (m) { starter(s, m.method, m.rest, v); return; }
  new Workflow(s, 'Orders', { definition: chain(s), ...set({}, p, v) });
};

const task = (s: Stack, name: string) => new sfn.Parallel(s, name, { resultPath: sfn.JsonPath.DISCARD }).branch(new sfn.Pass(s, `${name} work`));
const saga: Build = (s, p, v) => {
  new Saga(s, 'Saga', {
    steps: [{ name: 'A', action: task(s, 'Do A'), compensation: task(s, 'Undo A') }, { name: 'B', action: task(s, 'Do B') }],
    ...set({}, p, v),
  });
};

/** How each exported construct is built with a token; sub-constructs through the method that makes them. */
const BUILDERS: Record<string, Build> = {
  SecureQueue: secureQueue,
  SecureTopic: secureTopic,
  TopicFanOut: topicFanOut,
  FanOutSubscriber: fanOutSubscriber,
  WriteBuffer: writeBuffer,
  WriteBufferFrontDoor: (s, p, v, n) => writeBuffer(s, `frontDoor.${p}`, v, n),
  BacklogScaling: backlogScaling,
  QueueWorkerService: queueWorkerService,
  QueueWorkerAutoScalingGroup: queueWorkerAsg,
  StreamPipeline: streamPipeline,
  EventRouter: eventRouter,
  EventRoute: eventRoute,
  ScheduledJob: scheduledJob,
  RealtimeApi: realtimeApi,
  RealtimeTable: realtimeTable,
  EventsToSubscribers: eventsToSubscribers,
  FrontDoor: frontDoor,
  Workflow: workflow,
  QueueStarter: (s, p, v) => starter(s, 'startFromQueue', p, v),
  ScheduleStarter: (s, p, v) => starter(s, 'startOnSchedule', p, v),
  EventStarter: (s, p, v) => starter(s, 'startOnEvent', p, v),
  Saga: saga,
};

/**
 * Numeric props that no value may take where they are (so no token either), with the rule that
 * says so. Everything else must accept a token.
 */
const REFUSED_FOR_ANY_VALUE: Record<string, string> = {
  'QueueWorkerService.queueProps.visibilityTimeout': 'QUEUE_WORKER_VISIBILITY_ON_QUEUE: set visibilityTimeout on the worker construct',
  'QueueWorkerAutoScalingGroup.queueProps.visibilityTimeout': 'QUEUE_WORKER_VISIBILITY_ON_QUEUE: set visibilityTimeout on the worker construct',
  'QueueWorkerService.scaling.workerConcurrency': 'QUEUE_WORKER_CONCURRENCY_IN_SCALING: set workerConcurrency on the worker construct',
  'QueueWorkerAutoScalingGroup.scaling.workerConcurrency': 'QUEUE_WORKER_CONCURRENCY_IN_SCALING: set workerConcurrency on the worker construct',
  'QueueWorkerService.scaling.instanceWarmup': 'BACKLOG_SCALING_WARMUP_ON_ECS: EC2 instances only',
  'QueueWorkerAutoScalingGroup.scaling.controlInterval': 'BACKLOG_SCALING_INTERVAL_ON_EC2: ECS services only',
  ...Object.fromEntries(['EventRouter.routes[].', 'EventRouter.addRoute(props).', 'EventRoute.'].flatMap(at => ['retryAttempts', 'maxEventAge'].map(leaf =>
    [`${at}targets[].eventBus(options).${leaf}`, 'EVENT_ROUTER_BUS_TARGET_RETRY: EventBridge retries bus-to-bus delivery itself']))),
};

/** Numeric props that only feed synth-time checks (quotas the rules compare against), so never reach the template. */
const SYNTH_TIME_ONLY = new Set([
  'TopicFanOut.maxFilterPolicies', 'StreamPipeline.expectedWriteBytesPerSecond', 'StreamPipeline.expectedWriteRecordsPerSecond', 'EventRouter.eventPatternSizeQuota',
]);

/** Architectures (Stacks) are left to their own tests: a CfnParameter must live in the stack being built. */
const isConstructUnderTest = (name: string) => !name.endsWith('Stack') && name !== 'PatternDashboard' && name !== 'WriteBufferSink';

const numericProps = numericPropsOfConstructs();
const cases = Object.entries(numericProps)
  .filter(([construct]) => isConstructUnderTest(construct))
  .flatMap(([construct, props]) => props.map(entry => {
    const [path, kind] = entry.split(': ') as [string, Kind];
    return { construct, path, kind };
  }))
  .filter(c => !REFUSED_FOR_ANY_VALUE[`${c.construct}.${c.path}`]);
// No numeric prop is refused because it is a token: one a construct derives a number from at
// synth (BacklogScaling's target backlog per worker) is computed at deploy or run time instead.
const accepted = cases;

describe('tripwire: every numeric prop of every construct has a token case', () => {
  test('the source still has the numeric props this test was written against (the walker works)', () => {
    expect(cases.length).toBeGreaterThan(200);
    expect(numericProps.StreamPipeline).toContain('consumer.memorySize: number');
    expect(numericProps.TopicFanOut).toContain('subscribers[].consumer.timeout: Duration');
    expect(numericProps.EventRouter).toContain('routes[].targets[].queue(options).maxEventAge: Duration');
  });

  test('every construct with numeric props has a builder here', () => {
    const missing = [...new Set(cases.map(c => c.construct))].filter(c => !BUILDERS[c]);
    expect(missing).toEqual([]);
  });

  test('every exemption still names a numeric prop', () => {
    const all = new Set(Object.entries(numericProps).flatMap(([c, ps]) => ps.map(e => `${c}.${e.split(': ')[0]}`)));
    expect(Object.keys(REFUSED_FOR_ANY_VALUE).filter(k => !all.has(k))).toEqual([]);
  });
});

describe('a CfnParameter token synthesizes in every numeric prop, and reaches the template as a token', () => {
  test.each(accepted.map(c => [`${c.construct}: ${c.path} (${c.kind})`, c] as const))('%s', (_name, c) => {
    const build = BUILDERS[c.construct];
    let tokenText = '';
    const template = expectNumberTokenAccepted((stack, n) => {
      tokenText = String(n);
      build(stack, c.path, tokenValue(c.construct, c.path, c.kind, n), n);
    });
    const json = JSON.stringify(template.toJSON());
    // A number token stringified with String() is an encoded double (about -1.888e+289), not a
    // reference; arithmetic on it gives other huge numbers. Neither may reach the template.
    expect(json).not.toContain(tokenText);
    expect(json.match(/-?\d\.\d+e\+[23]\d\d/g) ?? []).toEqual([]);
    // And the token reached the template (not replaced by a default), unless the prop only feeds synth-time checks.
    expect(json.includes('"Ref":"NumberParam"')).toBe(!SYNTH_TIME_ONLY.has(`${c.construct}.${c.path}`));
  });
});
