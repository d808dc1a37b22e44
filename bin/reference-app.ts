#!/usr/bin/env node
/**
 * The reference app: every reference architecture, so `npx cdk synth` and `npx cdk deploy`
 * (to AWS, or to the local emulator) just work from a fresh clone.
 */
import { App } from 'aws-cdk-lib';
import { MessageBackboneStack } from '../src';

const app = new App();
new MessageBackboneStack(app, 'IntegrationPatterns-MessageBackbone', {
  description: 'cdk-integration-patterns reference architecture: message backbone (topic -> queue -> idempotent recorder -> table)',
});
app.synth();
