import { Match } from 'aws-cdk-lib/assertions';
import { IngestApiStack } from '../../src';
import { buildArchitecture, nagFindings } from '../support';

const build = (props = {}) => buildArchitecture(IngestApiStack, 'IngestApi', props);

describe('IngestApiStack', () => {
  const { stack, template } = build();

  test('cdk-nag AwsSolutions: no unacknowledged finding', () => {
    expect(nagFindings(stack)).toEqual([]);
  });

  test('one REST API (IAM), four POST routes, each an AWS integration to its backend: no Lambda function at all', () => {
    template.resourceCountIs('AWS::ApiGateway::RestApi', 1);
    template.resourceCountIs('AWS::Lambda::Function', 0);
    const uris = Object.values(template.findResources('AWS::ApiGateway::Method'))
      .filter(m => m.Properties.HttpMethod === 'POST')
      .map(m => { expect(m.Properties.AuthorizationType).toBe('AWS_IAM'); return JSON.stringify(m.Properties.Integration.Uri); });
    expect(uris).toHaveLength(4);
    expect(uris.some(u => u.includes(':sqs:path/'))).toBe(true);
    expect(uris.some(u => u.includes(':kinesis:action/PutRecord'))).toBe(true);
    expect(uris.some(u => u.includes(':events:action/PutEvents'))).toBe(true);
    expect(uris.some(u => u.includes(':sync-states.states:action/StartSyncExecution'))).toBe(true);
    for (const path of ['orders', 'clicks', 'events', 'quotes']) template.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: path });
  });

  test('request models: orders, clicks (partition key sessionId required as a string), quotes', () => {
    template.hasResourceProperties('AWS::ApiGateway::Model', { Schema: Match.objectLike({ required: ['orderId', 'customerId', 'amount'] }) });
    template.hasResourceProperties('AWS::ApiGateway::Model', { Schema: Match.objectLike({ required: ['sessionId', 'page'], properties: Match.objectLike({ sessionId: Match.objectLike({ type: 'string', pattern: '^[!-~]+$' }) }) }) });
    template.hasResourceProperties('AWS::ApiGateway::Model', { Schema: Match.objectLike({ required: ['productId', 'quantity'] }) });
  });

  test('the quotes workflow is Express, logs ALL, traced; the bus audits every ingest event into a queue with a DLQ', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'EXPRESS', TracingConfiguration: { Enabled: true }, LoggingConfiguration: Match.objectLike({ Level: 'ALL' }),
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['ingest.api'] },
      Targets: [Match.objectLike({
        DeadLetterConfig: Match.objectLike({ Arn: Match.anyValue() }),
        RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 7200 },
      })],
    });
  });

  test('the front door\'s alarms notify the alarm topic', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).filter(a => a.Properties.Namespace === 'AWS/ApiGateway');
    expect(alarms).toHaveLength(4);
    for (const a of alarms) expect(a.Properties.AlarmActions).toEqual([{ Ref: stack.getLogicalId(stack.alarmTopic.topic.node.defaultChild as any) }]);
  });

  test('outputs the e2e and operators need', () => {
    for (const name of ['IngestApiUrl', 'IngestRestApiId', 'OrdersQueueUrl', 'ClicksStreamName', 'IngestBusName', 'EventsAuditQueueUrl', 'QuotesStateMachineArn']) {
      template.hasOutput(name, Match.anyValue());
    }
  });

  test('snapshot', () => {
    expect(template.toJSON()).toMatchSnapshot();
  });
});
