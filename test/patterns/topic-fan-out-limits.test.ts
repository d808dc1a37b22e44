import { CfnParameter, Duration, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { FanOutSubscriber, TopicFanOut, TopicFanOutProps } from '../../src';
import { expectBadInput, newStack } from '../support';

// Issue #11, held-out style probes of TopicFanOut: filter policies SNS refuses and bucket
// notifications S3 refuses are refused at synth; the boundary is accepted.

const fanOut = (props: TopicFanOutProps) => (stack: Stack) => { new TopicFanOut(stack, 'Orders', props); };
const F = 'TestStack/Orders';
const withBucket = (props: (b: s3.IBucket) => TopicFanOutProps) => (stack: Stack) => fanOut(props(new s3.Bucket(stack, 'Uploads')))(stack);

// [name, build, code, prop, value, allowed, fix]
const cases: Array<[string, (s: Stack) => void, string, string, string, string, string]> = [
  ['numeric range with bounds reversed', fanOut({ subscribers: [{ name: 'Big', filterPolicy: { amount: sns.SubscriptionFilter.numericFilter({ between: { start: 500, stop: 100 } }) } }] }),
    'FAN_OUT_FILTER_POLICY_RANGE', 'subscribers[0].filterPolicy.amount', 'a numeric range from 500 to 100', 'a lower bound below the upper bound', 'between: { start: 100, stop: 500 }'],
  ['numeric range with equal bounds', fanOut({ subscribers: [{ name: 'Big', filterPolicy: { amount: sns.SubscriptionFilter.numericFilter({ betweenStrict: { start: 5, stop: 5 } }) } }] }),
    'FAN_OUT_FILTER_POLICY_RANGE', 'subscribers[0].filterPolicy.amount', 'a numeric range from 5 to 5', 'a lower bound below the upper bound', 'swap the bounds'],
  ['reversed range in a body policy', fanOut({ subscribers: [{ name: 'Big', filterPolicyWithMessageBody: { order: sns.FilterOrPolicy.policy({ amount: sns.FilterOrPolicy.filter(sns.SubscriptionFilter.numericFilter({ between: { start: 9, stop: 1 } })) }) } }] }),
    'FAN_OUT_FILTER_POLICY_RANGE', 'subscribers[0].filterPolicyWithMessageBody.order.amount', 'a numeric range from 9 to 1', 'a lower bound below the upper bound', 'swap the bounds'],
  ['one bucket twice with the same events', withBucket(b => ({ s3Sources: [{ bucket: b }, { bucket: b, suffix: '.json' }] })),
    'FAN_OUT_S3_OVERLAP', 's3Sources[1]', 'bucket TestStack/Uploads again, with events ["s3:ObjectCreated:*"] that s3Sources[0] already notifies for overlapping keys', 'S3 refuses overlapping configurations', 'merge the two sources into one'],
  ['one bucket twice with nested prefixes', withBucket(b => ({ s3Sources: [{ bucket: b, prefix: 'in/', events: [s3.EventType.OBJECT_CREATED_PUT] }, { bucket: b, prefix: 'in/orders/' }] })),
    'FAN_OUT_S3_OVERLAP', 's3Sources[1]', 'with events ["s3:ObjectCreated:*"] that s3Sources[0] already notifies', 'one notification per bucket, event type and key range', 'prefixes/suffixes that cannot match the same key'],
  ['one source with a wildcard and a narrower event', withBucket(b => ({ s3Sources: [{ bucket: b, events: [s3.EventType.OBJECT_CREATED, s3.EventType.OBJECT_CREATED_PUT] }] })),
    'FAN_OUT_S3_OVERLAP', 's3Sources[0].events', '["s3:ObjectCreated:*","s3:ObjectCreated:Put"]', 'event types that do not overlap', 'keep only the wider event type, e.g. [s3:ObjectCreated:*]'],
  ['one source with an event twice', withBucket(b => ({ s3Sources: [{ bucket: b, events: [s3.EventType.OBJECT_REMOVED, s3.EventType.OBJECT_REMOVED] }] })),
    'FAN_OUT_S3_OVERLAP', 's3Sources[0].events', '["s3:ObjectRemoved:*","s3:ObjectRemoved:*"]', 'event types that do not overlap', 'keep only the wider event type'],
  ['addS3Source overlapping an earlier source', (s) => { const b = new s3.Bucket(s, 'Uploads'); const f = new TopicFanOut(s, 'Orders', { s3Sources: [{ bucket: b }] }); f.addS3Source(b, { prefix: 'x/' }); },
    'FAN_OUT_S3_OVERLAP', 'addS3Source', 'that s3Sources[0] already notifies for overlapping keys', 'S3 refuses overlapping configurations', 'merge the two sources into one'],
];

describe('TopicFanOut: limits SNS and S3 enforce at deploy', () => {
  test.each(cases)('%s', (_name, build, code_, prop, value, allowed, fix) => {
    expectBadInput({ build, path: F, code: code_, prop, value, allowed, fix });
  });

  test.each<[string, (s: Stack) => void]>([
    ['a range with the lower bound below the upper', fanOut({ subscribers: [{ name: 'Big', filterPolicy: { amount: sns.SubscriptionFilter.numericFilter({ between: { start: 100, stop: 101 } }) } }] })],
    ['one bucket under disjoint prefixes', withBucket(b => ({ s3Sources: [{ bucket: b, prefix: 'a/' }, { bucket: b, prefix: 'b/' }] }))],
    ['one bucket with disjoint suffixes', withBucket(b => ({ s3Sources: [{ bucket: b, suffix: '.json' }, { bucket: b, suffix: '.csv' }] }))],
    ['one bucket for created and for removed objects', withBucket(b => ({ s3Sources: [{ bucket: b, events: [s3.EventType.OBJECT_CREATED] }, { bucket: b, events: [s3.EventType.OBJECT_REMOVED] }] }))],
    ['two buckets with the same events', s => fanOut({ s3Sources: [{ bucket: new s3.Bucket(s, 'A') }, { bucket: new s3.Bucket(s, 'B') }] })(s)],
  ])('accepted: %s', (_name, build) => {
    expect(() => build(newStack())).not.toThrow();
  });
});

describe('FanOutSubscriber made directly: its deadLetterQueue has the topic\'s type', () => {
  test('a standard dead-letter queue on a FIFO topic', () => {
    expectBadInput({
      build: s => { new FanOutSubscriber(s, 'Billing', { topic: new sns.Topic(s, 'Orders', { fifo: true }), deadLetterQueue: new sqs.Queue(s, 'Dlq') }); },
      path: 'TestStack/Billing',
      code: 'FAN_OUT_DEAD_LETTER_QUEUE_TYPE',
      prop: 'deadLetterQueue',
      value: 'a standard queue on a FIFO topic',
      allowed: 'a dead-letter queue of the topic\'s type',
      fix: 'pass a queue of the topic\'s type',
    });
  });
  test('accepted: a FIFO dead-letter queue on a FIFO topic', () => {
    const s = newStack();
    expect(() => new FanOutSubscriber(s, 'Billing', { topic: new sns.Topic(s, 'Orders', { fifo: true }), deadLetterQueue: new sqs.Queue(s, 'Dlq', { fifo: true }) })).not.toThrow();
  });
});

describe('TopicFanOut: a subscriber queue is checked as the type it will have, and an existing queue\'s visibility too', () => {
  const code = lambda.Code.fromInline('exports.handler = async () => ({ batchItemFailures: [] });');
  test('a FIFO topic\'s subscriber named without ".fifo" is reported at the pattern, under the prop as written', () => {
    expectBadInput({
      build: fanOut({ topicProps: { fifo: true }, subscribers: [{ name: 'Billing', queueProps: { queueName: 'billing' } }] }),
      path: F,
      code: 'SECURE_QUEUE_NAME_FIFO',
      prop: 'subscribers[0].queueProps.queueName',
      value: '"billing" with fifo: true',
      allowed: 'a name ending in ".fifo" for a FIFO queue',
      fix: 'name the queue "billing.fifo"',
    });
  });
  test('an existing queue of this app whose visibility is shorter than 6 x the consumer timeout', () => {
    expectBadInput({
      build: s => fanOut({ subscribers: [{ name: 'Billing', queueProps: { existingQueue: new sqs.Queue(s, 'BillingQueue') }, consumer: { code, handler: 'index.handler', timeout: Duration.minutes(1) } }] })(s),
      path: F,
      code: 'CONSUMER_VISIBILITY_TIMEOUT',
      prop: 'subscribers[0].queueProps.existingQueue',
      value: '30 seconds',
      allowed: 'at least 6 minutes (360 s): 6 x subscribers[0].consumer.timeout',
      fix: 'raise the visibility timeout where TestStack/BillingQueue is defined',
    });
  });
  test.each<[string, (s: Stack) => void]>([
    ['a FIFO topic\'s subscriber named with ".fifo"', fanOut({ topicProps: { fifo: true }, subscribers: [{ name: 'Billing', queueProps: { queueName: 'billing.fifo' } }] })],
    ['an existing queue with exactly 6 x the consumer timeout', s => fanOut({ subscribers: [{ name: 'Billing', queueProps: { existingQueue: new sqs.Queue(s, 'BillingQueue', { visibilityTimeout: Duration.minutes(6) }) }, consumer: { code, handler: 'index.handler', timeout: Duration.minutes(1) } }] })(s)],
    ['an imported queue (its visibility is not known here)', s => fanOut({ subscribers: [{ name: 'Billing', queueProps: { existingQueue: sqs.Queue.fromQueueArn(s, 'BillingQueue', 'arn:aws:sqs:us-east-1:111111111111:billing') }, consumer: { code, handler: 'index.handler', timeout: Duration.minutes(1) } }] })(s)],
  ])('accepted: %s', (_name, build) => {
    expect(() => build(newStack())).not.toThrow();
  });
});

describe('TopicFanOut: token S3 filters are never compared', () => {
  test('one bucket twice under token prefixes', () => {
    const stack = newStack();
    const text = new CfnParameter(stack, 'Prefix', { default: 'a/' }).valueAsString;
    const bucket = new s3.Bucket(stack, 'Uploads');
    expect(() => new TopicFanOut(stack, 'Orders', { s3Sources: [{ bucket, prefix: text }, { bucket, prefix: 'b/' }] })).not.toThrow();
  });
});
