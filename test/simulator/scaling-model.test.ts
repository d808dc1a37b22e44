/**
 * The scaling simulator's mechanics (bench/scaling/): metric math, template parsing, CloudWatch
 * statistics and alarms, Application Auto Scaling step and target tracking semantics, KEDA's
 * formula, and the world's bookkeeping.
 */
import * as path from 'path';
import { alarmState, MetricStore } from '../../bench/scaling/cloudwatch';
import { evaluate } from '../../bench/scaling/expression';
import { ApplicationAutoScaling, Keda, KEDA_DEFAULTS, Scaler, stepAdjustmentFor } from '../../bench/scaling/scalers';
import { BURSTS, diurnalRate, scenarios } from '../../bench/scaling/scenarios';
import { peerSpec, peerTemplate } from '../../bench/scaling/subjects';
import { AlarmSpec, parseController, parseScaling, ScalingSpec, StepPolicySpec, TargetTrackingSpec } from '../../bench/scaling/template';
import { Arrival, percentile, simulate, WorldOptions } from '../../bench/scaling/world';
import { checkGoals, oursController, ScalingRow } from '../../bench/suites/scaling';

const ALL = {
  ApproximateNumberOfMessagesVisible: 0,
  ApproximateNumberOfMessagesNotVisible: 0,
  RunningTaskCount: 0,
  DesiredTaskCount: 0,
  CPUUtilization: undefined,
};

describe('metric math', () => {
  test('arithmetic, IF, comparisons, AND/OR, functions', () => {
    const v = { visible: 30, in_flight: 10, running: 4 };
    expect(evaluate('(visible + in_flight) / IF(running > 0, running, 1)', v)).toBe(10);
    expect(evaluate('(visible + in_flight) / IF(running > 0, running, 1)', { ...v, running: 0 })).toBe(40);
    expect(evaluate('IF(running >= 4 AND visible > 20, 1, 0)', v)).toBe(1);
    expect(evaluate('IF(running < 1 OR visible == 0, 1, 0)', v)).toBe(0);
    expect(evaluate('MAX(visible, 2 * in_flight) - MIN(1, -running)', v)).toBe(34);
    expect(evaluate('visible / 0', v)).toBeNaN();
  });
  test('BacklogScaling\'s denominator: desired while scaling out, running otherwise, never 0', () => {
    const e = '(visible + in_flight) / IF(desired > running, desired, IF(running > 0, running, 1))';
    expect(evaluate(e, { visible: 90, in_flight: 10, running: 4, desired: 20 })).toBe(5); // starting: ÷ desired
    expect(evaluate(e, { visible: 90, in_flight: 10, running: 20, desired: 20 })).toBe(5); // stable: ÷ running
    expect(evaluate(e, { visible: 90, in_flight: 10, running: 25, desired: 10 })).toBe(4); // scaling in: ÷ running
    expect(evaluate(e, { visible: 30, in_flight: 0, running: 0, desired: 0 })).toBe(30); // nothing there: ÷ 1
  });

  test('errors name the expression', () => {
    expect(() => evaluate('visible + nope', { visible: 1 })).toThrow('unknown id "nope" in "visible + nope"');
    expect(() => evaluate('FILL(visible, 0)', { visible: 1 })).toThrow('unsupported function FILL');
  });
});

