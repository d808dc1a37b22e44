import { CfnParameter, Duration, Lazy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { QueueEncryption, SecureQueue, SecureQueueProps, SecureTopic, SecureTopicProps } from '../../src';
import { consumerFunctionProps } from '../../src/core/consumer/consumer-defaults';
import { BadInputCase, expectBadInput, newStack } from '../support';

/**
 * Bad input never produces a template: it produces an error that names the construct path,
 * the prop, the value given, what is allowed, and how to fix it. Every case goes through the
 * one shared assertion, `expectBadInput` (test/support).
 */
interface NamedCase extends BadInputCase {
  readonly name: string;
}

const existingQueue = (stack: Stack, fifo = false) => sqs.Queue.fromQueueAttributes(stack, `Existing${fifo ? 'Fifo' : ''}`, {
  queueArn: `arn:aws:sqs:us-east-1:111111111111:legacy${fifo ? '.fifo' : ''}`, fifo,
});
const queue = (props: SecureQueueProps) => (stack: Stack) => { new SecureQueue(stack, 'Jobs', props); };
const topic = (props: SecureTopicProps) => (stack: Stack) => { new SecureTopic(stack, 'Orders', props); };
const Q = 'TestStack/Jobs';
const T = 'TestStack/Orders';
const RETENTION = '1 minute (60 s) to 14 days (1,209,600 s)';

const cases: NamedCase[] = [
  {
    name: 'retention below 60 s',
    build: queue({ retentionPeriod: Duration.seconds(30) }),
    path: Q,
    code: 'SECURE_QUEUE_RETENTION',
    prop: 'retentionPeriod',
    value: '30 seconds',
    allowed: RETENTION,
    fix: 'set retentionPeriod between 1 minute (60 s) and 14 days (1,209,600 s), or leave it unset for the default',
  },
  {
    name: 'retention above 14 days',
    build: queue({ retentionPeriod: Duration.days(15) }),
    path: Q,
    code: 'SECURE_QUEUE_RETENTION',
    prop: 'retentionPeriod',
    value: '15 days (1,296,000 s)',
    allowed: RETENTION,
    fix: 'set retentionPeriod between',
  },
  {
    name: 'DLQ retention shorter than the source retention',
    build: queue({ retentionPeriod: Duration.days(10), deadLetterRetentionPeriod: Duration.days(5) }),
    path: Q,
    code: 'SECURE_QUEUE_DLQ_RETENTION_SHORTER',
    prop: 'deadLetterRetentionPeriod',
    value: '5 days (432,000 s)',
    allowed: 'at least retentionPeriod (10 days (864,000 s)); SQS counts a message\'s age from its first enqueue',
    fix: 'raise deadLetterRetentionPeriod to 10 days (864,000 s) or more',
  },
  {
    name: 'DLQ retention above 14 days',
    build: queue({ deadLetterRetentionPeriod: Duration.days(20) }),
    path: Q,
    code: 'SECURE_QUEUE_DLQ_RETENTION',
    prop: 'deadLetterRetentionPeriod',
    value: '20 days (1,728,000 s)',
    allowed: RETENTION,
    fix: 'set deadLetterRetentionPeriod between 1 minute (60 s) and 14 days',
  },
  {
    name: 'maxReceiveCount below 1',
    build: queue({ maxReceiveCount: 0 }),
    path: Q,
    code: 'SECURE_QUEUE_MAX_RECEIVE_COUNT',
    prop: 'maxReceiveCount',
    value: '0',
    allowed: 'a whole number from 1 to 1,000',
    fix: 'set maxReceiveCount to a whole number from 1 to 1,000',
  },
  {
    name: 'maxReceiveCount not a whole number',
    build: queue({ maxReceiveCount: 2.5 }),
    path: Q,
    code: 'SECURE_QUEUE_MAX_RECEIVE_COUNT',
    prop: 'maxReceiveCount',
    value: '2.5',
    allowed: 'a whole number from 1 to 1,000',
    fix: 'set maxReceiveCount to a whole number',
  },
  {
    name: 'visibility timeout above 12 hours',
    build: queue({ visibilityTimeout: Duration.hours(13) }),
    path: Q,
    code: 'SECURE_QUEUE_VISIBILITY_TIMEOUT',
    prop: 'visibilityTimeout',
    value: '13 hours (46,800 s)',
    allowed: '0 seconds to 12 hours (43,200 s)',
    fix: 'set visibilityTimeout between 0 seconds and 12 hours',
  },
  {
    name: 'delivery delay above 15 minutes',
    build: queue({ deliveryDelay: Duration.minutes(16) }),
    path: Q,
    code: 'SECURE_QUEUE_DELIVERY_DELAY',
    prop: 'deliveryDelay',
    value: '16 minutes (960 s)',
    allowed: '0 seconds to 15 minutes (900 s)',
    fix: 'set deliveryDelay between 0 seconds and 15 minutes',
  },
  {
    name: 'message size below 1 KiB',
    build: queue({ maxMessageSizeBytes: 1000 }),
    path: Q,
    code: 'SECURE_QUEUE_MAX_MESSAGE_SIZE',
    prop: 'maxMessageSizeBytes',
    value: '1000 bytes',
    allowed: 'a whole number from 1,024 to 1,048,576 bytes',
    fix: 'set maxMessageSizeBytes to a whole number from 1,024 to 1,048,576 bytes',
  },
  {
    name: 'message size above 1 MiB',
    build: queue({ maxMessageSizeBytes: 2_000_000 }),
    path: Q,
    code: 'SECURE_QUEUE_MAX_MESSAGE_SIZE',
    prop: 'maxMessageSizeBytes',
    value: '2000000 bytes',
    allowed: 'from 1,024 to 1,048,576 bytes',
    fix: 'set maxMessageSizeBytes to',
  },
  {
    name: 'receive wait above 20 s',
    build: queue({ receiveMessageWaitTime: Duration.seconds(25) }),
    path: Q,
    code: 'SECURE_QUEUE_RECEIVE_WAIT',
    prop: 'receiveMessageWaitTime',
    value: '25 seconds',
    allowed: '0 seconds to 20 seconds',
    fix: 'set receiveMessageWaitTime between 0 seconds and 20 seconds',
  },
  {
    name: 'data key reuse below 1 minute',
    build: queue({ encryption: QueueEncryption.KMS, dataKeyReuse: Duration.seconds(30) }),
    path: Q,
    code: 'SECURE_QUEUE_DATA_KEY_REUSE',
    prop: 'dataKeyReuse',
    value: '30 seconds',
    allowed: '1 minute (60 s) to 1 day (86,400 s)',
    fix: 'set dataKeyReuse between 1 minute (60 s) and 1 day',
  },
  {
    name: 'data key reuse without KMS',
    build: queue({ dataKeyReuse: Duration.minutes(10) }),
    path: Q,
    code: 'SECURE_QUEUE_DATA_KEY_REUSE_SSE_SQS',
    prop: 'dataKeyReuse',
    value: '10 minutes (600 s)',
    allowed: 'no value with SQS-managed encryption',
    fix: 'set encryption: QueueEncryption.KMS, or remove dataKeyReuse',
  },
  {
    name: 'SQS-managed encryption together with a KMS key',
    build: (stack) => { new SecureQueue(stack, 'Jobs', { encryption: QueueEncryption.SQS_MANAGED, encryptionKey: new kms.Key(stack, 'K') }); },
    path: Q,
    code: 'SECURE_QUEUE_ENCRYPTION',
    prop: 'encryption',
    value: 'SQS_MANAGED together with encryptionKey',
    allowed: 'QueueEncryption.KMS when an encryptionKey is given',
    fix: 'remove encryption (an encryptionKey implies KMS) or remove encryptionKey',
  },
  {
    name: 'FIFO queue with a standard DLQ',
    build: (stack) => { new SecureQueue(stack, 'Jobs', { fifo: true, existingDeadLetterQueue: existingQueue(stack, false) }); },
    path: Q,
    code: 'SECURE_QUEUE_DLQ_TYPE',
    prop: 'existingDeadLetterQueue',
    value: 'a standard queue for a FIFO source queue',
    allowed: 'SQS requires FIFO DLQs for FIFO queues',
    fix: 'pass a FIFO queue',
  },
  {
    name: 'standard queue with a FIFO DLQ',
    build: (stack) => { new SecureQueue(stack, 'Jobs', { existingDeadLetterQueue: existingQueue(stack, true) }); },
    path: Q,
    code: 'SECURE_QUEUE_DLQ_TYPE',
    prop: 'existingDeadLetterQueue',
    value: 'a FIFO queue for a standard source queue',
    allowed: 'a dead-letter queue of the same type as its source queue',
    fix: 'pass a standard queue, or make this queue FIFO',
  },
  {
    name: 'FIFO name without fifo (explicit false)',
    build: queue({ queueName: 'orders.fifo', fifo: false }),
    path: Q,
    code: 'SECURE_QUEUE_NAME_FIFO',
    prop: 'queueName',
    value: '"orders.fifo" with fifo: false',
    allowed: 'a name ending in ".fifo" for a FIFO queue, and only then',
    fix: 'set fifo: true, or remove the ".fifo" suffix',
  },
  {
    name: 'FIFO queue whose name lacks .fifo',
    build: queue({ queueName: 'orders', fifo: true }),
    path: Q,
    code: 'SECURE_QUEUE_NAME_FIFO',
    prop: 'queueName',
    value: '"orders" with fifo: true',
    allowed: 'a name ending in ".fifo"',
    fix: 'name the queue "orders.fifo"',
  },
  {
    name: 'queue name too long for its DLQ name',
    build: queue({ queueName: 'q'.repeat(78) }),
    path: Q,
    code: 'SECURE_QUEUE_NAME_DLQ_ROOM',
    prop: 'queueName',
    value: '"' + 'q'.repeat(78) + '" (78 characters)',
    allowed: 'at most 76 characters before the end, so the dead-letter queue\'s "-dlq" name fits SQS\'s 80',
    fix: 'shorten the name, or pass existingDeadLetterQueue',
  },
  {
    name: 'queue name with invalid characters',
    build: queue({ queueName: 'orders queue!' }),
    path: Q,
    code: 'SECURE_QUEUE_NAME',
    prop: 'queueName',
    value: '"orders queue!" (characters outside the allowed set)',
    allowed: 'of 1 to 80 characters: letters, digits, - and _',
    fix: 'rename it within those rules, or leave queueName unset for a generated name',
  },
  {
    name: 'content-based deduplication on a standard queue',
    build: queue({ contentBasedDeduplication: true }),
    path: Q,
    code: 'SECURE_QUEUE_FIFO_ONLY',
    prop: 'contentBasedDeduplication',
    value: 'true on a standard queue',
    allowed: 'true only on a FIFO queue',
    fix: 'set fifo: true, or remove contentBasedDeduplication',
  },
  {
    name: 'high-throughput FIFO on a standard queue',
    build: queue({ highThroughputFifo: true }),
    path: Q,
    code: 'SECURE_QUEUE_FIFO_ONLY',
    prop: 'highThroughputFifo',
    value: 'true on a standard queue',
    allowed: 'true only on a FIFO queue',
    fix: 'set fifo: true, or remove highThroughputFifo',
  },
  {
    name: 'settings on an existing queue',
    build: (stack) => { new SecureQueue(stack, 'Jobs', { existingQueue: existingQueue(stack), maxReceiveCount: 3 }); },
    path: Q,
    code: 'SECURE_QUEUE_SETTING_WITH_EXISTING',
    prop: 'maxReceiveCount',
    value: '3',
    allowed: 'no value when existingQueue is given',
    fix: 'remove maxReceiveCount, or drop existingQueue',
  },
  {
    name: 'alarm age threshold the queue can never reach',
    build: queue({ retentionPeriod: Duration.minutes(10), maxMessageAge: Duration.minutes(15) }),
    path: Q,
    code: 'SECURE_QUEUE_AGE_ALARM_NEVER_FIRES',
    prop: 'maxMessageAge',
    value: '15 minutes (900 s)',
    allowed: 'less than retentionPeriod (10 minutes (600 s)); messages expire before an older age can be seen, so the alarm could never fire',
    fix: 'lower maxMessageAge or raise retentionPeriod',
  },
  {
    name: 'DLQ retention together with an existing DLQ',
    build: (stack) => { new SecureQueue(stack, 'Jobs', { existingDeadLetterQueue: existingQueue(stack), deadLetterRetentionPeriod: Duration.days(14) }); },
    path: Q,
    code: 'SECURE_QUEUE_DLQ_RETENTION_WITH_EXISTING',
    prop: 'deadLetterRetentionPeriod',
    value: '14 days (1,209,600 s)',
    allowed: 'no value when existingDeadLetterQueue is given',
    fix: 'set the retention on the existing dead-letter queue instead',
  },
  {
    name: 'FIFO topic name on a standard topic',
    build: topic({ topicName: 'orders.fifo' }),
    path: T,
    code: 'SECURE_TOPIC_NAME_FIFO',
    prop: 'topicName',
    value: '"orders.fifo" with fifo: false',
    allowed: 'a name ending in ".fifo" for a FIFO topic, and only then',
    fix: 'set fifo: true, or remove the ".fifo" suffix',
  },
  {
    name: 'content-based deduplication on a standard topic',
    build: topic({ contentBasedDeduplication: true }),
    path: T,
    code: 'SECURE_TOPIC_FIFO_ONLY',
    prop: 'contentBasedDeduplication',
    value: 'true on a standard topic',
    allowed: 'true only on a FIFO topic',
    fix: 'set fifo: true, or remove contentBasedDeduplication',
  },
  {
    name: 'delivery-status success sample rate above 100',
    build: topic({ deliveryStatusLogging: { protocols: [sns.LoggingProtocol.SQS], successSampleRate: 150 } }),
    path: T,
    code: 'SECURE_TOPIC_SUCCESS_SAMPLE_RATE',
    prop: 'deliveryStatusLogging.successSampleRate',
    value: '150 percent',
    allowed: 'a whole number from 0 to 100 percent',
    fix: 'set deliveryStatusLogging.successSampleRate to a whole number from 0 to 100 percent',
  },
  {
    name: 'delivery-status logging without protocols',
    build: topic({ deliveryStatusLogging: { protocols: [] } }),
    path: T,
    code: 'SECURE_TOPIC_LOGGING_PROTOCOLS',
    prop: 'deliveryStatusLogging.protocols',
    value: 'an empty list',
    allowed: 'at least one element',
    fix: 'name the protocols to log (sns.LoggingProtocol.SQS, LAMBDA, HTTP, FIREHOSE, APPLICATION), or remove deliveryStatusLogging',
  },
  {
    name: 'delivery-status logging of one protocol twice',
    build: topic({ deliveryStatusLogging: { protocols: [sns.LoggingProtocol.SQS, sns.LoggingProtocol.SQS] } }),
    path: T,
    code: 'SECURE_TOPIC_LOGGING_PROTOCOLS_UNIQUE',
    prop: 'deliveryStatusLogging.protocols',
    value: '["sqs","sqs"]',
    allowed: 'each protocol at most once',
    fix: 'remove the repeated protocol',
  },
  {
    name: 'settings on an existing topic',
    build: (stack) => { new SecureTopic(stack, 'Orders', { existingTopic: sns.Topic.fromTopicArn(stack, 'E', 'arn:aws:sns:us-east-1:111111111111:t'), fifo: true }); },
    path: T,
    code: 'SECURE_TOPIC_SETTING_WITH_EXISTING',
    prop: 'fifo',
    value: 'true',
    allowed: 'no value when existingTopic is given',
    fix: 'remove fifo, or drop existingTopic so the block creates and configures the topic',
  },
  {
    name: 'consumer memory above 10,240 MB',
    build: (stack) => { consumerFunctionProps(stack, 'Worker', { memorySize: 20_000 }, 'consumer.'); },
    path: 'TestStack',
    code: 'CONSUMER_MEMORY_SIZE',
    prop: 'consumer.memorySize',
    value: '20000 MB',
    allowed: 'a whole number from 128 to 10,240 MB',
    fix: 'set consumer.memorySize to a whole number from 128 to 10,240 MB',
  },
  {
    name: 'consumer timeout above 15 minutes',
    build: (stack) => { consumerFunctionProps(stack, 'Worker', { timeout: Duration.minutes(20) }, 'consumer.'); },
    path: 'TestStack',
    code: 'CONSUMER_TIMEOUT',
    prop: 'consumer.timeout',
    value: '20 minutes (1,200 s)',
    allowed: '1 second to 15 minutes (900 s)',
    fix: 'set consumer.timeout between 1 second and 15 minutes',
  },
];

describe('bad input is a synth-time error that says what, where, what is allowed and how to fix it', () => {
  test.each(cases.map(c => [c.name, c] as const))('%s', (_name, c) => {
    expectBadInput(c);
  });

  test('an out-of-range retention is reported once, not again through the rules that compare with it', () => {
    for (const retentionPeriod of [Duration.seconds(30), Duration.days(15)]) {
      const message = expectBadInput({ ...cases[0], build: queue({ retentionPeriod }), value: '' });
      expect(message).not.toContain('invalid settings');
    }
  });
});

describe('unresolved tokens pass through untouched', () => {
  test('token durations and numbers reach the template as tokens', () => {
    const stack = newStack();
    const retention = Lazy.number({ produce: () => 120 }); // unknown until synth: not checked
    const param = (id: string, type: string) => new CfnParameter(stack, id, { type });
    new SecureQueue(stack, 'Jobs', {
      retentionPeriod: Duration.seconds(retention),
      maxReceiveCount: param('MaxReceives', 'Number').valueAsNumber,
      maxMessageSizeBytes: param('MaxSize', 'Number').valueAsNumber,
      queueName: param('QueueName', 'String').valueAsString,
      alarmsEnabled: false,
    });
    const q = Object.values(Template.fromStack(stack).findResources('AWS::SQS::Queue'))
      .find(r => r.Properties.RedrivePolicy)!;
    expect(q.Properties.MessageRetentionPeriod).toBe(120);
    expect(q.Properties.RedrivePolicy.maxReceiveCount).toEqual({ Ref: 'MaxReceives' });
    expect(q.Properties.MaximumMessageSize).toEqual({ Ref: 'MaxSize' });
    expect(q.Properties.QueueName).toEqual({ Ref: 'QueueName' });
  });
});
