// Measured app: the same architecture with plain aws-cdk-lib L2 constructs (bench/peers/).
import { synthAndReport } from './synth-harness';
import { PlainVideoProcessingStack } from '../peers/plain-video-processing';

synthAndReport(app => new PlainVideoProcessingStack(app, 'IntegrationPatterns-VideoProcessing'));
