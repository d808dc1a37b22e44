/**
 * Integ test: QueueWorkerService (Fargate workers on a queue) and its BacklogScaling controller.
 *
 * The service starts at zero workers. On ECS, BacklogScaling is a controller: a bundled Lambda
 * that an EventBridge Scheduler schedule runs every minute, which reads the queue and sets the
 * service's desired count to what the backlog needs (within min..max). Assertions: the schedule
 * targets the controller every minute; ten jobs in the queue -> the service's desired count
 * becomes 1, what ten jobs at a target of 10 per worker need (polled with ECS DescribeServices).
 *
 * Offline (`npx projen integ`) the committed snapshot is compared with a fresh synth. Against a
 * real account the stack deploys, the assertions run, and everything is destroyed.
 *
 * The image is a public one pulled at deploy time (no Docker needed to synthesize or deploy):
 * this test proves the scaling, not a worker's code; the queue-worker runtime is proven as a
 * real process against the local emulator (e2e suite).
 */
import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { QueueWorkerService } from '../src';

const app = new App();
const stack = new Stack(app, 'IntegQueueWorkerService');

const workers = new QueueWorkerService(stack, 'Workers', {
  image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/busybox:stable'),
  scaling: { acceptableLatency: Duration.minutes(5), averageProcessingTime: Duration.seconds(30), maxWorkers: 3 },
});

const integ = new IntegTest(app, 'QueueWorkerServiceTest', { testCases: [stack] });

// The controller's schedule: every minute, targeting the controller function.
integ.assertions.awsApiCall('Scheduler', 'getSchedule', {
  Name: workers.scaling.controllerSchedule!.ref,
}).expect(ExpectedResult.objectLike({
  ScheduleExpression: 'rate(1 minute)',
  State: 'ENABLED',
  Target: Match.objectLike({ Arn: workers.scaling.controllerFunction!.functionArn }),
}));

// A backlog: ten jobs (constant bodies, so the snapshot does not change between runs).
const send = integ.assertions.awsApiCall('SQS', 'sendMessageBatch', {
  QueueUrl: workers.queue.queueUrl,
  Entries: Array.from({ length: 10 }, (_, i) => ({ Id: `job-${i}`, MessageBody: JSON.stringify({ job: i }) })),
});
send.expect(ExpectedResult.objectLike({ Successful: Match.arrayWith([Match.objectLike({ Id: 'job-0' })]) }));

// The controller runs every minute, reads the backlog and sets the desired count above 0.
const scaledOut = integ.assertions.awsApiCall('ECS', 'describeServices', {
  cluster: workers.cluster.clusterName,
  services: [workers.service.serviceName],
});
// 10 visible jobs / a target of 10 per worker (1 job at a time x 5 min / 30 s) = 1 worker.
scaledOut.expect(ExpectedResult.objectLike({
  services: [Match.objectLike({ desiredCount: 1 })],
}));
scaledOut.waitForAssertions({ totalTimeout: Duration.minutes(10), interval: Duration.seconds(30) });

send.next(scaledOut);

app.synth();
