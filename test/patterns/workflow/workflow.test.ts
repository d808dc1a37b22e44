import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { PatternDashboard, Workflow, WorkflowProps } from '../../../src';
import { newStack, templateOf } from '../../support';
import { expectValidDefinitions } from '../../support/asl';

function chain(stack: Stack) {
  return new sfn.Pass(stack, 'Prepare').next(new sfn.Wait(stack, 'Settle', { time: sfn.WaitTime.duration(Duration.seconds(5)) })).next(new sfn.Succeed(stack, 'Done'));
}
function build(props: Partial<WorkflowProps> = {}) {
  const stack = newStack();
  const workflow = new Workflow(stack, 'Orders', { definition: chain(stack), ...props });
  const template = templateOf(stack);
  expectValidDefinitions(template);
  return { stack, workflow, template };
}
const alarmOn = (template: Template, metricName: string) => template.findResources('AWS::CloudWatch::Alarm', { Properties: { MetricName: metricName } });

describe('defaults (Standard)', () => {
  const { workflow, template } = build();

  test('a Standard state machine with a 1 hour execution timeout and X-Ray off', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: false },
      DefinitionString: Match.stringLikeRegexp('"TimeoutSeconds":3600'),
    });
    expect(workflow.timeout.toSeconds()).toBe(3600);
  });

  test('its own log group (vendedlogs prefix, 1 month), logging ERROR without execution data', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: Match.stringLikeRegexp('^/aws/vendedlogs/states/TestStack-Orders-'), RetentionInDays: 30 });
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      LoggingConfiguration: { Level: 'ERROR', IncludeExecutionData: false, Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('OrdersLogs'), 'Arn'] } } }] },
    });
  });

  test('least privilege: the role has only log delivery (which AWS allows on "*" only); no state needs more', () => {
    const policies = template.findResources('AWS::IAM::Policy');
    const statements = Object.values(policies).flatMap((p: any) => p.Properties.PolicyDocument.Statement);
    expect(statements).toEqual([expect.objectContaining({ Action: expect.arrayContaining(['logs:CreateLogDelivery']), Resource: '*' })]);
    template.resourceCountIs('AWS::IAM::Role', 1);
  });

  test('five alarms, each with the StateMachineArn dimension', () => {
    for (const metric of ['ExecutionsFailed', 'ExecutionsTimedOut', 'ExecutionsAborted', 'ExecutionThrottled']) {
      const alarms = alarmOn(template, metric);
      expect(Object.keys(alarms)).toHaveLength(1);
      const alarm = Object.values(alarms)[0] as any;
      expect(alarm.Properties).toMatchObject({ Namespace: 'AWS/States', Statistic: 'Sum', Threshold: 0, ComparisonOperator: 'GreaterThanThreshold', TreatMissingData: 'notBreaching' });
      expect(alarm.Properties.Dimensions).toEqual([{ Name: 'StateMachineArn', Value: { Ref: expect.stringMatching(/^OrdersStateMachine/) } }]);
    }
    expect(workflow.alarms).toHaveLength(5);
  });

  test('execution time p99 above the SLA (half the timeout by default), 3 periods of 5 minutes', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ExecutionTime',
      ExtendedStatistic: 'p99',
      Threshold: 1_800_000,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
      Dimensions: [{ Name: 'StateMachineArn', Value: Match.anyValue() }],
    });
    expect(workflow.executionTimeSla.toMinutes()).toBe(30);
  });

  test('one dashboard with the workflow section', () => {
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    const body = JSON.stringify(Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0]);
    expect(body).toContain('Workflow Orders');
    expect(body).toContain('ExecutionTime');
  });
});

describe('Express defaults', () => {
  const { template, workflow } = build({ stateMachineType: sfn.StateMachineType.EXPRESS });
  test('5 minute timeout; logs ALL with execution data (no execution history otherwise)', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'EXPRESS',
      DefinitionString: Match.stringLikeRegexp('"TimeoutSeconds":300'),
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: true },
    });
    expect(workflow.executionTimeSla.toSeconds()).toBe(150);
  });
});

