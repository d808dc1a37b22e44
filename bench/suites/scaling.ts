/**
 * Scaling simulator: a discrete-time model (bench/scaling/) of arrivals, the queue, workers and
 * CloudWatch, driven by the scaling policies read from synthesized templates (ours and
 * aws-ecs-patterns QueueProcessingFargateService) and by KEDA's SQS scaler formula.
 * Deterministic: same seeds, same results; BENCH_RUNS does not apply.
 */
import { Suite, SuiteContext, SuiteResult } from '../lib/suite';
import { Keda, KEDA_DEFAULTS, ApplicationAutoScaling, Scaler } from '../scaling/scalers';
import { scenarios } from '../scaling/scenarios';
import { OURS_CONFIG, oursTemplate, peerSpec } from '../scaling/subjects';
import { parseScaling, ScalingSpec } from '../scaling/template';
import { percentile, simulate, WorldOptions } from '../scaling/world';

/** Shared by every subject: only the scaling differs. */
export const WORLD: Omit<WorldOptions, 'scaleInProtection' | 'initialDesired' | 'concurrency'> = {
  tickSeconds: 5,
  horizonSeconds: 4 * 3600,
  startDelaySeconds: 60,
  shutdownGraceSeconds: 25,
  metricDelaySeconds: 60,
  seed: 7,
};

interface Subject {
  readonly key: string;
  readonly label: string;
  readonly maxTasks: number;
  readonly minTasks: number;
  readonly scaleInProtection: boolean;
  readonly make: () => Scaler;
  readonly config: string;
}

export interface ScalingRow {
  readonly scenario: string;
  readonly subject: string;
  readonly maxTasks: number;
  /** Seconds: spike → last spike message done; other scenarios: last arrival → last message done. Null when not drained within the horizon. */
  readonly drainSeconds: number | null;
  readonly p99AgeSeconds: number;
  readonly workerMinutes: number;
  readonly peakTasks: number;
  readonly redeliveries: number;
  readonly completed: number;
  readonly total: number;
}

function describeSpec(spec: ScalingSpec): string {
  return spec.policies.map(p => p.kind === 'step'
    ? `step ${p.adjustmentType} [${p.steps.map(s => `${s.lower ?? '-∞'}..${s.upper ?? '∞'}: ${s.adjustment > 0 ? '+' : ''}${s.adjustment}`).join(', ')}] cooldown ${p.cooldownSeconds} s on ${p.alarms.map(a => `${a.queries.map(q => q.expression ?? `${q.metric!.metricName} ${q.metric!.stat}`).join(' / ')} ${a.comparison} ${a.threshold} (${a.periodSeconds} s × ${a.datapointsToAlarm}/${a.evaluationPeriods})`).join('; ')}`
    : `target tracking ${p.targetValue} of ${p.queries.find(q => q.returnData)?.expression ?? 'metric'}, cooldowns out ${p.scaleOutCooldownSeconds} s / in ${p.scaleInCooldownSeconds} s`).join(' + ');
}

/** Spike only, at other maximums (ours and the peer always get the same one). */
export const SPIKE_MAX_SWEEP = [20, 100, 200];

export function subjects(root: string, maxWorkers?: number): Subject[] {
  const ours = parseScaling(oursTemplate(root, maxWorkers));
  const peerDefaults = peerSpec();
  const peerSameMax = peerSpec(ours.maxCapacity);
  const keda = { ...KEDA_DEFAULTS, maxReplicaCount: ours.maxCapacity };
  return [
    { key: 'ours', label: 'QueueWorkerService (ours)', maxTasks: ours.maxCapacity, minTasks: ours.minCapacity, scaleInProtection: true, make: () => new ApplicationAutoScaling(ours), config: describeSpec(ours) },
    { key: 'peer', label: 'QueueProcessingFargateService, max = ours', maxTasks: peerSameMax.maxCapacity, minTasks: peerSameMax.minCapacity, scaleInProtection: false, make: () => new ApplicationAutoScaling(peerSameMax), config: describeSpec(peerSameMax) },
    { key: 'peer-defaults', label: 'QueueProcessingFargateService, all defaults', maxTasks: peerDefaults.maxCapacity, minTasks: peerDefaults.minCapacity, scaleInProtection: false, make: () => new ApplicationAutoScaling(peerDefaults), config: describeSpec(peerDefaults) },
    { key: 'keda', label: 'KEDA aws-sqs-queue (defaults), max = ours', maxTasks: keda.maxReplicaCount, minTasks: keda.minReplicaCount, scaleInProtection: false, make: () => new Keda(keda), config: `desired = ceil((visible + in flight) / ${keda.queueLength}), polling ${keda.pollingIntervalSeconds} s, cooldown ${keda.cooldownPeriodSeconds} s, HPA scale-down stabilization ${keda.hpaScaleDownStabilizationSeconds} s` },
  ];
}

