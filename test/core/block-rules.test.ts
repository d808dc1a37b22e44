import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { QueueEncryption, SecureQueue, SecureQueueProps, SecureTopic, SecureTopicProps } from '../../src';
import { createAlarm } from '../../src/monitoring/alarm-factory';
import { expectBadInput, expectNumberTokenAccepted, newStack } from '../support';

/** The rule tables of the core blocks, each case through the one bad-input helper. */
const queue = (props: SecureQueueProps | ((s: Stack) => SecureQueueProps)) => (s: Stack) => { new SecureQueue(s, 'Jobs', typeof props === 'function' ? props(s) : props); };
const topic = (props: SecureTopicProps | ((s: Stack) => SecureTopicProps)) => (s: Stack) => { new SecureTopic(s, 'Orders', typeof props === 'function' ? props(s) : props); };
const importedKeyTopic = (s: Stack) => new sns.Topic(s, 'Alarms', { masterKey: kms.Key.fromKeyArn(s, 'K', 'arn:aws:kms:us-east-1:111111111111:key/abc') });

// [name, build, path, code, prop, value, allowed, fix]
const cases: Array<[string, (s: Stack) => void, string, string, string, string, string, string]> = [
  ['queue retention NaN', queue({ retentionPeriod: Duration.seconds(NaN) }), 'TestStack/Jobs', 'SECURE_QUEUE_RETENTION', 'retentionPeriod', 'Duration.seconds(NaN)', '1 minute (60 s) to 14 days', 'set retentionPeriod'],
  ['queue visibility Infinity', queue({ visibilityTimeout: Duration.seconds(Infinity) }), 'TestStack/Jobs', 'SECURE_QUEUE_VISIBILITY_TIMEOUT', 'visibilityTimeout', 'Duration.seconds(Infinity)', '0 seconds to 12 hours', 'set visibilityTimeout'],
  ['queue delivery delay above 15 minutes', queue({ deliveryDelay: Duration.minutes(16) }), 'TestStack/Jobs', 'SECURE_QUEUE_DELIVERY_DELAY', 'deliveryDelay', '16 minutes', '0 seconds to 15 minutes', 'set deliveryDelay'],
  ['queue long polling above 20 s', queue({ receiveMessageWaitTime: Duration.seconds(21) }), 'TestStack/Jobs', 'SECURE_QUEUE_RECEIVE_WAIT', 'receiveMessageWaitTime', '21 seconds', '0 seconds to 20 seconds', 'set receiveMessageWaitTime'],
  ['queue data key reuse below 1 minute', queue({ encryption: QueueEncryption.KMS, dataKeyReuse: Duration.seconds(30) }), 'TestStack/Jobs', 'SECURE_QUEUE_DATA_KEY_REUSE', 'dataKeyReuse', '30 seconds', '1 minute (60 s) to 1 day', 'set dataKeyReuse'],
  ['queue max message size NaN', queue({ maxMessageSizeBytes: NaN }), 'TestStack/Jobs', 'SECURE_QUEUE_MAX_MESSAGE_SIZE', 'maxMessageSizeBytes', 'NaN bytes', 'from 1,024 to 1,048,576 bytes', 'set maxMessageSizeBytes'],
  ['queue max receive count Infinity', queue({ maxReceiveCount: Infinity }), 'TestStack/Jobs', 'SECURE_QUEUE_MAX_RECEIVE_COUNT', 'maxReceiveCount', 'Infinity', 'from 1 to 1,000', 'set maxReceiveCount'],
  ['queue age alarm NaN', queue({ maxMessageAge: Duration.minutes(NaN) }), 'TestStack/Jobs', 'SECURE_QUEUE_MAX_MESSAGE_AGE', 'maxMessageAge', 'Duration.minutes(NaN)', '1 second to 14 days', 'set maxMessageAge'],
  ['queue age alarm at the retention (could never fire)', queue({ retentionPeriod: Duration.hours(1), maxMessageAge: Duration.hours(1) }), 'TestStack/Jobs', 'SECURE_QUEUE_AGE_ALARM_NEVER_FIRES', 'maxMessageAge', '1 hour', 'could never fire', 'lower maxMessageAge'],
  ['queue name of 81 characters', queue({ queueName: 'q'.repeat(81) }), 'TestStack/Jobs', 'SECURE_QUEUE_NAME', 'queueName', '81 characters', 'SQS queue name of 1 to 80 characters', 'rename it'],
  ['queue name leaving no room for "-dlq"', queue({ queueName: 'q'.repeat(78) }), 'TestStack/Jobs', 'SECURE_QUEUE_NAME_DLQ_ROOM', 'queueName', '(78 characters)', 'at most 76 characters', 'shorten the name, or pass existingDeadLetterQueue'],
  ['empty queue name', queue({ queueName: '' }), 'TestStack/Jobs', 'SECURE_QUEUE_NAME', 'queueName', '"" (0 characters', 'of 1 to 80 characters', 'rename it'],
  ['FIFO queue name without .fifo', queue({ queueName: 'jobs', fifo: true }), 'TestStack/Jobs', 'SECURE_QUEUE_NAME_FIFO', 'queueName', '"jobs" with fifo: true', 'a name ending in ".fifo"', 'name the queue "jobs.fifo"'],
  ['high throughput on a standard queue', queue({ highThroughputFifo: true }), 'TestStack/Jobs', 'SECURE_QUEUE_FIFO_ONLY', 'highThroughputFifo', 'true on a standard queue', 'true only on a FIFO queue', 'set fifo: true'],
  ['SQS-managed encryption with a key', queue(s => ({ encryption: QueueEncryption.SQS_MANAGED, encryptionKey: new kms.Key(s, 'Key') })), 'TestStack/Jobs', 'SECURE_QUEUE_ENCRYPTION', 'encryption', 'SQS_MANAGED together with encryptionKey', 'QueueEncryption.KMS', 'remove encryption'],
  ['removal policy with an existing queue', queue(s => ({ existingQueue: sqs.Queue.fromQueueArn(s, 'Q', 'arn:aws:sqs:us-east-1:111111111111:q'), visibilityTimeout: Duration.minutes(1) })),
    'TestStack/Jobs', 'SECURE_QUEUE_SETTING_WITH_EXISTING', 'visibilityTimeout', '1 minute', 'no value when existingQueue is given', 'remove visibilityTimeout'],
  ['standard DLQ for a FIFO queue', queue(s => ({ fifo: true, existingDeadLetterQueue: new sqs.Queue(s, 'D') })), 'TestStack/Jobs', 'SECURE_QUEUE_DLQ_TYPE', 'existingDeadLetterQueue', 'a standard queue for a FIFO source queue', 'of the same type', 'pass a FIFO queue'],
  ['queue alarm topic with an imported key', queue(s => ({ alarmTopic: importedKeyTopic(s) })), 'TestStack/Jobs', 'ALARM_TOPIC_KEY', 'alarmTopic', 'that this app cannot grant to CloudWatch', 'one whose KMS key this app defines', 'pass a SecureTopic'],
  ['topic name with a dot', topic({ topicName: 'orders.v2' }), 'TestStack/Orders', 'SECURE_TOPIC_NAME', 'topicName', '"orders.v2"', 'SNS topic name of 1 to 256 characters', 'rename it'],
  ['topic display name over 100 characters', topic({ displayName: 'd'.repeat(101) }), 'TestStack/Orders', 'SECURE_TOPIC_DISPLAY_NAME', 'displayName', '(101 characters)', 'at most 100 characters', 'shorten displayName'],
  ['topic sample rate NaN', topic({ deliveryStatusLogging: { protocols: [sns.LoggingProtocol.SQS], successSampleRate: NaN } }), 'TestStack/Orders', 'SECURE_TOPIC_SUCCESS_SAMPLE_RATE', 'deliveryStatusLogging.successSampleRate', 'NaN percent', 'from 0 to 100 percent', 'set deliveryStatusLogging.successSampleRate'],
  ['topic logging a protocol twice', topic({ deliveryStatusLogging: { protocols: [sns.LoggingProtocol.SQS, sns.LoggingProtocol.SQS] } }), 'TestStack/Orders', 'SECURE_TOPIC_LOGGING_PROTOCOLS_UNIQUE', 'deliveryStatusLogging.protocols', '["sqs","sqs"]', 'each protocol at most once', 'remove the repeated protocol'],
  ['topic settings with an existing topic', topic(s => ({ existingTopic: sns.Topic.fromTopicArn(s, 'T', 'arn:aws:sns:us-east-1:111111111111:t'), removalPolicy: undefined, displayName: 'x' })),
    'TestStack/Orders', 'SECURE_TOPIC_SETTING_WITH_EXISTING', 'displayName', 'x', 'no value when existingTopic is given', 'remove displayName'],
  ['topic alarm topic with the AWS-managed key', topic(s => ({ alarmTopic: new sns.Topic(s, 'Alarms', { masterKey: kms.Alias.fromAliasName(s, 'A', 'alias/aws/sns') }) })), 'TestStack/Orders', 'ALARM_TOPIC_KEY', 'alarmTopic', 'alias/aws/sns', 'one whose KMS key this app defines', 'pass a SecureTopic'],
];

