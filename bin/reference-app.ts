#!/usr/bin/env node
/**
 * The reference app: every reference architecture, so `npx cdk synth` and `npx cdk deploy`
 * (to AWS, or to the local emulator) just work from a fresh clone.
 *
 * `-c local=true` (set by `npx projen local` and the e2e suite) shortens the retry clock for a
 * local run: a 3 s recorder timeout (so a 19 s visibility timeout) and 2 receives before the
 * DLQ, so a poison message reaches the DLQ in under a minute instead of about nine, and
 * tables are deleted with their stacks. The order intake writer gets a 5 s timeout (a 31 s
 * visibility timeout), 3 receives before the DLQ and 10 concurrent writers (the emulator
 * delivers at most 10 messages per batch, so it needs more writers for the same rate). Everything else is deployed exactly as to AWS.
 */
import { App, Duration, RemovalPolicy } from 'aws-cdk-lib';
import { ClickstreamStack, MessageBackboneStack, OrderFanOutStack, OrderIntakeStack, OrderSagaStack, VideoProcessingStack } from '../src';

const app = new App();
const local = ['true', true].includes(app.node.tryGetContext('local'));

new MessageBackboneStack(app, 'IntegrationPatterns-MessageBackbone', {
  description: 'cdk-integration-patterns reference architecture: message backbone (topic -> queue -> idempotent recorder -> table)',
  ...(local ? { recorder: { timeout: Duration.seconds(3) }, maxReceiveCount: 2, tableRemovalPolicy: RemovalPolicy.DESTROY } : {}),
});
new OrderFanOutStack(app, 'IntegrationPatterns-OrderFanOut', {
  description: 'cdk-integration-patterns reference architecture: order fan-out (orders topic -> shipping, fraud, analytics, uploads queues)',
  ...(local ? { recorder: { timeout: Duration.seconds(3) }, maxReceiveCount: 2, dataRemovalPolicy: RemovalPolicy.DESTROY } : {}),
});
new OrderIntakeStack(app, 'IntegrationPatterns-OrderIntake', {
  description: 'cdk-integration-patterns reference architecture: order intake (REST API / producers -> write buffer -> throttled writer -> orders table)',
  ...(local
    ? { writer: { timeout: Duration.seconds(5) }, maxConcurrentWriters: 10, maxReceiveCount: 3, dataRemovalPolicy: RemovalPolicy.DESTROY }
    : {}),
});
// The video architecture runs ffmpeg workers on ECS Fargate from an image built from a
// Dockerfile at deploy time: a local run (no Docker, and the emulator runs no ECS tasks) leaves
// it out, loudly. Its worker is proven as a real process against the emulator instead
// (docs/local-aws-fidelity.md).
if (local) {
  process.stderr.write('reference-app: -c local=true leaves out IntegrationPatterns-VideoProcessing: its Fargate workers need Docker to build '
    + 'the transcoder image at deploy time and an ECS that runs tasks, which the local emulator lacks (see docs/local-aws-fidelity.md).\n');
} else {
  new VideoProcessingStack(app, 'IntegrationPatterns-VideoProcessing', {
    description: 'cdk-integration-patterns reference architecture: video processing (upload URLs -> S3 -> jobs queue -> Fargate ffmpeg workers scaled on backlog per worker -> S3 + topic)',
  });
}
new ClickstreamStack(app, 'IntegrationPatterns-Clickstream', {
  description: 'cdk-integration-patterns reference architecture: clickstream (Kinesis -> aggregator -> DynamoDB counts; Firehose -> S3 archive)',
  ...(local ? { retryAttempts: 1, archiveBufferingInterval: Duration.seconds(0), dataRemovalPolicy: RemovalPolicy.DESTROY } : {}),
});
// Workflow / Saga: a local run waits 2 s for settlement instead of a minute.
new OrderSagaStack(app, 'IntegrationPatterns-OrderSaga', {
  description: 'cdk-integration-patterns reference architecture: order saga (OrderPlaced -> reserve stock -> fraud check -> charge -> settle -> ship -> OrderConfirmed; compensated on failure)',
  ...(local ? { settlementWait: Duration.seconds(2), dataRemovalPolicy: RemovalPolicy.DESTROY } : {}),
});
app.synth();
