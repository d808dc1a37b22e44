import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { QueueEncryption, SecureQueue } from '../../src';
import { newStack, templateOf } from '../support';

describe('SecureQueue defaults', () => {
  const stack = newStack();
  const block = new SecureQueue(stack, 'Jobs');
  const template = templateOf(stack);
  const queues = template.findResources('AWS::SQS::Queue');
  const [dlqId] = Object.entries(queues).find(([, r]) => r.Properties.RedriveAllowPolicy)!;
  const [queueId] = Object.entries(queues).find(([, r]) => r.Properties.RedrivePolicy)!;

  test('creates exactly a queue and a dead-letter queue', () => {
    template.resourceCountIs('AWS::SQS::Queue', 2);
    expect(block.deadLetterQueue).toBeDefined();
    expect(block.fifo).toBe(false);
    expect(block.maxReceiveCount).toBe(5);
  });

  test('SSE-SQS on both queues', () => {
    expect(queues[queueId].Properties.SqsManagedSseEnabled).toBe(true);
    expect(queues[dlqId].Properties.SqsManagedSseEnabled).toBe(true);
    expect(block.encryptionKey).toBeUndefined();
  });

  test('redrive to the DLQ after 5 receives', () => {
    expect(queues[queueId].Properties.RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] },
      maxReceiveCount: 5,
    });
  });

  test('long polling of 20 s on both queues', () => {
    expect(queues[queueId].Properties.ReceiveMessageWaitTimeSeconds).toBe(20);
    expect(queues[dlqId].Properties.ReceiveMessageWaitTimeSeconds).toBe(20);
  });

  test('DLQ keeps messages 14 days; the source keeps the SQS default (4 days)', () => {
    expect(queues[dlqId].Properties.MessageRetentionPeriod).toBe(1_209_600);
    expect(queues[queueId].Properties.MessageRetentionPeriod).toBeUndefined();
  });

  test('the DLQ only accepts redrives from its own source queue', () => {
    const name = queues[queueId].Properties.QueueName;
    expect(name).toMatch(/^TestStack-Jobs/);
    expect(queues[dlqId].Properties.QueueName).toBe(`${name}-dlq`);
    expect(queues[dlqId].Properties.RedriveAllowPolicy.redrivePermission).toBe('byQueue');
    expect(queues[dlqId].Properties.RedriveAllowPolicy.sourceQueueArns).toHaveLength(1);
    const arn = JSON.stringify(queues[dlqId].Properties.RedriveAllowPolicy.sourceQueueArns[0]);
    expect(arn).toContain(`:sqs:us-east-1:111111111111:${name}`);
  });

  test('TLS-only policy on both queues', () => {
    for (const id of [queueId, dlqId]) {
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: id }],
        PolicyDocument: {
          Statement: Match.arrayWith([Match.objectLike({
            Effect: 'Deny',
            Action: 'sqs:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          })]),
        },
      });
    }
  });

  test('queues are deleted with the stack by default', () => {
    template.hasResource('AWS::SQS::Queue', { DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' });
  });

  test('alarms: oldest message older than 15 minutes for 3 minutes, and DLQ not empty', () => {
    template.resourceCountIs('AWS::CloudWatch::Alarm', 2);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateAgeOfOldestMessage',
      Namespace: 'AWS/SQS',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }],
      Statistic: 'Maximum',
      Period: 60,
      Threshold: 900,
      EvaluationPeriods: 3,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlqId, 'QueueName'] } }],
      Threshold: 0,
      EvaluationPeriods: 1,
    });
    expect(block.alarms).toHaveLength(2);
  });

  test('alarms have no actions unless an alarm topic is given', () => {
    const alarms = template.findResources('AWS::CloudWatch::Alarm');
    for (const alarm of Object.values(alarms)) expect(alarm.Properties.AlarmActions).toBeUndefined();
  });

  test('dashboard widgets for traffic, lag and dead letters', () => {
    expect(block.dashboardWidgets()).toHaveLength(3);
  });
});

