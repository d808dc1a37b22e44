// Measured app: the same architecture with plain aws-cdk-lib L2 constructs (bench/peers/).
import { synthAndReport } from './synth-harness';
import { PlainOrderFanOutStack } from '../peers/plain-order-fan-out';

synthAndReport(app => new PlainOrderFanOutStack(app, 'IntegrationPatterns-OrderFanOut'));
