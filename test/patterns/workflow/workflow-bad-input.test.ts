import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Workflow, WorkflowProps } from '../../../src';
import { BadInputCase, expectBadInput, expectNumberTokenAccepted } from '../../support';
import { expectValidDefinitions } from '../../support/asl';

const pass = (stack: Stack) => new sfn.Pass(stack, 'Work');
const wf = (props: Partial<WorkflowProps>, definition?: (s: Stack) => sfn.IChainable) => (stack: Stack) => {
  new Workflow(stack, 'Orders', { definition: (definition ?? pass)(stack), ...props });
};
const withRetry = (retry: sfn.RetryProps) => (stack: Stack) => {
  const parallel = new sfn.Parallel(stack, 'Both').branch(new sfn.Pass(stack, 'Charge')).branch(new sfn.Wait(stack, 'Wait', { time: sfn.WaitTime.duration(Duration.seconds(1)) }));
  parallel.addRetry(retry);
  return parallel;
};
const EXPRESS = sfn.StateMachineType.EXPRESS;
const W = 'TestStack/Orders';

const cases: Array<BadInputCase & { name: string }> = [
  { name: 'Express timeout over 5 minutes', build: wf({ stateMachineType: EXPRESS, timeout: Duration.minutes(6) }), path: W, code: 'WORKFLOW_TIMEOUT', prop: 'timeout', value: '6 minutes (360 s)', allowed: '1 second to 5 minutes (300 s)', fix: 'Express workflows run at most 5 minutes' },
  { name: 'Standard timeout over a year', build: wf({ timeout: Duration.days(366) }), path: W, code: 'WORKFLOW_TIMEOUT', prop: 'timeout', value: '366 days', allowed: '1 second to 365 days', fix: 'set timeout between' },
  { name: 'timeout not in whole seconds', build: wf({ timeout: Duration.millis(1500) }), path: W, code: 'WORKFLOW_TIMEOUT_WHOLE_SECONDS', prop: 'timeout', value: '1 second 500 millis', allowed: 'whole seconds', fix: 'give timeout in whole seconds' },
  { name: 'logging OFF on Express', build: wf({ stateMachineType: EXPRESS, logging: { level: sfn.LogLevel.OFF } }), path: W, code: 'WORKFLOW_EXPRESS_LOGGING_OFF', prop: 'logging.level', value: 'OFF', allowed: 'ALL, ERROR or FATAL for an Express workflow', fix: 'Express workflows keep no execution history' },
  { name: 'SLA not below the timeout', build: wf({ timeout: Duration.minutes(10), executionTimeSla: Duration.minutes(10) }), path: W, code: 'WORKFLOW_SLA_BELOW_TIMEOUT', prop: 'executionTimeSla', value: '10 minutes (600 s)', allowed: 'less than the timeout (10 minutes (600 s)), or the alarm could never fire', fix: 'lower executionTimeSla below timeout' },
  { name: 'both definition and definitionBody', build: (s) => { new Workflow(s, 'Orders', { definition: pass(s), definitionBody: sfn.DefinitionBody.fromString('{}') }); }, path: W, code: 'WORKFLOW_DEFINITION_ONE_OF', prop: 'definition / definitionBody', value: 'both given', allowed: 'exactly one of them', fix: 'pass the chain' },
  { name: 'neither definition nor definitionBody', build: (s) => { new Workflow(s, 'Orders', {}); }, path: W, code: 'WORKFLOW_DEFINITION_ONE_OF', prop: 'definition / definitionBody', value: 'neither given', allowed: 'exactly one', fix: 'sfn.DefinitionBody' },
  { name: 'state machine name with a space', build: wf({ stateMachineName: 'order saga' }), path: W, code: 'WORKFLOW_STATE_MACHINE_NAME', prop: 'stateMachineName', value: '"order saga" (characters outside the allowed set)', allowed: 'letters, digits, - and _', fix: 'rename it' },
  { name: 'state machine name over 80 characters', build: wf({ stateMachineName: 'a'.repeat(81) }), path: W, code: 'WORKFLOW_STATE_MACHINE_NAME', prop: 'stateMachineName', value: '(81 characters)', allowed: '1 to 80 characters', fix: 'rename it' },
  { name: 'state name over 80 characters', build: wf({}, (s) => new sfn.Pass(s, 'P', { stateName: 'x'.repeat(81) })), path: W, code: 'WORKFLOW_STATE_NAME', prop: `definition > "${'x'.repeat(81)}" (state name)`, value: '81 characters', allowed: '1 to 80 characters', fix: 'give the state a shorter name' },
  { name: 'state name over 80 characters inside a Parallel branch', build: wf({}, (s) => new sfn.Parallel(s, 'Fan').branch(new sfn.Pass(s, 'P', { stateName: 'y'.repeat(90) }))), path: W, code: 'WORKFLOW_STATE_NAME', prop: `definition > Fan.Branches[0] > "${'y'.repeat(90)}" (state name)`, value: '90 characters', allowed: '1 to 80 characters', fix: 'shorter name' },
  { name: 'state name over 80 characters inside a Map', build: wf({}, (s) => new sfn.Map(s, 'Each').itemProcessor(new sfn.Pass(s, 'P', { stateName: 'z'.repeat(81) }))), path: W, code: 'WORKFLOW_STATE_NAME', prop: `definition > Each.ItemProcessor > "${'z'.repeat(81)}" (state name)`, value: '81 characters', allowed: '1 to 80', fix: 'shorter name' },
  { name: 'state name with a control character', build: wf({}, (s) => new sfn.Pass(s, 'P', { stateName: 'Charge\npayment' })), path: W, code: 'WORKFLOW_STATE_NAME', prop: 'definition > "Charge\\npayment" (state name)', value: '14 characters, with a control character', allowed: 'no control characters (U+0000-001F, U+007F-009F)', fix: 'without line breaks or tabs' },
  { name: 'retry interval of 0 seconds', build: wf({}, withRetry({ interval: Duration.seconds(0) })), path: W, code: 'WORKFLOW_RETRY_INTERVAL', prop: 'definition > "Both".Retry[0] (errors ["States.ALL"]).interval', value: '0 s', allowed: 'a whole number of seconds from 1 to 99,999,999', fix: 'at least Duration.seconds(1)' },
  { name: 'retry maxAttempts negative', build: wf({}, withRetry({ maxAttempts: -1 })), path: W, code: 'WORKFLOW_RETRY_MAX_ATTEMPTS', prop: 'definition > "Both".Retry[0] (errors ["States.ALL"]).maxAttempts', value: '-1', allowed: 'a whole number from 0 (never retry) to 99,999,999', fix: 'give addRetry a maxAttempts' },
  { name: 'retry maxAttempts not a whole number', build: wf({}, withRetry({ maxAttempts: 2.5 })), path: W, code: 'WORKFLOW_RETRY_MAX_ATTEMPTS', prop: 'definition > "Both".Retry[0] (errors ["States.ALL"]).maxAttempts', value: '2.5', allowed: 'a whole number from 0', fix: 'maxAttempts' },
  { name: 'retry backoff rate below 1', build: wf({}, withRetry({ errors: ['Throttled'], backoffRate: 0.5 })), path: W, code: 'WORKFLOW_RETRY_BACKOFF_RATE', prop: 'definition > "Both".Retry[0] (errors ["Throttled"]).backoffRate', value: '0.5', allowed: 'a number of 1.0 or more', fix: 'backoffRate of at least 1' },
  { name: 'retry maxDelay over 366 days', build: wf({}, withRetry({ maxDelay: Duration.days(400) })), path: W, code: 'WORKFLOW_RETRY_MAX_DELAY', prop: 'definition > "Both".Retry[0] (errors ["States.ALL"]).maxDelay', value: '34560000 s', allowed: 'from 1 to 31,622,400', fix: 'Duration.days(366)' },
  { name: 'Map max concurrency negative', build: wf({}, (s) => new sfn.Map(s, 'EachItem', { maxConcurrency: -1 }).itemProcessor(new sfn.Pass(s, 'Item'))), path: W, code: 'WORKFLOW_MAP_MAX_CONCURRENCY', prop: 'definition > "EachItem".maxConcurrency', value: '-1', allowed: 'a whole number from 0 (no limit) to 10,000', fix: 'set maxConcurrency on the Map' },
  { name: 'Map max concurrency not a whole number', build: wf({}, (s) => new sfn.Map(s, 'EachItem', { maxConcurrency: 1.5 }).itemProcessor(new sfn.Pass(s, 'Item'))), path: W, code: 'WORKFLOW_MAP_MAX_CONCURRENCY', prop: 'definition > "EachItem".maxConcurrency', value: '1.5', allowed: '0 (no limit) to 10,000', fix: 'maxConcurrency' },
  {
    name: 'a definition string with a bad retrier is read too',
    build: (s) => { new Workflow(s, 'Orders', { definitionBody: sfn.DefinitionBody.fromString(JSON.stringify({ StartAt: 'A', States: { A: { Type: 'Pass', End: true, Retry: [{ ErrorEquals: ['States.ALL'], BackoffRate: 0 }] } } })) }); },
    path: W,
    code: 'WORKFLOW_RETRY_BACKOFF_RATE',
    prop: 'definition > "A".Retry[0] (errors ["States.ALL"]).backoffRate',
    value: '0',
    allowed: '1.0 or more',
    fix: 'backoffRate',
  },
  // Starters
  {
    name: 'SQS starter: visibility shorter than 6 × the starter timeout (Standard)',
    build: (s) => { new Workflow(s, 'Orders', { definition: pass(s) }).startFromQueue('Intake', { queueProps: { visibilityTimeout: Duration.seconds(60) } }); },
    path: `${W}/Intake`,
    code: 'CONSUMER_VISIBILITY_TIMEOUT',
    prop: 'queueProps.visibilityTimeout',
    value: '1 minute (60 s)',
    allowed: 'at least 3 minutes (180 s): 6 x consumer.timeout (30 seconds)',
    fix: 'raise queueProps.visibilityTimeout to 3 minutes (180 s)',
  },
  {
    name: 'SQS starter: visibility cannot cover a synchronous Express start',
    build: (s) => { new Workflow(s, 'Orders', { definition: pass(s), stateMachineType: EXPRESS, timeout: Duration.minutes(4) }).startFromQueue('Intake', { queueProps: { visibilityTimeout: Duration.minutes(5) } }); },
    path: `${W}/Intake`,
    code: 'CONSUMER_VISIBILITY_TIMEOUT',
    prop: 'queueProps.visibilityTimeout',
    value: '5 minutes (300 s)',
    allowed: 'at least 27 minutes (1,620 s): 6 x consumer.timeout (default: the workflow timeout + 30 s, as an Express start waits for the whole execution) (4 minutes 30 seconds (270 s))',
    fix: 'raise queueProps.visibilityTimeout',
  },
  {
    name: 'SQS starter: starter timeout shorter than the Express workflow',
    build: (s) => { new Workflow(s, 'Orders', { definition: pass(s), stateMachineType: EXPRESS, timeout: Duration.minutes(2) }).startFromQueue('Intake', { consumer: { timeout: Duration.seconds(60) } }); },
    path: `${W}/Intake`,
    code: 'WORKFLOW_STARTER_TIMEOUT',
    prop: 'consumer.timeout',
    value: '1 minute (60 s)',
    allowed: '2 minutes 5 seconds (125 s) to 15 minutes',
    fix: 'raise consumer.timeout',
  },
  { name: 'SQS starter: batch size 11', build: (s) => { new Workflow(s, 'Orders', { definition: pass(s) }).startFromQueue('Intake', { consumer: { batchSize: 11 } }); }, path: `${W}/Intake`, code: 'CONSUMER_BATCH_SIZE', prop: 'consumer.batchSize', value: '11', allowed: 'a whole number from 1 to 10', fix: 'set consumer.batchSize' },
  { name: 'SQS starter: max concurrency 1', build: (s) => { new Workflow(s, 'Orders', { definition: pass(s) }).startFromQueue('Intake', { consumer: { maxConcurrency: 1 } }); }, path: `${W}/Intake`, code: 'CONSUMER_MAX_CONCURRENCY', prop: 'consumer.maxConcurrency', value: '1', allowed: 'a whole number from 2 to 1,000', fix: 'set consumer.maxConcurrency' },
  { name: 'schedule: not a Scheduler expression', build: (s) => { new Workflow(s, 'Orders', { definition: pass(s) }).startOnSchedule('Nightly', { scheduleExpression: '0 2 * * *' }); }, path: `${W}/Nightly`, code: 'WORKFLOW_STARTER_SCHEDULE_EXPRESSION', prop: 'scheduleExpression', value: '"0 2 * * *"', allowed: 'rate(...), cron(...) or at(...)', fix: 'write e.g.' },
  { name: 'schedule: input not JSON', build: (s) => { new Workflow(s, 'Orders', { definition: pass(s) }).startOnSchedule('Nightly', { scheduleExpression: 'rate(1 day)', input: 'job=1' }); }, path: `${W}/Nightly`, code: 'WORKFLOW_STARTER_SCHEDULE_INPUT', prop: 'input', value: 'job=1', allowed: 'a JSON document', fix: 'JSON.stringify' },
  { name: 'schedule: 186 retries', build: (s) => { new Workflow(s, 'Orders', { definition: pass(s) }).startOnSchedule('Nightly', { scheduleExpression: 'rate(1 day)', retryAttempts: 186 }); }, path: `${W}/Nightly`, code: 'WORKFLOW_STARTER_RETRY_ATTEMPTS', prop: 'retryAttempts', value: '186', allowed: 'a whole number from 0 to 185', fix: 'set retryAttempts' },
  {
    name: 'bus route: max event age over 24 hours',
    build: (s) => { new Workflow(s, 'Orders', { definition: pass(s) }).startOnEvent('OnX', { eventBus: new events.EventBus(s, 'Bus'), eventPattern: { detailType: ['X'] }, maxEventAge: Duration.hours(25) }); },
    path: `${W}/OnX`,
    code: 'WORKFLOW_STARTER_MAX_EVENT_AGE',
    prop: 'maxEventAge',
    value: '1 day 1 hour (90,000 s)',
    allowed: '1 minute (60 s) to 1 day (86,400 s)',
    fix: 'set maxEventAge between',
  },
  { name: 'bus route: retries NaN', build: (s) => { new Workflow(s, 'Orders', { definition: pass(s) }).startOnEvent('OnX', { eventBus: new events.EventBus(s, 'Bus'), eventPattern: { detailType: ['X'] }, retryAttempts: NaN }); }, path: `${W}/OnX`, code: 'WORKFLOW_STARTER_RETRY_ATTEMPTS', prop: 'retryAttempts', value: 'NaN', allowed: 'from 0 to 185', fix: 'set retryAttempts' },
];

