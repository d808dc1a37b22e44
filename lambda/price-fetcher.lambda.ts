/**
 * The daily price fetcher of the DailyPriceStack reference architecture: run by an EventBridge
 * Scheduler schedule, it asks the quote endpoint for each symbol's closing price and publishes
 * one `PriceRecorded` event per symbol onto the app's bus with the EventPublisher helper (which
 * retries only failed entries). A run that could not publish everything fails, so Scheduler
 * retries it; the history writer is idempotent on `priceId` (`SYMBOL#YYYY-MM-DD`).
 *
 * Quote endpoint contract: `GET <QUOTE_ENDPOINT>?symbol=AMZN` answers
 * `{ "symbol": "AMZN", "price": 201.5, "previousClose": 190.2 }`.
 *
 * Environment: QUOTE_ENDPOINT (required), SYMBOLS (comma-separated, required), EVENT_BUS_NAME
 * (required), EVENT_SOURCE (default `daily-price.fetcher`), FETCH_TIMEOUT_MS (default 5000).
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { EventPublisher, type PublisherEvent } from './event-publisher';

/** Configuration read once per container. */
export interface FetcherConfig {
  readonly quoteEndpoint: string;
  readonly symbols: readonly string[];
  readonly eventBusName: string;
  readonly source: string;
  readonly fetchTimeoutMs: number;
}

/** The detail of a `PriceRecorded` event (what the history table stores). */
export interface PriceRecorded {
  /** `SYMBOL#YYYY-MM-DD`: the history table's key, so a retried run writes the same item. */
  readonly priceId: string;
  readonly symbol: string;
  readonly price: number;
  readonly previousClose: number;
  /** (price − previousClose) / previousClose × 100, rounded to 4 decimals. */
  readonly changePercent: number;
  readonly recordedAt: string;
}

export function readConfig(env: NodeJS.ProcessEnv): FetcherConfig {
  const need = (name: string): string => {
    const v = env[name]?.trim();
    if (!v) throw new Error(`price-fetcher: ${name} is not set`);
    return v;
  };
  const symbols = need('SYMBOLS').split(',').map(s => s.trim()).filter(Boolean);
  return {
    quoteEndpoint: need('QUOTE_ENDPOINT'),
    symbols,
    eventBusName: need('EVENT_BUS_NAME'),
    source: env.EVENT_SOURCE?.trim() || 'daily-price.fetcher',
    fetchTimeoutMs: Number(env.FETCH_TIMEOUT_MS ?? 5000),
  };
}

/** Builds the event detail from one quote; throws on a quote that is not usable. */
export function toPriceRecorded(quote: unknown, symbol: string, now: Date): PriceRecorded {
  const q = quote as { symbol?: unknown; price?: unknown; previousClose?: unknown };
  if (typeof q?.price !== 'number' || !Number.isFinite(q.price) || typeof q.previousClose !== 'number' || !(q.previousClose > 0)) {
    throw new Error(`price-fetcher: quote for ${symbol} is not usable: ${JSON.stringify(quote)}`);
  }
  const changePercent = Math.round(((q.price - q.previousClose) / q.previousClose) * 100 * 10_000) / 10_000;
  return {
    priceId: `${symbol}#${now.toISOString().slice(0, 10)}`,
    symbol,
    price: q.price,
    previousClose: q.previousClose,
    changePercent,
    recordedAt: now.toISOString(),
  };
}

/** Fetches every symbol's quote and publishes the events; throws when anything is missing. */
export async function fetchAndPublish(
  config: FetcherConfig,
  publisher: Pick<EventPublisher, 'publishAllOrThrow'>,
  fetchQuote: (url: string, timeoutMs: number) => Promise<unknown>,
  now: Date,
): Promise<{ published: number; requests: number }> {
  const events: PublisherEvent[] = [];
  for (const symbol of config.symbols) {
    const url = `${config.quoteEndpoint}${config.quoteEndpoint.includes('?') ? '&' : '?'}symbol=${encodeURIComponent(symbol)}`;
    events.push({ source: config.source, detailType: 'PriceRecorded', detail: toPriceRecorded(await fetchQuote(url, config.fetchTimeoutMs), symbol, now) });
  }
  const result = await publisher.publishAllOrThrow(events);
  return { published: result.published, requests: result.requests };
}

async function httpQuote(url: string, timeoutMs: number): Promise<unknown> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(`price-fetcher: ${url} answered ${res.status}`);
  return res.json();
}

let cached: { config: FetcherConfig; publisher: EventPublisher } | undefined;

export async function handler(): Promise<{ published: number; requests: number }> {
  if (!cached) {
    const config = readConfig(process.env);
    cached = { config, publisher: new EventPublisher({ client: new EventBridgeClient({}), eventBusName: config.eventBusName }) };
  }
  const result = await fetchAndPublish(cached.config, cached.publisher, httpQuote, new Date());
  console.log(JSON.stringify({ message: 'prices published', ...result }));
  return result;
}
