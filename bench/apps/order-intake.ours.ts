// Measured app: OrderIntakeStack from this library, imported from the package root as users do.
import { synthAndReport } from './synth-harness';
import { OrderIntakeStack } from '../../src';

synthAndReport(app => new OrderIntakeStack(app, 'IntegrationPatterns-OrderIntake'));