describe('QueueProcessingFargateService defaults, read from its synthesized template', () => {
  const spec = peerSpec();
  const steps = spec.policies.filter((p): p is StepPolicySpec => p.kind === 'step');
  const upper = steps.find(p => p.alarms[0].comparison === 'GreaterThanOrEqualToThreshold')!;
  const lower = steps.find(p => p.alarms[0].comparison === 'LessThanOrEqualToThreshold')!;

  test('capacity 1..2 (desiredTaskCount 1, max 2 × desired), CPU target tracking at 50 %', () => {
    expect(spec.minCapacity).toBe(1);
    expect(spec.maxCapacity).toBe(2);
    const cpu = spec.policies.find((p): p is TargetTrackingSpec => p.kind === 'target')!;
    expect(cpu.targetValue).toBe(50);
    expect(cpu.queries[0].metric).toMatchObject({ namespace: 'AWS/ECS', metricName: 'CPUUtilization', stat: 'Average' });
    expect(peerSpec(50).maxCapacity).toBe(50);
  });

  test('alarms on ApproximateNumberOfMessagesVisible, Maximum over 5 minutes, one datapoint', () => {
    for (const p of [upper, lower]) {
      expect(p.alarms[0]).toMatchObject({ periodSeconds: 300, evaluationPeriods: 1, datapointsToAlarm: 1 });
      expect(p.alarms[0].queries[0].metric).toMatchObject({ metricName: 'ApproximateNumberOfMessagesVisible', stat: 'Maximum', periodSeconds: 300 });
    }
    expect(upper.alarms[0].threshold).toBe(100);
    expect(lower.alarms[0].threshold).toBe(0);
    // No Cooldown in the template: Application Auto Scaling's default 300 s.
    expect(upper.cooldownSeconds).toBe(300);
  });

  test('reproduces the documented default steps: +1 from 100 visible, +5 from 500, -1 at 0', () => {
    const at = (policy: StepPolicySpec, visible: number) => stepAdjustmentFor(policy, visible - policy.alarms[0].threshold, policy.alarms[0].comparison.startsWith('Less'));
    expect(at(upper, 100)).toBe(1);
    expect(at(upper, 499)).toBe(1);
    expect(at(upper, 500)).toBe(5);
    expect(at(upper, 10_000)).toBe(5);
    expect(at(lower, 0)).toBe(-1);
  });

  test('a template without a scalable target is refused', () => {
    const t = peerTemplate();
    const stripped = { Resources: Object.fromEntries(Object.entries<any>(t.Resources).filter(([, r]) => r.Type !== 'AWS::ApplicationAutoScaling::ScalableTarget')) };
    expect(() => parseScaling(stripped)).toThrow('expected one AWS::ApplicationAutoScaling::ScalableTarget, found 0');
  });
});

describe('CloudWatch stand-in', () => {
  test('statistics over a 5-minute period from 1-minute samples', () => {
    const store = new MetricStore(0);
    [3, 9, 4, 1, 0].forEach((v, m) => store.record(m, { ...ALL, ApproximateNumberOfMessagesVisible: v }));
    expect(store.stat('ApproximateNumberOfMessagesVisible', 'Maximum', 0, 300)).toBe(9);
    expect(store.stat('ApproximateNumberOfMessagesVisible', 'Average', 0, 300)).toBe(3.4);
    expect(store.stat('ApproximateNumberOfMessagesVisible', 'Sum', 0, 300)).toBe(17);
    expect(store.stat('ApproximateNumberOfMessagesVisible', 'Minimum', 60, 60)).toBe(9);
    expect(() => store.stat('Nope', 'Sum', 0, 60)).toThrow('publishes no metric named Nope');
  });

  test('datapoints appear only after their period ends plus the publication delay; alarms need M of N', () => {
    const store = new MetricStore(60);
    for (let m = 0; m < 10; m++) store.record(m, { ...ALL, ApproximateNumberOfMessagesVisible: m >= 3 ? 500 : 0 });
    const alarm: AlarmSpec = {
      logicalId: 'a',
      periodSeconds: 60,
      threshold: 100,
      comparison: 'GreaterThanOrEqualToThreshold',
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
      queries: [{ id: 'm', returnData: true, metric: { namespace: 'AWS/SQS', metricName: 'ApproximateNumberOfMessagesVisible', stat: 'Maximum', periodSeconds: 60 } }],
    };
    // The minute-3 datapoint covers [180, 240): visible at 240 + 60 = 300.
    expect(store.latest(alarm.queries, 60, 1, 299)).toEqual([0]);
    expect(store.latest(alarm.queries, 60, 1, 300)).toEqual([500]);
    expect(alarmState(alarm, store, 360).alarm).toBe(false);
    expect(alarmState(alarm, store, 420)).toEqual({ alarm: true, value: 500 });
    expect(alarmState({ ...alarm, datapointsToAlarm: 1 }, store, 300).alarm).toBe(true);
  });
});

