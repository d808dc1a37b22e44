import { CfnElement } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { IConstruct } from 'constructs';
import { ClickstreamStack } from '../../src';
import { buildArchitecture, nagFindings } from '../support';

const build = (props = {}) => buildArchitecture(ClickstreamStack, 'Clickstream', props);

describe('ClickstreamStack', () => {
  const { stack, template } = build();
  const logicalId = (c: IConstruct) => stack.getLogicalId(c.node.defaultChild as CfnElement);

  test('cdk-nag AwsSolutions: no unacknowledged finding', () => {
    expect(nagFindings(stack)).toEqual([]);
  });

  test('on-demand stream -> bundled aggregator (500 per batch, bisect, partial responses, 3 retries, on-failure queue)', () => {
    template.resourceCountIs('AWS::Kinesis::Stream', 1);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: logicalId(stack.pipeline.consumer!) },
      EventSourceArn: { 'Fn::GetAtt': [logicalId(stack.pipeline.stream), 'Arn'] },
      BatchSize: 500,
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumRetryAttempts: 3,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [logicalId(stack.pipeline.onFailureQueue!.queue), 'Arn'] } } },
    });
  });

  test('the aggregator writes only to its table, with the actions it uses', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Environment: { Variables: Match.objectLike({ TABLE_NAME: { Ref: logicalId(stack.table) } }) },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([{
          Effect: 'Allow', Action: ['dynamodb:UpdateItem', 'dynamodb:PutItem'], Resource: { 'Fn::GetAtt': [logicalId(stack.table), 'Arn'] },
        }]),
      },
    });
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
  });

  test('Firehose archives raw events to the archive bucket (GZIP)', () => {
    template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      ExtendedS3DestinationConfiguration: Match.objectLike({ BucketARN: { 'Fn::GetAtt': [logicalId(stack.archiveBucket), 'Arn'] }, CompressionFormat: 'GZIP' }),
    });
  });

  test('every alarm of the pipeline notifies the alarm topic', () => {
    const alarms = template.findResources('AWS::CloudWatch::Alarm');
    expect(stack.pipeline.alarms.length).toBe(9);
    for (const alarm of stack.pipeline.alarms) {
      const id = stack.getLogicalId((alarm as unknown as IConstruct).node.defaultChild as CfnElement);
      expect(alarms[id].Properties.AlarmActions).toEqual([{ Ref: logicalId(stack.alarmTopic.topic) }]);
    }
  });

  test('snapshot', () => {
    expect(template.toJSON()).toMatchSnapshot();
  });
});
