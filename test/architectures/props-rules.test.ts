import { App, Duration, Lazy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { ClickstreamStack, MessageBackboneStack, OrderFanOutStack, OrderIntakeStack } from '../../src';
import { expectBadInput } from '../support';

/** Each architecture checks its own props with its own rule table, at the stack's path, with the names its users write. */
const env = { account: '111111111111', region: 'us-east-1' };
const appOf = (s: Stack) => s.node.scope as App;
const backbone = (props: object) => (s: Stack) => { new MessageBackboneStack(appOf(s), 'Arch', { env, ...props }); };
const fanOut = (props: object) => (s: Stack) => { new OrderFanOutStack(appOf(s), 'Arch', { env, ...props }); };
const intake = (props: object) => (s: Stack) => { new OrderIntakeStack(appOf(s), 'Arch', { env, ...props }); };
const clicks = (props: object) => (s: Stack) => { new ClickstreamStack(appOf(s), 'Arch', { env, ...props }); };

// [name, build, code, prop, value, allowed, fix]
const cases: Array<[string, (s: Stack) => void, string, string, string, string, string]> = [
  ['backbone: consumer memory below 128 MB', backbone({ consumer: { memorySize: 100 } }), 'CONSUMER_MEMORY_SIZE', 'consumer.memorySize', '100 MB', 'from 128 to 10,240 MB', 'set consumer.memorySize'],
  ['backbone: consumer timeout NaN', backbone({ consumer: { timeout: Duration.seconds(NaN) } }), 'CONSUMER_TIMEOUT', 'consumer.timeout', 'Duration.seconds(NaN)', '1 second to 15 minutes', 'set consumer.timeout'],
  ['backbone: consumer batch size above 10 without a window', backbone({ consumer: { batchSize: 11, maxBatchingWindow: undefined } }), 'CONSUMER_BATCH_SIZE', 'consumer.batchSize', '11', 'from 1 to 10', 'set consumer.maxBatchingWindow'],
  ['backbone: consumer concurrency Infinity', backbone({ consumer: { maxConcurrency: Infinity } }), 'CONSUMER_MAX_CONCURRENCY', 'consumer.maxConcurrency', 'Infinity', 'from 2 to 1,000', 'set consumer.maxConcurrency'],
  ['backbone: maxReceiveCount 0', backbone({ maxReceiveCount: 0 }), 'ARCHITECTURE_MAX_RECEIVE_COUNT', 'maxReceiveCount', '0', 'from 1 to 1,000', 'set maxReceiveCount'],
  ['backbone: maxReceiveCount NaN', backbone({ maxReceiveCount: NaN }), 'ARCHITECTURE_MAX_RECEIVE_COUNT', 'maxReceiveCount', 'NaN', 'from 1 to 1,000', 'set maxReceiveCount'],
  ['order fan-out: fraudThreshold above what SNS compares', fanOut({ fraudThreshold: 2e9 }), 'ORDER_FAN_OUT_FRAUD_THRESHOLD', 'fraudThreshold', '2000000000', 'from -1,000,000,000 to 1,000,000,000', 'SNS numeric filters compare only within that range'],
  ['order fan-out: fraudThreshold NaN', fanOut({ fraudThreshold: NaN }), 'ORDER_FAN_OUT_FRAUD_THRESHOLD', 'fraudThreshold', 'NaN', 'from -1,000,000,000', 'set fraudThreshold'],
  ['order fan-out: consumer concurrency 1', fanOut({ consumer: { maxConcurrency: 1 } }), 'CONSUMER_MAX_CONCURRENCY', 'consumer.maxConcurrency', '1', 'from 2 to 1,000', 'set consumer.maxConcurrency'],
  ['order fan-out: consumer timeout above 15 minutes', fanOut({ consumer: { timeout: Duration.minutes(16) } }), 'CONSUMER_TIMEOUT', 'consumer.timeout', '16 minutes', '1 second to 15 minutes', 'set consumer.timeout'],
  ['order fan-out: maxReceiveCount above 1,000', fanOut({ maxReceiveCount: 1001 }), 'ARCHITECTURE_MAX_RECEIVE_COUNT', 'maxReceiveCount', '1001', 'from 1 to 1,000', 'set maxReceiveCount'],
  ['order intake: consumer concurrency 1', intake({ consumer: { maxConcurrency: 1 } }), 'CONSUMER_MAX_CONCURRENCY', 'consumer.maxConcurrency', '1', 'from 2 to 1,000', 'set consumer.maxConcurrency'],
  ['order intake: consumer batching window above 5 minutes', intake({ consumer: { maxBatchingWindow: Duration.minutes(6) } }), 'CONSUMER_BATCHING_WINDOW', 'consumer.maxBatchingWindow', '6 minutes', '0 seconds to 5 minutes', 'set consumer.maxBatchingWindow'],
  ['order intake: consumer memory NaN', intake({ consumer: { memorySize: NaN } }), 'CONSUMER_MEMORY_SIZE', 'consumer.memorySize', 'NaN MB', 'from 128 to 10,240 MB', 'set consumer.memorySize'],
  ['order intake: maxReceiveCount 2.5', intake({ maxReceiveCount: 2.5 }), 'ARCHITECTURE_MAX_RECEIVE_COUNT', 'maxReceiveCount', '2.5', 'a whole number', 'set maxReceiveCount'],
  ['clickstream: consumer batch size above 10,000', clicks({ consumer: { batchSize: 10_001 } }), 'STREAM_CONSUMER_BATCH_SIZE', 'consumer.batchSize', '10001', 'from 1 to 10,000', 'set consumer.batchSize'],
  ['clickstream: consumer retries NaN', clicks({ consumer: { retryAttempts: NaN } }), 'STREAM_CONSUMER_RETRY_ATTEMPTS', 'consumer.retryAttempts', 'NaN', 'from 0 to 10,000', 'set consumer.retryAttempts'],
  ['clickstream: consumer memory above 10,240 MB', clicks({ consumer: { memorySize: 10_241 } }), 'CONSUMER_MEMORY_SIZE', 'consumer.memorySize', '10241 MB', 'from 128 to 10,240 MB', 'set consumer.memorySize'],
  ['clickstream: consumer maxRecordAge beyond the 24-hour retention', clicks({ consumer: { maxRecordAge: Duration.days(2) } }), 'STREAM_CONSUMER_RECORD_AGE_RETENTION', 'consumer.maxRecordAge', '2 days', 'at most the retention period', 'lower consumer.maxRecordAge'],
  ['clickstream: archive buffering interval above 900 s', clicks({ archiveBufferingInterval: Duration.seconds(901) }), 'CLICKSTREAM_ARCHIVE_BUFFERING_INTERVAL', 'archiveBufferingInterval', '15 minutes 1 second', '0 seconds to 15 minutes', 'set archiveBufferingInterval'],
];

describe('reference architectures: bad props', () => {
  test.each(cases)('%s', (_name, build, code, prop, value, allowed, fix) => {
    expectBadInput({ build, path: 'Arch', code, prop, value, allowed, fix });
  });
});

describe('reference architectures: numeric props accept CfnParameter tokens', () => {
  const cases_: Array<[string, (s: Stack, n: number) => void]> = [
    ['backbone maxReceiveCount', (s, n) => backbone({ maxReceiveCount: n })(s)],
    ['backbone consumer.memorySize', (s, n) => backbone({ consumer: { memorySize: n } })(s)],
    ['backbone consumer.maxConcurrency', (s, n) => backbone({ consumer: { maxConcurrency: n } })(s)],
    ['backbone consumer.batchSize', (s, n) => backbone({ consumer: { batchSize: n } })(s)],
    ['order fan-out fraudThreshold', (s, n) => fanOut({ fraudThreshold: n })(s)],
    ['order fan-out maxReceiveCount', (s, n) => fanOut({ maxReceiveCount: n })(s)],
    ['order fan-out consumer.maxConcurrency', (s, n) => fanOut({ consumer: { maxConcurrency: n } })(s)],
    ['order fan-out consumer.memorySize', (s, n) => fanOut({ consumer: { memorySize: n } })(s)],
    ['order intake maxReceiveCount', (s, n) => intake({ maxReceiveCount: n })(s)],
    ['order intake consumer.maxConcurrency', (s, n) => intake({ consumer: { maxConcurrency: n } })(s)],
    ['order intake consumer.batchSize', (s, n) => intake({ consumer: { batchSize: n } })(s)],
    ['clickstream consumer.batchSize', (s, n) => clicks({ consumer: { batchSize: n } })(s)],
    ['clickstream consumer.retryAttempts', (s, n) => clicks({ consumer: { retryAttempts: n } })(s)],
    ['clickstream consumer.parallelizationFactor', (s, n) => clicks({ consumer: { parallelizationFactor: n } })(s)],
  ];
  test.each(cases_)('%s', (_name, build) => {
    // An architecture is its own stack, so a CfnParameter of another stack cannot reach it: a
    // Lazy number (unresolved until synth, like a parameter) stands in, and the template synthesizes.
    const app = new App();
    const holder = new Stack(app, 'Holder', { env });
    build(holder, Lazy.number({ produce: () => 5 }));
    const arch = app.node.findChild('Arch') as Stack;
    expect(() => Template.fromStack(arch)).not.toThrow();
  });
});

describe('reference architectures: every queue that feeds a Lambda function follows the one visibility rule', () => {
  const synth = (build: (s: Stack) => void) => {
    const app = new App();
    build(new Stack(app, 'Holder', { env }));
    return Template.fromStack(app.node.findChild('Arch') as Stack);
  };
  test('order fan-out: each recorder queue is 6 x consumer.timeout (+ window)', () => {
    synth(fanOut({})).hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 180, RedrivePolicy: Match.anyValue() });
    const t = synth(fanOut({ consumer: { timeout: Duration.seconds(40), maxBatchingWindow: Duration.seconds(5) } }));
    expect(Object.values(t.findResources('AWS::SQS::Queue')).filter(q => q.Properties.VisibilityTimeout === 245)).toHaveLength(3);
  });
  test('order intake: the buffer is 6 x consumer.timeout + 1 s window', () => {
    synth(intake({})).hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 181, RedrivePolicy: Match.anyValue() });
    synth(intake({ consumer: { timeout: Duration.seconds(10) } })).hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 61, RedrivePolicy: Match.anyValue() });
  });
});
