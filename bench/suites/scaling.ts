/**
 * Scaling simulator: a discrete-time model (bench/scaling/) of arrivals, the queue, workers and
 * CloudWatch, driven by what synthesized templates configure (ours: QueueWorkerService, whose
 * BacklogScaling controller is read from its schedule and its function's environment and run with
 * the controller's own decision code; the peer: aws-ecs-patterns QueueProcessingFargateService's
 * step and target tracking policies) and by KEDA's aws-sqs-queue scaler formula with the HPA.
 * Deterministic: same seeds, same results; BENCH_RUNS does not apply.
 */
import { Suite, SuiteContext, SuiteResult } from '../lib/suite';
import { ApplicationAutoScaling, Controller, Keda, KEDA_DEFAULTS, Scaler } from '../scaling/scalers';
import { scenarios } from '../scaling/scenarios';
import { OURS_CONFIG, oursTemplate, peerSpec } from '../scaling/subjects';
import { ControllerTemplateSpec, parseController, ScalingSpec } from '../scaling/template';
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

/** Spike only, at other maximums (ours, the peer and KEDA always get the same one). */
export const SPIKE_MAX_SWEEP = [20, 100, 200];

function describeController(c: ControllerTemplateSpec): string {
  const s = c.settings;
  return `controller every ${c.scheduleSeconds} s (EventBridge Scheduler → Lambda): desired = ceil(in flight / (2 × ${s.workerConcurrency}) + visible / ${s.targetBacklogPerWorker}), within ${s.minWorkers}..${s.maxWorkers}`;
}

/** Ours as QueueWorkerService synthesizes it: its controller, read from the template. */
export function oursController(root: string, maxWorkers?: number): ControllerTemplateSpec {
  const controller = parseController(oursTemplate(root, maxWorkers));
  if (!controller) throw new Error('QueueWorkerService\'s template has no BacklogScaling controller (AWS::Scheduler::Schedule → AWS::Lambda::Function with TARGET_BACKLOG_PER_WORKER)');
  return controller;
}

export function subjects(root: string, maxWorkers?: number): Subject[] {
  const ours = oursController(root, maxWorkers);
  const max = ours.settings.maxWorkers;
  const peer = peerSpec(max);
  const keda = { ...KEDA_DEFAULTS, maxReplicaCount: max };
  return [
    { key: 'ours', label: 'QueueWorkerService (ours)', maxTasks: max, minTasks: ours.settings.minWorkers, scaleInProtection: true, make: () => new Controller(ours), config: describeController(ours) },
    {
      key: 'keda',
      label: 'KEDA aws-sqs-queue (defaults)',
      maxTasks: keda.maxReplicaCount,
      minTasks: keda.minReplicaCount,
      scaleInProtection: false,
      make: () => new Keda(keda),
      config: `desired = ceil((visible + in flight) / ${keda.queueLength}), polling ${keda.pollingIntervalSeconds} s, cooldown ${keda.cooldownPeriodSeconds} s, HPA scale-down stabilization ${keda.hpaScaleDownStabilizationSeconds} s`,
    },
    { key: 'peer', label: 'QueueProcessingFargateService', maxTasks: peer.maxCapacity, minTasks: peer.minCapacity, scaleInProtection: false, make: () => new ApplicationAutoScaling(peer), config: describeSpec(peer) },
  ];
}

