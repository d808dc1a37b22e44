// Measured app: OrderFanOutStack from this library, imported from the package root as users do.
import { synthAndReport } from './synth-harness';
import { OrderFanOutStack } from '../../src';

synthAndReport(app => new OrderFanOutStack(app, 'IntegrationPatterns-OrderFanOut'));