/** BacklogScaling's denominator, and the one it replaced (÷ running workers), for the side-by-side check. */
export const DENOMINATOR = { current: 'IF(desired > running, desired, IF(running > 0, running, 1))', previous: 'IF(running > 0, running, 1)' };
/** Task start delays for that check: the model's 60 s, and a slower Fargate start (image pull). */
export const DENOMINATOR_START_DELAYS = [60, 90];

/** Ours with its target tracking metric divided by running workers only (BacklogScaling before the change). */
export function withPreviousDenominator(spec: ScalingSpec): ScalingSpec {
  return {
    ...spec,
    policies: spec.policies.map(p => {
      if (p.kind !== 'target') return p;
      return {
        ...p,
        queries: p.queries.map(q => {
          if (!q.returnData || q.expression === undefined) return q;
          if (!q.expression.includes(DENOMINATOR.current)) throw new Error(`ours tracks "${q.expression}", which has no "${DENOMINATOR.current}" to replace`);
          return { ...q, expression: q.expression.replace(DENOMINATOR.current, DENOMINATOR.previous) };
        }),
      };
    }),
  };
}

/** Ours as synthesized and with the previous denominator, on spike and steady load, at each start delay. */
export function runDenominatorCheck(root: string, concurrency: number): ScalingRow[] {
  const ours = subjects(root)[0];
  const before = withPreviousDenominator(parseScaling(oursTemplate(root)));
  const previous: Subject = { ...ours, key: 'ours-running', label: 'QueueWorkerService, ÷ running only (before)', make: () => new ApplicationAutoScaling(before) };
  const rows: ScalingRow[] = [];
  for (const startDelaySeconds of DENOMINATOR_START_DELAYS) {
    for (const name of ['spike', 'steady']) {
      const run = runScenarios([previous, ours], concurrency, name, { startDelaySeconds });
      rows.push(...run.map(r => ({ ...r, scenario: `${name}, start ${startDelaySeconds} s` })));
    }
  }
  return rows;
}

export function runScenarios(subjectList: Subject[], concurrency: number, only?: string, world: Partial<typeof WORLD> = {}): ScalingRow[] {
  const rows: ScalingRow[] = [];
  for (const scenario of scenarios().filter(s => only === undefined || s.name === only)) {
    for (const s of subjectList) {
      const options = { ...WORLD, horizonSeconds: scenario.horizonSeconds, ...world, concurrency, scaleInProtection: s.scaleInProtection, initialDesired: s.minTasks };
      const r = simulate(scenario.arrivals, s.make(), options);
      const drainEnd = scenario.drainTag ? r.lastDoneByTag[scenario.drainTag] : r.lastDoneAt;
      const drainStart = scenario.drainTag ? r.firstSentByTag[scenario.drainTag] : r.lastSentAt;
      rows.push({
        scenario: scenario.name,
        subject: s.key,
        maxTasks: s.maxTasks,
        drainSeconds: drainEnd === undefined ? null : drainEnd - drainStart,
        p99AgeSeconds: percentile(r.ages, 99),
        workerMinutes: r.workerSeconds / 60,
        peakTasks: r.peakDesired,
        redeliveries: r.redeliveries,
        completed: r.completed,
        total: r.total,
      });
    }
  }
  return rows;
}

const minutes = (s: number | null) => (s === null ? 'not drained' : `${(s / 60).toFixed(1)} min`);

