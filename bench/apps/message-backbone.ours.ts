// Measured app: MessageBackboneStack from this library, imported from the package root as users do.
import { synthAndReport } from './synth-harness';
import { MessageBackboneStack } from '../../src';

synthAndReport(app => new MessageBackboneStack(app, 'IntegrationPatterns-MessageBackbone'));
