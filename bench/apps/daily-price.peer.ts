// Measured app: the same architecture with plain aws-cdk-lib L2 constructs (bench/peers/).
import { synthAndReport } from './synth-harness';
import { PlainDailyPriceStack } from '../peers/plain-daily-price';

synthAndReport(app => new PlainDailyPriceStack(app, 'IntegrationPatterns-DailyPrice', { quoteEndpoint: 'https://quotes.example.com/v1/quote' }));
