import { CfnParameter, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { ScheduledJob, ScheduledJobProps, ScheduledJobTarget } from '../../src';
import { cronNeverFires, isTimeZone } from '../../src/core/schedule-expression';
import { BadInputCase, expectBadInput, newStack } from '../support';

// Issue #11, second pass: inputs EventBridge Scheduler refuses (or that never run) which
// ScheduledJob used to accept silently or fail on with a raw aws-cdk-lib / JavaScript message.

const code = lambda.Code.fromInline('exports.handler = async () => undefined;');
const queue = (s: Stack, props: sqs.QueueProps = {}) => new sqs.Queue(s, 'Q', { enforceSSL: true, ...props });
const job = (s: Stack, props: Partial<ScheduledJobProps>) =>
  new ScheduledJob(s, 'Job', { target: ScheduledJobTarget.queue(queue(s)), ...props } as ScheduledJobProps);
const machine = (s: Stack) => new sfn.StateMachine(s, 'SM', { definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(s, 'P')) });

describe('ScheduledJob bad input, second pass', () => {
  const cases: BadInputCase[] = [
    {
      build: s => job(s, { cronExpression: '0 0 30 2 ? *' }),
      path: 'TestStack/Job',
      code: 'SCHEDULED_JOB_CRON_NEVER_FIRES',
      prop: 'cronExpression',
      value: '"0 0 30 2 ? *": day 30 of month FEB never occurs',
      allowed: 'a cron that fires at least once',
      fix: 'use "L" for the last day of the month',
    },
    {
      build: s => job(s, { cronExpression: '0 0 31 APR,JUN,SEP,NOV ? *' }),
      path: 'TestStack/Job',
      code: 'SCHEDULED_JOB_CRON_NEVER_FIRES',
      prop: 'cronExpression',
      value: 'day 31 of month APR,JUN,SEP,NOV never occurs',
      allowed: 'fires at least once',
      fix: '"L"',
    },
    {
      build: s => job(s, { cronExpression: '0 0 1 1 ? 2020-2024' }),
      path: 'TestStack/Job',
      code: 'SCHEDULED_JOB_CRON_NEVER_FIRES',
      prop: 'cronExpression',
      value: 'its year 2020-2024 is over',
      allowed: 'fires at least once',
      fix: 'a year still to come',
    },
    {
      build: s => job(s, { cronExpression: '*/0 * * * ? *' }),
      path: 'TestStack/Job',
      code: 'SCHEDULED_JOB_CRON',
      prop: 'cronExpression',
      value: 'field 1 (minutes) "*/0" has an increment of 0',
      allowed: 'six-field cron',
      fix: 'write minutes hours',
    },
    {
      build: s => job(s, { at: new Date('next tuesday') }),
      path: 'TestStack/Job',
      code: 'SCHEDULED_JOB_DATE_INVALID',
      prop: 'at',
      value: 'Invalid Date',
      allowed: 'a valid Date',
      fix: 'give at as new Date(',
    },
    {
      build: s => job(s, { rate: Duration.hours(1), startDate: new Date('soon') }),
      path: 'TestStack/Job',
      code: 'SCHEDULED_JOB_DATE_INVALID',
      prop: 'startDate',
      value: 'Invalid Date',
      allowed: 'a valid Date',
      fix: 'give startDate',
    },
    {
      build: s => job(s, { at: new Date('2030-06-01T09:00:00Z'), endDate: new Date('2031-01-01T00:00:00Z') }),
      path: 'TestStack/Job',
      code: 'SCHEDULED_JOB_WINDOW_WITH_AT',
      prop: 'endDate',
      value: '2031-01-01T00:00:00.000Z',
      allowed: 'ignores StartDate and EndDate for one-time schedules',
      fix: 'remove endDate',
    },
    {
      build: s => job(s, { rate: Duration.hours(1), endDate: new Date('2020-01-01T00:00:00Z') }),
      path: 'TestStack/Job',
      code: 'SCHEDULED_JOB_END_IN_PAST',
      prop: 'endDate',
      value: '2020-01-01T00:00:00.000Z (in the past at synth)',
      allowed: 'a time in the future',
      fix: 'move endDate into the future',
    },
    {
      build: s => job(s, { rate: Duration.hours(1), description: 'd'.repeat(513) }),
      path: 'TestStack/Job',
      code: 'SCHEDULED_JOB_DESCRIPTION',
      prop: 'description',
      value: '513 characters',
      allowed: 'at most 512 characters',
      fix: 'shorten description',
    },
    {
      build: s => job(s, { rate: Duration.hours(1), flexibleWindow: Duration.seconds(90) }),
      path: 'TestStack/Job',
      code: 'SCHEDULED_JOB_FLEXIBLE_WINDOW',
      prop: 'flexibleWindow',
      value: '1 minute 30 seconds (90 s)',
      allowed: 'whole minutes',
      fix: 'Duration.minutes(2)',
    },
    {
      build: s => job(s, { rate: Duration.hours(1), flexibleWindow: Duration.minutes(NaN) }),
      path: 'TestStack/Job',
      code: 'SCHEDULED_JOB_FLEXIBLE_WINDOW',
      prop: 'flexibleWindow',
      value: 'Duration.minutes(NaN)',
      allowed: '1 minute (60 s) to 1 day',
      fix: 'flexibleWindow',
    },
    {
      build: s => job(s, { cronExpression: '0 0 * * ? *', timeZone: 'utc' }),
      path: 'TestStack/Job',
      code: 'SCHEDULED_JOB_TIME_ZONE',
      prop: 'timeZone',
      value: '"utc"',
      allowed: 'an IANA time zone name',
      fix: 'IANA name',
    },
    {
      build: s => new ScheduledJob(s, 'Job', { rate: Duration.hours(1), target: ScheduledJobTarget.queue(queue(s, { fifo: true, contentBasedDeduplication: true }), { messageGroupId: '' }) }),
      path: 'TestStack/Job',
      code: 'SCHEDULED_JOB_GROUP_ID_LENGTH',
      prop: 'target.messageGroupId',
      value: '"" (0 characters)',
      allowed: '1 to 128 characters',
      fix: 'message group id of 1 to 128',
    },
    {
      build: s => new ScheduledJob(s, 'Job', { rate: Duration.hours(1), target: ScheduledJobTarget.queue(queue(s), { messageGroupId: 'prices' }) }),
      path: 'TestStack/Job',
      code: 'SCHEDULED_JOB_GROUP_ID_ON_STANDARD',
      prop: 'target.messageGroupId',
      value: '"prices" (the queue is standard)',
      allowed: 'no message group id',
      fix: 'remove messageGroupId',
    },
    {
      build: s => new ScheduledJob(s, 'Job', { rate: Duration.hours(1), target: ScheduledJobTarget.stateMachine(machine(s), scheduler.ScheduleTargetInput.fromText('run now')) }),
      path: 'TestStack/Job',
      code: 'SCHEDULED_JOB_TARGET_INPUT_JSON',
      prop: 'target.input',
      value: '"run now" (not JSON)',
      allowed: 'a JSON document (Step Functions StartExecution',
      fix: 'ScheduleTargetInput.fromObject',
    },
    {
      build: s => new ScheduledJob(s, 'Job', { rate: Duration.hours(1), target: ScheduledJobTarget.lambda({ code, handler: 'index.handler' }, scheduler.ScheduleTargetInput.fromText('{oops')) }),
      path: 'TestStack/Job',
      code: 'SCHEDULED_JOB_TARGET_INPUT_JSON',
      prop: 'target.input',
      value: '"{oops" (not JSON)',
      allowed: 'a JSON document (Lambda',
      fix: 'fromObject',
    },
  ];
  test.each(cases.map(c => [`${c.code} ${c.prop}: ${c.value}`, c] as const))('%s', (_name, c) => {
    expectBadInput(c);
  });

  test('boundaries are accepted: 29 Feb, the last day (L), a year to come, tz links, whole-minute window, 512-character description, 128-character group id, JSON inputs', () => {
    const s = newStack();
    new ScheduledJob(s, 'Leap', { cronExpression: '0 0 29 2 ? *', target: ScheduledJobTarget.stateMachine(machine(s), scheduler.ScheduleTargetInput.fromObject({ a: 1 })) });
    new ScheduledJob(s, 'Last', { cronExpression: '0 0 L 2 ? *', timeZone: 'US/Eastern', description: 'd'.repeat(512), target: ScheduledJobTarget.lambda({ code, handler: 'index.handler' }, scheduler.ScheduleTargetInput.fromText('"text is JSON"')) });
    new ScheduledJob(s, 'Later', { cronExpression: '0 0 1 1 ? 2020-2199', timeZone: 'Etc/GMT+5', target: ScheduledJobTarget.queue(new sqs.Queue(s, 'F', { fifo: true, contentBasedDeduplication: true, enforceSSL: true }), { messageGroupId: 'g'.repeat(128) }) });
    new ScheduledJob(s, 'Windowed', { rate: Duration.hours(1), flexibleWindow: Duration.minutes(2), startDate: new Date('2030-01-01T00:00:00Z'), endDate: new Date('2031-01-01T00:00:00Z'), target: ScheduledJobTarget.queue(new sqs.Queue(s, 'Q2', { enforceSSL: true }), { input: scheduler.ScheduleTargetInput.fromText('plain text is fine for SQS') }) });
    expect(() => Template.fromStack(s)).not.toThrow();
  });

  test('tokens are not checked: a CfnParameter message group id, description and state machine input', () => {
    const s = newStack();
    const p = (id: string) => new CfnParameter(s, id, { type: 'String' }).valueAsString;
    new ScheduledJob(s, 'A', { rate: Duration.hours(1), description: p('D'), target: ScheduledJobTarget.queue(new sqs.Queue(s, 'F', { fifo: true, contentBasedDeduplication: true, enforceSSL: true }), { messageGroupId: p('G') }) });
    new ScheduledJob(s, 'B', { rate: Duration.hours(1), target: ScheduledJobTarget.stateMachine(machine(s), scheduler.ScheduleTargetInput.fromText(p('I'))) });
    expect(() => Template.fromStack(s)).not.toThrow();
  });

  test('cronNeverFires and isTimeZone (the helpers behind the rules)', () => {
    expect(cronNeverFires('0 0 30 2 ? *', 2026)).toContain('never occurs');
    expect(cronNeverFires('0 0 29 2 ? *', 2026)).toBeUndefined();
    expect(cronNeverFires('0 0 30,31 FEB-APR ? *', 2026)).toBeUndefined(); // 30/31 March exists
    expect(cronNeverFires('0 0 ? * MON *', 2026)).toBeUndefined();
    expect(cronNeverFires('0 0 1 1 ? 2026', 2026)).toBeUndefined();
    expect(cronNeverFires('0 0 1 1 ? 2025', 2026)).toContain('is over');
    for (const ok of ['UTC', 'America/New_York', 'US/Eastern', 'Etc/GMT+5', 'Asia/Calcutta']) expect(isTimeZone(ok)).toBe(true);
    for (const bad of ['utc', 'america/new_york', 'Mars/Base', '+05:00', '']) expect(isTimeZone(bad)).toBe(false);
  });
});