describe('core blocks: rule tables', () => {
  test.each(cases)('%s', (_name, build, path, code, prop, value, allowed, fix) => {
    expectBadInput({ build, path, code, prop, value, allowed, fix });
  });
});

describe('core blocks: numeric props accept CfnParameter tokens', () => {
  const cases_: Array<[string, (s: Stack, n: number) => void]> = [
    ['SecureQueue maxReceiveCount', (s, n) => queue({ maxReceiveCount: n })(s)],
    ['SecureQueue maxMessageSizeBytes', (s, n) => queue({ maxMessageSizeBytes: n })(s)],
    ['SecureQueue retentionPeriod (seconds), with the age alarm rule', (s, n) => queue({ retentionPeriod: Duration.seconds(n) })(s)],
    ['SecureQueue maxMessageAge (seconds)', (s, n) => queue({ maxMessageAge: Duration.seconds(n) })(s)],
    ['SecureQueue visibilityTimeout (seconds)', (s, n) => queue({ visibilityTimeout: Duration.seconds(n) })(s)],
    ['SecureQueue deadLetterRetentionPeriod (seconds)', (s, n) => queue({ deadLetterRetentionPeriod: Duration.seconds(n) })(s)],
    ['SecureTopic deliveryStatusLogging.successSampleRate', (s, n) => topic({ deliveryStatusLogging: { protocols: [sns.LoggingProtocol.SQS, sns.LoggingProtocol.LAMBDA], successSampleRate: n } })(s)],
  ];
  test.each(cases_)('%s', (_name, build) => {
    expectNumberTokenAccepted(build);
  });

  test('a successSampleRate token reaches every logging config', () => {
    const protocols = [sns.LoggingProtocol.SQS, sns.LoggingProtocol.LAMBDA];
    const t = expectNumberTokenAccepted((s, n) => topic({ deliveryStatusLogging: { protocols, successSampleRate: n } })(s));
    const config = Object.values(t.findResources('AWS::SNS::Topic'))[0].Properties.DeliveryStatusLogging;
    expect(config.map((c: { SuccessFeedbackSampleRate: unknown }) => c.SuccessFeedbackSampleRate)).toEqual([{ Ref: 'NumberParam' }, { Ref: 'NumberParam' }]);
  });
});

