import { App, CfnParameter, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import {
  ClickstreamStack, DailyPriceStack, IngestApiStack, LiveOrdersStack, MessageBackboneStack, OrderFanOutStack, OrderIntakeStack, OrderSagaStack,
  VideoProcessingStack,
} from '../../src';
import { newApp, TEST_ENV } from '../support';
import { numericPropsOfConstructs } from '../support/numeric-props';

/**
 * The token tripwire for the reference architectures' OWN props (issue #11; the patterns' are in
 * test/core/token-coverage.test.ts). For EVERY numeric input (number, Duration, Size; nested
 * too: `consumer.maxConcurrency`, `scaling.maxWorkers`) of EVERY exported Stack class, found in
 * the source by numericPropsOfConstructs(), one case below builds the stack with a token there
 * and synthesizes it; a new numeric stack prop without a case fails the tripwire.
 *
 * The token is a CfnParameter OF THE STACK BEING BUILT (one from another stack would be a
 * cross-stack reference). A stack's parameter can only be made once the stack exists, and its
 * constructor reads the props right after `super()`: so the prop is a getter that makes the
 * parameter in the stack on first read and returns its `valueAsNumber` (or a Duration of it).
 * The constructor sees exactly what a user's `param.valueAsNumber` gives. Each case asserts the
 * parameter's Ref reaches the template, and that no encoded double (a token turned into text
 * with String() where CDK does not resolve it, or arithmetic on a token) does.
 */

type Kind = 'number' | 'Duration' | 'Size';
const env = TEST_ENV;

/**
 * Sets `path` (`a.b.c`) in a copy of `base` to a getter, read when the stack reads the prop (so
 * the props object is built here, never spread after: a spread would read it too early).
 */
function set(base: any, path: string, get: () => unknown): any {
  const [head, ...rest] = path.split('.');
  const copy = { ...(base ?? {}) };
  if (rest.length) copy[head] = set(copy[head], rest.join('.'), get);
  else Object.defineProperty(copy, head, { get, enumerable: true, configurable: true });
  return copy;
}

/**
 * A token Duration can only be read in the unit it was made in (CDK cannot convert a token):
 * minutes for the fleet's control interval and alarm period (as BacklogScaling reads them),
 * milliseconds for latency; seconds otherwise (function timeouts, batching windows, visibility,
 * heartbeat, record age, buffering interval, the saga's settlement wait).
 */
const DURATION_UNITS: Array<[RegExp, (n: number) => Duration]> = [
  [/(controlInterval|atMaxWorkersAlarmPeriod)$/, Duration.minutes],
  [/(acceptableLatency|averageProcessingTime)$/, Duration.millis],
];
function tokenValue(path: string, kind: Kind, n: number): unknown {
  if (kind === 'number') return n;
  if (kind === 'Size') throw new Error(`no Size props on the stacks when this test was written (${path}): add the unit it is read in`);
  const unit = DURATION_UNITS.find(([re]) => re.test(path));
  return (unit ? unit[1] : Duration.seconds)(n);
}

/** Builds the stack (id `Arch`) with `get` as the getter at `path` of its props. */
type Build = (app: App, path: string, get: () => unknown) => Stack;
const quoteEndpoint = 'https://quotes.example.com/v1/quote';
/** Scaling options a token at `scaling.<leaf>` needs beside it (a target given, or latency + processing time). */
const scalingBase = (leaf: string) => (['acceptableLatency', 'averageProcessingTime'].includes(leaf)
  ? { acceptableLatency: Duration.minutes(10), averageProcessingTime: Duration.minutes(1) } : { targetBacklogPerWorker: 5 });
const video = (deployWorkers: boolean): Build => (app, p, v) => {
  const leaf = p.startsWith('scaling.') ? p.slice('scaling.'.length) : undefined;
  const base = leaf !== undefined ? { scaling: scalingBase(leaf) } : {};
  return new VideoProcessingStack(app, 'Arch', set({ env, deployWorkers, ...base }, p, v));
};

const BUILDERS: Record<string, Build> = {
  MessageBackboneStack: (app, p, v) => new MessageBackboneStack(app, 'Arch', set({ env }, p, v)),
  OrderFanOutStack: (app, p, v) => new OrderFanOutStack(app, 'Arch', set({ env }, p, v)),
  OrderIntakeStack: (app, p, v) => new OrderIntakeStack(app, 'Arch', set({ env }, p, v)),
  ClickstreamStack: (app, p, v) => new ClickstreamStack(app, 'Arch', set({ env }, p, v)),
  VideoProcessingStack: video(true),
  DailyPriceStack: (app, p, v) => new DailyPriceStack(app, 'Arch', set({ env, quoteEndpoint }, p, v)),
  LiveOrdersStack: (app, p, v) => new LiveOrdersStack(app, 'Arch', set({ env }, p, v)),
  IngestApiStack: (app, p, v) => new IngestApiStack(app, 'Arch', set({ env }, p, v)),
  OrderSagaStack: (app, p, v) => new OrderSagaStack(app, 'Arch', set({ env }, p, v)),
};

/**
 * Props a stack reads on another path too, with a builder for it: VideoProcessingStack without
 * its fleet (`deployWorkers: false`, what the local emulator deploys) writes the worker's
 * settings into the `WorkerEnvironment` output itself.
 */
const VARIANTS: Array<{ name: string; construct: string; props: string[]; build: Build }> = [
  {
    name: 'VideoProcessingStack (deployWorkers: false)',
    construct: 'VideoProcessingStack',
    props: ['outputWidth', 'workerConcurrency', 'visibilityTimeout', 'heartbeatInterval', 'frontEnd.memorySize', 'frontEnd.timeout'],
    build: video(false),
  },
];

/** Numeric props that no value may take where they are (so no token either), with the rule that says so. */
const REFUSED_FOR_ANY_VALUE: Record<string, string> = {
  'VideoProcessingStack.scaling.workerConcurrency': 'QUEUE_WORKER_CONCURRENCY_IN_SCALING: set workerConcurrency on the stack',
  'VideoProcessingStack.scaling.instanceWarmup': 'BACKLOG_SCALING_WARMUP_ON_ECS: the transcoders are an ECS service (EC2 instances only)',
};

const isStack = (name: string) => name.endsWith('Stack');
const numericProps = Object.fromEntries(Object.entries(numericPropsOfConstructs()).filter(([name]) => isStack(name)));
const all = Object.entries(numericProps).flatMap(([construct, props]) => props.map(entry => {
  const [path, kind] = entry.split(': ') as [string, Kind];
  return { name: construct, construct, path, kind, build: BUILDERS[construct] };
}));
const key = (c: { construct: string; path: string }) => `${c.construct}.${c.path}`;
const kindOf = (construct: string, path: string) => all.find(c => c.construct === construct && c.path === path)?.kind;
const variantCases = VARIANTS.flatMap(v => v.props.map(path =>
  ({ name: v.name, construct: v.construct, path, kind: kindOf(v.construct, path)!, build: v.build })));
const checked = all.filter(c => !REFUSED_FOR_ANY_VALUE[key(c)]);
const accepted = [...checked, ...variantCases];

/** Builds the stack with a token of its own at `path`: see the top of this file. */
function buildWithToken(build: Build, path: string, kind: Kind): { stack: Stack; tokenText: string } {
  const app = newApp(); // CDK's template validation on, as for every stack the tests build
  let param: CfnParameter | undefined;
  const tokenOfTheStack = () => {
    // The stack registered itself under the app in super(); its constructor is reading the props now.
    const stack = app.node.tryFindChild('Arch');
    if (!Stack.isStack(stack)) throw new Error(`${path} was read before the stack existed: this test cannot give it a token of the stack`);
    param ??= new CfnParameter(stack, 'NumberParam', { type: 'Number', default: 1 });
    return tokenValue(path, kind, param.valueAsNumber);
  };
  const stack = build(app, path, tokenOfTheStack);
  if (!param) throw new Error(`the stack never read ${path}: the prop is ignored`);
  return { stack, tokenText: String(param.valueAsNumber) };
}

describe('tripwire: every numeric prop of every reference-architecture stack has a token case', () => {
  test('the walker finds the stacks and their nested numeric props', () => {
    expect(Object.keys(numericProps).sort()).toEqual(Object.keys(BUILDERS).sort());
    expect(numericProps.VideoProcessingStack).toContain('scaling.maxWorkers: number');
    expect(numericProps.MessageBackboneStack).toContain('consumer.maxConcurrency: number');
    expect(all.length).toBeGreaterThan(40);
  });

  test('every stack with numeric props has a builder here', () => {
    expect([...new Set(all.map(c => c.construct))].filter(c => !BUILDERS[c])).toEqual([]);
  });

  test('every exemption and variant still names a numeric prop', () => {
    const names = new Set(all.map(key));
    const listed = [...Object.keys(REFUSED_FOR_ANY_VALUE), ...variantCases.map(key)];
    expect(listed.filter(k => !names.has(k))).toEqual([]);
  });
});

describe('a CfnParameter token of the stack synthesizes in every numeric stack prop, and reaches the template as a token', () => {
  test.each(accepted.map(c => [`${c.name}: ${c.path} (${c.kind})`, c] as const))('%s', (_name, c) => {
    const { stack, tokenText } = buildWithToken(c.build, c.path, c.kind);
    const json = JSON.stringify(Template.fromStack(stack).toJSON());
    // A number token turned into text with String() is an encoded double (about -1.888e+289);
    // arithmetic on it gives other huge numbers. Neither may reach the template.
    expect(json).not.toContain(tokenText);
    expect(json.match(/-?\d\.\d+e\+[23]\d\d/g) ?? []).toEqual([]);
    // The parameter's Ref reached the template: the prop was used, not replaced by a default.
    expect(json).toContain('{"Ref":"NumberParam"}');
  });
});

describe('a token where no value may go gets the rule that says so (not a crash)', () => {
  const refused = all.filter(c => REFUSED_FOR_ANY_VALUE[key(c)]);
  test.each(refused.map(c => [`${c.name}: ${c.path} (${c.kind})`, c] as const))('%s', (_name, c) => {
    const code = REFUSED_FOR_ANY_VALUE[key(c)].split(':')[0];
    expect(() => Template.fromStack(buildWithToken(c.build, c.path, c.kind).stack)).toThrow(`[${code}]`);
  });
});

describe('where the stack writes the token into text, the text is what the number gives', () => {
  /** The Alerts rule's EventPattern, with the parameter's Ref replaced by `value` (Fn::Join joined, JSON text parsed). */
  function alertsPattern(template: Template, value: number): unknown {
    const [pattern] = Object.entries(template.findResources('AWS::Events::Rule'))
      .filter(([id]) => id.includes('Alerts')).map(([, r]) => r.Properties.EventPattern);
    const resolve = (x: any): any => {
      if (x?.Ref === 'NumberParam') return String(value);
      if (x?.['Fn::Join']) return x['Fn::Join'][1].map(resolve).join(x['Fn::Join'][0]);
      return x;
    };
    const resolved = resolve(pattern);
    return typeof resolved === 'string' ? JSON.parse(resolved) : resolved;
  }

  test('DailyPriceStack: a token alertThresholdPercent gives the Alerts rule the pattern the number gives (both bounds, -threshold by CloudFormation)', () => {
    const { stack } = buildWithToken(BUILDERS.DailyPriceStack, 'alertThresholdPercent', 'number');
    const withToken = alertsPattern(Template.fromStack(stack), 7.5);
    const literal = new DailyPriceStack(newApp(), 'Arch', { env, quoteEndpoint, alertThresholdPercent: 7.5 });
    const expected = alertsPattern(Template.fromStack(literal), 7.5);
    expect(expected).toMatchObject({ detail: { changePercent: [{ numeric: ['>=', 7.5] }, { numeric: ['<=', -7.5] }] } });
    expect(withToken).toEqual(expected);
  });
});
