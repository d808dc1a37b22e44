// Measured app: the same architecture with plain aws-cdk-lib L2 constructs (bench/peers/).
import { synthAndReport } from './synth-harness';
import { PlainMessageBackboneStack } from '../peers/plain-message-backbone';

synthAndReport(app => new PlainMessageBackboneStack(app, 'IntegrationPatterns-MessageBackbone'));
