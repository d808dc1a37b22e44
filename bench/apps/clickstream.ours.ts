// Measured app: ClickstreamStack from this library, imported from the package root as users do.
import { synthAndReport } from './synth-harness';
import { ClickstreamStack } from '../../src';

synthAndReport(app => new ClickstreamStack(app, 'IntegrationPatterns-Clickstream'));
