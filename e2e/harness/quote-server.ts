/**
 * The DailyPriceStack's quote endpoint, locally: an HTTP server on 127.0.0.1 (a free port) that
 * answers the fetcher's `GET /v1/quote?symbol=AMZN` with `{ symbol, price, previousClose }`.
 *
 * It must run BEFORE the reference app is deployed: its URL is the stack's `quoteEndpoint`
 * (`-c quoteEndpoint=...`, baked into the fetcher's QUOTE_ENDPOINT). jest's globalSetup (and
 * `npx projen local`) start it in their own process and close it at the end; the tests run in
 * other module registries, so they reach it over HTTP: the quote URL is read from the DEPLOYED
 * fetcher's environment, and two control routes on the same port set the quotes and list the
 * requests the fetcher made.
 *
 * - `GET  /v1/quote?symbol=S`   the quote set for S, else 404 (a run for an unknown symbol fails loudly)
 * - `PUT  /control/quotes`      body `{ "S": { "price": 1, "previousClose": 2 } }`, merged in
 * - `GET  /control/requests`    `[{ symbol, path, at, userAgent }]`, every quote request so far
 */
import * as http from 'http';
import { AddressInfo } from 'net';

/** One request for a quote, as the server saw it. */
export interface QuoteRequest {
  readonly symbol: string;
  readonly path: string;
  /** Epoch milliseconds. */
  readonly at: number;
  readonly userAgent?: string;
}

/** A quote the server answers. */
export interface Quote {
  readonly price: number;
  readonly previousClose: number;
}

export interface QuoteServer {
  /** The quote URL to deploy as `quoteEndpoint`, e.g. `http://127.0.0.1:41234/v1/quote`. */
  readonly endpoint: string;
  readonly port: number;
  /** Stops listening and drops keep-alive connections. */
  close(): Promise<void>;
}

export const QUOTE_PATH = '/v1/quote';

/** Starts the server on 127.0.0.1 with a port the OS picks. */
export async function startQuoteServer(): Promise<QuoteServer> {
  const quotes = new Map<string, Quote>();
  const requests: QuoteRequest[] = [];
  const json = (res: http.ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method === 'GET' && url.pathname === QUOTE_PATH) {
      const symbol = url.searchParams.get('symbol') ?? '';
      requests.push({ symbol, path: `${url.pathname}${url.search}`, at: Date.now(), userAgent: req.headers['user-agent'] });
      const quote = quotes.get(symbol);
      if (!quote) return json(res, 404, { message: `no quote for "${symbol}"` });
      return json(res, 200, { symbol, ...quote });
    }
    if (req.method === 'GET' && url.pathname === '/control/requests') return json(res, 200, requests);
    if (req.method === 'PUT' && url.pathname === '/control/quotes') {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        try {
          for (const [symbol, quote] of Object.entries(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, Quote>)) quotes.set(symbol, quote);
          json(res, 200, { symbols: [...quotes.keys()] });
        } catch (err) {
          json(res, 400, { message: (err as Error).message });
        }
      });
      return;
    }
    json(res, 404, { message: `${req.method} ${url.pathname}: not a route of the quote server` });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    endpoint: `http://127.0.0.1:${port}${QUOTE_PATH}`,
    close: () => new Promise<void>(resolve => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** The control side, for a process that did not start the server (a jest test file, a scenario). */
export class QuoteServerControl {
  private readonly origin: string;

  /** `quoteEndpoint` as deployed, e.g. the fetcher's QUOTE_ENDPOINT. */
  constructor(quoteEndpoint: string) {
    this.origin = new URL(quoteEndpoint).origin;
  }

  public async setQuotes(quotes: Record<string, Quote>): Promise<void> {
    const res = await fetch(`${this.origin}/control/quotes`, { method: 'PUT', body: JSON.stringify(quotes) });
    if (!res.ok) throw new Error(`quote server: PUT /control/quotes answered ${res.status}: ${await res.text()}`);
  }

  public async requests(): Promise<QuoteRequest[]> {
    const res = await fetch(`${this.origin}/control/requests`);
    if (!res.ok) throw new Error(`quote server: GET /control/requests answered ${res.status}`);
    return await res.json() as QuoteRequest[];
  }
}

/** The global the e2e globalSetup keeps the server in, for globalTeardown (same process). */
export const QUOTE_SERVER_GLOBAL = '__dailyPriceQuoteServer';