describe('options', () => {
  test('logging level, execution data, retention; X-Ray; name; timeout; SLA; removal policy', () => {
    const { template } = build({
      stateMachineName: 'orders-v2',
      timeout: Duration.minutes(20),
      executionTimeSla: Duration.minutes(2),
      tracingEnabled: true,
      removalPolicy: RemovalPolicy.RETAIN,
      logRetention: logs.RetentionDays.ONE_WEEK,
      logging: { level: sfn.LogLevel.ALL, includeExecutionData: true },
    });
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineName: 'orders-v2',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: true },
      DefinitionString: Match.stringLikeRegexp('"TimeoutSeconds":1200'),
    });
    template.hasResource('AWS::StepFunctions::StateMachine', { DeletionPolicy: 'Retain' });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 7 });
    template.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Retain' });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ExecutionTime', Threshold: 120_000 });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: Match.arrayWith(['xray:PutTraceSegments']), Resource: '*' })]) },
    });
  });

  test('an existing log group is used, none created', () => {
    const stack = newStack();
    const existing = new logs.LogGroup(stack, 'Mine', { retention: logs.RetentionDays.ONE_DAY });
    new Workflow(stack, 'Orders', { definition: chain(stack), logging: { existingLogGroup: existing } });
    const template = templateOf(stack);
    template.resourceCountIs('AWS::Logs::LogGroup', 1);
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      LoggingConfiguration: { Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Mine'), 'Arn'] } } }] },
    });
  });

  test('definitionBody from a string is accepted and checked', () => {
    const stack = newStack();
    new Workflow(stack, 'Orders', { definitionBody: sfn.DefinitionBody.fromString(JSON.stringify({ StartAt: 'A', States: { A: { Type: 'Pass', End: true } } })) });
    expectValidDefinitions(templateOf(stack));
  });

  test('alarm topic on ALARM and OK; alarms off', () => {
    const stack = newStack();
    const topic = new sns.Topic(stack, 'OnCall', { enforceSSL: true });
    new Workflow(stack, 'Orders', { definition: chain(stack), alarmTopic: topic });
    const alarms = Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm')) as any[];
    expect(alarms).toHaveLength(5);
    for (const a of alarms) {
      expect(a.Properties.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^OnCall/) }]);
      expect(a.Properties.OKActions).toEqual([{ Ref: expect.stringMatching(/^OnCall/) }]);
    }
    const { template, workflow } = build({ alarmsEnabled: false });
    template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
    expect(workflow.alarms).toEqual([]);
  });

  test('dashboard: off, named, or shared by several patterns', () => {
    build({ dashboardEnabled: false }).template.resourceCountIs('AWS::CloudWatch::Dashboard', 0);
    build({ dashboardName: 'orders' }).template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'orders' });
    const stack = newStack();
    const shared = new PatternDashboard(stack, 'Shared');
    new Workflow(stack, 'A', { definition: new sfn.Pass(stack, 'PA'), dashboard: shared });
    new Workflow(stack, 'B', { definition: new sfn.Pass(stack, 'PB'), dashboard: shared });
    const template = templateOf(stack);
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    const body = JSON.stringify(template.findResources('AWS::CloudWatch::Dashboard'));
    expect(body).toContain('Workflow A');
    expect(body).toContain('Workflow B');
  });

  test('grants: start, sync start, read', () => {
    const stack = newStack();
    const workflow = new Workflow(stack, 'Orders', { definition: chain(stack) });
    const role = new iam.Role(stack, 'Caller', { assumedBy: new iam.AccountRootPrincipal() });
    workflow.grantStartExecution(role);
    workflow.grantStartSyncExecution(role);
    workflow.grantRead(role);
    const statements = JSON.stringify(Template.fromStack(stack).findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^Caller') }] } }));
    for (const action of ['states:StartExecution', 'states:StartSyncExecution', 'states:DescribeExecution']) expect(statements).toContain(action);
  });
});
