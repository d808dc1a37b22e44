import { Match } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { SecureTopic } from '../../src';
import { newStack, templateOf } from '../support';

describe('SecureTopic defaults', () => {
  const stack = newStack();
  const block = new SecureTopic(stack, 'Orders');
  const template = templateOf(stack);
  const keyId = Object.keys(template.findResources('AWS::KMS::Key'))[0];
  const topicId = Object.keys(template.findResources('AWS::SNS::Topic'))[0];

  test('a standard topic encrypted with a new rotating customer-managed key', () => {
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
      FifoTopic: Match.absent(),
      ContentBasedDeduplication: Match.absent(),
      DeliveryStatusLogging: Match.absent(),
    });
    expect(block.fifo).toBe(false);
    expect(block.encryptionKey).toBeDefined();
    expect(block.deliveryStatusLoggingRole).toBeUndefined();
  });

  test('TLS-only topic policy', () => {
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topicId }],
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Effect: 'Deny', Action: 'sns:Publish', Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        })]),
      },
    });
  });

  test('alarm on failed notifications, with the TopicName dimension', () => {
    template.resourceCountIs('AWS::CloudWatch::Alarm', 1);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SNS',
      MetricName: 'NumberOfNotificationsFailed',
      Dimensions: [{ Name: 'TopicName', Value: { 'Fn::GetAtt': [topicId, 'TopicName'] } }],
      Statistic: 'Sum',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    expect(block.alarms).toHaveLength(1);
    expect(block.dashboardWidgets()).toHaveLength(1);
  });
});

describe('SecureTopic options', () => {
  test('FIFO gets content-based deduplication by default', () => {
    const stack = newStack();
    new SecureTopic(stack, 'T', { fifo: true, topicName: 'orders.fifo' });
    templateOf(stack).hasResourceProperties('AWS::SNS::Topic', {
      TopicName: 'orders.fifo', FifoTopic: true, ContentBasedDeduplication: true,
    });
  });

  test('FIFO content-based deduplication can be turned off', () => {
    const stack = newStack();
    new SecureTopic(stack, 'T', { fifo: true, contentBasedDeduplication: false });
    templateOf(stack).hasResourceProperties('AWS::SNS::Topic', { FifoTopic: true, ContentBasedDeduplication: false });
  });

  test('an existing key is used', () => {
    const stack = newStack();
    const key = kms.Key.fromKeyArn(stack, 'K', 'arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab');
    new SecureTopic(stack, 'T', { encryptionKey: key, displayName: 'Orders' });
    const template = templateOf(stack);
    template.resourceCountIs('AWS::KMS::Key', 0);
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: 'arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab', DisplayName: 'Orders' });
  });

  test('delivery-status logging: one role for SQS and Lambda, failures plus sampled successes', () => {
    const stack = newStack();
    const block = new SecureTopic(stack, 'T', {
      topicName: 'orders',
      deliveryStatusLogging: { protocols: [sns.LoggingProtocol.SQS, sns.LoggingProtocol.LAMBDA], successSampleRate: 25 },
    });
    const template = templateOf(stack);
    const roleId = Object.keys(template.findResources('AWS::IAM::Role'))[0];
    const roleArn = { 'Fn::GetAtt': [roleId, 'Arn'] };
    template.hasResourceProperties('AWS::SNS::Topic', {
      DeliveryStatusLogging: [
        { Protocol: 'sqs', FailureFeedbackRoleArn: roleArn, SuccessFeedbackRoleArn: roleArn, SuccessFeedbackSampleRate: '25' },
        { Protocol: 'lambda', FailureFeedbackRoleArn: roleArn, SuccessFeedbackRoleArn: roleArn, SuccessFeedbackSampleRate: '25' },
      ],
    });
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'sns.amazonaws.com' } })] },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [Match.objectLike({
          Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:PutRetentionPolicy'],
          Resource: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(':logs:us-east-1:111111111111:log-group:sns/us-east-1/111111111111/orders\\*')])] }),
        })],
      },
    });
    expect(block.deliveryStatusLoggingRole).toBeDefined();
  });

  test('success sample rate defaults to 0 (failures only)', () => {
    const stack = newStack();
    new SecureTopic(stack, 'T', { deliveryStatusLogging: { protocols: [sns.LoggingProtocol.HTTP] } });
    templateOf(stack).hasResourceProperties('AWS::SNS::Topic', {
      DeliveryStatusLogging: [Match.objectLike({ Protocol: 'http/s', SuccessFeedbackSampleRate: '0' })],
    });
  });

  test('allowServicePublisher grants the topic and its key to a service, limited to this account', () => {
    const stack = newStack();
    const block = new SecureTopic(stack, 'T');
    block.allowServicePublisher(new iam.ServicePrincipal('cloudwatch.amazonaws.com'));
    const template = templateOf(stack);
    const condition = { StringEquals: { 'aws:SourceAccount': '111111111111' } };
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'sns:Publish', Principal: { Service: 'cloudwatch.amazonaws.com' }, Condition: condition })]) },
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Action: ['kms:GenerateDataKey*', 'kms:Decrypt'], Principal: { Service: 'cloudwatch.amazonaws.com' }, Condition: condition })]) },
    });
  });

  test('an existing topic is used and monitored', () => {
    const stack = newStack();
    const existing = sns.Topic.fromTopicArn(stack, 'E', 'arn:aws:sns:us-east-1:111111111111:legacy');
    const block = new SecureTopic(stack, 'T', { existingTopic: existing });
    const template = templateOf(stack);
    template.resourceCountIs('AWS::SNS::Topic', 0);
    expect(block.topic).toBe(existing);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { Dimensions: [{ Name: 'TopicName', Value: 'legacy' }] });
  });

  test('alarm actions go to the alarm topic', () => {
    const stack = newStack();
    const oncall = new SecureTopic(stack, 'Oncall', { alarmsEnabled: false });
    new SecureTopic(stack, 'T', { alarmTopic: oncall.topic });
    const alarm = Object.values(templateOf(stack).findResources('AWS::CloudWatch::Alarm'))[0];
    expect(alarm.Properties.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^OncallTopic/) }]);
    expect(alarm.Properties.OKActions).toEqual([{ Ref: expect.stringMatching(/^OncallTopic/) }]);
  });
});
