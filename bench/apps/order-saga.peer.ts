// Measured app: the same architecture with plain aws-cdk-lib L2 constructs (bench/peers/).
import { synthAndReport } from './synth-harness';
import { PlainOrderSagaStack } from '../peers/plain-order-saga';

synthAndReport(app => new PlainOrderSagaStack(app, 'IntegrationPatterns-OrderSaga'));
