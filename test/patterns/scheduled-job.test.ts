import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { EventRouter, ScheduledJob, ScheduledJobProps, ScheduledJobTarget, SecureQueue } from '../../src';
import { cronProblem } from '../../src/core/schedule-expression';
import { BadInputCase, expectBadInput, expectNumberTokenAccepted, newStack, templateOf } from '../support';

const code = lambda.Code.fromInline('exports.handler = async () => undefined;');
const fetcher = () => ScheduledJobTarget.lambda({ code, handler: 'index.handler' });

function job(stack: Stack, props: Partial<ScheduledJobProps> = {}): ScheduledJob {
  return new ScheduledJob(stack, 'Job', { cronExpression: '0 21 * * ? *', timeZone: 'America/New_York', target: fetcher(), ...props });
}

describe('ScheduledJob defaults', () => {
  test('a cron schedule at 21:00 in a named time zone, flexible window off, in a group of its own', () => {
    const stack = newStack();
    job(stack);
    const t = templateOf(stack);
    t.resourceCountIs('AWS::Scheduler::ScheduleGroup', 1);
    t.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 21 * * ? *)',
      ScheduleExpressionTimezone: 'America/New_York',
      FlexibleTimeWindow: { Mode: 'OFF' },
      State: 'ENABLED',
      GroupName: Match.stringLikeRegexp('TestStack-Job-Group'),
      Target: Match.objectLike({
        Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('JobFunction'), 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('JobDeadLetterQueue'), 'Arn'] } },
      }),
    });
  });

  test('the Lambda target has the consumer defaults; the role may invoke that function only, trusted by this account\'s schedules', () => {
    const stack = newStack();
    job(stack);
    const t = templateOf(stack);
    t.hasResourceProperties('AWS::Lambda::Function', { Runtime: 'nodejs24.x', MemorySize: 256, Architectures: ['arm64'] });
    t.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({
          Principal: { Service: 'scheduler.amazonaws.com' },
          Condition: { StringEquals: { 'aws:SourceAccount': '111111111111', 'aws:SourceArn': { 'Fn::GetAtt': [Match.stringLikeRegexp('JobGroup'), 'Arn'] } } },
        })],
      },
    });
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: 'lambda:InvokeFunction', Resource: Match.arrayWith([{ 'Fn::GetAtt': [Match.stringLikeRegexp('JobFunction'), 'Arn'] }]) }),
          Match.objectLike({ Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('JobDeadLetterQueue'), 'Arn'] } }),
        ]),
      },
    });
  });

  test('alarms on AWS/Scheduler metrics with the ScheduleGroup dimension, and DLQ not empty; one dashboard', () => {
    const stack = newStack();
    const j = job(stack);
    const t = templateOf(stack);
    for (const metric of ['TargetErrorCount', 'InvocationDroppedCount', 'InvocationsSentToDeadLetterCount', 'InvocationsFailedToBeSentToDeadLetterCount']) {
      t.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/Scheduler',
        MetricName: metric,
        Statistic: 'Sum',
        Period: 60,
        Threshold: 0,
        Dimensions: [{ Name: 'ScheduleGroup', Value: Match.stringLikeRegexp('TestStack-Job-Group') }],
      });
    }
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { Namespace: 'AWS/SQS', MetricName: 'ApproximateNumberOfMessagesVisible' });
    expect(j.alarms).toHaveLength(5);
    t.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });
});