export function runScenarios(subjectList: Subject[], concurrency: number, only?: string, world: Partial<typeof WORLD> = {}): ScalingRow[] {
  const rows: ScalingRow[] = [];
  for (const scenario of scenarios().filter(s => only === undefined || s.name === only)) {
    for (const s of subjectList) {
      const options = {
        ...WORLD, horizonSeconds: scenario.horizonSeconds, ...world, concurrency, scaleInProtection: s.scaleInProtection, initialDesired: s.minTasks,
      };
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
const ratio = (a: number | null, b: number | null) => (a === null || b === null || b === 0 ? null : a / b);
const times = (r: number | null) => (r === null ? 'n/a' : `${r.toFixed(2)}×`);

/** Workers the steady load needs: 20 videos/min × 1 min each. */
export const STEADY_NEEDED_WORKERS = 20;

export interface GoalCheck {
  readonly scenario: string;
  readonly drainVsKeda: number | null;
  readonly workerMinutesVsKeda: number;
  readonly p99VsKeda: number | null;
  readonly drainVsPeer: number | null;
  readonly redeliveries: number;
  readonly met: boolean;
  readonly failures: string[];
}

/** The issue's goal, per scenario: ours vs KEDA (and the steady peak, and the spike vs the peer at max ≥ 100). */
export function checkGoals(rows: readonly ScalingRow[]): GoalCheck[] {
  const names = [...new Set(rows.map(r => r.scenario))];
  return names.map(scenario => {
    const o = rows.find(r => r.scenario === scenario && r.subject === 'ours')!;
    const k = rows.find(r => r.scenario === scenario && r.subject === 'keda')!;
    const p = rows.find(r => r.scenario === scenario && r.subject === 'peer')!;
    const drainVsKeda = ratio(o.drainSeconds, k.drainSeconds);
    const workerMinutesVsKeda = o.workerMinutes / k.workerMinutes;
    const p99VsKeda = ratio(o.p99AgeSeconds, k.p99AgeSeconds);
    const drainVsPeer = ratio(o.drainSeconds, p.drainSeconds);
    const failures: string[] = [];
    if (drainVsKeda === null || drainVsKeda > 1) failures.push(`drain ${times(drainVsKeda)} KEDA`);
    if (workerMinutesVsKeda > 1) failures.push(`worker-minutes ${times(workerMinutesVsKeda)} KEDA`);
    if (p99VsKeda === null || p99VsKeda > 1) failures.push(`p99 age ${times(p99VsKeda)} KEDA`);
    if (o.redeliveries > 0) failures.push(`${o.redeliveries} redeliveries`);
    if (scenario === 'steady' && o.peakTasks > 1.25 * STEADY_NEEDED_WORKERS) failures.push(`steady peak ${o.peakTasks} > 1.25 × ${STEADY_NEEDED_WORKERS}`);
    if (scenario.startsWith('spike') && o.maxTasks >= 100 && (drainVsPeer === null || drainVsPeer > 0.5)) {
      failures.push(`spike drain ${times(drainVsPeer)} QueueProcessingFargateService (goal ≤ 0.5× at max ≥ 100)`);
    }
    return { scenario, drainVsKeda, workerMinutesVsKeda, p99VsKeda, drainVsPeer, redeliveries: o.redeliveries, met: failures.length === 0, failures };
  });
}

/**
 * The spike's drain with perfect knowledge: an oracle that sets `max` tasks the second the spike's
 * first message arrives (and sizes the fleet to the backlog before), and `max` tasks running all
 * along. No scaler that reacts to the queue can drain faster than the oracle.
 */
export interface SpikeRun { readonly drainSeconds: number | null; readonly workerMinutes: number }

export function spikeOracles(max: number, concurrency: number): { oracle: SpikeRun; always: SpikeRun } {
  const spike = scenarios().find(s => s.name === 'spike')!;
  const start = Math.min(...spike.arrivals.filter(a => a.tag === spike.drainTag).map(a => a.at));
  const run = (scaler: Scaler, initialDesired: number) => {
    const options = { ...WORLD, horizonSeconds: spike.horizonSeconds, concurrency, scaleInProtection: true, initialDesired };
    const r = simulate(spike.arrivals, scaler, options);
    const end = r.lastDoneByTag[spike.drainTag!];
    return { drainSeconds: end === undefined ? null : end - r.firstSentByTag[spike.drainTag!], workerMinutes: r.workerSeconds / 60 };
  };
  const sized = (v: { queue: { visible: number; inFlight: number } }) => Math.ceil((v.queue.visible + v.queue.inFlight) / concurrency);
  const oracle: Scaler = { min: 0, max, step: v => (v.now >= start && v.now < start + 600 ? max : sized(v)) };
  return { oracle: run(oracle, 0), always: run({ min: max, max, step: () => max }, max) };
}

export const scalingSuite: Suite = {
  name: 'scaling',
  description: 'Scaling simulator: ours (the BacklogScaling controller, read from its template), KEDA\'s formula and QueueProcessingFargateService (policies from its template) on spike, steady, sawtooth, diurnal and bursty load',
  async run(ctx: SuiteContext): Promise<SuiteResult> {
    ctx.progress('synthesizing QueueWorkerService and QueueProcessingFargateService, reading the controller and the policies from their templates');
    const list = subjects(ctx.root);
    const concurrency = OURS_CONFIG.workerConcurrency;
    ctx.progress(`simulating ${scenarios().length} scenarios × ${list.length} subjects (${WORLD.tickSeconds} s ticks)`);
    const rows = runScenarios(list, concurrency).map(r => (r.scenario === 'spike' ? { ...r, scenario: `spike, max ${OURS_CONFIG.maxWorkers}` } : r));
    for (const max of SPIKE_MAX_SWEEP) {
      ctx.progress(`spike with max ${max} tasks for ours, KEDA and the peer`);
      rows.push(...runScenarios(subjects(ctx.root, max), concurrency, 'spike').map(r => ({ ...r, scenario: `spike, max ${max}` })));
    }
    const order = ['spike, max 20', `spike, max ${OURS_CONFIG.maxWorkers}`, 'spike, max 100', 'spike, max 200', 'steady', 'sawtooth', 'diurnal', 'bursts'];
    rows.sort((a, b) => order.indexOf(a.scenario) - order.indexOf(b.scenario));
    const goals = checkGoals(rows);
    ctx.progress('the spike with an oracle that launches max tasks the second the spike starts, and with max tasks running all along');
    const oracles = [100, 200].map(max => ({ max, ...spikeOracles(max, concurrency), peer: rows.find(r => r.subject === 'peer' && r.scenario === `spike, max ${max}`)! }));
    const label = (key: string) => list.find(s => s.key === key)!.label;
    const kedaOf = (r: ScalingRow) => rows.find(x => x.scenario === r.scenario && x.subject === 'keda')!;
    const allMet = goals.every(g => g.met);
    const unmet = goals.filter(g => !g.met).map(g => `${g.scenario} (${g.failures.join(', ')})`);
    const goalLine = 'goal (every scenario: drain, worker-minutes and p99 age ≤ 1.0× KEDA, 0 redeliveries; steady peak ≤ 1.25× needed; '
      + `spike drain ≤ 0.5× QueueProcessingFargateService at max ≥ 100): ${allMet ? 'MET' : `NOT MET in ${unmet.join('; ')}`}`;
    return {
      table: {
        title: 'Scaling simulator: 1 video = 45–75 s of work, 1 per task, 60 s task start, CloudWatch 1-min data visible 60 s late; ratios are to KEDA in the same scenario',
        columns: ['scenario', 'subject', 'max tasks', 'drain time', 'p99 message age', 'worker-minutes', 'peak tasks', 'redelivered', 'done', 'drain ×KEDA', 'worker-min ×KEDA', 'p99 ×KEDA'],
        numeric: [false, false, true, true, true, true, true, true, true, true, true, true],
        rows: rows.map(r => {
          const k = kedaOf(r);
          const self = r.subject === 'keda';
          return [r.scenario, label(r.subject), String(r.maxTasks), minutes(r.drainSeconds), `${(r.p99AgeSeconds / 60).toFixed(1)} min`,
            r.workerMinutes.toFixed(0), String(r.peakTasks), String(r.redeliveries), `${r.completed}/${r.total}`,
            self ? '' : times(ratio(r.drainSeconds, k.drainSeconds)), self ? '' : times(r.workerMinutes / k.workerMinutes), self ? '' : times(ratio(r.p99AgeSeconds, k.p99AgeSeconds))];
        }),
      },
      notes: [
        goalLine,
        ...goals.map(g => `${g.scenario}: ours/KEDA drain ${times(g.drainVsKeda)}, worker-minutes ${times(g.workerMinutesVsKeda)}, p99 age ${times(g.p99VsKeda)}; `
          + `ours/QueueProcessingFargateService drain ${times(g.drainVsPeer)} → ${g.met ? 'met' : `NOT met (${g.failures.join(', ')})`}`),
        ...oracles.map(o => `spike at max ${o.max}, what no reactive scaler can beat: an oracle that launches ${o.max} tasks the second the spike starts drains it in ${minutes(o.oracle.drainSeconds)} `
          + `(${times(ratio(o.oracle.drainSeconds, o.peer.drainSeconds))} QueueProcessingFargateService, ${o.oracle.workerMinutes.toFixed(0)} worker-minutes); ${o.max} tasks running all along: ${minutes(o.always.drainSeconds)} `
          + `(${times(ratio(o.always.drainSeconds, o.peer.drainSeconds))}, ${o.always.workerMinutes.toFixed(0)} worker-minutes)`),
        ...[20, OURS_CONFIG.maxWorkers, 100, 200].map(max => {
          const bound = (1000 * OURS_CONFIG.averageProcessingSeconds) / (max * concurrency) + WORLD.startDelaySeconds;
          return `spike at max ${max}: no scaler can drain 1,000 videos faster than about ${(bound / 60).toFixed(1)} min with ${max} tasks (work / tasks + one task start)`;
        }),
        ...scenarios().map(sc => `${sc.name}: ${sc.description} (${sc.arrivals.length} videos, ${sc.horizonSeconds / 3600} h simulated)`),
        'drain time: spike = from the spike\'s first message to its last one done; other scenarios = from the last arrival to the last message done.',
        'p99 message age: wait from send to the start of the processing that completed it. worker-minutes: task time from launch to stop over the scenario (Fargate bills from launch).',
        ...list.map(s => `${s.label}: min ${s.minTasks}, max ${s.maxTasks} (the spike sweep sets the same max for all three); ${s.config}`),
        'Same worker in every subject (the queue-worker runtime); only ours sets task scale-in protection, so ECS stops idle tasks only; KEDA\'s and the peer\'s busy tasks get SIGTERM and a 25 s grace '
          + '(Kubernetes\' 30 s terminationGracePeriodSeconds, ECS\'s 30 s stopTimeout), then release their message ("redelivered").',
        'Model (bench/scaling/, each documented AWS behaviour tested in test/simulator/aws-behaviour.test.ts): the controller reads the queue through the API at each scheduled run; '
          + 'alarms evaluated each minute over published datapoints; an alarm in ALARM invokes its policy every minute; step cooldown default 300 s; target tracking: 3 datapoints above target to scale out, 15 below 90 % to scale in.',
      ],
      summary: [goalLine],
      settings: {
        world: WORLD,
        ours: OURS_CONFIG,
        subjects: list.map(s => ({ key: s.key, label: s.label, minTasks: s.minTasks, maxTasks: s.maxTasks, config: s.config })),
      },
      results: { rows, goals, met: allMet },
    };
  },
};