test.each(cases)('bad input: $name', (c) => {
  expectBadInput(c);
});

test('all violations of one workflow in one error', () => {
  const message = expectBadInput({
    build: wf({ stateMachineType: EXPRESS, timeout: Duration.minutes(6), logging: { level: sfn.LogLevel.OFF }, stateMachineName: 'a b' }),
    path: W,
    code: 'WORKFLOW_EXPRESS_LOGGING_OFF',
    prop: 'logging.level',
    value: 'OFF',
    allowed: 'ALL, ERROR or FATAL',
    fix: 'Express',
  });
  expect(message).toContain('3 invalid settings');
});

describe('tokens are never checked and never break another check', () => {
  test.each([
    ['timeout', (s: Stack, t: number) => { new Workflow(s, 'W', { definition: pass(s), timeout: Duration.seconds(t) }); }],
    ['timeout (Express) and executionTimeSla', (s: Stack, t: number) => { new Workflow(s, 'W', { definition: pass(s), stateMachineType: EXPRESS, timeout: Duration.seconds(t), executionTimeSla: Duration.seconds(t) }); }],
    ['retry maxAttempts and Map maxConcurrency', (s: Stack, t: number) => {
      new Workflow(s, 'W', { definition: new sfn.Map(s, 'M', { maxConcurrency: t }).itemProcessor(new sfn.Pass(s, 'P')).next(withRetry({ maxAttempts: t })(s)) });
    }],
    ['starter batchSize, maxConcurrency, visibility', (s: Stack, t: number) => {
      new Workflow(s, 'W', { definition: pass(s) }).startFromQueue('Q', { consumer: { batchSize: t, maxConcurrency: t }, queueProps: { visibilityTimeout: Duration.seconds(t) } });
    }],
    ['schedule and bus retries / age', (s: Stack, t: number) => {
      const w = new Workflow(s, 'W', { definition: pass(s) });
      w.startOnSchedule('S', { scheduleExpression: 'rate(1 day)', retryAttempts: t, maxEventAge: Duration.seconds(t) });
      w.startOnEvent('E', { eventBus: new events.EventBus(s, 'Bus'), eventPattern: { detailType: ['X'] }, retryAttempts: t });
    }],
  ])('%s', (_name, build) => {
    expectValidDefinitions(expectNumberTokenAccepted(build));
  });
  test('a token SLA and a token timeout alarm through metric math (half the timeout by default)', () => {
    expectNumberTokenAccepted((s, t) => { new Workflow(s, 'W', { definition: pass(s), timeout: Duration.seconds(t) }); })
      .hasResourceProperties('AWS::CloudWatch::Alarm', { Metrics: Match.arrayWith([Match.objectLike({ Expression: 'p99 / 500' })]), Threshold: { Ref: 'NumberParam' } });
    expectNumberTokenAccepted((s, t) => { new Workflow(s, 'W', { definition: pass(s), executionTimeSla: Duration.seconds(t) }); })
      .hasResourceProperties('AWS::CloudWatch::Alarm', { Metrics: Match.arrayWith([Match.objectLike({ Expression: 'p99 / 1000' })]), Threshold: { Ref: 'NumberParam' } });
  });
});

// Issue #11, third pass: StartExecution input is at most 262,144 bytes of UTF-8.
describe('schedule starter input size', () => {
  const big = (bytes: number) => JSON.stringify({ d: 'x'.repeat(bytes - 8) }); // {"d":"…"} is 8 bytes around the text
  test('one byte over is refused', () => {
    expectBadInput({
      build: (s) => { new Workflow(s, 'Orders', { definition: pass(s) }).startOnSchedule('Nightly', { scheduleExpression: 'rate(1 day)', input: big(262_145) }); },
      path: `${W}/Nightly`,
      code: 'WORKFLOW_STARTER_SCHEDULE_INPUT_SIZE',
      prop: 'input',
      value: '262,145 bytes (UTF-8)',
      allowed: 'at most 262,144 bytes',
      fix: 'pass a reference',
    });
  });
  test('accepted boundary: exactly 262,144 bytes', () => {
    const s = new Stack();
    new Workflow(s, 'Orders', { definition: pass(s) }).startOnSchedule('Nightly', { scheduleExpression: 'rate(1 day)', input: big(262_144) });
    expect(Buffer.byteLength(big(262_144))).toBe(262_144);
    Template.fromStack(s).resourceCountIs('AWS::Scheduler::Schedule', 1);
  });
});