function constantWorld(store: MetricStore, minutes: number, values: Partial<typeof ALL>): void {
  for (let m = 0; m < minutes; m++) store.record(m, { ...ALL, ...values });
}

describe('Application Auto Scaling', () => {
  test('step scaling: +5 at once, then the cooldown holds it for 300 s, then +5 again', () => {
    const spec = peerSpec(50);
    const stepOnly: ScalingSpec = { ...spec, policies: spec.policies.filter(p => p.kind === 'step') };
    const aas = new ApplicationAutoScaling(stepOnly);
    const store = new MetricStore(0);
    constantWorld(store, 40, { ApproximateNumberOfMessagesVisible: 800 });
    let desired = 1;
    const history: Array<[number, number]> = [];
    for (let now = 300; now <= 960; now += 60) {
      desired = aas.step({ now, desired, cloudwatch: store, queue: { visible: 800, inFlight: 0 } });
      history.push([now, desired]);
    }
    expect(history.filter(([t]) => t < 600).map(([, d]) => d)).toEqual([6, 6, 6, 6, 6]);
    expect(history.find(([t]) => t === 600)![1]).toBe(11);
    expect(history.find(([t]) => t === 900)![1]).toBe(16);
  });

  test('target tracking: 3 datapoints above target scale out to ceil(capacity × metric / target); 15 below 90 % scale in', () => {
    const policy: TargetTrackingSpec = {
      kind: 'target',
      logicalId: 'tt',
      targetValue: 5,
      scaleOutCooldownSeconds: 60,
      scaleInCooldownSeconds: 300,
      disableScaleIn: false,
      queries: [
        { id: 'visible', returnData: false, metric: { namespace: 'AWS/SQS', metricName: 'ApproximateNumberOfMessagesVisible', stat: 'Sum', periodSeconds: 60 } },
        { id: 'running', returnData: false, metric: { namespace: 'ECS/ContainerInsights', metricName: 'RunningTaskCount', stat: 'Average', periodSeconds: 60 } },
        { id: 'per', returnData: true, expression: 'visible / IF(running > 0, running, 1)' },
      ],
    };
    const aas = new ApplicationAutoScaling({ minCapacity: 0, maxCapacity: 100, policies: [policy] });
    const store = new MetricStore(0);
    constantWorld(store, 2, { ApproximateNumberOfMessagesVisible: 80, RunningTaskCount: 4 });
    // Two datapoints only: no action yet.
    expect(aas.step({ now: 120, desired: 4, cloudwatch: store, queue: { visible: 80, inFlight: 0 } })).toBe(4);
    store.record(2, { ...ALL, ApproximateNumberOfMessagesVisible: 80, RunningTaskCount: 4 });
    expect(aas.step({ now: 180, desired: 4, cloudwatch: store, queue: { visible: 80, inFlight: 0 } })).toBe(16);
    // Scale in: backlog per worker 1 (< 4.5) for 15 minutes -> ceil(16 × 1 / 5) = 4.
    const low = new MetricStore(0);
    constantWorld(low, 15, { ApproximateNumberOfMessagesVisible: 16, RunningTaskCount: 16 });
    const aas2 = new ApplicationAutoScaling({ minCapacity: 0, maxCapacity: 100, policies: [policy] });
    expect(aas2.step({ now: 14 * 60, desired: 16, cloudwatch: low, queue: { visible: 16, inFlight: 0 } })).toBe(16);
    expect(aas2.step({ now: 15 * 60, desired: 16, cloudwatch: low, queue: { visible: 16, inFlight: 0 } })).toBe(4);
  });

  test('target tracking while tasks start: ÷ running proposes more again, ÷ max(desired, running) holds at backlog / target', () => {
    const tracking = (expression: string): TargetTrackingSpec => ({
      kind: 'target',
      logicalId: 'tt',
      targetValue: 5,
      scaleOutCooldownSeconds: 60,
      scaleInCooldownSeconds: 300,
      disableScaleIn: false,
      queries: [
        { id: 'visible', returnData: false, metric: { namespace: 'AWS/SQS', metricName: 'ApproximateNumberOfMessagesVisible', stat: 'Sum', periodSeconds: 60 } },
        { id: 'running', returnData: false, metric: { namespace: 'ECS/ContainerInsights', metricName: 'RunningTaskCount', stat: 'Average', periodSeconds: 60 } },
        { id: 'desired', returnData: false, metric: { namespace: 'ECS/ContainerInsights', metricName: 'DesiredTaskCount', stat: 'Average', periodSeconds: 60 } },
        { id: 'per', returnData: true, expression },
      ],
    });
    // 80 messages, 16 tasks wanted (80 / 5), only 4 of them running yet.
    const world = { ApproximateNumberOfMessagesVisible: 80, RunningTaskCount: 4, DesiredTaskCount: 16 };
    const view = (store: MetricStore) => ({ now: 180, desired: 16, cloudwatch: store, queue: { visible: 80, inFlight: 0 } });
    const byRunning = new MetricStore(0);
    constantWorld(byRunning, 3, world);
    // 80 / 4 = 20 per task -> ceil(16 × 20 / 5) = 64: overshoot.
    expect(new ApplicationAutoScaling({ minCapacity: 0, maxCapacity: 100, policies: [tracking('visible / IF(running > 0, running, 1)')] }).step(view(byRunning))).toBe(64);
    const byDesired = new MetricStore(0);
    constantWorld(byDesired, 3, world);
    // 80 / 16 = 5 per task = target: no change.
    expect(new ApplicationAutoScaling({ minCapacity: 0, maxCapacity: 100, policies: [tracking('visible / IF(desired > running, desired, IF(running > 0, running, 1))')] }).step(view(byDesired))).toBe(16);
  });
});

