/**
 * Integ test: QueueWorkerService (Fargate workers on a queue) and its BacklogScaling.
 *
 * The service starts at zero workers. Messages in the queue -> the backlog-per-worker metric
 * math -> the scale-from-zero step policy -> the service's desired count goes above zero, which
 * the assertion polls Application Auto Scaling's activities for. Before that, the scalable target and both policies are checked
 * as Application Auto Scaling holds them.
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
const resourceId = `service/${workers.cluster.clusterName}/${workers.service.serviceName}`;

// The scalable target: from 0 to 3 workers.
integ.assertions.awsApiCall('ApplicationAutoScaling', 'describeScalableTargets', {
  ServiceNamespace: 'ecs',
  ResourceIds: [resourceId],
}).expect(ExpectedResult.objectLike({
  ScalableTargets: [Match.objectLike({ ScalableDimension: 'ecs:service:DesiredCount', MinCapacity: 0, MaxCapacity: 3 })],
}));

// Target tracking on backlog per worker (metric math) and the step policy that leaves zero.
integ.assertions.awsApiCall('ApplicationAutoScaling', 'describeScalingPolicies', {
  ServiceNamespace: 'ecs',
  ResourceId: resourceId,
}).expect(ExpectedResult.objectLike({
  ScalingPolicies: Match.arrayWith([
    Match.objectLike({ PolicyType: 'TargetTrackingScaling' }),
    Match.objectLike({ PolicyType: 'StepScaling' }),
  ]),
}));

// A backlog: ten jobs (constant bodies, so the snapshot does not change between runs).
const send = integ.assertions.awsApiCall('SQS', 'sendMessageBatch', {
  QueueUrl: workers.queue.queueUrl,
  Entries: Array.from({ length: 10 }, (_, i) => ({ Id: `job-${i}`, MessageBody: JSON.stringify({ job: i }) })),
});
send.expect(ExpectedResult.objectLike({ Successful: Match.arrayWith([Match.objectLike({ Id: 'job-0' })]) }));

// The alarm behind the step policy evaluates 1-minute queue metrics (published every minute,
// with a few minutes of delay for a new queue): the service leaves zero within minutes, which
// Application Auto Scaling records as a successful activity that sets the desired count above 0.
const scaledOut = integ.assertions.awsApiCall('ApplicationAutoScaling', 'describeScalingActivities', {
  ServiceNamespace: 'ecs',
  ResourceId: resourceId,
  ScalableDimension: 'ecs:service:DesiredCount',
});
scaledOut.expect(ExpectedResult.objectLike({
  ScalingActivities: Match.arrayWith([Match.objectLike({
    StatusCode: 'Successful',
    Description: Match.stringLikeRegexp('[Ss]etting desired count to [1-9]'),
  })]),
}));
scaledOut.waitForAssertions({ totalTimeout: Duration.minutes(15), interval: Duration.seconds(30) });

send.next(scaledOut);

app.synth();
