import { CfnElement } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { IConstruct } from 'constructs';
import { OrderFanOutStack } from '../../src';
import { buildArchitecture, nagFindings } from '../support';

const build = (props = {}) => buildArchitecture(OrderFanOutStack, 'OrderFanOut', props);

describe('OrderFanOutStack', () => {
  const { stack, template } = build();
  const logicalId = (c: IConstruct) => stack.getLogicalId(c.node.defaultChild as CfnElement);
  const subscriber = (name: string) => stack.fanOut.subscribers.find(s => s.node.id === name)!;
  const topicId = logicalId(stack.fanOut.topic);
  const uploadSubscriber = (name: string) => stack.uploadsFanOut.subscribers.find(s => s.node.id === name)!;
  const uploadsTopicId = logicalId(stack.uploadsFanOut.topic);
  const queueArn = (name: string) => ({ 'Fn::GetAtt': [logicalId((subscriber(name) ?? uploadSubscriber(name)).queue), 'Arn'] });

  test('cdk-nag AwsSolutions: no unacknowledged finding', () => {
    expect(nagFindings(stack)).toEqual([]);
  });

  test('orders: shipping, fraud, analytics with recorders; uploads: import and audit, polled', () => {
    expect(stack.fanOut.subscribers.map(s => s.node.id)).toEqual(['Shipping', 'Fraud', 'Analytics']);
    expect(stack.fanOut.subscribers.every(s => s.consumer !== undefined)).toBe(true);
    expect(stack.uploadsFanOut.subscribers.map(s => s.node.id)).toEqual(['Import', 'Audit']);
    expect(stack.uploadsFanOut.subscribers.some(s => s.consumer !== undefined)).toBe(false);
    template.resourceCountIs('AWS::SNS::Topic', 3); // orders, uploads, alarms
    template.resourceCountIs('AWS::SNS::Subscription', 5);
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 3);
    template.resourceCountIs('AWS::DynamoDB::GlobalTable', 3);
  });

  test('shipping gets every order (attributes); fraud only orders of 1000 or more; analytics on the body, raw', () => {
    template.hasResourceProperties('AWS::SNS::Subscription', {
      TopicArn: { Ref: topicId }, Endpoint: queueArn('Shipping'), FilterPolicy: { eventType: ['OrderPlaced'] }, RawMessageDelivery: Match.absent(),
    });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Endpoint: queueArn('Fraud'), FilterPolicy: { eventType: ['OrderPlaced'], amount: [{ numeric: ['>=', 1000] }] },
    });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Endpoint: queueArn('Analytics'), FilterPolicy: { eventType: ['OrderPlaced'] }, FilterPolicyScope: 'MessageBody', RawMessageDelivery: true,
    });
  });

  test('every upload event reaches both upload subscribers: no filter, envelope delivery, on the uploads topic', () => {
    for (const name of ['Import', 'Audit']) {
      template.hasResourceProperties('AWS::SNS::Subscription', {
        TopicArn: { Ref: uploadsTopicId }, Endpoint: queueArn(name), FilterPolicy: Match.absent(), RawMessageDelivery: Match.absent(),
      });
    }
  });

  test('each recorder writes to its own table, reads its own queue with partial batch responses', () => {
    for (const name of ['Shipping', 'Fraud', 'Analytics']) {
      const fn = subscriber(name).consumer!;
      template.hasResourceProperties('AWS::Lambda::Function', {
        FunctionName: Match.absent(),
        Runtime: 'nodejs24.x',
        Environment: { Variables: Match.objectLike({ TABLE_NAME: { Ref: logicalId(stack.tables[name]) }, ID_FIELD: 'orderId' }) },
      });
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        FunctionName: { Ref: logicalId(fn) },
        EventSourceArn: queueArn(name),
        BatchSize: 10,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        ScalingConfig: { MaximumConcurrency: 5 },
      });
    }
    template.hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 180, RedrivePolicy: Match.objectLike({ maxReceiveCount: 3 }) });
  });

  test('uploads bucket: SSE, TLS only, versioned, access logs, kept on delete; one rule: ObjectCreated incoming/*.csv to the uploads topic', () => {
    template.hasResource('AWS::S3::Bucket', {
      Properties: Match.objectLike({
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        VersioningConfiguration: { Status: 'Enabled' },
        LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'uploads/' }),
      }),
      DeletionPolicy: 'Retain',
    });
    template.hasResourceProperties('Custom::S3BucketNotifications', {
      BucketName: { Ref: logicalId(stack.uploadsBucket) },
      NotificationConfiguration: {
        TopicConfigurations: [{
          Events: ['s3:ObjectCreated:*'],
          TopicArn: { Ref: uploadsTopicId },
          Filter: { Key: { FilterRules: [{ Name: 'suffix', Value: '.csv' }, { Name: 'prefix', Value: 'incoming/' }] } },
        }],
      },
    });
  });

  test('every alarm notifies the alarm topic', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    // orders topic 1 + 3 subscribers x 2 + 3 consumers x 2 + uploads topic 1 + 2 subscribers x 2 + alarm topic 1
    expect(alarms).toHaveLength(19);
    const alarmTopic = { Ref: logicalId(stack.alarmTopic.topic) };
    const patternAlarms = alarms.filter(x => /\/(Orders|UploadEvents)/.test(JSON.stringify(x.Properties.AlarmDescription)));
    expect(patternAlarms).toHaveLength(18);
    for (const a of patternAlarms) {
      expect(a.Properties.AlarmActions).toEqual([alarmTopic]);
    }
  });

  test('outputs for the e2e harness', () => {
    const outputs = Object.keys(template.findOutputs('*'));
    expect(outputs).toEqual(expect.arrayContaining([
      'OrdersTopicArn', 'UploadsTopicArn', 'UploadsBucketName',
      ...['Shipping', 'Fraud', 'Analytics', 'Import', 'Audit'].flatMap(n => [`${n}QueueUrl`, `${n}DeadLetterQueueUrl`]),
      ...['Shipping', 'Fraud', 'Analytics'].map(n => `${n}TableName`),
    ]));
  });

  test('snapshot', () => {
    expect(template.toJSON()).toMatchSnapshot();
  });
});