describe('SecureQueue options', () => {
  test('FIFO: .fifo names for both, FIFO DLQ, content-based dedup, high throughput', () => {
    const stack = newStack();
    const block = new SecureQueue(stack, 'Orders', {
      queueName: 'orders.fifo', contentBasedDeduplication: true, highThroughputFifo: true,
    });
    const template = templateOf(stack);
    expect(block.fifo).toBe(true);
    template.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: 'orders.fifo',
      FifoQueue: true,
      ContentBasedDeduplication: true,
      DeduplicationScope: 'messageGroup',
      FifoThroughputLimit: 'perMessageGroupId',
    });
    template.hasResourceProperties('AWS::SQS::Queue', { QueueName: 'orders-dlq.fifo', FifoQueue: true });
  });

  test('fifo: true without a name gets a generated .fifo name for both queues', () => {
    const stack = newStack();
    new SecureQueue(stack, 'Orders', { fifo: true });
    const names = Object.values(templateOf(stack).findResources('AWS::SQS::Queue')).map(q => q.Properties.QueueName as string);
    expect(names.every(n => n.endsWith('.fifo'))).toBe(true);
    expect(names.some(n => n.endsWith('-dlq.fifo'))).toBe(true);
  });

  test('KMS: a new rotating key encrypts both queues', () => {
    const stack = newStack();
    const block = new SecureQueue(stack, 'Q', { encryption: QueueEncryption.KMS, dataKeyReuse: Duration.minutes(10) });
    const template = templateOf(stack);
    expect(block.encryptionKey).toBeDefined();
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    const queues = Object.values(template.findResources('AWS::SQS::Queue'));
    for (const q of queues) {
      expect(q.Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^QKey/), 'Arn'] });
      expect(q.Properties.KmsDataKeyReusePeriodSeconds).toBe(600);
    }
  });

  test('KMS: an existing key is used, not a new one', () => {
    const stack = newStack();
    const key = kms.Key.fromKeyArn(stack, 'Existing', 'arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab');
    const block = new SecureQueue(stack, 'Q', { encryptionKey: key });
    const template = templateOf(stack);
    template.resourceCountIs('AWS::KMS::Key', 0);
    template.allResourcesProperties('AWS::SQS::Queue', { KmsMasterKeyId: 'arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab' });
    expect(block.encryptionKey).toBe(key);
  });

  test('every setting reaches the template', () => {
    const stack = newStack();
    new SecureQueue(stack, 'Q', {
      queueName: 'jobs',
      retentionPeriod: Duration.days(2),
      deadLetterRetentionPeriod: Duration.days(7),
      visibilityTimeout: Duration.minutes(5),
      deliveryDelay: Duration.seconds(30),
      maxMessageSizeBytes: 262_144,
      receiveMessageWaitTime: Duration.seconds(5),
      maxReceiveCount: 2,
      removalPolicy: RemovalPolicy.RETAIN,
      maxMessageAge: Duration.hours(1),
    });
    const template = templateOf(stack);
    template.hasResource('AWS::SQS::Queue', {
      Properties: {
        QueueName: 'jobs',
        MessageRetentionPeriod: 172_800,
        VisibilityTimeout: 300,
        DelaySeconds: 30,
        MaximumMessageSize: 262_144,
        ReceiveMessageWaitTimeSeconds: 5,
        RedrivePolicy: Match.objectLike({ maxReceiveCount: 2 }),
      },
      DeletionPolicy: 'Retain',
    });
    template.hasResourceProperties('AWS::SQS::Queue', { QueueName: 'jobs-dlq', MessageRetentionPeriod: 604_800 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ApproximateAgeOfOldestMessage', Threshold: 3600 });
  });

  test('an alarm topic receives ALARM and OK notifications of both alarms', () => {
    const stack = newStack();
    const topic = new sns.Topic(stack, 'Oncall', { enforceSSL: true, masterKey: new kms.Key(stack, 'K', { enableKeyRotation: true }) });
    new SecureQueue(stack, 'Q', { alarmTopic: topic });
    const alarms = Object.values(templateOf(stack).findResources('AWS::CloudWatch::Alarm'));
    expect(alarms).toHaveLength(2);
    for (const a of alarms) {
      expect(a.Properties.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^Oncall/) }]);
      expect(a.Properties.OKActions).toEqual([{ Ref: expect.stringMatching(/^Oncall/) }]);
    }
  });

  test('alarmsEnabled: false creates no alarms', () => {
    const stack = newStack();
    const block = new SecureQueue(stack, 'Q', { alarmsEnabled: false });
    templateOf(stack).resourceCountIs('AWS::CloudWatch::Alarm', 0);
    expect(block.alarms).toEqual([]);
  });

  test('an existing queue is used as is, with its existing DLQ monitored', () => {
    const stack = newStack();
    const existing = sqs.Queue.fromQueueArn(stack, 'Existing', 'arn:aws:sqs:us-east-1:111111111111:legacy');
    const existingDlq = sqs.Queue.fromQueueArn(stack, 'ExistingDlq', 'arn:aws:sqs:us-east-1:111111111111:legacy-dlq');
    const block = new SecureQueue(stack, 'Q', { existingQueue: existing, existingDeadLetterQueue: existingDlq });
    const template = templateOf(stack);
    template.resourceCountIs('AWS::SQS::Queue', 0);
    expect(block.queue).toBe(existing);
    expect(block.deadLetterQueue).toBe(existingDlq);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { Dimensions: [{ Name: 'QueueName', Value: 'legacy-dlq' }] });
  });

  test('an existing DLQ is used instead of a new one', () => {
    const stack = newStack();
    const dlq = new sqs.Queue(stack, 'SharedDlq', { enforceSSL: true });
    new SecureQueue(stack, 'Q', { existingDeadLetterQueue: dlq });
    const template = templateOf(stack);
    template.resourceCountIs('AWS::SQS::Queue', 2);
    const dlqId = Object.keys(template.findResources('AWS::SQS::Queue')).find(id => id.startsWith('SharedDlq'));
    template.hasResourceProperties('AWS::SQS::Queue', {
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] }, maxReceiveCount: 5 },
    });
  });
});
