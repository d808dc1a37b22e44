// Measured app: the same architecture with plain aws-cdk-lib L2 constructs (bench/peers/).
import { synthAndReport } from './synth-harness';
import { PlainLiveOrdersStack } from '../peers/plain-live-orders';

synthAndReport(app => new PlainLiveOrdersStack(app, 'IntegrationPatterns-LiveOrders'));
