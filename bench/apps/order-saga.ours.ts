// Measured app: OrderSagaStack from this library, imported from the package root as users do.
import { synthAndReport } from './synth-harness';
import { OrderSagaStack } from '../../src';

synthAndReport(app => new OrderSagaStack(app, 'IntegrationPatterns-OrderSaga'));
