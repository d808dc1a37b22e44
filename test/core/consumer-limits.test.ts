import { CfnParameter, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { QueueEncryption, SecureQueue, SecureQueueProps, TopicFanOut } from '../../src';
import { FanOutConsumerProps } from '../../src/patterns/topic-fan-out/props';
import { expectBadInput, newStack } from '../support';

// Issue #11, held-out style probes of the core blocks: what AWS refuses at deploy (or what never works)
// is refused at synth, naming the prop as written; the boundary next to each limit is accepted.

const code = lambda.Code.fromInline('exports.handler = async () => ({ batchItemFailures: [] });');
const queue = (props: SecureQueueProps) => (stack: Stack) => { new SecureQueue(stack, 'Jobs', props); };
const Q = 'TestStack/Jobs';
const subscriber = (consumer: Partial<FanOutConsumerProps>) => (stack: Stack) => {
  new TopicFanOut(stack, 'Orders', { subscribers: [{ name: 'Shipping' }, { name: 'Fraud', consumer: { code, handler: 'index.handler', ...consumer } }] });
};
const F = 'TestStack/Orders';
const WHOLE = 'in whole seconds (e.g. Duration.seconds(2), not Duration.millis(1500))';

// [name, build, path, code, prop, value, allowed, fix]
const cases: Array<[string, (s: Stack) => void, string, string, string, string, string, string]> = [
  // CloudFormation takes these in whole seconds; aws-cdk-lib's toSeconds() threw a raw "CannotConvertedIntoWhole" before.
  ['queue visibilityTimeout in millis', queue({ visibilityTimeout: Duration.millis(1500) }), Q, 'SECURE_QUEUE_VISIBILITY_TIMEOUT', 'visibilityTimeout', '1 second 500 millis', 'a whole number of seconds from 0 seconds to 12 hours', WHOLE],
  ['queue deliveryDelay in millis', queue({ deliveryDelay: Duration.millis(500) }), Q, 'SECURE_QUEUE_DELIVERY_DELAY', 'deliveryDelay', '500 millis', 'a whole number of seconds from 0 seconds to 15 minutes', WHOLE],
  ['queue receiveMessageWaitTime in millis', queue({ receiveMessageWaitTime: Duration.millis(1500) }), Q, 'SECURE_QUEUE_RECEIVE_WAIT', 'receiveMessageWaitTime', '1 second 500 millis', 'a whole number of seconds from 0 seconds to 20 seconds', WHOLE],
  ['queue retentionPeriod in millis', queue({ retentionPeriod: Duration.millis(120_500), maxMessageAge: Duration.minutes(1) }), Q, 'SECURE_QUEUE_RETENTION', 'retentionPeriod', '2 minutes 500 millis (120.5 s)', 'a whole number of seconds from 1 minute', WHOLE],
  ['queue deadLetterRetentionPeriod in millis', queue({ deadLetterRetentionPeriod: Duration.millis(14 * 86_400_000 - 500) }), Q, 'SECURE_QUEUE_DLQ_RETENTION', 'deadLetterRetentionPeriod', '(1209599.5 s)', 'a whole number of seconds from 1 minute', WHOLE],
  ['queue dataKeyReuse in millis', queue({ encryption: QueueEncryption.KMS, dataKeyReuse: Duration.millis(90_500) }), Q, 'SECURE_QUEUE_DATA_KEY_REUSE', 'dataKeyReuse', '(90.5 s)', 'a whole number of seconds from 1 minute', WHOLE],
  // A dead-letter queue this app defines is read: a shorter retention deletes failed messages early.
  ['existing DLQ (app-defined) keeps messages shorter than the queue', (s) => { new SecureQueue(s, 'Jobs', { retentionPeriod: Duration.days(7), existingDeadLetterQueue: new sqs.Queue(s, 'Dlq') }); },
    Q, 'SECURE_QUEUE_DLQ_RETENTION_SHORTER', 'existingDeadLetterQueue', 'TestStack/Dlq, which keeps messages 4 days (345,600 s) (the SQS default)', 'at least retentionPeriod (7 days', 'give the dead-letter queue retentionPeriod: Duration.days(14)'],
  // The consumer module, through TopicFanOut's subscribers[1].consumer.
  ['consumer timeout in millis', subscriber({ timeout: Duration.millis(1500) }), F, 'CONSUMER_TIMEOUT', 'subscribers[1].consumer.timeout', '1 second 500 millis', 'a whole number of seconds from 1 second to 15 minutes', WHOLE],
  ['consumer batching window in millis', subscriber({ maxBatchingWindow: Duration.millis(500) }), F, 'CONSUMER_BATCHING_WINDOW', 'subscribers[1].consumer.maxBatchingWindow', '500 millis', 'a whole number of seconds from 0 seconds to 5 minutes', WHOLE],
  ['consumer batch above 10 with a 0-second window', subscriber({ batchSize: 100, maxBatchingWindow: Duration.seconds(0) }), F, 'CONSUMER_BATCH_SIZE_WINDOW', 'subscribers[1].consumer.maxBatchingWindow',
    '0 seconds with subscribers[1].consumer.batchSize 100', 'at least 1 second when subscribers[1].consumer.batchSize is above 10', 'set subscribers[1].consumer.maxBatchingWindow to Duration.seconds(1) or more'],
  ['consumer handler empty', subscriber({ handler: '' }), F, 'CONSUMER_HANDLER', 'subscribers[1].consumer.handler', '"" (0 characters)', '1 to 128 characters without whitespace', 'e.g. "index.handler"'],
  ['consumer handler with a space', subscriber({ handler: 'index handler' }), F, 'CONSUMER_HANDLER', 'subscribers[1].consumer.handler', '"index handler" (13 characters)', '1 to 128 characters without whitespace', 'e.g. "index.handler"'],
  ['consumer handler of 129 characters', subscriber({ handler: `index.${'h'.repeat(123)}` }), F, 'CONSUMER_HANDLER', 'subscribers[1].consumer.handler', '(129 characters)', '1 to 128 characters', 'e.g. "index.handler"'],
  ['consumer environment key with a dash', subscriber({ environment: { 'table-name': 'x' } }), F, 'CONSUMER_ENVIRONMENT_KEY', 'subscribers[1].consumer.environment.table-name', 'key "table-name"', '[a-zA-Z]([a-zA-Z0-9_])+', 'rename the variable, e.g. "table_name"'],
  ['consumer environment key of one character', subscriber({ environment: { X: '1' } }), F, 'CONSUMER_ENVIRONMENT_KEY', 'subscribers[1].consumer.environment.X', 'key "X"', 'at least 2 characters', 'rename the variable'],
  ['consumer environment key reserved by Lambda', subscriber({ environment: { AWS_REGION: 'eu-west-1' } }), F, 'CONSUMER_ENVIRONMENT_RESERVED', 'subscribers[1].consumer.environment.AWS_REGION', 'reserved key "AWS_REGION"', 'a key Lambda does not set itself', 'the runtime sets AWS_REGION itself'],
  ['consumer environment above 4 KB', subscriber({ environment: { BIG: 'x'.repeat(4094) } }), F, 'CONSUMER_ENVIRONMENT_SIZE', 'subscribers[1].consumer.environment', '4,097 bytes of keys and values', 'at most 4,096 bytes (4 KB)', 'SSM Parameter Store'],
];

describe('core blocks and the consumer module: limits AWS enforces at deploy', () => {
  test.each(cases)('%s', (_name, build, path, code_, prop, value, allowed, fix) => {
    expectBadInput({ build, path, code: code_, prop, value, allowed, fix });
  });
});

describe('the boundary next to each limit is accepted', () => {
  const accepted: Array<[string, (s: Stack) => void]> = [
    ['visibilityTimeout in whole seconds given as millis', queue({ visibilityTimeout: Duration.millis(2000) })],
    ['an app-defined DLQ keeping messages as long as the queue', s => { new SecureQueue(s, 'Jobs', { retentionPeriod: Duration.days(4), existingDeadLetterQueue: new sqs.Queue(s, 'Dlq') }); }],
    ['maxMessageAge in millis (a CloudWatch threshold, not a CloudFormation second)', queue({ maxMessageAge: Duration.millis(1500) })],
    ['batch 11 with a 1-second window', subscriber({ batchSize: 11, maxBatchingWindow: Duration.seconds(1) })],
    ['batch 10 with a 0-second window', subscriber({ batchSize: 10, maxBatchingWindow: Duration.seconds(0) })],
    ['handler of 128 characters', subscriber({ handler: `index.${'h'.repeat(122)}` })],
    ['two-character keys, 4,096 bytes in all', subscriber({ environment: { AB: 'x'.repeat(4094) } })],
  ];
  test.each(accepted)('%s', (_name, build) => {
    expect(() => build(newStack())).not.toThrow();
  });

  test('a token is never checked: a token handler passes, a token value adds nothing to the known size', () => {
    const stack = newStack();
    const text = new CfnParameter(stack, 'Text', { default: 'x' }).valueAsString;
    expect(() => subscriber({ handler: text, environment: { SMALL: 'x'.repeat(4000), OTHER: text } })(stack)).not.toThrow();
    expectBadInput({
      build: s => { const t = new CfnParameter(s, 'Text', { default: 'x' }).valueAsString; subscriber({ environment: { BIG: 'x'.repeat(5000), OTHER: t } })(s); },
      path: F,
      code: 'CONSUMER_ENVIRONMENT_SIZE',
      prop: 'subscribers[1].consumer.environment',
      value: 'at least 5,003 bytes',
      allowed: 'at most 4,096 bytes',
      fix: 'SSM Parameter Store',
    });
  });
});

describe('a short retention alone is a valid queue: the default age alarm follows it', () => {
  test.each<[string, Duration, number]>([
    ['10 minutes: alarm at 5 minutes', Duration.minutes(10), 300],
    ['1 minute: alarm at 30 seconds', Duration.minutes(1), 30],
    ['30 minutes: the usual 15 minutes', Duration.minutes(30), 900],
  ])('retention %s', (_name, retentionPeriod, threshold) => {
    const stack = newStack();
    new SecureQueue(stack, 'Jobs', { retentionPeriod });
    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ApproximateAgeOfOldestMessage', Threshold: threshold });
  });
  test('a given maxMessageAge at or above the retention is still refused', () => {
    expectBadInput({
      build: queue({ retentionPeriod: Duration.minutes(10), maxMessageAge: Duration.minutes(10) }),
      path: Q,
      code: 'SECURE_QUEUE_AGE_ALARM_NEVER_FIRES',
      prop: 'maxMessageAge',
      value: '10 minutes (600 s)',
      allowed: 'less than retentionPeriod (10 minutes (600 s))',
      fix: 'lower maxMessageAge or raise retentionPeriod',
    });
  });
});
