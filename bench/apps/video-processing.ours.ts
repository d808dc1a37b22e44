// Measured app: VideoProcessingStack from this library, imported from the package root as users do.
import { synthAndReport } from './synth-harness';
import { VideoProcessingStack } from '../../src';

synthAndReport(app => new VideoProcessingStack(app, 'IntegrationPatterns-VideoProcessing'));
