import { performance } from 'perf_hooks';
import { CreateEventBusCommand, DeleteEventBusCommand, EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { clientConfig } from '../../e2e/harness/clients';
import { installEmulator, startEmulator, stopEmulator } from '../../e2e/harness/emulator';
import { startEventBridgeFaultProxy } from '../../e2e/harness/event-bridge-fault-proxy';
import { EventPublisher, type PublisherEvent } from '../../lambda/event-publisher';
import { formatRatio, stats, Stats } from '../lib/stats';
import { Suite, SuiteContext, SuiteResult } from '../lib/suite';

/**
 * EventRouter's publisher helper against what people write instead, in the same run: a loop
 * that sends one PutEvents request per event and trusts the HTTP 200 (the classic way events
 * are lost: PutEvents answers 200 with FailedEntryCount > 0).
 *
 * Both send the same events through a fault proxy on 127.0.0.1 (e2e/harness/event-bridge-fault-proxy.ts)
 * in front of MiniStack's EventBridge, once with no faults and once with a share of entries failed
 * (ThrottlingException / InternalFailure). The proxy counts what reached the bus per event key, so
 * "lost" and "duplicated" are counted at the door, not assumed.
 */
const EVENTS = 2000;
const FAULT_RATES = [0, 0.1];

interface Run { eventsPerSecond: number; requestsPerEvent: number; lost: number; duplicated: number }

function seeded(seed: number): () => number {
  let s = seed;
  return () => { s = (s * 16807) % 2147483647; return s / 2147483647; };
}

const eventsOf = (run: string): PublisherEvent[] => Array.from({ length: EVENTS }, (_, i) => ({
  source: 'bench.prices',
  detailType: i % 2 === 0 ? 'PriceRecorded' : 'PriceCorrected',
  detail: { eventKey: `${run}-${i}`, symbol: `S${i % 50}`, price: 100 + (i % 17), change: (i % 13) - 6 },
}));

async function runEventPublisherSuite(ctx: SuiteContext): Promise<SuiteResult> {
  await installEmulator();
  const emulator = await startEmulator();
  const results: Record<string, Record<string, Stats>> = {};
  const raw: Record<string, Run[]> = {};
  try {
    for (const rate of FAULT_RATES) {
      const random = seeded(42);
      const proxy = await startEventBridgeFaultProxy({ target: emulator.endpoint, failEntry: () => rate > 0 && random() < rate });
      const client = new EventBridgeClient({
        ...clientConfig(proxy.endpoint),
        requestHandler: new NodeHttpHandler({ connectionTimeout: 5000, requestTimeout: 60_000 }),
      });
      const bus = `bench-bus-${process.pid}-${rate * 100}`;
      await client.send(new CreateEventBusCommand({ Name: bus }));
      try {
        let runNo = 0;
        const subjects: Record<string, (events: PublisherEvent[]) => Promise<void>> = {
          'EventPublisher (ours: 10 per request, retries failed entries)': async events => {
            await new EventPublisher({ client, eventBusName: bus, baseDelayMs: 10 }).publishAll(events);
          },
          'naive loop: one PutEvents per event, trusts HTTP 200': async events => {
            for (const e of events) {
              await client.send(new PutEventsCommand({
                Entries: [{ EventBusName: bus, Source: e.source, DetailType: e.detailType, Detail: JSON.stringify(e.detail) }],
              }));
            }
          },
        };
        for (const [name, fn] of Object.entries(subjects)) {
          const label = `${name} @ ${rate * 100}% entries failed`;
          raw[label] = [];
          for (let i = 0; i < ctx.warmup + ctx.runs; i++) {
            const events = eventsOf(`r${rate}-${runNo++}`);
            proxy.reset();
            const start = performance.now();
            await fn(events);
            const seconds = (performance.now() - start) / 1000;
            if (i < ctx.warmup) continue;
            const keys = proxy.acceptedKeys();
            const lost = events.filter(e => !keys.has((e.detail as { eventKey: string }).eventKey)).length;
            const duplicated = [...keys.values()].reduce((n, c) => n + Math.max(0, c - 1), 0);
            const run = { eventsPerSecond: EVENTS / seconds, requestsPerEvent: proxy.requests() / EVENTS, lost, duplicated };
            raw[label].push(run);
            ctx.progress(`${label}: run ${i - ctx.warmup + 1}/${ctx.runs}: ${run.eventsPerSecond.toFixed(0)} events/s, ${run.requestsPerEvent.toFixed(3)} requests/event, ${lost} lost`);
          }
          results[label] = {
            eventsPerSecond: stats(raw[label].map(r => r.eventsPerSecond), 0),
            requestsPerEvent: stats(raw[label].map(r => r.requestsPerEvent), 3),
            lost: stats(raw[label].map(r => r.lost), 0),
            duplicated: stats(raw[label].map(r => r.duplicated), 0),
          };
        }
      } finally {
        await client.send(new DeleteEventBusCommand({ Name: bus })).catch(() => undefined);
        client.destroy();
        await proxy.close();
      }
    }
  } finally {
    await stopEmulator(emulator);
  }

  const labels = Object.keys(results);
  const rows = labels.map(label => {
    const r = results[label];
    const peer = results[label.replace(/^EventPublisher \(ours[^)]*\)/, 'naive loop: one PutEvents per event, trusts HTTP 200')];
    return [
      label,
      `${r.eventsPerSecond.median.toFixed(0)}`,
      `${r.eventsPerSecond.min.toFixed(0)}–${r.eventsPerSecond.max.toFixed(0)}`,
      r.requestsPerEvent.median.toFixed(3),
      `${r.lost.median} (max ${r.lost.max})`,
      `${r.duplicated.max}`,
      label.startsWith('EventPublisher') ? formatRatio(r.eventsPerSecond.median, peer.eventsPerSecond.median) : '1.00×',
    ];
  });
  const ours = results[labels.find(l => l.startsWith('EventPublisher') && l.endsWith('10% entries failed'))!];
  const naive = results[labels.find(l => l.startsWith('naive') && l.endsWith('10% entries failed'))!];
  return {
    table: {
      title: `EventRouter publisher: ${EVENTS} events through a 127.0.0.1 fault proxy into MiniStack's EventBridge`,
      columns: ['subject', 'events/s (median)', 'min–max', 'requests/event', 'events lost', 'duplicated (max)', 'vs naive'],
      numeric: [false, true, true, true, true, true, true],
      rows,
    },
    notes: [
      `${EVENTS} events (two detail-types, ≈ 100 bytes of detail) per run, median of ${ctx.runs} runs after ${ctx.warmup} warm-up; the proxy fails the picked share of entries (seeded) and counts, per event key, what MiniStack accepted.`,
      'Lost = events whose key never reached the bus. The naive loop gets HTTP 200 with FailedEntryCount = 1 for a failed entry and moves on.',
      'Local numbers show the cost of requests, not AWS\'s latency: on AWS each request costs 10–30 ms more, which widens the gap in events/s.',
    ],
    summary: [
      `at 10% failed entries: ${ours.eventsPerSecond.median.toFixed(0)} events/s, ${ours.requestsPerEvent.median.toFixed(3)} requests/event, ${ours.lost.max} lost (ours) ` +
      `vs ${naive.eventsPerSecond.median.toFixed(0)} events/s, ${naive.requestsPerEvent.median.toFixed(3)} requests/event, ${naive.lost.median} lost (naive loop)`,
    ],
    settings: { events: EVENTS, faultRates: FAULT_RATES, runs: ctx.runs, warmup: ctx.warmup },
    results: { stats: results, runs: raw },
  };
}

export const eventPublisherSuite: Suite = {
  name: 'event-publisher',
  description: 'EventRouter: the PutEvents publisher helper vs a one-PutEvents-per-event loop, through a fault proxy on MiniStack',
  run: runEventPublisherSuite,
};
