/**
 * Synth-time size checks of what a target sends, against AWS's own limits:
 * - EventRouter route targets (PutTargets `Target`, AWS's EventBridge API model
 *   events/2015-10-07): `Input` ≤ 8,192 characters, `InputTransformer.InputTemplate` 1–8,192,
 *   `InputPath` ≤ 256, `InputPathsMap` ≤ 100 entries.
 * - ScheduledJob PutEvents targets (Scheduler `EventBridgeParameters`: DetailType 1–128, Source
 *   1–256 and not `aws.`; PutEvents entry ≤ 256 KB = 262,144 bytes counted as EventBridge counts
 *   an entry: UTF-8 bytes of Source + DetailType + Detail).
 * Tokens (a resource reference, a CfnParameter) are never checked.
 */
import { CfnParameter, Duration, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { EventRouter, RouteTarget, ScheduledJob, ScheduledJobTarget, SecureQueue } from '../../src';
import { BadInputCase, expectBadInput, newStack, templateOf } from '../support';

const pattern: events.EventPattern = { source: ['prices'], detailType: ['PriceRecorded'] };
const queue = (s: Stack, id = 'Q') => new SecureQueue(s, id, { alarmsEnabled: false }).queue;
const route = (s: Stack, input: events.RuleTargetInput) =>
  new EventRouter(s, 'Router', { dashboardEnabled: false }).addRoute('R', { pattern, targets: [RouteTarget.queue(queue(s), { input })] });
/** `{"pad":"xxx…"}`: n characters in all. */
const padded = (n: number, char = 'x') => ({ pad: char.repeat(n - 10) });

const putEvents = (s: Stack, options: { source?: string; detailType?: string; detail?: scheduler.ScheduleTargetInput }) => {
  const router = new EventRouter(s, 'Router', { dashboardEnabled: false });
  return new ScheduledJob(s, 'Job', {
    rate: Duration.hours(1),
    target: ScheduledJobTarget.putEvents(router.eventBus, { source: options.source ?? 'prices.scheduler', detailType: options.detailType ?? 'FetchPrices', detail: options.detail }),
  });
};
// 'prices.scheduler' (16 bytes) + 'FetchPrices' (11 bytes) + detail.
const ENVELOPE = 27;

function targetInputOf(stack: Stack): Record<string, unknown> {
  const rules = templateOf(stack).findResources('AWS::Events::Rule');
  return (Object.values(rules)[0] as { Properties: { Targets: Array<Record<string, unknown>> } }).Properties.Targets[0];
}

describe('EventRouter: a target input within AWS\'s limits', () => {
  test('exactly 8,192 characters of Input synthesize, and the template holds what was measured', () => {
    const stack = newStack();
    route(stack, events.RuleTargetInput.fromObject(padded(8192)));
    expect((targetInputOf(stack).Input as string).length).toBe(8192);
  });

  test('characters, not bytes: 8,192 two-byte characters synthesize', () => {
    const stack = newStack();
    route(stack, events.RuleTargetInput.fromText('é'.repeat(8190)));
    expect([...(targetInputOf(stack).Input as string)].length).toBe(8192); // the text is JSON-quoted
  });

  test('an input transformer template of exactly 8,192 characters synthesizes', () => {
    const stack = newStack();
    const symbol = events.EventField.fromPath('$.detail.symbol');
    // {"symbol":<detail-symbol>,"pad":"xxx"}
    const fixed = '{"symbol":<detail-symbol>,"pad":""}'.length;
    route(stack, events.RuleTargetInput.fromObject({ symbol, pad: 'x'.repeat(8192 - fixed) }));
    const transformer = targetInputOf(stack).InputTransformer as { InputTemplate: string };
    expect(transformer.InputTemplate.length).toBe(8192);
  });

  test('tokens are not checked: a resource reference or a CfnParameter inside a large input synthesizes', () => {
    const stack = newStack();
    const param = new CfnParameter(stack, 'Note', { type: 'String' }).valueAsString;
    const q = queue(stack, 'Other');
    const router = new EventRouter(stack, 'Router', { dashboardEnabled: false });
    router.addRoute('Ref', { pattern, targets: [RouteTarget.queue(queue(stack), { input: events.RuleTargetInput.fromObject({ url: q.queueUrl, ...padded(9000) }) })] });
    router.addRoute('Param', { pattern, targets: [RouteTarget.queue(queue(stack, 'Q2'), { input: events.RuleTargetInput.fromText(`${param}${'x'.repeat(9000)}`) })] });
    expect(() => templateOf(stack)).not.toThrow();
  });
});

describe('ScheduledJob PutEvents: an entry within 256 KB', () => {
  test('exactly 262,144 bytes (Source + DetailType + Detail) synthesize', () => {
    const stack = newStack();
    putEvents(stack, { detail: scheduler.ScheduleTargetInput.fromObject(padded(262_144 - ENVELOPE)) });
    const [schedule] = Object.values(templateOf(stack).findResources('AWS::Scheduler::Schedule')) as Array<{ Properties: { Target: { Input: string } } }>;
    expect(Buffer.byteLength(schedule.Properties.Target.Input, 'utf8') + ENVELOPE).toBe(262_144);
  });

  test('tokens are not checked: a detail with a CfnParameter, or a source that is one', () => {
    const stack = newStack();
    const param = new CfnParameter(stack, 'Note', { type: 'String' }).valueAsString;
    putEvents(stack, { detail: scheduler.ScheduleTargetInput.fromObject({ note: param, ...padded(300_000) }) });
    const stack2 = newStack();
    putEvents(stack2, { source: new CfnParameter(stack2, 'Source', { type: 'String' }).valueAsString, detail: scheduler.ScheduleTargetInput.fromObject(padded(300_000)) });
    expect(() => templateOf(stack)).not.toThrow();
    expect(() => templateOf(stack2)).not.toThrow();
  });
});

describe('bad input: target inputs over AWS\'s limits', () => {
  const cases: BadInputCase[] = [
    {
      build: s => route(s, events.RuleTargetInput.fromObject(padded(8193))),
      path: 'TestStack/Router',
      code: 'EVENT_ROUTER_TARGET_INPUT_SIZE',
      prop: 'routes[0].targets[0].input',
      value: '8,193 characters (the rendered Input)',
      allowed: '1 to 8,192 characters (AWS\'s limit on a rule target\'s Input)',
      fix: 'events.EventField',
    },
    {
      build: s => route(s, events.RuleTargetInput.fromObject({ symbol: events.EventField.fromPath('$.detail.symbol'), pad: 'x'.repeat(9000) })),
      path: 'TestStack/Router',
      code: 'EVENT_ROUTER_TARGET_INPUT_SIZE',
      prop: 'routes[0].targets[0].input',
      value: '9,035 characters (the rendered InputTransformer.InputTemplate)',
      allowed: 'InputTransformer.InputTemplate',
      fix: 'fromEventPath',
    },
    {
      build: s => route(s, events.RuleTargetInput.fromObject(Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`f${i}`, events.EventField.fromPath(`$.detail.f${i}`)])))),
      path: 'TestStack/Router',
      code: 'EVENT_ROUTER_TARGET_INPUT_FIELDS',
      prop: 'routes[0].targets[0].input',
      value: '101 event fields',
      allowed: 'at most 100 fields',
      fix: 'fewer events.EventField paths',
    },
    {
      build: s => route(s, events.RuleTargetInput.fromEventPath(`$.detail.${'a'.repeat(250)}`)),
      path: 'TestStack/Router',
      code: 'EVENT_ROUTER_TARGET_INPUT_PATH',
      prop: 'routes[0].targets[0].input',
      value: 'InputPath of 259 characters',
      allowed: 'at most 256 characters',
      fix: 'shorter JSON path',
    },
    {
      build: s => new EventRouter(s, 'Router', { dashboardEnabled: false }).addRoute('R', {
        pattern,
        targets: [RouteTarget.lambda({ code: lambda.Code.fromInline('exports.handler = async () => undefined;'), handler: 'index.handler' }, { input: events.RuleTargetInput.fromText('é'.repeat(8191)) })],
      }),
      path: 'TestStack/Router',
      code: 'EVENT_ROUTER_TARGET_INPUT_SIZE',
      prop: 'routes[0].targets[0].input',
      value: '8,193 characters',
      allowed: '1 to 8,192 characters',
      fix: 'events.EventField',
    },
    {
      build: s => putEvents(s, { detail: scheduler.ScheduleTargetInput.fromObject(padded(262_144 - ENVELOPE + 1)) }),
      path: 'TestStack/Job',
      code: 'SCHEDULED_JOB_PUT_EVENTS_SIZE',
      prop: 'target.detail',
      value: '262,145 bytes (Source + DetailType + Detail, UTF-8)',
      allowed: 'at most 262,144 bytes (256 KB',
      fix: 'S3',
    },
    {
      // Bytes, not characters: 131,100 two-byte characters are over 256 KB.
      build: s => putEvents(s, { detail: scheduler.ScheduleTargetInput.fromObject({ pad: 'é'.repeat(131_100) }) }),
      path: 'TestStack/Job',
      code: 'SCHEDULED_JOB_PUT_EVENTS_SIZE',
      prop: 'target.detail',
      value: `${(131_100 * 2 + 10 + ENVELOPE).toLocaleString('en-US')} bytes`,
      allowed: '262,144 bytes',
      fix: 'S3',
    },
    {
      build: s => putEvents(s, { source: 'aws.prices' }),
      path: 'TestStack/Job',
      code: 'SCHEDULED_JOB_PUT_EVENTS_SOURCE',
      prop: 'target.source',
      value: '"aws.prices" (10 characters)',
      allowed: 'not starting with "aws."',
      fix: 'prices.scheduler',
    },
    {
      build: s => putEvents(s, { detailType: 'D'.repeat(129) }),
      path: 'TestStack/Job',
      code: 'SCHEDULED_JOB_PUT_EVENTS_DETAIL_TYPE',
      prop: 'target.detailType',
      value: '129 characters',
      allowed: '1 to 128 characters',
      fix: 'shorten',
    },
    {
      build: s => putEvents(s, { detail: scheduler.ScheduleTargetInput.fromText('fetch now') }),
      path: 'TestStack/Job',
      code: 'SCHEDULED_JOB_PUT_EVENTS_DETAIL_JSON',
      prop: 'target.detail',
      value: '"fetch now" (not a JSON object)',
      allowed: 'a JSON object',
      fix: 'fromObject',
    },
  ];
  test.each(cases.map(c => [`${c.prop}: ${c.value}`, c] as const))('%s', (_name, c) => {
    expectBadInput(c);
  });
});
