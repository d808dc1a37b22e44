/**
 * Arrival patterns: the spike (10 videos/min, then 1,000 at once), steady load, a sawtooth, a
 * diurnal day (slow rise and fall over 24 h) and bursts at random (Poisson arrivals of bursts of
 * random size, fixed seed). Every draw comes from a seeded generator: same scenario, same arrivals.
 */
import { Arrival } from './world';

/** Park–Miller minimal standard generator (exact in doubles): uniform in (0, 1). */
export function uniform(seed: number): () => number {
  let s = seed;
  return () => { s = (s * 16807) % 2147483647; return s / 2147483647; };
}

/** Processing time per video: uniform 45–75 s (mean 60 s), from a fixed seed (same for every subject). */
function processing(seed: number): () => number {
  const u = uniform(seed);
  return () => 45 + u() * 30;
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
  /** How long the world runs (arrivals plus time to drain and scale in). */
  readonly horizonSeconds: number;
}

/** The diurnal day: 2 videos/min at night to 40 at 14:00, a cosine over 24 h, as a time-varying rate. */
export const DIURNAL = { minPerMinute: 2, maxPerMinute: 40, peakHour: 14, hours: 24 };

/** Videos a minute at `minute` of the diurnal day. */
export function diurnalRate(minute: number): number {
  const phase = (2 * Math.PI * (minute / 60 - DIURNAL.peakHour)) / 24;
  return DIURNAL.minPerMinute + ((DIURNAL.maxPerMinute - DIURNAL.minPerMinute) * (1 + Math.cos(phase))) / 2;
}

/** Bursts at random: a burst starts on average every 12 minutes (Poisson), 20–400 videos within a minute, for 3 hours; 3 videos/min between. */
export const BURSTS = { meanGapMinutes: 12, minSize: 20, maxSize: 400, hours: 3, backgroundPerMinute: 3, seed: 11 };

/** Non-homogeneous Poisson arrivals at `rate(minute)` per minute over [0, minutes), by thinning. */
function poisson(minutes: number, rate: (minute: number) => number, maxRate: number, u: () => number, next: () => number): Arrival[] {
  const out: Arrival[] = [];
  let t = 0;
  for (;;) {
    t += -Math.log(u()) / maxRate;
    if (t >= minutes) return out;
    if (u() * maxRate <= rate(t)) out.push({ at: Math.round(t * 60), processingSeconds: next() });
  }
}

/** Bursts whose starts form a Poisson process; each burst spreads its size evenly over one minute. */
function bursts(u: () => number, next: () => number): Arrival[] {
  const out: Arrival[] = [];
  const end = BURSTS.hours * 3600;
  let t = 0;
  for (;;) {
    t += -Math.log(u()) * BURSTS.meanGapMinutes * 60;
    if (t >= end) break;
    const size = Math.round(BURSTS.minSize + u() * (BURSTS.maxSize - BURSTS.minSize));
    for (let i = 0; i < size; i++) out.push({ at: Math.round(t + (60 * i) / size), processingSeconds: next() });
  }
  out.push(...constant(0, end, BURSTS.backgroundPerMinute, next));
  return out.sort((a, b) => a.at - b.at);
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
  const hours = (h: number) => h * 3600;
  const diurnal = poisson(DIURNAL.hours * 60, diurnalRate, DIURNAL.maxPerMinute, uniform(5), processing(4));
  const list: Scenario[] = [
    { name: 'spike', description: '10 videos/min for 90 min; 1,000 more within one minute at minute 15', arrivals: spike, drainTag: 'spike', horizonSeconds: hours(4) },
    { name: 'steady', description: '20 videos/min for 90 min', arrivals: constant(0, 90 * 60, 20, p2), horizonSeconds: hours(4) },
    { name: 'sawtooth', description: '4 × (0 → 100 videos/min over 15 min, then 5 min of nothing)', arrivals: saw, horizonSeconds: hours(4) },
    {
      name: 'diurnal',
      description: `a day: Poisson arrivals at ${DIURNAL.minPerMinute} videos/min at night rising to ${DIURNAL.maxPerMinute} at ${DIURNAL.peakHour}:00 (cosine over 24 h)`,
      arrivals: diurnal,
      horizonSeconds: hours(DIURNAL.hours + 1),
    },
    {
      name: 'bursts',
      description: `bursts at random: Poisson starts every ${BURSTS.meanGapMinutes} min on average, ${BURSTS.minSize}–${BURSTS.maxSize} videos each within a minute, for ${BURSTS.hours} h, ${BURSTS.backgroundPerMinute} videos/min between (seed ${BURSTS.seed})`,
      arrivals: bursts(uniform(BURSTS.seed), processing(6)),
      horizonSeconds: hours(BURSTS.hours + 1),
    },
  ];
  // In time order (a stable sort: the order the world would put them in anyway).
  return list.map(sc => ({ ...sc, arrivals: [...sc.arrivals].sort((a, b) => a.at - b.at) }));
}
