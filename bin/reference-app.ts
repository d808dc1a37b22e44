#!/usr/bin/env node
/**
 * The reference app: every reference architecture, so `npx cdk synth` and `npx cdk deploy`
 * (to AWS, or to the local emulator) just work from a fresh clone.
 *
 * `-c local=true` (set by `npx projen local` and the e2e suite) shortens the retry clock for a
 * local run: a 3 s recorder timeout (so a 19 s visibility timeout) and 2 receives before the
 * DLQ, so a poison message reaches the DLQ in under a minute instead of about nine, and
 * tables are deleted with their stacks. Everything else is deployed exactly as to AWS.
 */
import { App, Duration, RemovalPolicy } from 'aws-cdk-lib';
import { ClickstreamStack, MessageBackboneStack, OrderFanOutStack } from '../src';

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
new ClickstreamStack(app, 'IntegrationPatterns-Clickstream', {
  description: 'cdk-integration-patterns reference architecture: clickstream (Kinesis -> aggregator -> DynamoDB counts; Firehose -> S3 archive)',
  ...(local ? { retryAttempts: 1, archiveBufferingInterval: Duration.seconds(0), dataRemovalPolicy: RemovalPolicy.DESTROY } : {}),
});
app.synth();
