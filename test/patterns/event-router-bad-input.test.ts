import { CfnParameter, Duration, SecretValue, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { EventRouter, RouteTarget, SecureQueue, SecureQueueProps } from '../../src';
import { BadInputCase, expectBadInput, newStack } from '../support';

// Issue #11, second pass: inputs AWS refuses (or that never work) which EventRouter used to accept
// silently or fail on with a raw aws-cdk-lib / JavaScript message.

const pattern: events.EventPattern = { source: ['prices'] };
const key = () => SecretValue.unsafePlainText('v');
function queue(stack: Stack, id = 'Target', props: SecureQueueProps = {}): sqs.IQueue {
  return new SecureQueue(stack, id, { alarmsEnabled: false, ...props }).queue;
}
const route = (s: Stack, targets: RouteTarget[], p: events.EventPattern = pattern, extra: object = {}) =>
  new EventRouter(s, 'Router').addRoute('R', { pattern: p, targets, ...extra });
const api = (extra: object) => RouteTarget.apiDestination({ endpoint: 'https://x.example.com/orders', apiKeyName: 'X-Api-Key', apiKeyValue: key(), ...extra });

describe('EventRouter bad input, second pass', () => {
  const cases: BadInputCase[] = [
    {
      build: s => route(s, [RouteTarget.queue(queue(s))], {}),
      path: 'TestStack/Router',
      code: 'EVENT_ROUTER_PATTERN_INVALID',
      prop: 'routes[0].pattern',
      value: '$ is empty',
      allowed: 'an EventBridge event pattern',
      fix: 'events.Match helpers',
    },
    {
      build: s => route(s, [RouteTarget.queue(queue(s))], { source: 'prices' as never }),
      path: 'TestStack/Router',
      code: 'EVENT_ROUTER_PATTERN_INVALID',
      prop: 'routes[0].pattern',
      value: '{ source: "prices" }: a field\'s values must be in an array',
      allowed: 'an EventBridge event pattern',
      fix: 'events.Match helpers',
    },
    {
      build: s => new EventRouter(s, 'Router', { archive: { pattern: { detail: { symbol: 'AMZN' as never } } } }),
      path: 'TestStack/Router',
      code: 'EVENT_ROUTER_ARCHIVE_PATTERN',
      prop: 'archive.pattern',
      value: '$.detail.symbol is "AMZN"',
      allowed: 'an EventBridge event pattern',
      fix: 'write archive.pattern with events.Match helpers',
    },
    {
      build: s => new EventRouter(s, 'Router', { archive: { pattern: {} } }),
      path: 'TestStack/Router',
      code: 'EVENT_ROUTER_ARCHIVE_PATTERN',
      prop: 'archive.pattern',
      value: '$ is empty',
      allowed: 'event pattern',
      fix: 'archive.pattern',
    },
    {
      build: s => new EventRouter(s, 'Router', { archive: { enabled: false, retention: Duration.days(7) } }),
      path: 'TestStack/Router',
      code: 'EVENT_ROUTER_ARCHIVE_DISABLED',
      prop: 'archive.retention',
      value: '7 days',
      allowed: 'no value when archive.enabled is false',
      fix: 'remove archive.retention',
    },
    {
      build: s => route(s, [RouteTarget.queue(queue(s))], pattern, { description: 'd'.repeat(513) }),
      path: 'TestStack/Router',
      code: 'EVENT_ROUTER_RULE_DESCRIPTION',
      prop: 'routes[0].description',
      value: '513 characters',
      allowed: 'at most 512 characters',
      fix: 'shorten routes[0].description',
    },
    {
      build: s => route(s, [RouteTarget.queue(queue(s, 'F', { fifo: true }), { messageGroupId: '' })]),
      path: 'TestStack/Router',
      code: 'EVENT_ROUTER_GROUP_ID_LENGTH',
      prop: 'routes[0].targets[0].messageGroupId',
      value: '"" (0 characters)',
      allowed: '1 to 128 characters',
      fix: 'events.EventField.fromPath',
    },
    {
      build: s => route(s, [RouteTarget.queue(queue(s, 'F', { fifo: true }), { messageGroupId: 'g'.repeat(129) })]),
      path: 'TestStack/Router',
      code: 'EVENT_ROUTER_GROUP_ID_LENGTH',
      prop: 'routes[0].targets[0].messageGroupId',
      value: '(129 characters)',
      allowed: '1 to 128 characters',
      fix: 'short literal',
    },
    {
      build: s => route(s, [RouteTarget.queue(queue(s), { maxEventAge: Duration.millis(90_500) })]),
      path: 'TestStack/Router',
      code: 'EVENT_ROUTER_MAX_EVENT_AGE',
      prop: 'routes[0].targets[0].maxEventAge',
      value: '90500 ms',
      allowed: 'whole seconds',
      fix: 'Duration.seconds(90)',
    },
    {
      // NaN must get our message, not aws-cdk-lib's (the whole-seconds rule must not break on it).
      build: s => route(s, [RouteTarget.queue(queue(s), { maxEventAge: Duration.seconds(NaN) })]),
      path: 'TestStack/Router',
      code: 'EVENT_ROUTER_MAX_EVENT_AGE',
      prop: 'routes[0].targets[0].maxEventAge',
      value: 'Duration.seconds(NaN)',
      allowed: '1 minute (60 s) to 1 day',
      fix: 'maxEventAge',
    },
    {
      build: s => route(s, [RouteTarget.queue(queue(s), { deadLetterQueue: new sqs.Queue(s, 'Dlq', { fifo: true, enforceSSL: true }) })]),
      path: 'TestStack/Router',
      code: 'EVENT_ROUTER_DLQ_FIFO',
      prop: 'routes[0].targets[0].deadLetterQueue',
      value: 'TestStack/Dlq (a FIFO queue)',
      allowed: 'a standard SQS queue',
      fix: 'give routes[0].targets[0].deadLetterQueue a standard queue',
    },
    {
      build: s => route(s, [RouteTarget.queue(queue(s), { deadLetterQueue: sqs.Queue.fromQueueArn(s, 'Dlq', 'arn:aws:sqs:eu-west-1:111111111111:dlq') })]),
      path: 'TestStack/Router',
      code: 'EVENT_ROUTER_DLQ_REGION',
      prop: 'routes[0].targets[0].deadLetterQueue',
      value: '(region eu-west-1, the rule is in us-east-1)',
      allowed: 'a queue in the rule\'s region',
      fix: 'create the dead-letter queue in us-east-1',
    },
    {
      build: s => route(s, [RouteTarget.queue(queue(s), { deadLetterQueue: new sqs.Queue(s, 'Dlq', { encryption: sqs.QueueEncryption.KMS_MANAGED, enforceSSL: true }) })]),
      path: 'TestStack/Router',
      code: 'EVENT_ROUTER_DLQ_AWS_MANAGED_KEY',
      prop: 'routes[0].targets[0].deadLetterQueue',
      value: 'alias/aws/sqs',
      allowed: 'SQS-managed encryption',
      fix: 'sqs.QueueEncryption.SQS_MANAGED',
    },
    {
      build: s => route(s, [api({ endpoint: `https://x.example.com/${'a'.repeat(2100)}` })]),
      path: 'TestStack/Router',
      code: 'EVENT_ROUTER_API_ENDPOINT',
      prop: 'routes[0].targets[0].endpoint',
      value: '2,122 characters',
      allowed: 'at most 2,048 characters',
      fix: 'shorten',
    },
    {
      build: s => route(s, [api({ apiKeyName: '' })]),
      path: 'TestStack/Router',
      code: 'EVENT_ROUTER_API_KEY_NAME',
      prop: 'routes[0].targets[0].apiKeyName',
      value: '""',
      allowed: '1 to 512 characters',
      fix: 'X-Api-Key',
    },
    {
      build: s => route(s, [api({ apiKeyName: 'X:Key' })]),
      path: 'TestStack/Router',
      code: 'EVENT_ROUTER_API_KEY_NAME',
      prop: 'routes[0].targets[0].apiKeyName',
      value: '"X:Key"',
      allowed: 'without control characters or ":"',
      fix: 'header the API reads the key from',
    },
    {
      build: s => route(s, [api({ connection: new events.Connection(s, 'C', { authorization: events.Authorization.apiKey('k', key()) }) })]),
      path: 'TestStack/Router',
      code: 'EVENT_ROUTER_API_KEY_WITH_CONNECTION',
      prop: 'routes[0].targets[0].apiKeyName',
      value: 'X-Api-Key',
      allowed: 'no value when connection is given',
      fix: 'remove routes[0].targets[0].apiKeyName',
    },
    {
      build: s => route(s, [api({ headerParameters: { 'Order Id': '$.detail.id' } })]),
      path: 'TestStack/Router',
      code: 'EVENT_ROUTER_API_HEADER_NAME',
      prop: 'routes[0].targets[0].headerParameters',
      value: 'header name "Order Id"',
      allowed: 'HTTP header names of 1 to 512 token characters',
      fix: 'rename the header',
    },
    {
      build: s => route(s, [api({ endpoint: 'https://x.example.com/orders/*' })]),
      path: 'TestStack/Router',
      code: 'EVENT_ROUTER_API_PATH_PARAMETERS',
      prop: 'routes[0].targets[0].pathParameterValues',
      value: '0 values for 1 * in the endpoint',
      allowed: 'one value per *',
      fix: 'one value (or events.EventField path) per *',
    },
    {
      build: s => route(s, [api({ pathParameterValues: ['a'] })]),
      path: 'TestStack/Router',
      code: 'EVENT_ROUTER_API_PATH_PARAMETERS',
      prop: 'routes[0].targets[0].pathParameterValues',
      value: '1 values for 0 *',
      allowed: 'one value per *',
      fix: 'remove the * from the endpoint',
    },
    {
      build: s => new EventRouter(s, 'Router', { publisherAccounts: ['123456789012'], publisherSources: [] }),
      path: 'TestStack/Router',
      code: 'EVENT_ROUTER_PUBLISHER_SOURCES_EMPTY',
      prop: 'publisherSources',
      value: 'an empty list',
      allowed: 'at least one element',
      fix: 'name at least one source',
    },
    {
      build: s => new EventRouter(s, 'Router', { publisherAccounts: ['123456789012'], publisherSources: [''] }),
      path: 'TestStack/Router',
      code: 'EVENT_ROUTER_PUBLISHER_SOURCE',
      prop: 'publisherSources[0]',
      value: '"" (0 characters)',
      allowed: '1 to 256 characters',
      fix: 'correct publisherSources[0]',
    },
    {
      build: s => new EventRouter(s, 'Router').addRoute('Archive', { pattern, targets: [RouteTarget.queue(queue(s))] }),
      path: 'TestStack/Router',
      code: 'EVENT_ROUTER_ROUTE_NAME_TAKEN',
      prop: 'routes[0].name',
      value: '"Archive" (the router\'s own Archive',
      allowed: 'a name other than those of the router\'s own parts',
      fix: 'name the route',
    },
  ];
  test.each(cases.map(c => [`${c.code} ${c.prop}: ${c.value}`, c] as const))('%s', (_name, c) => {
    expectBadInput(c);
  });

  test('boundaries are accepted: 512-character description, 128-character group id, EventField group id, whole-second event age, matching path parameters, standard SSE-SQS DLQ', () => {
    const s = newStack();
    const r = new EventRouter(s, 'Router', { publisherAccounts: ['123456789012'], publisherSources: ['partner.orders'], archive: { pattern: { source: ['prices'] } } });
    r.addRoute('R', {
      pattern,
      description: 'd'.repeat(512),
      targets: [
        RouteTarget.queue(queue(s, 'F', { fifo: true }), { messageGroupId: 'g'.repeat(128) }),
        RouteTarget.queue(queue(s, 'G', { fifo: true }), { messageGroupId: events.EventField.fromPath('$.detail.symbol'), maxEventAge: Duration.seconds(91) }),
        RouteTarget.queue(queue(s), { deadLetterQueue: new sqs.Queue(s, 'Dlq', { encryption: sqs.QueueEncryption.SQS_MANAGED, enforceSSL: true }) }),
        api({ endpoint: 'https://x.example.com/orders/*', pathParameterValues: [events.EventField.fromPath('$.detail.id')], headerParameters: { 'X-Order-Id': '$.detail.id' } }),
      ],
    });
    r.addRoute('Bus2', { pattern, targets: [RouteTarget.queue(queue(s, 'H'))] });
    expect(() => Template.fromStack(s)).not.toThrow();
  });

  test('a CfnParameter token in messageGroupId, description, endpoint and publisherSources is not checked', () => {
    const s = newStack();
    const t = (id: string) => new CfnParameter(s, id, { type: 'String' }).valueAsString;
    const r = new EventRouter(s, 'Router', { publisherAccounts: ['123456789012'], publisherSources: [t('Src')] });
    r.addRoute('R', {
      pattern,
      description: t('Desc'),
      targets: [RouteTarget.queue(queue(s, 'F', { fifo: true }), { messageGroupId: t('Group') }), api({ endpoint: t('Endpoint') })],
    });
    expect(() => Template.fromStack(s)).not.toThrow();
  });

  test('tokens inside a route pattern (a numeric matcher\'s bound, a value, a whole field\'s list) are not checked and reach the rule', () => {
    const s = newStack();
    const threshold = new CfnParameter(s, 'Threshold', { type: 'Number' }).valueAsNumber;
    const symbol = new CfnParameter(s, 'Symbol', { type: 'String' }).valueAsString;
    const sources = new CfnParameter(s, 'Sources', { type: 'CommaDelimitedList' }).valueAsList;
    const r = new EventRouter(s, 'Router');
    r.addRoute('Alerts', {
      pattern: { source: sources, detail: { changePercent: events.Match.greaterThanOrEqual(threshold), symbol: [symbol] } },
      targets: [RouteTarget.queue(queue(s))],
    });
    const [rule] = Object.values(Template.fromStack(s).findResources('AWS::Events::Rule'));
    expect(rule.Properties.EventPattern).toEqual({
      source: { Ref: 'Sources' },
      detail: { changePercent: [{ numeric: ['>=', { Ref: 'Threshold' }] }], symbol: [{ Ref: 'Symbol' }] },
    });
  });

  test('a literal numeric bound is still checked next to the token rule', () => {
    expectBadInput({
      build: st => route(st, [RouteTarget.queue(queue(st))], { detail: { n: [{ numeric: ['>=', 'ten'] }] } } as unknown as events.EventPattern),
      path: 'TestStack/Router',
      code: 'EVENT_ROUTER_PATTERN_INVALID',
      prop: 'routes[0].pattern',
      value: 'numeric[1] must be a finite number',
      allowed: 'an EventBridge event pattern',
      fix: 'events.Match helpers',
    } as BadInputCase);
  });
});

// Issue #11, third pass: matcher values event-ruler refuses (the golden test runs each through event-ruler).
describe('EventRouter route pattern matcher values', () => {
  const bad = (detail: unknown, value: string): BadInputCase => ({
    build: st => route(st, [RouteTarget.queue(queue(st))], { source: ['prices'], detail } as unknown as events.EventPattern),
    path: 'TestStack/Router',
    code: 'EVENT_ROUTER_PATTERN_INVALID',
    prop: 'routes[0].pattern',
    value,
    allowed: 'an EventBridge event pattern',
    fix: 'events.Match helpers',
  });
  test.each([
    [{ s: [{ 'anything-but': [] }] }, '$.detail.s[0].anything-but is an empty list'],
    [{ s: [{ 'anything-but': [1, 'a'] }] }, 'must list only strings or only numbers'],
    [{ s: [{ 'anything-but': { exists: false } }] }, 'is not supported inside anything-but'],
    [{ s: [{ 'anything-but': { prefix: '' } }] }, 'anything-but.prefix is empty'],
    [{ ip: [{ cidr: '10.0.0.0/33' }] }, 'is not a CIDR block'],
    [{ ip: [{ cidr: '10.0.0.0' }] }, 'is not a CIDR block'],
    [{ s: [{ wildcard: 'a**b' }] }, 'two consecutive *'],
    [{ s: [{ 'equals-ignore-case': 5 }] }, 'equals-ignore-case must be a string'],
    [{ s: [{ prefix: 5 }] }, 'must be a string or { "equals-ignore-case": string }'],
    [{ n: [{ numeric: ['>', 5, '<', 2] }] }, 'is an empty range'],
    [{ n: [{ numeric: ['<', 1, '>=', 0] }] }, 'must be a lower bound (> or >=) then an upper bound'],
  ])('%j is refused: %s', (detail, value) => {
    expectBadInput(bad(detail, value));
  });

  test('accepted boundaries: what event-ruler accepts synthesizes', () => {
    const s = newStack();
    route(s, [RouteTarget.queue(queue(s))], {
      source: events.Match.prefix(''),
      detail: {
        ip: [{ cidr: '10.0.0.0/31' }, { cidr: '2001:db8::/127' }],
        s: [{ wildcard: 'a*\\**b' }, { 'anything-but': { prefix: ['a'] } }, { 'anything-but': ['a', ''] }, { suffix: { 'equals-ignore-case': '.PNG' } }],
        n: [{ numeric: ['>=', 1, '<', 1.0001] }],
      },
    } as unknown as events.EventPattern);
    Template.fromStack(s).resourceCountIs('AWS::Events::Rule', 1);
  });

  test('tokens inside matcher values are never checked', () => {
    const s = newStack();
    const ip = new CfnParameter(s, 'Cidr').valueAsString;
    const lo = new CfnParameter(s, 'Lo', { type: 'Number' }).valueAsNumber;
    route(s, [RouteTarget.queue(queue(s))], {
      detail: { ip: [{ cidr: ip }], n: [{ numeric: ['>', lo, '<', 2] }], s: [{ 'anything-but': { prefix: ip } }, { wildcard: ip }] },
    } as unknown as events.EventPattern);
    Template.fromStack(s).resourceCountIs('AWS::Events::Rule', 1);
  });
});
