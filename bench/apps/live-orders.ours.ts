// Measured app: LiveOrdersStack from this library, imported from the package root as users do.
import { synthAndReport } from './synth-harness';
import { LiveOrdersStack } from '../../src';

synthAndReport(app => new LiveOrdersStack(app, 'IntegrationPatterns-LiveOrders'));