describe('ScheduledJob: a run that fails inside the Lambda it built is not dropped', () => {
  test('default: the built function\'s asynchronous invocations have an on-failure destination (the job\'s DLQ) and 2 retries', () => {
    const stack = newStack();
    const j = job(stack);
    const t = templateOf(stack);
    t.resourceCountIs('AWS::Lambda::EventInvokeConfig', 1);
    t.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: Match.stringLikeRegexp('JobFunction') },
      Qualifier: '$LATEST',
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('JobDeadLetterQueue'), 'Arn'] } } },
    });
    // The function's own role may send there (and only there).
    t.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('JobFunctionRole') }],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: Match.arrayWith(['sqs:SendMessage']), Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('JobDeadLetterQueue'), 'Arn'] } })]) },
    });
    expect(j.functionDeadLetterQueue).toBe(j.deadLetterQueue);
    // One queue holds every failed run: the DLQ alarm covers it, no second alarm.
    expect(j.alarms).toHaveLength(5);
  });

  test('overridable: a queue of yours and fewer Lambda retries (that queue is alarmed too)', () => {
    const stack = newStack();
    const failed = new SecureQueue(stack, 'Failed', { alarmsEnabled: false }).queue;
    const j = job(stack, { target: ScheduledJobTarget.lambda({ code, handler: 'index.handler' }, undefined, { deadLetterQueue: failed, retryAttempts: 0 }) });
    const t = templateOf(stack);
    t.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: 0,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('FailedQueue'), 'Arn'] } } },
    });
    expect(j.functionDeadLetterQueue).toBe(failed);
    expect(j.alarms).toHaveLength(6);
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('FailedQueue'), 'QueueName'] } }],
      AlarmDescription: Match.stringLikeRegexp('on-failure destination'),
    });
  });

  test('your own function is not reconfigured (no EventInvokeConfig); DailyPriceStack gives its fetcher a DLQ itself', () => {
    const stack = newStack();
    const fn = new lambda.Function(stack, 'Mine', { code, handler: 'index.handler', runtime: lambda.Runtime.NODEJS_22_X });
    const j = job(stack, { target: ScheduledJobTarget.lambda({ function: fn }) });
    Template.fromStack(stack).resourceCountIs('AWS::Lambda::EventInvokeConfig', 0);
    expect(j.functionDeadLetterQueue).toBeUndefined();
  });

  test('Lambda retries accept a CfnParameter token', () => {
    expect(() => expectNumberTokenAccepted((s, n) => job(s, { target: ScheduledJobTarget.lambda({ code, handler: 'index.handler' }, undefined, { retryAttempts: n }) }))).not.toThrow();
  });
});

describe('ScheduledJob options', () => {
  test('rate, at, start/end, flexible window, retry, KMS key, name, disabled', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    new ScheduledJob(stack, 'Every5', {
      rate: Duration.minutes(5),
      target: fetcher(),
      flexibleWindow: Duration.minutes(10),
      retryAttempts: 3,
      maxEventAge: Duration.minutes(30),
      startDate: new Date('2030-01-01T00:00:00Z'),
      endDate: new Date('2031-01-01T00:00:00Z'),
      encryptionKey: key,
      scheduleName: 'every-5',
      enabled: false,
    });
    new ScheduledJob(stack, 'Once', { at: new Date('2030-06-01T09:00:00Z'), timeZone: 'Europe/Berlin', target: fetcher(), dashboardEnabled: false });
    const t = templateOf(stack);
    t.hasResourceProperties('AWS::Scheduler::Schedule', {
      Name: 'every-5',
      ScheduleExpression: 'rate(5 minutes)',
      FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 10 },
      StartDate: '2030-01-01T00:00:00.000Z',
      EndDate: '2031-01-01T00:00:00.000Z',
      State: 'DISABLED',
      KmsKeyArn: { 'Fn::GetAtt': ['Key961B73FD', 'Arn'] },
      Target: Match.objectLike({ RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 1800 } }),
    });
    t.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'at(2030-06-01T09:00:00)', ScheduleExpressionTimezone: 'Europe/Berlin' });
  });

  test('targets: a FIFO queue with group id, a state machine, PutEvents onto an EventRouter bus', () => {
    const stack = newStack();
    const fifo = new SecureQueue(stack, 'Fifo', { fifo: true, contentBasedDeduplication: true, alarmsEnabled: false }).queue;
    const machine = sfn.StateMachine.fromStateMachineArn(stack, 'M', 'arn:aws:states:us-east-1:111111111111:stateMachine:m');
    const router = new EventRouter(stack, 'Router', { dashboardEnabled: false });
    const group = new scheduler.ScheduleGroup(stack, 'Shared', {});
    job(stack, { target: ScheduledJobTarget.queue(fifo, { messageGroupId: 'prices' }), scheduleGroup: group });
    new ScheduledJob(stack, 'Machine', { rate: Duration.hours(1), target: ScheduledJobTarget.stateMachine(machine), scheduleGroup: group });
    new ScheduledJob(stack, 'Tick', {
      rate: Duration.days(1),
      scheduleGroup: group,
      target: ScheduledJobTarget.putEvents(router.eventBus, { source: 'prices.scheduler', detailType: 'FetchPrices', detail: scheduler.ScheduleTargetInput.fromObject({ symbols: ['AMZN'] }) }),
    });
    const t = templateOf(stack);
    t.resourceCountIs('AWS::Scheduler::ScheduleGroup', 1);
    t.hasResourceProperties('AWS::Scheduler::Schedule', { Target: Match.objectLike({ SqsParameters: { MessageGroupId: 'prices' } }) });
    t.hasResourceProperties('AWS::Scheduler::Schedule', { Target: Match.objectLike({ Arn: 'arn:aws:states:us-east-1:111111111111:stateMachine:m' }) });
    t.hasResourceProperties('AWS::Scheduler::Schedule', {
      Target: Match.objectLike({
        Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('RouterBus'), 'Arn'] },
        EventBridgeParameters: { DetailType: 'FetchPrices', Source: 'prices.scheduler' },
        Input: '{"symbols":["AMZN"]}',
      }),
    });
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'events:PutEvents', Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('RouterBus'), 'Arn'] } })]) },
    });
  });

  test('EventBridge cron: accepted and refused forms', () => {
    for (const ok of ['0 21 * * ? *', '0/15 * ? * MON-FRI *', '0 9 1 1-12/3 ? 2030', '30 8 ? * 2#1 *', '0 0 L * ? *']) expect([ok, cronProblem(ok)]).toEqual([ok, undefined]);
    expect(cronProblem('0 21 * * *')).toMatch(/5 fields/);
    expect(cronProblem('0 21 * * * *')).toMatch(/exactly one of day-of-month/);
    expect(cronProblem('61 21 * * ? *')).toMatch(/minutes\) value 61/);
    expect(cronProblem('0 24 * * ? *')).toMatch(/hours\) value 24/);
    expect(cronProblem('0 21 ? * FUNDAY *')).toMatch(/day-of-week/);
  });
});

