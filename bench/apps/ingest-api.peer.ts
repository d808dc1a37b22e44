// Measured app: the same architecture with plain aws-cdk-lib L2 constructs (bench/peers/).
import { synthAndReport } from './synth-harness';
import { PlainIngestApiStack } from '../peers/plain-ingest-api';

synthAndReport(app => new PlainIngestApiStack(app, 'IntegrationPatterns-IngestApi'));
