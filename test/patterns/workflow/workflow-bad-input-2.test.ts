import { CfnParameter, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Workflow, WorkflowProps } from '../../../src';
import { aslProblem, scheduleExpressionProblem } from '../../../src/patterns/workflow/rules';
import { BadInputCase, expectBadInput, newStack } from '../../support';

// Issue #11, second pass: inputs Step Functions / Scheduler / EventBridge refuse (or that never
// work) which Workflow and its starters used to accept silently or fail on with a raw message.

const W = 'TestStack/Orders';
const fn = (s: Stack, id = 'Fn') => lambda.Function.fromFunctionArn(s, id, 'arn:aws:lambda:us-east-1:111111111111:function:charge');
const wf = (s: Stack, props: Partial<WorkflowProps>) => new Workflow(s, 'Orders', { definition: new sfn.Pass(s, 'P'), ...props } as WorkflowProps);
const express = sfn.StateMachineType.EXPRESS;

describe('Workflow bad input, second pass', () => {
  const cases: BadInputCase[] = [
    {
      build: s => wf(s, {
        stateMachineType: express,
        definition: new tasks.LambdaInvoke(s, 'Approve', {
          lambdaFunction: fn(s),
          integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
          payload: sfn.TaskInput.fromObject({ token: sfn.JsonPath.taskToken }),
        }),
      }),
      path: W,
      code: 'WORKFLOW_EXPRESS_INTEGRATION_PATTERN',
      prop: 'definition > "Approve" (integration pattern)',
      value: '.waitForTaskToken in an EXPRESS workflow',
      allowed: 'Request Response tasks only in an EXPRESS workflow',
      fix: 'stateMachineType: sfn.StateMachineType.STANDARD',
    },
    {
      build: s => wf(s, {
        stateMachineType: express,
        definition: new tasks.StepFunctionsStartExecution(s, 'Child', {
          stateMachine: sfn.StateMachine.fromStateMachineArn(s, 'C', 'arn:aws:states:us-east-1:111111111111:stateMachine:child'), integrationPattern: sfn.IntegrationPattern.RUN_JOB,
        }),
      }),
      path: W,
      code: 'WORKFLOW_EXPRESS_INTEGRATION_PATTERN',
      prop: 'definition > "Child" (integration pattern)',
      value: '.sync:2 in an EXPRESS workflow',
      allowed: 'Request Response tasks only',
      fix: 'STANDARD',
    },
    {
      build: s => wf(s, {
        stateMachineType: express,
        definition: undefined,
        definitionBody: sfn.DefinitionBody.fromString(JSON.stringify({ StartAt: 'Run', States: { Run: { Type: 'Task', Resource: 'arn:aws:states:::ecs:runTask.sync', End: true } } })),
      }),
      path: W,
      code: 'WORKFLOW_EXPRESS_INTEGRATION_PATTERN',
      prop: 'definition > "Run" (integration pattern)',
      value: '.sync in an EXPRESS workflow',
      allowed: 'Request Response',
      fix: 'STANDARD',
    },
    {
      build: s => wf(s, { definition: undefined, definitionBody: sfn.DefinitionBody.fromString('{"StartAt": "A", "States": {') }),
      path: W,
      code: 'WORKFLOW_DEFINITION_JSON',
      prop: 'definitionBody',
      value: 'not JSON',
      allowed: 'an Amazon States Language document',
      fix: 'correct the definition string',
    },
    {
      build: s => wf(s, { definition: undefined, definitionBody: sfn.DefinitionBody.fromString('{"StartAt": "B", "States": {"A": {"Type": "Pass", "End": true}}}') }),
      path: W,
      code: 'WORKFLOW_DEFINITION_JSON',
      prop: 'definitionBody',
      value: 'StartAt "B" names no state (States: A)',
      allowed: 'StartAt naming one of its States',
      fix: 'correct',
    },
    {
      build: s => wf(s, { definition: undefined, definitionBody: sfn.DefinitionBody.fromString('{"States": {"A": {"Type": "Pass", "End": true}}}') }),
      path: W,
      code: 'WORKFLOW_DEFINITION_JSON',
      prop: 'definitionBody',
      value: 'no StartAt',
      allowed: 'a JSON object with StartAt',
      fix: 'correct',
    },
    {
      build: s => wf(s, { stateMachineType: express, definition: new sfn.Wait(s, 'Settle', { time: sfn.WaitTime.duration(Duration.minutes(10)) }) }),
      path: W,
      code: 'WORKFLOW_WAIT_BEYOND_TIMEOUT',
      prop: 'definition > "Settle" (Wait seconds)',
      value: '600 s, the workflow timeout is 5 minutes (300 s)',
      allowed: 'a wait shorter than the execution timeout',
      fix: 'use STANDARD for longer waits',
    },
    {
      build: s => wf(s, { timeout: Duration.hours(1), definition: new sfn.Pass(s, 'Start').next(new sfn.Wait(s, 'Settle', { time: sfn.WaitTime.duration(Duration.hours(1)) })) }),
      path: W,
      code: 'WORKFLOW_WAIT_BEYOND_TIMEOUT',
      prop: 'definition > "Settle" (Wait seconds)',
      value: '3600 s',
      allowed: 'shorter than the execution timeout',
      fix: 'raise timeout',
    },
    {
      build: s => wf(s, { logging: { existingLogGroup: new logs.LogGroup(s, 'Mine') }, logRetention: logs.RetentionDays.ONE_YEAR }),
      path: W,
      code: 'WORKFLOW_LOG_RETENTION_WITH_EXISTING_GROUP',
      prop: 'logRetention',
      value: '365',
      allowed: 'no value with logging.existingLogGroup',
      fix: 'set the retention on your log group',
    },
    {
      build: s => wf(s, { timeout: Duration.seconds(NaN) }),
      path: W,
      code: 'WORKFLOW_TIMEOUT',
      prop: 'timeout',
      value: 'NaN',
      allowed: '1 second to',
      fix: 'timeout',
    },
    {
      build: s => wf(s, { executionTimeSla: Duration.seconds(NaN) }),
      path: W,
      code: 'WORKFLOW_SLA_BELOW_TIMEOUT',
      prop: 'executionTimeSla',
      value: 'NaN',
      allowed: 'more than 0 and less than the timeout',
      fix: 'lower executionTimeSla',
    },
    {
      build: s => wf(s, {}).startFromQueue('Intake', { queueProps: { retentionPeriod: Duration.days(15) } }),
      path: `${W}/Intake`,
      code: 'SECURE_QUEUE_RETENTION',
      prop: 'queueProps.retentionPeriod',
      value: '15 days',
      allowed: '1 minute (60 s) to 14 days',
      fix: 'queueProps.retentionPeriod',
    },
    {
      build: s => wf(s, {}).startOnSchedule('Nightly', { scheduleExpression: 'cron(0 2 * * * *)' }),
      path: `${W}/Nightly`,
      code: 'WORKFLOW_STARTER_SCHEDULE_EXPRESSION',
      prop: 'scheduleExpression',
      value: 'exactly one of day-of-month',
      allowed: 'rate(...), cron(...) or at(...)',
      fix: 'cron(0 9 * * ? *)',
    },
    {
      build: s => wf(s, {}).startOnSchedule('Nightly', { scheduleExpression: 'cron(0 0 31 2 ? *)' }),
      path: `${W}/Nightly`,
      code: 'WORKFLOW_STARTER_SCHEDULE_EXPRESSION',
      prop: 'scheduleExpression',
      value: 'day 31 of month FEB never occurs',
      allowed: 'cron(<six EventBridge fields>) that fires',
      fix: 'write e.g.',
    },
    {
      build: s => wf(s, {}).startOnSchedule('Nightly', { scheduleExpression: 'rate(0 minutes)' }),
      path: `${W}/Nightly`,
      code: 'WORKFLOW_STARTER_SCHEDULE_EXPRESSION',
      prop: 'scheduleExpression',
      value: 'the rate must be at least 1',
      allowed: 'n >= 1',
      fix: 'rate(1 hour)',
    },
    {
      build: s => wf(s, {}).startOnSchedule('Nightly', { scheduleExpression: 'rate(5 seconds)' }),
      path: `${W}/Nightly`,
      code: 'WORKFLOW_STARTER_SCHEDULE_EXPRESSION',
      prop: 'scheduleExpression',
      value: 'a rate is',
      allowed: 'minute(s)|hour(s)|day(s)',
      fix: 'rate(1 hour)',
    },
    {
      build: s => wf(s, {}).startOnSchedule('Once', { scheduleExpression: 'at(2030-01-01 09:00)' }),
      path: `${W}/Once`,
      code: 'WORKFLOW_STARTER_SCHEDULE_EXPRESSION',
      prop: 'scheduleExpression',
      value: 'at() takes yyyy-mm-ddThh:mm:ss',
      allowed: 'at(yyyy-mm-ddThh:mm:ss)',
      fix: 'at(2030-01-01T00:00:00)',
    },
    {
      build: s => wf(s, {}).startOnSchedule('Nightly', { scheduleExpression: 'rate(1 day)', timeZone: 'Mars/Base' }),
      path: `${W}/Nightly`,
      code: 'WORKFLOW_STARTER_TIME_ZONE',
      prop: 'timeZone',
      value: '"Mars/Base"',
      allowed: 'an IANA time zone name',
      fix: 'IANA name',
    },
    {
      build: s => wf(s, {}).startOnEvent('OnX', { eventBus: new events.EventBus(s, 'Bus'), eventPattern: {} }),
      path: `${W}/OnX`,
      code: 'WORKFLOW_STARTER_EVENT_PATTERN',
      prop: 'eventPattern',
      value: '$ is empty',
      allowed: 'an EventBridge event pattern',
      fix: 'events.Match helpers',
    },
    {
      build: s => wf(s, {}).startOnEvent('OnX', { eventBus: new events.EventBus(s, 'Bus'), eventPattern: { detailType: 'OrderPlaced' as never } }),
      path: `${W}/OnX`,
      code: 'WORKFLOW_STARTER_EVENT_PATTERN',
      prop: 'eventPattern',
      value: '{ detailType: "OrderPlaced" }: a field\'s values must be in an array',
      allowed: 'an EventBridge event pattern',
      fix: 'events.Match helpers',
    },
  ];
  test.each(cases.map(c => [`${c.code} ${c.prop}: ${c.value}`, c] as const))('%s', (_name, c) => {
    expectBadInput(c);
  });

  test('boundaries are accepted: Express request-response tasks, Standard callbacks, a valid ASL string, starters with good expressions and tz links', () => {
    const s = newStack();
    new Workflow(s, 'Fast', { stateMachineType: express, definition: new tasks.LambdaInvoke(s, 'Quote', { lambdaFunction: fn(s, 'Fn1') }).next(new sfn.Wait(s, 'Pause', { time: sfn.WaitTime.duration(Duration.seconds(299)) })) });
    new Workflow(s, 'Later', { timeout: Duration.minutes(1), definition: new sfn.Wait(s, 'Until', { time: sfn.WaitTime.secondsPath('$.delay') }) });
    new Workflow(s, 'Slow', {
      definition: new tasks.LambdaInvoke(s, 'Approve', { lambdaFunction: fn(s), integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN, payload: sfn.TaskInput.fromObject({ token: sfn.JsonPath.taskToken }) }),
    });
    const asl = new Workflow(s, 'Asl', { definitionBody: sfn.DefinitionBody.fromString('{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}'), logging: { existingLogGroup: new logs.LogGroup(s, 'Mine') } });
    asl.startOnSchedule('Leap', { scheduleExpression: 'cron(0 0 29 2 ? *)', timeZone: 'US/Eastern' });
    asl.startOnSchedule('Rate', { scheduleExpression: 'rate(1 minute)' });
    asl.startOnSchedule('At', { scheduleExpression: 'at(2030-01-01T00:00:00)' });
    asl.startOnEvent('On', { eventBus: new events.EventBus(s, 'Bus'), eventPattern: { detailType: ['OrderPlaced'] } });
    expect(() => Template.fromStack(s)).not.toThrow();
  });

  test('tokens are not checked: a CfnParameter schedule expression, time zone and ASL string', () => {
    const s = newStack();
    const p = (id: string) => new CfnParameter(s, id, { type: 'String' }).valueAsString;
    new Workflow(s, 'Asl', { definitionBody: sfn.DefinitionBody.fromString(p('Def')) })
      .startOnSchedule('S', { scheduleExpression: p('Expr'), timeZone: p('Tz') });
    expect(() => Template.fromStack(s)).not.toThrow();
  });

  test('the helpers: aslProblem and scheduleExpressionProblem', () => {
    expect(aslProblem('{"StartAt":"A","States":{"A":{"Type":"Succeed"}}}')).toBeUndefined();
    expect(aslProblem('[]')).toBe('not a JSON object');
    expect(aslProblem('{"StartAt":"A","States":{}}')).toBe('no States');
    expect(scheduleExpressionProblem('rate(5 minutes)', 2026)).toBeUndefined();
    expect(scheduleExpressionProblem('cron(0 9 ? * MON-FRI *)', 2026)).toBeUndefined();
    expect(scheduleExpressionProblem('cron(0 9 1 1 ? 2020)', 2026)).toContain('is over');
    expect(scheduleExpressionProblem('every day', 2026)).toContain('not rate');
  });
});