describe('KEDA', () => {
  const keda = () => new Keda({ ...KEDA_DEFAULTS, maxReplicaCount: 50 });
  test('activates from zero, then desired = ceil(queue length / 5) at most doubling (or +4) per HPA sync', () => {
    const k = keda();
    const store = new MetricStore(0);
    const queue = { visible: 180, inFlight: 20 };
    let desired = k.step({ now: 0, desired: 0, cloudwatch: store, queue });
    expect(desired).toBe(5);
    const seen = [desired];
    for (let now = 15; now <= 60; now += 15) seen.push(desired = k.step({ now, desired, cloudwatch: store, queue }));
    expect(seen).toEqual([5, 10, 20, 40, 40]);
    expect(Math.ceil(200 / 5)).toBe(40);
  });
  test('scales to zero after cooldownPeriod without messages', () => {
    const k = keda();
    const store = new MetricStore(0);
    let desired = k.step({ now: 0, desired: 0, cloudwatch: store, queue: { visible: 3, inFlight: 0 } });
    expect(desired).toBe(1);
    for (let now = 30; now < 300; now += 30) desired = k.step({ now, desired, cloudwatch: store, queue: { visible: 0, inFlight: 0 } });
    expect(desired).toBe(1);
    expect(k.step({ now: 300, desired, cloudwatch: store, queue: { visible: 0, inFlight: 0 } })).toBe(0);
  });
});

