import { CfnElement, Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { IConstruct } from 'constructs';
import { MessageBackboneStack } from '../../src';
import { buildArchitecture, expectBadInput, nagFindings } from '../support';

const build = (props = {}) => buildArchitecture(MessageBackboneStack, 'Backbone', props);

describe('MessageBackboneStack', () => {
  const { stack, template } = build();
  const logicalId = (c: IConstruct) => stack.getLogicalId(c.node.defaultChild as CfnElement);
  const topicId = logicalId(stack.ordersTopic.topic);
  const queueId = logicalId(stack.ordersQueue.queue);
  const dlqId = logicalId(stack.ordersQueue.deadLetterQueue!);
  const tableId = logicalId(stack.ordersTable);
  const functionId = logicalId(stack.recorderFunction);
  const alarmTopicId = logicalId(stack.alarmTopic.topic);

  test('cdk-nag AwsSolutions: no unacknowledged finding', () => {
    expect(nagFindings(stack)).toEqual([]);
  });

  test('orders topic → orders queue with raw delivery and a subscription DLQ', () => {
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'sqs',
      TopicArn: { Ref: topicId },
      Endpoint: { 'Fn::GetAtt': [queueId, 'Arn'] },
      RawMessageDelivery: true,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] } },
    });
  });

  test('only the orders topic may send to the queue', () => {
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queueId }],
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Action: 'sqs:SendMessage',
          Principal: { Service: 'sns.amazonaws.com' },
          Condition: { ArnEquals: { 'aws:SourceArn': { Ref: topicId } } },
        })]),
      },
    });
  });

  test('visibility timeout follows the 6 x timeout + batching window rule, DLQ after 3 receives', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      VisibilityTimeout: 181,
      RedrivePolicy: Match.objectLike({ maxReceiveCount: 3 }),
    });
  });

  test('recorder: bundled asset, partial batch responses, throttled to 5 concurrent', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Handler: 'index.handler',
      Environment: { Variables: Match.objectLike({ KEY_ATTRIBUTE: 'orderId', ID_FIELD: 'orderId', TABLE_NAME: { Ref: tableId } }) },
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
      BatchSize: 10,
      MaximumBatchingWindowInSeconds: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 5 },
    });
  });

  test('recorder may only PutItem on the table and consume its queue', () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy'));
    const statements = policies.flatMap(p => p.Properties.PolicyDocument.Statement);
    const dynamo = statements.filter(s => JSON.stringify(s.Action).includes('dynamodb:'));
    expect(dynamo).toEqual([{ Effect: 'Allow', Action: 'dynamodb:PutItem', Resource: { 'Fn::GetAtt': [tableId, 'Arn'] } }]);
  });

  test('table: on-demand, point-in-time recovery, retained by default', () => {
    template.hasResource('AWS::DynamoDB::GlobalTable', {
      Properties: Match.objectLike({
        BillingMode: 'PAY_PER_REQUEST',
        Replicas: [Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } })],
      }),
      DeletionPolicy: 'Retain',
    });
    build({ removalPolicy: RemovalPolicy.DESTROY }).template.hasResource('AWS::DynamoDB::GlobalTable', { DeletionPolicy: 'Delete' });
  });

  test('every alarm notifies the alarm topic, which CloudWatch may publish to', () => {
    const alarms = template.findResources('AWS::CloudWatch::Alarm');
    // The alarm topic's own alarm has no action: it would notify the topic that is failing.
    const withActions = Object.entries(alarms).filter(([k]) => !k.startsWith('Alarms'));
    // orders topic failures, queue age, DLQ not empty, recorder errors, recorder throttles
    expect(withActions.map(([k]) => k).sort()).toHaveLength(5);
    for (const [, a] of withActions) expect(a.Properties.AlarmActions).toEqual([{ Ref: alarmTopicId }]);
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: alarmTopicId }],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'cloudwatch.amazonaws.com' } })]) },
    });
  });

  test('recorder alarms carry the FunctionName dimension', () => {
    for (const metric of ['Errors', 'Throttles']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/Lambda',
        MetricName: metric,
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: functionId } }],
      });
    }
  });

  test('one dashboard', () => {
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });

  test('outputs for the publisher and the tests', () => {
    for (const o of ['OrdersTopicArn', 'OrdersQueueUrl', 'OrdersDeadLetterQueueUrl', 'OrdersTableName']) template.hasOutput(o, {});
  });

  test('consumer.maxConcurrency outside 2–1000 is an error', () => {
    for (const maxConcurrency of [1, 1001]) {
      expectBadInput({
        build: () => build({ consumer: { maxConcurrency } }),
        path: 'Backbone',
        code: 'CONSUMER_MAX_CONCURRENCY',
        prop: 'consumer.maxConcurrency',
        value: String(maxConcurrency),
        allowed: 'a whole number from 2 to 1,000',
        fix: 'set consumer.maxConcurrency from 2 to 1,000',
      });
    }
  });

  test('the queue\'s visibility follows the consumer module\'s rule: 6 x consumer.timeout + consumer.maxBatchingWindow', () => {
    template.hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 181, RedrivePolicy: Match.anyValue() });
    build({ consumer: { timeout: Duration.minutes(2), maxBatchingWindow: Duration.seconds(10) } })
      .template.hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 730, RedrivePolicy: Match.anyValue() });
  });

  test('snapshot', () => {
    expect(template.toJSON()).toMatchSnapshot();
  });
});
