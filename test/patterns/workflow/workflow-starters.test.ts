import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Workflow } from '../../../src';
import { newStack, templateOf } from '../../support';

function workflow(stack: Stack, type = sfn.StateMachineType.STANDARD, timeout?: Duration) {
  return new Workflow(stack, 'Orders', { definition: new sfn.Pass(stack, 'Work'), stateMachineType: type, timeout });
}

describe('startFromQueue', () => {
  test('Standard: queue + DLQ, bundled starter with partial batch responses, StartExecution only, visibility 6 × 30 s', () => {
    const stack = newStack();
    const starter = workflow(stack).startFromQueue('Intake', { executionNameField: 'detail.orderId' });
    const template = templateOf(stack);
    template.hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 180, RedrivePolicy: { maxReceiveCount: 5 } });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 30,
      Runtime: 'nodejs24.x',
      Environment: { Variables: Match.objectLike({ NAME_FIELD: 'detail.orderId', SYNC: 'false', STATE_MACHINE_ARN: { Ref: Match.stringLikeRegexp('^OrdersStateMachine') } }) },
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 10, FunctionResponseTypes: ['ReportBatchItemFailures'], ScalingConfig: { MaximumConcurrency: 5 },
    });
    const policies = JSON.stringify(template.findResources('AWS::IAM::Policy'));
    expect(policies).toContain('states:StartExecution');
    expect(policies).not.toContain('states:StartSyncExecution');
    expect(starter.deadLetterQueue).toBeDefined();
    expect(starter.queue).toBe(starter.secureQueue.queue);
  });

  test('Express: started synchronously; the starter waits for the execution, the visibility covers it', () => {
    const stack = newStack();
    workflow(stack, sfn.StateMachineType.EXPRESS, Duration.minutes(2)).startFromQueue('Intake', { consumer: { batchSize: 1, maxConcurrency: 20 } });
    const template = templateOf(stack);
    template.hasResourceProperties('AWS::Lambda::Function', { Timeout: 150, Environment: { Variables: Match.objectLike({ SYNC: 'true', NAME_FIELD: '' }) } });
    template.hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 900 });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { BatchSize: 1, ScalingConfig: { MaximumConcurrency: 20 } });
    expect(JSON.stringify(template.findResources('AWS::IAM::Policy'))).toContain('states:StartSyncExecution');
  });

  test('a hand-set visibility that covers the starter is kept', () => {
    const stack = newStack();
    workflow(stack).startFromQueue('Intake', { queueProps: { visibilityTimeout: Duration.minutes(10) }, consumer: { timeout: Duration.seconds(60), memorySize: 512 } });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 600 });
    template.hasResourceProperties('AWS::Lambda::Function', { Timeout: 60, MemorySize: 512 });
  });
});

describe('startOnSchedule', () => {
  test('CfnSchedule to the state machine with retry policy, DLQ and a role limited to this machine and this DLQ', () => {
    const stack = newStack();
    workflow(stack).startOnSchedule('Nightly', { scheduleExpression: 'cron(0 2 * * ? *)', timeZone: 'Europe/Paris', input: '{"job":"reconcile"}' });
    const template = templateOf(stack);
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 2 * * ? *)',
      ScheduleExpressionTimezone: 'Europe/Paris',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        Arn: { Ref: Match.stringLikeRegexp('^OrdersStateMachine') },
        Input: '{"job":"reconcile"}',
        RetryPolicy: { MaximumRetryAttempts: 5, MaximumEventAgeInSeconds: 3600 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('NightlyDeadLetterQueue'), 'Arn'] } },
      },
    });
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'scheduler.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' } } })] },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: 'states:StartExecution', Resource: { Ref: Match.stringLikeRegexp('^OrdersStateMachine') } }),
          Match.objectLike({ Action: Match.arrayWith(['sqs:SendMessage']), Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('NightlyDeadLetterQueue'), 'Arn'] } }),
        ]),
      },
    });
  });
  test('retry settings', () => {
    const stack = newStack();
    workflow(stack).startOnSchedule('Hourly', { scheduleExpression: 'rate(1 hour)', retryAttempts: 0, maxEventAge: Duration.minutes(5) });
    Template.fromStack(stack).hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpressionTimezone: 'UTC', Target: { Input: '{}', RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 300 } } });
  });
});

describe('startOnEvent', () => {
  test('a rule on the given bus (any IEventBus) targets the state machine with DLQ and retry', () => {
    const stack = newStack();
    const bus = events.EventBus.fromEventBusName(stack, 'Bus', 'orders');
    workflow(stack).startOnEvent('OnOrderPlaced', {
      eventBus: bus,
      eventPattern: { source: ['shop'], detailType: ['OrderPlaced'] },
      input: events.RuleTargetInput.fromEventPath('$.detail'),
      retryAttempts: 3,
      maxEventAge: Duration.minutes(30),
    });
    const template = templateOf(stack);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: 'orders',
      EventPattern: { 'source': ['shop'], 'detail-type': ['OrderPlaced'] },
      Targets: [Match.objectLike({
        Arn: { Ref: Match.stringLikeRegexp('^OrdersStateMachine') },
        InputPath: '$.detail',
        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 1800 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('OnOrderPlacedDeadLetterQueue'), 'Arn'] } },
      })],
    });
    // EventBridge may write to the DLQ only for this rule.
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'events.amazonaws.com' }, Condition: { ArnEquals: { 'aws:SourceArn': Match.anyValue() } } })]) },
    });
  });
  test('defaults: 5 retries within 1 hour', () => {
    const stack = newStack();
    workflow(stack).startOnEvent('OnX', { eventBus: new events.EventBus(stack, 'Bus'), eventPattern: { detailType: ['X'] } });
    Template.fromStack(stack).hasResourceProperties('AWS::Events::Rule', { Targets: [Match.objectLike({ RetryPolicy: { MaximumRetryAttempts: 5, MaximumEventAgeInSeconds: 3600 } })] });
  });
});

test('a DLQ of your own for the schedule and the bus route', () => {
  const stack = newStack();
  const mine = new sqs.Queue(stack, 'MyDlq', { enforceSSL: true, encryption: sqs.QueueEncryption.SQS_MANAGED });
  const w = workflow(stack);
  expect(w.startOnSchedule('S', { scheduleExpression: 'rate(1 day)', deadLetterQueue: mine }).deadLetterQueue).toBe(mine);
  expect(w.startOnEvent('E', { eventBus: new events.EventBus(stack, 'Bus'), eventPattern: { detailType: ['X'] }, deadLetterQueue: mine }).deadLetterQueue).toBe(mine);
  const template = Template.fromStack(stack);
  template.hasResourceProperties('AWS::Scheduler::Schedule', { Target: { DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^MyDlq'), 'Arn'] } } } });
  template.hasResourceProperties('AWS::Events::Rule', { Targets: [Match.objectLike({ DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^MyDlq'), 'Arn'] } } })] });
});