describe('ScheduledJob bad input', () => {
  const cases: BadInputCase[] = [
    { build: s => job(s, { flexibleWindow: Duration.minutes(1441) }), path: 'TestStack/Job', code: 'SCHEDULED_JOB_FLEXIBLE_WINDOW', prop: 'flexibleWindow', value: '1 day 1 minute', allowed: '1 minute (60 s) to 1 day (86,400 s)', fix: 'set flexibleWindow between' },
    { build: s => job(s, { flexibleWindow: Duration.seconds(30) }), path: 'TestStack/Job', code: 'SCHEDULED_JOB_FLEXIBLE_WINDOW', prop: 'flexibleWindow', value: '30 seconds', allowed: '1 minute', fix: 'flexibleWindow' },
    { build: s => job(s, { cronExpression: '0 21 * * *' }), path: 'TestStack/Job', code: 'SCHEDULED_JOB_CRON', prop: 'cronExpression', value: '"0 21 * * *": 5 fields', allowed: 'six-field cron', fix: 'minutes hours day-of-month' },
    { build: s => job(s, { cronExpression: '0 21 * * MON *' }), path: 'TestStack/Job', code: 'SCHEDULED_JOB_CRON', prop: 'cronExpression', value: 'exactly one of day-of-month', allowed: 'six-field cron', fix: '"?"' },
    { build: s => job(s, { timeZone: 'Mars/Olympus_Mons' }), path: 'TestStack/Job', code: 'SCHEDULED_JOB_TIME_ZONE', prop: 'timeZone', value: '"Mars/Olympus_Mons"', allowed: 'an IANA time zone name', fix: 'IANA name' },
    { build: s => job(s, { timeZone: 'EST5EDT ' }), path: 'TestStack/Job', code: 'SCHEDULED_JOB_TIME_ZONE', prop: 'timeZone', value: '"EST5EDT "', allowed: 'IANA', fix: 'IANA' },
    { build: s => job(s, { cronExpression: undefined, at: new Date('2020-01-01T00:00:00Z') }), path: 'TestStack/Job', code: 'SCHEDULED_JOB_AT_IN_PAST', prop: 'at', value: '2020-01-01T00:00:00.000Z (in the past at synth)', allowed: 'a time in the future', fix: 'future time' },
    { build: s => job(s, { rate: Duration.minutes(5) }), path: 'TestStack/Job', code: 'SCHEDULED_JOB_ONE_SCHEDULE', prop: 'cronExpression | rate | at', value: 'cronExpression and rate given', allowed: 'exactly one', fix: 'keep one' },
    { build: s => job(s, { cronExpression: undefined }), path: 'TestStack/Job', code: 'SCHEDULED_JOB_ONE_SCHEDULE', prop: 'cronExpression | rate | at', value: 'none given', allowed: 'exactly one', fix: 'keep one' },
    { build: s => job(s, { cronExpression: undefined, timeZone: undefined, rate: Duration.seconds(90) }), path: 'TestStack/Job', code: 'SCHEDULED_JOB_RATE', prop: 'rate', value: '1 minute 30 seconds', allowed: 'whole minutes', fix: 'Duration.minutes' },
    { build: s => job(s, { cronExpression: undefined, rate: Duration.hours(1) }), path: 'TestStack/Job', code: 'SCHEDULED_JOB_TIME_ZONE_WITH_RATE', prop: 'timeZone', value: 'with rate', allowed: 'only with cronExpression or at', fix: 'remove timeZone' },
    { build: s => job(s, { retryAttempts: 186 }), path: 'TestStack/Job', code: 'SCHEDULED_JOB_RETRY_ATTEMPTS', prop: 'retryAttempts', value: '186', allowed: 'from 0 to 185', fix: 'retryAttempts' },
    { build: s => job(s, { maxEventAge: Duration.seconds(59) }), path: 'TestStack/Job', code: 'SCHEDULED_JOB_MAX_EVENT_AGE', prop: 'maxEventAge', value: '59 seconds', allowed: '1 minute (60 s) to 1 day', fix: 'maxEventAge' },
    { build: s => job(s, { startDate: new Date('2031-01-01'), endDate: new Date('2030-01-01') }), path: 'TestStack/Job', code: 'SCHEDULED_JOB_START_AFTER_END', prop: 'endDate', value: '2030-01-01', allowed: 'after startDate', fix: 'swap' },
    { build: s => job(s, { scheduleName: 'daily price' }), path: 'TestStack/Job', code: 'SCHEDULED_JOB_NAME', prop: 'scheduleName', value: '"daily price"', allowed: 'Scheduler schedule name', fix: 'rename' },
    {
      build: s => job(s, { target: ScheduledJobTarget.queue(new SecureQueue(s, 'F', { fifo: true }).queue, { messageGroupId: 'g' }) }),
      path: 'TestStack/Job',
      code: 'SCHEDULED_JOB_FIFO_DEDUPLICATION',
      prop: 'target (queue)',
      value: 'FIFO without content-based deduplication',
      allowed: 'contentBasedDeduplication: true',
      fix: 'contentBasedDeduplication: true',
    },
    { build: s => job(s, { target: ScheduledJobTarget.queue(new SecureQueue(s, 'F', { fifo: true, contentBasedDeduplication: true }).queue) }), path: 'TestStack/Job', code: 'SCHEDULED_JOB_FIFO_GROUP_ID', prop: 'target.messageGroupId', value: 'undefined (the queue is FIFO)', allowed: 'a message group id', fix: 'messageGroupId' },
    { build: s => job(s, { target: ScheduledJobTarget.lambda({ handler: 'index.handler' }) }), path: 'TestStack/Job', prop: 'target.consumer', value: 'code missing', allowed: 'code and handler', fix: 'target.consumer.code' },
    {
      build: s => job(s, { target: ScheduledJobTarget.lambda({ code, handler: 'index.handler' }, undefined, { retryAttempts: 3 }) }),
      path: 'TestStack/Job',
      code: 'SCHEDULED_JOB_LAMBDA_RETRY_ATTEMPTS',
      prop: 'target.retryAttempts',
      value: '3',
      allowed: 'a whole number from 0 to 2',
      fix: 'set target.retryAttempts',
    },
    {
      build: s => job(s, {
        target: ScheduledJobTarget.lambda({ function: lambda.Function.fromFunctionName(s, 'F', 'mine') }, undefined, { deadLetterQueue: new SecureQueue(s, 'Q', { alarmsEnabled: false }).queue }),
      }),
      path: 'TestStack/Job',
      code: 'SCHEDULED_JOB_LAMBDA_FAILURE_WITH_FUNCTION',
      prop: 'target.deadLetterQueue',
      value: '',
      allowed: 'target.consumer.function is given',
      fix: 'asynchronous failure handling',
    },
  ];
  test.each(cases.map(c => [`${c.prop}: ${c.value}`, c] as const))('%s', (_name, c) => {
    expectBadInput(c);
  });

  test.each([
    ['retryAttempts', (s: Stack, n: number) => job(s, { retryAttempts: n })],
    ['maxEventAge', (s: Stack, n: number) => job(s, { maxEventAge: Duration.seconds(n) })],
    ['flexibleWindow', (s: Stack, n: number) => job(s, { flexibleWindow: Duration.minutes(n) })],
  ])('%s accepts a CfnParameter token', (_name, build) => {
    expect(() => expectNumberTokenAccepted(build)).not.toThrow();
  });

});