describe('world', () => {
  const fixed = (n: number): Scaler => ({ min: n, max: n, step: () => n });
  const base: WorldOptions = {
    tickSeconds: 5,
    horizonSeconds: 3600,
    startDelaySeconds: 60,
    concurrency: 1,
    shutdownGraceSeconds: 25,
    metricDelaySeconds: 60,
    scaleInProtection: true,
    initialDesired: 2,
    seed: 1,
  };
  const burst = (n: number, seconds: number): Arrival[] => Array.from({ length: n }, () => ({ at: 0, processingSeconds: seconds, tag: 'b' }));

  test('every message done once, throughput = tasks × concurrency, worker-minutes = tasks × horizon', () => {
    const r = simulate(burst(20, 60), fixed(2), base);
    expect(r.completed).toBe(20);
    expect(r.redeliveries).toBe(0);
    // 2 tasks ready at t=0 (initial), 10 rounds of 60 s.
    expect(r.lastDoneByTag.b).toBe(600);
    expect(r.workerSeconds).toBe(2 * 3600);
    expect(percentile(r.ages, 100)).toBe(540);
  });

  test('new tasks take work only after the start delay', () => {
    const r = simulate(burst(1, 30), fixed(1), { ...base, initialDesired: 0 });
    expect(r.lastDoneByTag.b).toBe(60 + 30);
  });

  test('scale-in protection keeps busy tasks; without it ECS stops busy tasks, which release their messages after the grace period', () => {
    let calls = 0;
    // 4 tasks, then 1 after two minutes while every task is busy with a 10-minute job.
    const shrinking: Scaler = { min: 1, max: 4, step: () => (calls++ * 5 < 120 ? 4 : 1) };
    const jobs = burst(4, 600);
    const protectedRun = simulate(jobs, shrinking, { ...base, initialDesired: 4 });
    calls = 0;
    const unprotected = simulate(jobs, shrinking, { ...base, initialDesired: 4, scaleInProtection: false });
    expect(protectedRun.redeliveries).toBe(0);
    expect(protectedRun.lastDoneByTag.b).toBe(600);
    expect(unprotected.redeliveries).toBe(3);
    expect(unprotected.lastDoneByTag.b!).toBeGreaterThan(600);
  });

  test('percentile is nearest-rank', () => {
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 99)).toBe(10);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50)).toBe(5);
  });
});

describe('load shapes', () => {
  const all = scenarios();
  const byName = (name: string) => all.find(s => s.name === name)!;
  const perHour = (arrivals: readonly Arrival[], hour: number) => arrivals.filter(a => a.at >= hour * 3600 && a.at < (hour + 1) * 3600).length;

  test('every scenario: spike, steady, sawtooth, diurnal, bursts; arrivals sorted and inside the horizon', () => {
    expect(all.map(s => s.name)).toEqual(['spike', 'steady', 'sawtooth', 'diurnal', 'bursts']);
    for (const s of all) {
      expect(s.arrivals.every((a, i) => i === 0 || s.arrivals[i - 1].at <= a.at)).toBe(true);
      expect(s.arrivals[s.arrivals.length - 1].at).toBeLessThan(s.horizonSeconds);
      expect(s.arrivals.every(a => a.processingSeconds >= 45 && a.processingSeconds <= 75)).toBe(true);
    }
  });

  test('diurnal: a cosine day from 2 videos/min at 02:00 to 40 at 14:00, Poisson around it', () => {
    expect(diurnalRate(14 * 60)).toBeCloseTo(40);
    expect(diurnalRate(2 * 60)).toBeCloseTo(2);
    expect(diurnalRate(8 * 60)).toBeCloseTo(21);
    const d = byName('diurnal');
    expect(d.horizonSeconds).toBe(25 * 3600);
    // Hourly counts follow the curve within Poisson noise (± 4 standard deviations).
    for (const hour of [2, 8, 14, 20]) {
      const expected = 60 * diurnalRate(hour * 60 + 30);
      expect(Math.abs(perHour(d.arrivals, hour) - expected)).toBeLessThan(4 * Math.sqrt(expected) + 0.05 * expected);
    }
    expect(perHour(d.arrivals, 14)).toBeGreaterThan(8 * perHour(d.arrivals, 2));
  });

  test('bursts: Poisson starts, random sizes within the bounds, fixed seed (same arrivals every run)', () => {
    const b = byName('bursts');
    expect(b.arrivals).toEqual(scenarios().find(s => s.name === 'bursts')!.arrivals);
    // Minutes with more than 10 arrivals above the 3/min background are bursts.
    const perMinute = new Map<number, number>();
    for (const a of b.arrivals) perMinute.set(Math.floor(a.at / 60), (perMinute.get(Math.floor(a.at / 60)) ?? 0) + 1);
    const burstMinutes = [...perMinute.values()].filter(n => n > 10 + BURSTS.backgroundPerMinute).length;
    // 3 h at one burst per 12 min on average: 15 expected; a burst spans at most 2 minutes.
    expect(burstMinutes).toBeGreaterThanOrEqual(5);
    expect(burstMinutes).toBeLessThanOrEqual(60);
    const background = BURSTS.hours * 60 * BURSTS.backgroundPerMinute;
    const burstMessages = b.arrivals.length - background;
    expect(burstMessages).toBeGreaterThan(5 * BURSTS.minSize);
    expect(burstMessages).toBeLessThan(40 * BURSTS.maxSize);
    expect(b.arrivals[b.arrivals.length - 1].at).toBeLessThan(BURSTS.hours * 3600 + 60);
  });
});

