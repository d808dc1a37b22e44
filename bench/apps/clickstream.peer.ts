// Measured app: the same architecture with plain aws-cdk-lib L2 constructs (bench/peers/).
import { synthAndReport } from './synth-harness';
import { PlainClickstreamStack } from '../peers/plain-clickstream';

synthAndReport(app => new PlainClickstreamStack(app, 'IntegrationPatterns-Clickstream'));
