// Measured app: IngestApiStack from this library, imported from the package root as users do.
import { synthAndReport } from './synth-harness';
import { IngestApiStack } from '../../src';

synthAndReport(app => new IngestApiStack(app, 'IntegrationPatterns-IngestApi'));