describe('alarm topics: CloudWatch may use their key, or the topic is refused', () => {
  test('a topic with a key of this app gets one key statement for cloudwatch.amazonaws.com, however many alarms use it', () => {
    const stack = newStack();
    const alarms = new SecureTopic(stack, 'Alarms');
    new SecureQueue(stack, 'A', { alarmTopic: alarms.topic });
    new SecureQueue(stack, 'B', { alarmTopic: alarms.topic });
    const key = Object.values(Template.fromStack(stack).findResources('AWS::KMS::Key'))[0];
    const statements = (key.Properties.KeyPolicy.Statement as Array<{ Principal?: { Service?: string } }>).filter(st => st.Principal?.Service === 'cloudwatch.amazonaws.com');
    expect(statements).toHaveLength(1);
  });

  test('allowServicePublisher(cloudwatch) already grants it: no second statement', () => {
    const stack = newStack();
    const alarms = new SecureTopic(stack, 'Alarms');
    alarms.allowServicePublisher(new iam.ServicePrincipal('cloudwatch.amazonaws.com'));
    new SecureQueue(stack, 'A', { alarmTopic: alarms.topic });
    const key = Object.values(Template.fromStack(stack).findResources('AWS::KMS::Key'))[0];
    const statements = (key.Properties.KeyPolicy.Statement as Array<{ Principal?: { Service?: string } }>).filter(st => st.Principal?.Service === 'cloudwatch.amazonaws.com');
    expect(statements).toHaveLength(1);
  });

  test('an unencrypted alarm topic needs nothing', () => {
    const stack = newStack();
    const plain = new sns.Topic(stack, 'Plain');
    expect(() => createAlarm(stack, 'X', { metric: new cloudwatch.Metric({ namespace: 'N', metricName: 'M' }), threshold: 0, evaluationPeriods: 1, description: 'd', alarmTopic: plain })).not.toThrow();
  });
});
