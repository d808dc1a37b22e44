/**
 * Integ test: ScheduledJob, a queue target every minute (a cron in a named time zone).
 *
 * the schedule as deployed (expression, time zone, flexible window off, retry policy, DLQ,
 * target input) -> within a few minutes Scheduler has sent the constant input to the queue.
 *
 * Offline (`npx projen integ`) the committed snapshot is compared with a fresh synth. Against a
 * real account the stack deploys, the assertions run, and everything is destroyed.
 *
 * Not asserted here: a failed invocation reaching the dead-letter queue (it takes a target that
 * refuses Scheduler for the whole retry window); the unit tests check the DLQ wiring and grants.
 */
import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { ScheduledJob, ScheduledJobTarget, SecureQueue } from '../src';

const app = new App();
const stack = new Stack(app, 'IntegScheduledJob');

// SSE-SQS (the default): Scheduler and the assertion need no key grant.
const jobs = new SecureQueue(stack, 'Jobs');
// A constant input, so the snapshot does not change between runs.
const input = { job: 'integ-scheduled-job', action: 'fetch-prices' };
const job = new ScheduledJob(stack, 'FetchPrices', {
  // Every minute, as a cron in a named time zone: the job refuses `rate` with `timeZone` (a rate
  // has no wall-clock time, SCHEDULED_JOB_TIME_ZONE_WITH_RATE), so the cron form proves both.
  cronExpression: '* * * * ? *',
  timeZone: 'Europe/Paris',
  target: ScheduledJobTarget.queue(jobs.queue, { input: scheduler.ScheduleTargetInput.fromObject(input) }),
});

const integ = new IntegTest(app, 'ScheduledJobTest', { testCases: [stack] });

// The schedule as deployed: every minute, in Paris time, flexible window off, the retry policy stated, the DLQ.
integ.assertions.awsApiCall('Scheduler', 'getSchedule', {
  Name: job.schedule.scheduleName,
  GroupName: job.scheduleGroup.scheduleGroupName,
}).expect(ExpectedResult.objectLike({
  ScheduleExpression: 'cron(* * * * ? *)',
  ScheduleExpressionTimezone: 'Europe/Paris',
  State: 'ENABLED',
  FlexibleTimeWindow: { Mode: 'OFF' },
  Target: Match.objectLike({
    Arn: jobs.queue.queueArn,
    RoleArn: job.role.roleArn,
    Input: Match.serializedJson(input),
    RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 },
    DeadLetterConfig: { Arn: job.deadLetterQueue.queueArn },
  }),
}));

// Within a few minutes of deployment the schedule has fired: the input is in the queue.
integ.assertions.awsApiCall('SQS', 'receiveMessage', {
  QueueUrl: jobs.queue.queueUrl,
  MaxNumberOfMessages: 1,
  WaitTimeSeconds: 20,
}).expect(ExpectedResult.objectLike({
  Messages: Match.arrayWith([Match.objectLike({ Body: Match.serializedJson(input) })]),
})).waitForAssertions({ totalTimeout: Duration.minutes(5), interval: Duration.seconds(20) });

app.synth();
