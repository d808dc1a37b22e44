import { CfnParameter, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Workflow, WorkflowProps } from '../../../src';
import { errorMessageOf, expectFragmentsInOrder, newStack } from '../../support';
import { expectValidDefinitions } from '../../support/asl';

/** Each case: the error names the construct path, the prop as written, the value, what is allowed and the fix. */
interface BadInputCase {
  readonly name: string;
  readonly build: (stack: Stack) => void;
  readonly message: readonly string[];
}

const pass = (stack: Stack) => new sfn.Pass(stack, 'Work');
const wf = (props: Partial<WorkflowProps>, definition?: (s: Stack) => sfn.IChainable) => (stack: Stack) => {
  new Workflow(stack, 'Orders', { definition: (definition ?? pass)(stack), ...props });
};
const withRetry = (retry: sfn.RetryProps) => (stack: Stack) => {
  const task = new sfn.Pass(stack, 'Charge');
  const wait = new sfn.Wait(stack, 'Wait', { time: sfn.WaitTime.duration(Duration.seconds(1)) });
  const parallel = new sfn.Parallel(stack, 'Both').branch(task).branch(wait);
  parallel.addRetry(retry);
  return parallel;
};
const EXPRESS = sfn.StateMachineType.EXPRESS;

const cases: BadInputCase[] = [
  {
    name: 'Express timeout over 5 minutes',
    build: wf({ stateMachineType: EXPRESS, timeout: Duration.minutes(6) }),
    message: ['[TestStack/Orders]', 'invalid timeout: 6 minutes (360 s)', 'Allowed: 1 second to 5 minutes (300 s)', 'Fix: Express workflows run at most 5 minutes'],
  },
  {
    name: 'Standard timeout over a year',
    build: wf({ timeout: Duration.days(366) }),
    message: ['[TestStack/Orders]', 'invalid timeout: 366 days', 'Allowed: 1 second to 365 days'],
  },
  {
    name: 'timeout not in whole seconds',
    build: wf({ timeout: Duration.millis(1500) }),
    message: ['[TestStack/Orders]', 'invalid timeout: 1 second 500 millis', 'Allowed: whole seconds', 'Fix: give timeout in whole seconds'],
  },
  {
    name: 'logging OFF on Express',
    build: wf({ stateMachineType: EXPRESS, logging: { level: sfn.LogLevel.OFF } }),
    message: ['[TestStack/Orders]', 'invalid logging.level: OFF', 'Allowed: ALL, ERROR or FATAL for an Express workflow', 'Fix: Express workflows keep no execution history'],
  },
  {
    name: 'SLA not below the timeout (the alarm could never fire)',
    build: wf({ timeout: Duration.minutes(10), executionTimeSla: Duration.minutes(10) }),
    message: ['[TestStack/Orders]', 'invalid executionTimeSla: 10 minutes (600 s)', 'Allowed: more than 0 and less than the timeout (10 minutes (600 s))', 'Fix: lower executionTimeSla'],
  },
  {
    name: 'both definition and definitionBody',
    build: (stack) => { new Workflow(stack, 'Orders', { definition: pass(stack), definitionBody: sfn.DefinitionBody.fromString('{}') }); },
    message: ['[TestStack/Orders]', 'invalid definition / definitionBody: both given', 'Allowed: exactly one of them', 'Fix: pass the chain'],
  },
  {
    name: 'neither definition nor definitionBody',
    build: (stack) => { new Workflow(stack, 'Orders', {}); },
    message: ['[TestStack/Orders]', 'invalid definition / definitionBody: neither given'],
  },
  {
    name: 'state machine name with a space',
    build: wf({ stateMachineName: 'order saga' }),
    message: ['[TestStack/Orders]', 'invalid stateMachineName: "order saga"', 'Allowed: 1 to 80 characters: letters, digits, - and _', 'Fix: rename the state machine'],
  },
  {
    name: 'state name over 80 characters',
    build: wf({}, (s) => new sfn.Pass(s, 'P', { stateName: 'x'.repeat(81) })),
    message: ['[TestStack/Orders]', `invalid definition > "${'x'.repeat(81)}" (state name): 81 characters`, 'Allowed: 1 to 80 characters', 'Fix: give the state a shorter name'],
  },
  {
    name: 'state name over 80 characters inside a Parallel branch',
    build: wf({}, (s) => new sfn.Parallel(s, 'Fan').branch(new sfn.Pass(s, 'P', { stateName: 'y'.repeat(90) }))),
    message: ['[TestStack/Orders]', 'invalid definition > Fan.Branches[0] > "yyyy', '(state name): 90 characters'],
  },
  {
    name: 'state name with a control character (a line break)',
    build: wf({}, (s) => new sfn.Pass(s, 'P', { stateName: 'Charge\npayment' })),
    message: ['[TestStack/Orders]', '(state name): 14 characters, with a control character', 'no control characters (U+0000-001F, U+007F-009F)'],
  },
  {
    name: 'retry interval of 0 seconds',
    build: wf({}, withRetry({ interval: Duration.seconds(0) })),
    message: ['[TestStack/Orders]', 'invalid definition > "Both".Retry[0] (errors ["States.ALL"]).interval: 0 s', 'Allowed: a whole number of seconds from 1 to 99,999,999'],
  },
  {
    name: 'retry maxAttempts negative',
    build: wf({}, withRetry({ maxAttempts: -1 })),
    message: ['[TestStack/Orders]', '.Retry[0] (errors ["States.ALL"]).maxAttempts: -1', 'Allowed: a whole number from 0 (never retry) to 99,999,999'],
  },
  {
    name: 'retry maxAttempts not a whole number',
    build: wf({}, withRetry({ maxAttempts: 2.5 })),
    message: ['.maxAttempts: 2.5', 'Allowed: a whole number from 0'],
  },
  {
    name: 'retry backoff rate below 1',
    build: wf({}, withRetry({ errors: ['Throttled'], backoffRate: 0.5 })),
    message: ['[TestStack/Orders]', '.Retry[0] (errors ["Throttled"]).backoffRate: 0.5', 'Allowed: a number of 1.0 or more', 'Fix: give addRetry a backoffRate of at least 1'],
  },
  {
    name: 'retry maxDelay over 366 days',
    build: wf({}, withRetry({ maxDelay: Duration.days(400) })),
    message: ['.maxDelay: 34560000 s', 'Allowed: a whole number of seconds from 1 to 31,622,400'],
  },
  {
    name: 'Map max concurrency negative',
    build: wf({}, (s) => new sfn.Map(s, 'EachItem', { maxConcurrency: -1 }).itemProcessor(new sfn.Pass(s, 'Item'))),
    message: ['[TestStack/Orders]', 'invalid definition > "EachItem".maxConcurrency: -1', 'Allowed: a whole number from 0 (no limit) to 10,000', 'Fix: set maxConcurrency on the Map'],
  },
  {
    name: 'Map max concurrency not a whole number',
    build: wf({}, (s) => new sfn.Map(s, 'EachItem', { maxConcurrency: 1.5 }).itemProcessor(new sfn.Pass(s, 'Item'))),
    message: ['"EachItem".maxConcurrency: 1.5'],
  },
  {
    name: 'a definition string with a bad retrier is read too',
    build: (stack) => {
      new Workflow(stack, 'Orders', {
        definitionBody: sfn.DefinitionBody.fromString(JSON.stringify({ StartAt: 'A', States: { A: { Type: 'Pass', End: true, Retry: [{ ErrorEquals: ['States.ALL'], BackoffRate: 0 }] } } })),
      });
    },
    message: ['[TestStack/Orders]', 'invalid definition > "A".Retry[0] (errors ["States.ALL"]).backoffRate: 0'],
  },
  // Starters
  {
    name: 'SQS starter: visibility timeout shorter than 6 × the starter timeout (Standard)',
    build: (stack) => { new Workflow(stack, 'Orders', { definition: pass(stack) }).startFromQueue('Intake', { queueProps: { visibilityTimeout: Duration.seconds(60) } }); },
    message: ['[TestStack/Orders/Intake]', 'invalid queueProps.visibilityTimeout: 1 minute (60 s)', "Allowed: at least 6 × the starter's timeout 30 seconds = 3 minutes (180 s)", 'Fix: raise queueProps.visibilityTimeout to 3 minutes (180 s)'],
  },
  {
    name: 'SQS starter: visibility cannot cover a synchronous Express start',
    build: (stack) => {
      new Workflow(stack, 'Orders', { definition: pass(stack), stateMachineType: EXPRESS, timeout: Duration.minutes(4) })
        .startFromQueue('Intake', { queueProps: { visibilityTimeout: Duration.minutes(5) } });
    },
    message: ['[TestStack/Orders/Intake]', 'invalid queueProps.visibilityTimeout: 5 minutes (300 s)', '= 27 minutes (1,620 s) (an Express start waits for the whole execution)'],
  },
  {
    name: 'SQS starter: starter timeout shorter than the Express workflow',
    build: (stack) => {
      new Workflow(stack, 'Orders', { definition: pass(stack), stateMachineType: EXPRESS, timeout: Duration.minutes(2) })
        .startFromQueue('Intake', { starterTimeout: Duration.seconds(60) });
    },
    message: ['[TestStack/Orders/Intake]', 'invalid starterTimeout: 1 minute (60 s)', 'Allowed: 2 minutes 5 seconds (125 s) to 15 minutes', 'Fix: raise starterTimeout'],
  },
  {
    name: 'SQS starter: batch size 11',
    build: (stack) => { new Workflow(stack, 'Orders', { definition: pass(stack) }).startFromQueue('Intake', { batchSize: 11 }); },
    message: ['[TestStack/Orders/Intake]', 'invalid batchSize: 11', 'Allowed: a whole number from 1 to 10'],
  },
  {
    name: 'SQS starter: max concurrency 1 (SQS needs at least 2)',
    build: (stack) => { new Workflow(stack, 'Orders', { definition: pass(stack) }).startFromQueue('Intake', { maxConcurrency: 1 }); },
    message: ['[TestStack/Orders/Intake]', 'invalid maxConcurrency: 1', 'Allowed: a whole number from 2 to 1,000'],
  },
  {
    name: 'schedule: not a Scheduler expression',
    build: (stack) => { new Workflow(stack, 'Orders', { definition: pass(stack) }).startOnSchedule('Nightly', { scheduleExpression: '0 2 * * *' }); },
    message: ['[TestStack/Orders/Nightly]', 'invalid scheduleExpression: "0 2 * * *"', 'Allowed: rate(...), cron(...) or at(...)', 'Fix: write e.g.'],
  },
  {
    name: 'schedule: input not JSON',
    build: (stack) => { new Workflow(stack, 'Orders', { definition: pass(stack) }).startOnSchedule('Nightly', { scheduleExpression: 'rate(1 day)', input: 'job=1' }); },
    message: ['[TestStack/Orders/Nightly]', 'invalid input: job=1', 'Allowed: a JSON document'],
  },
  {
    name: 'schedule: 186 retries',
    build: (stack) => { new Workflow(stack, 'Orders', { definition: pass(stack) }).startOnSchedule('Nightly', { scheduleExpression: 'rate(1 day)', retryAttempts: 186 }); },
    message: ['[TestStack/Orders/Nightly]', 'invalid retryAttempts: 186', 'Allowed: a whole number from 0 to 185'],
  },
  {
    name: 'bus route: max event age over 24 hours',
    build: (stack) => {
      new Workflow(stack, 'Orders', { definition: pass(stack) })
        .startOnEvent('OnX', { eventBus: new events.EventBus(stack, 'Bus'), eventPattern: { detailType: ['X'] }, maxEventAge: Duration.hours(25) });
    },
    message: ['[TestStack/Orders/OnX]', 'invalid maxEventAge: 1 day 1 hour (90,000 s)', 'Allowed: 1 minute (60 s) to 1 day (86,400 s)'],
  },
];

