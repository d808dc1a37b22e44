import { CfnElement } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { IConstruct } from 'constructs';
import { ORDER_SCHEMA, OrderIntakeStack } from '../../src';
import { buildArchitecture, nagFindings } from '../support';

const build = (props = {}) => buildArchitecture(OrderIntakeStack, 'OrderIntake', props);

describe('OrderIntakeStack', () => {
  const { stack, template } = build();
  const logicalId = (c: IConstruct) => stack.getLogicalId(c.node.defaultChild as CfnElement);

  test('cdk-nag AwsSolutions: no unacknowledged finding', () => {
    expect(nagFindings(stack)).toEqual([]);
  });

  test('POST /orders sends straight to the buffer queue (no Lambda in front), IAM-authorized, schema-validated', () => {
    template.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: 'orders' });
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'POST', AuthorizationType: 'AWS_IAM', Integration: Match.objectLike({ Type: 'AWS', Uri: Match.objectLike({ 'Fn::Join': Match.anyValue() }) }),
    });
    template.hasResourceProperties('AWS::ApiGateway::Model', { Schema: Match.objectLike({ required: ORDER_SCHEMA.required }) });
    template.resourceCountIs('AWS::Lambda::Function', 1);
  });

  test('the door is the buffer\'s FrontDoor route: stage 100/s burst 200, named after its construct path (alarm dimensions are its own)', () => {
    template.hasResourceProperties('AWS::ApiGateway::RestApi', { Name: 'OrderIntake/Orders/FrontDoor' });
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: [Match.objectLike({ HttpMethod: '*', ResourcePath: '/*', ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 })],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: '5XXError', Dimensions: Match.arrayWith([{ Name: 'ApiName', Value: 'OrderIntake/Orders/FrontDoor' }]),
    });
  });

  test('writer: batches of up to 25 within 1 s, at most 5 at once, into the orders table keyed by orderId', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: logicalId(stack.buffer.writer) },
      BatchSize: 25,
      MaximumBatchingWindowInSeconds: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 5 },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ WRITE_BUFFER_SINK: 'dynamodb', TABLE_NAME: { Ref: logicalId(stack.ordersTable) }, PARTITION_KEY: 'orderId' }) },
    });
    // 6 x 30 s + 1 s window.
    template.hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 181, RedrivePolicy: Match.objectLike({ maxReceiveCount: 5 }) });
  });

  test('orders table: point-in-time recovery, kept on delete', () => {
    template.hasResource('AWS::DynamoDB::GlobalTable', {
      Properties: Match.objectLike({ KeySchema: [{ AttributeName: 'orderId', KeyType: 'HASH' }] }),
      DeletionPolicy: 'Retain',
    });
  });

  test('every alarm of the buffer (queue, writer, table, and its FrontDoor\'s four) notifies the stack\'s alarm topic', () => {
    const alarms = (Object.values(template.findResources('AWS::CloudWatch::Alarm')) as Array<{ Properties: { Namespace: string; AlarmActions?: unknown[] } }>)
      .filter(a => a.Properties.Namespace !== 'AWS/SNS'); // the alarm topic's own alarm cannot notify itself
    expect(alarms).toHaveLength(9);
    expect(alarms.filter(a => a.Properties.Namespace === 'AWS/ApiGateway')).toHaveLength(4);
    for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toEqual([{ Ref: logicalId(stack.alarmTopic.topic) }]);
  });

  test('outputs the e2e and operators need', () => {
    for (const name of ['OrdersQueueUrl', 'OrdersDeadLetterQueueUrl', 'OrdersTableName', 'WriterFunctionName', 'OrderIntakeApiUrl']) {
      template.hasOutput(name, Match.anyValue());
    }
  });

  test('snapshot', () => {
    expect(template.toJSON()).toMatchSnapshot();
  });
});
