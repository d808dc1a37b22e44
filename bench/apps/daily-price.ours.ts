// Measured app: DailyPriceStack from this library, imported from the package root as users do.
import { synthAndReport } from './synth-harness';
import { DailyPriceStack } from '../../src';

synthAndReport(app => new DailyPriceStack(app, 'IntegrationPatterns-DailyPrice', { quoteEndpoint: 'https://quotes.example.com/v1/quote' }));