describe.each(cases)('bad input: $name', ({ build, message }) => {
  test('is refused at synth time with path, prop, value, range and fix', () => {
    expectFragmentsInOrder(errorMessageOf(() => build(newStack())), message);
  });
});

test('tokens are never checked: a CfnParameter timeout, SLA, retry count and concurrency synthesize', () => {
  const stack = newStack();
  const seconds = new CfnParameter(stack, 'Seconds', { type: 'Number' }).valueAsNumber;
  const count = new CfnParameter(stack, 'Count', { type: 'Number' }).valueAsNumber;
  const w = new Workflow(stack, 'Orders', {
    definition: pass(stack),
    stateMachineType: EXPRESS,
    timeout: Duration.seconds(seconds),
    executionTimeSla: Duration.seconds(seconds),
  });
  w.startFromQueue('Intake', { batchSize: count, maxConcurrency: count, queueProps: { visibilityTimeout: Duration.seconds(seconds) } });
  w.startOnSchedule('Nightly', { scheduleExpression: 'rate(1 day)', retryAttempts: count });
  const template = Template.fromStack(stack);
  expectValidDefinitions(template);
  template.hasResourceProperties('AWS::CloudWatch::Alarm', { Metrics: Match.arrayWith([Match.objectLike({ Expression: 'p99 / 1000' })]), Threshold: { Ref: 'Seconds' } });
  // and a token timeout with the default SLA: half of it, in metric math
  const other = newStack();
  new Workflow(other, 'W', { definition: pass(other), timeout: Duration.seconds(new CfnParameter(other, 'T', { type: 'Number' }).valueAsNumber) });
  Template.fromStack(other).hasResourceProperties('AWS::CloudWatch::Alarm', { Metrics: Match.arrayWith([Match.objectLike({ Expression: 'p99 / 500' })]), Threshold: { Ref: 'T' } });
});
