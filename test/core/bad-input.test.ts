import { CfnParameter, Duration, Lazy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { QueueEncryption, SecureQueue, SecureQueueProps, SecureTopic, SecureTopicProps } from '../../src';
import { consumerFunctionProps } from '../../src/core/consumer/consumer-defaults';
import { errorMessageOf, expectFragmentsInOrder, newStack } from '../support';

/**
 * Bad input never produces a template: it produces an error that names the construct path,
 * the prop, the value given, what is allowed, and how to fix it.
 */
interface BadInputCase {
  readonly name: string;
  readonly build: (stack: Stack) => void;
  /** Every fragment must appear in the message, in this order. */
  readonly message: readonly string[];
}

const existingQueue = (stack: Stack, fifo = false) => sqs.Queue.fromQueueAttributes(stack, `Existing${fifo ? 'Fifo' : ''}`, {
  queueArn: `arn:aws:sqs:us-east-1:111111111111:legacy${fifo ? '.fifo' : ''}`, fifo,
});
const queue = (props: SecureQueueProps) => (stack: Stack) => { new SecureQueue(stack, 'Jobs', props); };
const topic = (props: SecureTopicProps) => (stack: Stack) => { new SecureTopic(stack, 'Orders', props); };

const cases: BadInputCase[] = [
  {
    name: 'retention below 60 s',
    build: queue({ retentionPeriod: Duration.seconds(30) }),
    message: ['[TestStack/Jobs]', 'invalid retentionPeriod: 30 seconds', 'Allowed: 1 minute (60 s) to 14 days (1,209,600 s)', 'Fix: set retentionPeriod between'],
  },
  {
    name: 'retention above 14 days',
    build: queue({ retentionPeriod: Duration.days(15) }),
    message: ['[TestStack/Jobs]', 'invalid retentionPeriod: 15 days (1,296,000 s)', 'Allowed: 1 minute (60 s) to 14 days (1,209,600 s)'],
  },
  {
    name: 'DLQ retention shorter than the source retention',
    build: queue({ retentionPeriod: Duration.days(10), deadLetterRetentionPeriod: Duration.days(5) }),
    message: ['invalid deadLetterRetentionPeriod: 5 days (432,000 s)', 'Allowed: at least retentionPeriod (10 days', 'Fix: raise deadLetterRetentionPeriod to 10 days'],
  },
  {
    name: 'DLQ retention above 14 days',
    build: queue({ deadLetterRetentionPeriod: Duration.days(20) }),
    message: ['invalid deadLetterRetentionPeriod: 20 days', 'Allowed: 1 minute (60 s) to 14 days'],
  },
  {
    name: 'maxReceiveCount below 1',
    build: queue({ maxReceiveCount: 0 }),
    message: ['[TestStack/Jobs]', 'invalid maxReceiveCount: 0', 'Allowed: a whole number from 1 to 1,000', 'Fix: set maxReceiveCount to'],
  },
  {
    name: 'maxReceiveCount not a whole number',
    build: queue({ maxReceiveCount: 2.5 }),
    message: ['invalid maxReceiveCount: 2.5', 'a whole number from 1 to 1,000'],
  },
  {
    name: 'visibility timeout above 12 hours',
    build: queue({ visibilityTimeout: Duration.hours(13) }),
    message: ['invalid visibilityTimeout: 13 hours (46,800 s)', 'Allowed: 0 seconds to 12 hours (43,200 s)'],
  },
  {
    name: 'delivery delay above 15 minutes',
    build: queue({ deliveryDelay: Duration.minutes(16) }),
    message: ['invalid deliveryDelay: 16 minutes (960 s)', 'Allowed: 0 seconds to 15 minutes (900 s)'],
  },
  {
    name: 'message size below 1 KiB',
    build: queue({ maxMessageSizeBytes: 1000 }),
    message: ['invalid maxMessageSizeBytes: 1000 bytes', 'Allowed: a whole number from 1,024 to 1,048,576 bytes'],
  },
  {
    name: 'message size above 1 MiB',
    build: queue({ maxMessageSizeBytes: 2_000_000 }),
    message: ['invalid maxMessageSizeBytes: 2000000 bytes', 'from 1,024 to 1,048,576 bytes'],
  },
  {
    name: 'receive wait above 20 s',
    build: queue({ receiveMessageWaitTime: Duration.seconds(25) }),
    message: ['invalid receiveMessageWaitTime: 25 seconds', 'Allowed: 0 seconds to 20 seconds'],
  },
  {
    name: 'data key reuse below 1 minute',
    build: queue({ encryption: QueueEncryption.KMS, dataKeyReuse: Duration.seconds(30) }),
    message: ['invalid dataKeyReuse: 30 seconds', 'Allowed: 1 minute (60 s) to 1 day (86,400 s)'],
  },
  {
    name: 'data key reuse without KMS',
    build: queue({ dataKeyReuse: Duration.minutes(10) }),
    message: ['invalid dataKeyReuse: 10 minutes (600 s)', 'Allowed: no value with SQS-managed encryption', 'Fix: set encryption: QueueEncryption.KMS, or remove dataKeyReuse'],
  },
  {
    name: 'SQS-managed encryption together with a KMS key',
    build: (stack) => new SecureQueue(stack, 'Jobs', { encryption: QueueEncryption.SQS_MANAGED, encryptionKey: new kms.Key(stack, 'K') }),
    message: ['invalid encryption: SQS_MANAGED together with encryptionKey', 'Allowed: QueueEncryption.KMS when an encryptionKey is given'],
  },
  {
    name: 'FIFO queue with a standard DLQ',
    build: (stack) => new SecureQueue(stack, 'Jobs', { fifo: true, existingDeadLetterQueue: existingQueue(stack, false) }),
    message: ['[TestStack/Jobs]', 'invalid existingDeadLetterQueue: a standard queue for a FIFO source queue', 'SQS requires FIFO DLQs for FIFO queues', 'Fix: pass a FIFO queue'],
  },
  {
    name: 'standard queue with a FIFO DLQ',
    build: (stack) => new SecureQueue(stack, 'Jobs', { existingDeadLetterQueue: existingQueue(stack, true) }),
    message: ['invalid existingDeadLetterQueue: a FIFO queue for a standard source queue', 'Fix: pass a standard queue, or make this queue FIFO'],
  },
  {
    name: 'FIFO name without fifo (explicit false)',
    build: queue({ queueName: 'orders.fifo', fifo: false }),
    message: ['invalid queueName: "orders.fifo" with fifo: false', 'Allowed: a name ending in ".fifo" for a FIFO queue, and only then'],
  },
  {
    name: 'FIFO queue whose name lacks .fifo',
    build: queue({ queueName: 'orders', fifo: true }),
    message: ['invalid queueName: "orders" with fifo: true', 'Fix: name the queue "orders.fifo"'],
  },
  {
    name: 'queue name too long for its DLQ name',
    build: queue({ queueName: 'q'.repeat(78) }),
    message: ['invalid queueName: "' + 'q'.repeat(78) + '" (78 characters)', 'at most 76 characters', '"-dlq" name fits SQS\'s 80'],
  },
  {
    name: 'queue name with invalid characters',
    build: queue({ queueName: 'orders queue!' }),
    message: ['invalid queueName: "orders queue!"', 'A-Z a-z 0-9 - _ only'],
  },
  {
    name: 'content-based deduplication on a standard queue',
    build: queue({ contentBasedDeduplication: true }),
    message: ['invalid contentBasedDeduplication: true on a standard queue', 'Fix: set fifo: true, or remove contentBasedDeduplication'],
  },
  {
    name: 'high-throughput FIFO on a standard queue',
    build: queue({ highThroughputFifo: true }),
    message: ['invalid highThroughputFifo: true on a standard queue'],
  },
  {
    name: 'settings on an existing queue',
    build: (stack) => new SecureQueue(stack, 'Jobs', { existingQueue: existingQueue(stack), maxReceiveCount: 3 }),
    message: ['invalid maxReceiveCount: 3', 'Allowed: no value when existingQueue is given', 'Fix: remove maxReceiveCount, or drop existingQueue'],
  },
  {
    name: 'alarm age threshold the queue can never reach',
    build: queue({ retentionPeriod: Duration.minutes(10), maxMessageAge: Duration.minutes(15) }),
    message: ['invalid maxMessageAge: 15 minutes (900 s)', 'Allowed: less than retentionPeriod (10 minutes (600 s))', 'Fix: lower maxMessageAge or raise retentionPeriod'],
  },
  {
    name: 'DLQ retention together with an existing DLQ',
    build: (stack) => new SecureQueue(stack, 'Jobs', { existingDeadLetterQueue: existingQueue(stack), deadLetterRetentionPeriod: Duration.days(14) }),
    message: ['invalid deadLetterRetentionPeriod', 'Fix: set the retention on the existing dead-letter queue instead'],
  },
  {
    name: 'FIFO topic name on a standard topic',
    build: topic({ topicName: 'orders.fifo' }),
    message: ['[TestStack/Orders]', 'invalid topicName: "orders.fifo" with fifo: false', 'Fix: set fifo: true, or remove the ".fifo" suffix'],
  },
  {
    name: 'content-based deduplication on a standard topic',
    build: topic({ contentBasedDeduplication: true }),
    message: ['invalid contentBasedDeduplication: true on a standard topic', 'Allowed: true only on a FIFO topic'],
  },
  {
    name: 'delivery-status success sample rate above 100',
    build: topic({ deliveryStatusLogging: { protocols: [sns.LoggingProtocol.SQS], successSampleRate: 150 } }),
    message: ['invalid deliveryStatusLogging.successSampleRate: 150 percent', 'Allowed: a whole number from 0 to 100 percent'],
  },
  {
    name: 'delivery-status logging without protocols',
    build: topic({ deliveryStatusLogging: { protocols: [] } }),
    message: ['invalid deliveryStatusLogging.protocols: [] (empty)', 'Fix: name the protocols to log, or remove deliveryStatusLogging'],
  },
  {
    name: 'delivery-status logging of one protocol twice',
    build: topic({ deliveryStatusLogging: { protocols: [sns.LoggingProtocol.SQS, sns.LoggingProtocol.SQS] } }),
    message: ['invalid deliveryStatusLogging.protocols: ["sqs","sqs"]', 'Allowed: each protocol at most once'],
  },
  {
    name: 'settings on an existing topic',
    build: (stack) => new SecureTopic(stack, 'Orders', { existingTopic: sns.Topic.fromTopicArn(stack, 'E', 'arn:aws:sns:us-east-1:111111111111:t'), fifo: true }),
    message: ['invalid fifo: true', 'Allowed: no value when existingTopic is given'],
  },
  {
    name: 'consumer memory above 10,240 MB',
    build: (stack) => consumerFunctionProps(stack, 'Worker', { memorySize: 20_000 }),
    message: ['[TestStack]', 'invalid memorySize: 20000 MB', 'Allowed: a whole number from 128 to 10,240 MB'],
  },
  {
    name: 'consumer timeout above 15 minutes',
    build: (stack) => consumerFunctionProps(stack, 'Worker', { timeout: Duration.minutes(20) }),
    message: ['invalid timeout: 20 minutes (1,200 s)', 'Allowed: 1 second to 15 minutes (900 s)'],
  },
];

describe('bad input is a synth-time error that says what, where, what is allowed and how to fix it', () => {
  test.each(cases.map(c => [c.name, c] as const))('%s', (_name, c) => {
    const message = errorMessageOf(() => c.build(newStack()));
    expectFragmentsInOrder(message, c.message);
  });

  test('every message has the four parts', () => {
    for (const c of cases) {
      const stack = newStack();
      expect(() => c.build(stack)).toThrow(/^\[TestStack[^\]]*\] invalid .+: .+\. Allowed: .+\. Fix: .+/s);
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
