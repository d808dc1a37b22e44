/** Arrival patterns: the spike (10 videos/min, then 1,000 at once), steady load, and a sawtooth. */
import { Arrival } from './world';

/** Processing time per video: uniform 45–75 s (mean 60 s), from a fixed seed (same for every subject). */
function processing(seed: number): () => number {
  // Park–Miller minimal standard generator (exact in doubles).
  let s = seed;
  return () => { s = (s * 16807) % 2147483647; return 45 + (s / 2147483647) * 30; };
}

/** `perMinute` messages a minute from `from` to `to` (seconds), evenly spread. */
function constant(from: number, to: number, perMinute: number, next: () => number, tag?: string): Arrival[] {
  const out: Arrival[] = [];
  const gap = 60 / perMinute;
  for (let t = from; t < to; t += gap) out.push({ at: Math.round(t), processingSeconds: next(), tag });
  return out;
}

export interface Scenario {
  readonly name: string;
  readonly description: string;
  readonly arrivals: Arrival[];
  /** Tag whose drain time is reported (the spike), if any. */
  readonly drainTag?: string;
}

export function scenarios(): Scenario[] {
  const p1 = processing(1);
  const spikeAt = 15 * 60;
  const spike: Arrival[] = [
    ...constant(0, 90 * 60, 10, p1),
    ...constant(spikeAt, spikeAt + 60, 1000, p1, 'spike'),
  ];
  const p2 = processing(2);
  const p3 = processing(3);
  const saw: Arrival[] = [];
  for (let cycle = 0; cycle < 4; cycle++) {
    // Ramps from 0 to 100 videos/min over 15 minutes, then nothing for 5 minutes.
    for (let minute = 0; minute < 15; minute++) {
      const rate = Math.round(((minute + 1) / 15) * 100);
      saw.push(...constant(cycle * 20 * 60 + minute * 60, cycle * 20 * 60 + (minute + 1) * 60, rate, p3));
    }
  }
  return [
    { name: 'spike', description: '10 videos/min for 90 min; 1,000 more within one minute at minute 15', arrivals: spike, drainTag: 'spike' },
    { name: 'steady', description: '20 videos/min for 90 min', arrivals: constant(0, 90 * 60, 20, p2) },
    { name: 'sawtooth', description: '4 × (0 → 100 videos/min over 15 min, then 5 min of nothing)', arrivals: saw },
  ];
}