export const scalingSuite: Suite = {
  name: 'scaling',
  description: 'Scaling simulator: policies from synthesized templates (ours, QueueProcessingFargateService) and KEDA\'s formula on spike, steady and sawtooth load',
  async run(ctx: SuiteContext): Promise<SuiteResult> {
    ctx.progress('synthesizing QueueWorkerService and QueueProcessingFargateService, parsing their scaling policies');
    const list = subjects(ctx.root);
    const concurrency = OURS_CONFIG.workerConcurrency;
    ctx.progress(`simulating ${scenarios().length} scenarios × ${list.length} subjects (${WORLD.tickSeconds} s ticks, ${WORLD.horizonSeconds / 3600} h)`);
    const rows = runScenarios(list, concurrency);
    for (const max of SPIKE_MAX_SWEEP) {
      ctx.progress(`spike with max ${max} tasks for ours, the peer and KEDA`);
      const swept = subjects(ctx.root, max).filter(s => s.key !== 'peer-defaults');
      rows.push(...runScenarios(swept, concurrency, 'spike').map(r => ({ ...r, scenario: `spike, max ${max}` })));
    }
    ctx.progress(`BacklogScaling's denominator: ÷ running only vs ÷ desired-or-running, start ${DENOMINATOR_START_DELAYS.join(' / ')} s`);
    const denominatorRows = runDenominatorCheck(ctx.root, concurrency);
    rows.push(...denominatorRows);
    const label = (key: string) => (key === 'ours-running' ? 'QueueWorkerService, ÷ running only (before)' : list.find(s => s.key === key)!.label);
    const spikeOurs = rows.find(r => r.scenario === 'spike' && r.subject === 'ours')!;
    const spikePeer = rows.find(r => r.scenario === 'spike' && r.subject === 'peer')!;
    const drainRatio = spikeOurs.drainSeconds !== null && spikePeer.drainSeconds !== null ? spikeOurs.drainSeconds / spikePeer.drainSeconds : null;
    const costRatio = spikeOurs.workerMinutes / spikePeer.workerMinutes;
    const met = drainRatio !== null && drainRatio <= 0.5 && costRatio <= 1.0;
    const goal = `spike goal (drain ≤ 0.5× and worker-minutes ≤ 1.0× QueueProcessingFargateService with max = ours): drain ${drainRatio === null ? 'n/a' : `${drainRatio.toFixed(2)}×`}, worker-minutes ${costRatio.toFixed(2)}× → ${met ? 'MET' : 'NOT MET'}`;
    return {
      table: {
        title: 'Scaling simulator: 1 video = 45–75 s of work, 1 per task, 60 s task start, CloudWatch 1-min data visible 60 s late',
        columns: ['scenario', 'subject', 'max tasks', 'drain time', 'p99 message age', 'worker-minutes', 'peak tasks', 'redelivered', 'done'],
        numeric: [false, false, true, true, true, true, true, true, true],
        rows: rows.map(r => [r.scenario, label(r.subject), String(r.maxTasks), minutes(r.drainSeconds), `${(r.p99AgeSeconds / 60).toFixed(1)} min`,
          r.workerMinutes.toFixed(0), String(r.peakTasks), String(r.redeliveries), `${r.completed}/${r.total}`]),
      },
      notes: [
        goal,
        ...[OURS_CONFIG.maxWorkers, ...SPIKE_MAX_SWEEP].map(max => {
          const o = rows.find(r => r.subject === 'ours' && r.maxTasks === max && r.scenario.startsWith('spike'))!;
          const p = rows.find(r => r.subject === 'peer' && r.maxTasks === max && r.scenario.startsWith('spike'))!;
          const bound = (1000 * OURS_CONFIG.averageProcessingSeconds) / (max * concurrency) + WORLD.startDelaySeconds;
          return `spike at max ${max}: ours/peer drain ${o.drainSeconds !== null && p.drainSeconds !== null ? (o.drainSeconds / p.drainSeconds).toFixed(2) : 'n/a'}×, `
            + `worker-minutes ${(o.workerMinutes / p.workerMinutes).toFixed(2)}×; no scaler can drain 1,000 videos faster than about ${(bound / 60).toFixed(1)} min with ${max} tasks`;
        }),
        ...DENOMINATOR_START_DELAYS.flatMap(start => ['spike', 'steady'].map(name => {
          const before = denominatorRows.find(r => r.scenario === `${name}, start ${start} s` && r.subject === 'ours-running')!;
          const after = denominatorRows.find(r => r.scenario === `${name}, start ${start} s` && r.subject === 'ours')!;
          return `denominator, ${name}, tasks start in ${start} s: ÷ running only ${before.workerMinutes.toFixed(0)} worker-minutes (peak ${before.peakTasks}, drain ${minutes(before.drainSeconds)}) → ÷ ${DENOMINATOR.current} ${after.workerMinutes.toFixed(0)} (peak ${after.peakTasks}, drain ${minutes(after.drainSeconds)})`;
        })),
        'drain time: spike = from the spike\'s first message to its last one done; steady/sawtooth = from the last arrival to the last message done.',
        `p99 message age: wait from send to the start of the processing that completed it. worker-minutes: task time from launch to stop over the ${WORLD.horizonSeconds / 3600} h window (Fargate bills from launch).`,
        ...list.map(s => `${s.label}: min ${s.minTasks}, max ${s.maxTasks}; ${s.config}`),
        'Same worker in every subject (the queue-worker runtime: drains within a 25 s grace, then releases); only ours sets task scale-in protection, so ECS stops idle tasks only.',
        'Model (bench/scaling/): alarms evaluated each minute over published datapoints; an alarm in ALARM invokes its policy every minute; step cooldown default 300 s (scale-out counts capacity added in the cooldown); target tracking: 3 datapoints above target to scale out, 15 below 90 % to scale in, desired = ceil(capacity × metric / target).',
      ],
      summary: [goal],
      settings: {
        world: WORLD,
        ours: OURS_CONFIG,
        subjects: list.map(s => ({ key: s.key, label: s.label, minTasks: s.minTasks, maxTasks: s.maxTasks, config: s.config })),
      },
      results: { rows, goal: { drainRatio, workerMinutesRatio: costRatio, met } },
    };
  },
};