// Issue #11, third pass: Scheduler's Target.Input is at least 1 character.
const onQueue = (s: Stack, input: scheduler.ScheduleTargetInput) =>
  new ScheduledJob(s, 'Job', { rate: Duration.hours(1), target: ScheduledJobTarget.queue(queue(s), { input }) });
describe('ScheduledJob queue target input', () => {
  test('an empty input is refused with our message', () => {
    expectBadInput({
      build: s => onQueue(s, scheduler.ScheduleTargetInput.fromText('')),
      path: 'TestStack/Job',
      code: 'SCHEDULED_JOB_TARGET_INPUT_EMPTY',
      prop: 'target.input',
      value: '"" (empty)',
      allowed: 'text of at least 1 character',
      fix: 'give the message body',
    });
  });

  test('accepted boundary: a one-character input, and a token input', () => {
    const s = newStack();
    onQueue(s, scheduler.ScheduleTargetInput.fromText('x'));
    Template.fromStack(s).hasResourceProperties('AWS::Scheduler::Schedule', { Target: { Input: 'x' } });
    const t = newStack();
    onQueue(t, scheduler.ScheduleTargetInput.fromText(new CfnParameter(t, 'Body').valueAsString));
    Template.fromStack(t).resourceCountIs('AWS::Scheduler::Schedule', 1);
  });
});

describe('ScheduledJob state machine target input size', () => {
  const big = (bytes: number) => scheduler.ScheduleTargetInput.fromText(JSON.stringify({ d: 'é'.repeat((bytes - 8) / 2) })); // é is 2 bytes of UTF-8
  const onMachine = (s: Stack, input: scheduler.ScheduleTargetInput) =>
    new ScheduledJob(s, 'Job', { rate: Duration.hours(1), target: ScheduledJobTarget.stateMachine(machine(s), input) });
  test('over 262,144 bytes of UTF-8 is refused', () => {
    expectBadInput({
      build: s => onMachine(s, big(262_146)),
      path: 'TestStack/Job',
      code: 'SCHEDULED_JOB_TARGET_INPUT_SIZE',
      prop: 'target.input',
      value: '262,146 bytes (UTF-8)',
      allowed: 'at most 262,144 bytes',
      fix: 'pass a reference',
    });
  });
  test('accepted boundary: exactly 262,144 bytes', () => {
    const s = newStack();
    onMachine(s, big(262_144));
    Template.fromStack(s).resourceCountIs('AWS::Scheduler::Schedule', 1);
  });
});
