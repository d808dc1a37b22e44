import { PutEventsCommand, type PutEventsCommandOutput } from '@aws-sdk/client-eventbridge';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { EventPublisher } from '../../lambda/event-publisher';
import { fetchAndPublish, readConfig, toPriceRecorded } from '../../lambda/price-fetcher.lambda';
import { DailyPriceStack } from '../../src';

const now = new Date('2026-12-01T21:00:05Z');

describe('price fetcher', () => {
  test('a quote becomes a PriceRecorded detail keyed SYMBOL#date, change in percent', () => {
    expect(toPriceRecorded({ symbol: 'AMZN', price: 210, previousClose: 200 }, 'AMZN', now)).toEqual({
      priceId: 'AMZN#2026-12-01', symbol: 'AMZN', price: 210, previousClose: 200, changePercent: 5, recordedAt: '2026-12-01T21:00:05.000Z',
    });
    expect(toPriceRecorded({ price: 190.123, previousClose: 200 }, 'X', now).changePercent).toBe(-4.9385);
    expect(() => toPriceRecorded({ price: 'n/a', previousClose: 200 }, 'X', now)).toThrow(/not usable/);
    expect(() => toPriceRecorded({ price: 1, previousClose: 0 }, 'X', now)).toThrow(/not usable/);
  });

  test('fetches each symbol and publishes one event each; entries that fail are retried, not lost', async () => {
    const sent: unknown[] = [];
    let first = true;
    const client = {
      send: jest.fn(async (c: PutEventsCommand): Promise<PutEventsCommandOutput> => {
        const entries = c.input.Entries!;
        const out = entries.map((e, i) => {
          if (first && i === 0) return { ErrorCode: 'ThrottlingException' };
          sent.push(JSON.parse(e.Detail!));
          return { EventId: `e${sent.length}` };
        });
        first = false;
        return { FailedEntryCount: out.filter(o => 'ErrorCode' in o).length, Entries: out, $metadata: {} };
      }),
    };
    const urls: string[] = [];
    const config = readConfig({ QUOTE_ENDPOINT: 'http://127.0.0.1:1/quote', SYMBOLS: 'AMZN, MSFT', EVENT_BUS_NAME: 'prices' });
    const result = await fetchAndPublish(config, new EventPublisher({ client, eventBusName: 'prices', sleep: async () => undefined }),
      async url => { urls.push(url); return { price: url.endsWith('AMZN') ? 220 : 400, previousClose: 200 }; }, now);
    expect(urls).toEqual(['http://127.0.0.1:1/quote?symbol=AMZN', 'http://127.0.0.1:1/quote?symbol=MSFT']);
    expect(result).toEqual({ published: 2, requests: 2 });
    expect(sent.map(d => (d as { priceId: string }).priceId).sort()).toEqual(['AMZN#2026-12-01', 'MSFT#2026-12-01']);
    expect(client.send.mock.calls[0][0].input.Entries![0]).toMatchObject({ EventBusName: 'prices', Source: 'daily-price.fetcher', DetailType: 'PriceRecorded' });
  });

  test('a run that cannot publish everything fails (so Scheduler retries it)', async () => {
    const client = { send: jest.fn(async (): Promise<PutEventsCommandOutput> => ({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'AccessDeniedException' }], $metadata: {} })) };
    const config = readConfig({ QUOTE_ENDPOINT: 'http://q', SYMBOLS: 'AMZN', EVENT_BUS_NAME: 'prices' });
    await expect(fetchAndPublish(config, new EventPublisher({ client }), async () => ({ price: 1, previousClose: 1 }), now)).rejects.toThrow(/1 of 1 events not sent/);
  });

  test('contract: the environment the stack gives the fetcher is the one it reads', () => {
    const stack = new DailyPriceStack(new App(), 'P', { quoteEndpoint: 'https://q.example.com/quote', symbols: ['AMZN', 'MSFT'], env: { account: '111111111111', region: 'us-east-1' } });
    const fns = Template.fromStack(stack).findResources('AWS::Lambda::Function', { Properties: { Description: 'Fetches closing prices and publishes PriceRecorded events' } });
    const env = (Object.values(fns)[0] as { Properties: { Environment: { Variables: Record<string, unknown> } } }).Properties.Environment.Variables;
    const config = readConfig({ ...env, EVENT_BUS_NAME: 'resolved-at-deploy' } as NodeJS.ProcessEnv);
    expect(config).toEqual({ quoteEndpoint: 'https://q.example.com/quote', symbols: ['AMZN', 'MSFT'], eventBusName: 'resolved-at-deploy', source: 'daily-price.fetcher', fetchTimeoutMs: 5000 });
    expect(() => readConfig({})).toThrow(/is not set/);
  });
});
