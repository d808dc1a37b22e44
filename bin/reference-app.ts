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
import { VIDEO_DESCRIPTION, VIDEO_LOCAL_PROPS, VIDEO_STACK_NAME } from './video-local-profile';
import { ClickstreamStack, DailyPriceStack, IngestApiStack, LiveOrdersStack, MessageBackboneStack, OrderFanOutStack, OrderIntakeStack, OrderSagaStack, VideoProcessingStack } from '../src';

const app = new App();
const local = ['true', true].includes(app.node.tryGetContext('local'));

new MessageBackboneStack(app, 'IntegrationPatterns-MessageBackbone', {
  description: 'cdk-integration-patterns reference architecture: message backbone (topic -> queue -> idempotent recorder -> table)',
  ...(local ? { consumer: { timeout: Duration.seconds(3) }, maxReceiveCount: 2, removalPolicy: RemovalPolicy.DESTROY } : {}),
});
new OrderFanOutStack(app, 'IntegrationPatterns-OrderFanOut', {
  description: 'cdk-integration-patterns reference architecture: order fan-out (orders topic -> shipping, fraud, analytics, uploads queues)',
  ...(local ? { consumer: { timeout: Duration.seconds(3) }, maxReceiveCount: 2, removalPolicy: RemovalPolicy.DESTROY } : {}),
});
new OrderIntakeStack(app, 'IntegrationPatterns-OrderIntake', {
  description: 'cdk-integration-patterns reference architecture: order intake (REST API / producers -> write buffer -> throttled writer -> orders table)',
  ...(local
    ? { consumer: { timeout: Duration.seconds(5), maxConcurrency: 10 }, maxReceiveCount: 3, removalPolicy: RemovalPolicy.DESTROY }
    : {}),
});
// The video architecture runs ffmpeg workers on ECS Fargate from an image built from a
// Dockerfile at deploy time: a local run (no Docker, and the emulator runs no ECS tasks) deploys
// everything else, loudly, with the local clock of bin/video-local-profile.ts; the e2e suite runs
// the same bundled worker as local processes with the stack's WorkerEnvironment output.
if (local) {
  process.stderr.write(`reference-app: -c local=true deploys ${VIDEO_STACK_NAME} WITHOUT its transcoder fleet (Fargate service, Docker image asset, cluster, VPC, scaling): `
    + 'the image needs Docker at deploy time and the emulator runs no ECS tasks; the e2e runs the same worker bundle as local processes (see docs/local-aws-fidelity.md).\n');
}
new VideoProcessingStack(app, VIDEO_STACK_NAME, {
  description: VIDEO_DESCRIPTION,
  ...(local ? { ...VIDEO_LOCAL_PROPS, deployWorkers: false } : {}),
});
new ClickstreamStack(app, 'IntegrationPatterns-Clickstream', {
  description: 'cdk-integration-patterns reference architecture: clickstream (Kinesis -> aggregator -> DynamoDB counts; Firehose -> S3 archive)',
  ...(local ? { consumer: { retryAttempts: 1 }, archiveBufferingInterval: Duration.seconds(0), removalPolicy: RemovalPolicy.DESTROY } : {}),
});
// EventRouter + ScheduledJob. The quote endpoint comes from `-c quoteEndpoint=...` (locally an
// HTTP server on 127.0.0.1 that the e2e test starts).
new DailyPriceStack(app, 'IntegrationPatterns-DailyPrice', {
  description: 'cdk-integration-patterns reference architecture: daily price (Scheduler 21:00 New York -> fetcher -> PutEvents -> bus routes: history table via write buffer, big moves to alert topic; archive)',
  quoteEndpoint: app.node.tryGetContext('quoteEndpoint') ?? 'https://quotes.example.com/v1/quote',
  // `-c symbols=AMZN,MSFT` (the e2e test fetches two: one big and one small move).
  ...(app.node.tryGetContext('symbols') ? { symbols: String(app.node.tryGetContext('symbols')).split(',') } : {}),
  // MiniStack's CloudFormation refuses AWS::Events::Archive: left out locally (and said so); the
  // e2e test creates the same archive through the API instead (docs/local-aws-fidelity.md).
  ...(local ? { removalPolicy: RemovalPolicy.DESTROY, archiveEnabled: false } : {}),
});
if (local) {
  process.stderr.write('reference-app: -c local=true deploys IntegrationPatterns-DailyPrice WITHOUT its AWS::Events::Archive (the local emulator\'s '
    + 'CloudFormation refuses the type); the archive is created through the EventBridge API by the e2e test (see docs/local-aws-fidelity.md).\n');
}
new LiveOrdersStack(app, 'IntegrationPatterns-LiveOrders', {
  description: 'cdk-integration-patterns reference architecture: live orders (AppSync GraphQL: versioned writes, delta query, subscriptions fed by EventBridge)',
  // Locally without alarms, bus routes and WAF: MiniStack's CloudFormation refuses metric-math alarms (the
  // API's 4XX rate), AppSync rule targets (no GraphQLEndpointArn) and WAF associations; alarms are never
  // evaluated there and its AppSync has no WebSocket anyway. The bus → subscriber leg runs in
  // `npx projen test:realtime` (docs/local-aws-fidelity.md).
  ...(local ? { removalPolicy: RemovalPolicy.DESTROY, alarmsEnabled: false, deliverBusEvents: false, webAclEnabled: false } : {}),
});
new IngestApiStack(app, 'IntegrationPatterns-IngestApi', {
  description: 'cdk-integration-patterns reference architecture: ingest API (one REST API -> queue, stream, event bus and Express workflow; no Lambda in between)',
  ...(local ? { dataRemovalPolicy: RemovalPolicy.DESTROY } : {}),
});
// Workflow / Saga: a local run waits 2 s for settlement instead of a minute, and starts at most
// 2 × 10 orders at a time (the emulator runs one worker process per concurrent Lambda call).
new OrderSagaStack(app, 'IntegrationPatterns-OrderSaga', {
  description: 'cdk-integration-patterns reference architecture: order saga (OrderPlaced -> reserve stock -> fraud check -> charge -> settle -> ship -> OrderConfirmed; compensated on failure)',
  ...(local ? { settlementWait: Duration.seconds(2), consumer: { maxConcurrency: 2, batchSize: 10 }, dataRemovalPolicy: RemovalPolicy.DESTROY } : {}),
});
app.synth();
