// Measured app: the same architecture with plain aws-cdk-lib L2 constructs (bench/peers/).
import { synthAndReport } from './synth-harness';
import { PlainOrderIntakeStack } from '../peers/plain-order-intake';

synthAndReport(app => new PlainOrderIntakeStack(app, 'IntegrationPatterns-OrderIntake'));