describe('the bench reads ours from QueueWorkerService\'s synthesized template', () => {
  test('the controller: its schedule and its function\'s environment', () => {
    const c = oursController(path.resolve(__dirname, '..', '..'));
    expect(c.scheduleSeconds).toBe(60);
    expect(c.settings).toEqual({ targetBacklogPerWorker: 5, workerConcurrency: 1, minWorkers: 0, maxWorkers: 50, includeInFlight: true });
    expect(oursController(path.resolve(__dirname, '..', '..'), 200).settings.maxWorkers).toBe(200);
  });

  test('a template without a schedule has no controller; a cron schedule is refused as not modelled', () => {
    expect(parseController({ Resources: {} })).toBeUndefined();
    const t = {
      Resources: {
        S: { Type: 'AWS::Scheduler::Schedule', Properties: { ScheduleExpression: 'cron(0 * * * ? *)', Target: { Arn: { 'Fn::GetAtt': ['F', 'Arn'] } } } },
        F: { Type: 'AWS::Lambda::Function', Properties: { Environment: { Variables: { TARGET_BACKLOG_PER_WORKER: '5', MIN_WORKERS: '0', MAX_WORKERS: '3' } } } },
      },
    };
    expect(() => parseController(t)).toThrow('is not modelled');
  });
});

describe('goal check', () => {
  const row = (scenario: string, subject: string, o: Partial<ScalingRow>): ScalingRow => ({
    scenario,
    subject,
    maxTasks: 100,
    drainSeconds: 600,
    p99AgeSeconds: 300,
    workerMinutes: 1000,
    peakTasks: 20,
    redeliveries: 0,
    completed: 1,
    total: 1,
    ...o,
  });
  test('ours at or under KEDA everywhere passes; any ratio above 1, a redelivery, a steady peak over 25 or a spike over half the peer fails', () => {
    const base = [row('spike, max 100', 'keda', {}), row('spike, max 100', 'peer', { drainSeconds: 1300 })];
    expect(checkGoals([...base, row('spike, max 100', 'ours', {})])[0].met).toBe(true);
    expect(checkGoals([...base, row('spike, max 100', 'ours', { workerMinutes: 1001 })])[0].failures).toEqual(['worker-minutes 1.00× KEDA']);
    expect(checkGoals([...base, row('spike, max 100', 'ours', { redeliveries: 1 })])[0].failures).toEqual(['1 redeliveries']);
    expect(checkGoals([row('spike, max 100', 'keda', {}), row('spike, max 100', 'peer', { drainSeconds: 1000 }), row('spike, max 100', 'ours', {})])[0].failures[0]).toContain('spike drain 0.60× QueueProcessingFargateService');
    expect(checkGoals([row('steady', 'keda', {}), row('steady', 'peer', {}), row('steady', 'ours', { peakTasks: 26 })])[0].failures).toEqual(['steady peak 26 > 1.25 × 20']);
  });
});
