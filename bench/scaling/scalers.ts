/**
 * Scalers: what sets the desired count. Application Auto Scaling (step scaling on CloudWatch
 * alarms, target tracking with its own alarms) read from a template, and KEDA's SQS scaler with the
 * Kubernetes HPA, from their published formulas and defaults.
 */
import { alarmState, MetricStore } from './cloudwatch';
import { ScalingSpec, StepPolicySpec, TARGET_TRACKING_ALARMS, TargetTrackingSpec } from './template';
import { desiredWorkers, DecisionSettings } from '../../lambda/backlog-controller/decide';

/** What a scaler sees each tick. */
export interface ScalerView {
  readonly now: number;
  readonly desired: number;
  /** Tasks running (started and taking work), as ECS DescribeServices reports runningCount. */
  readonly running?: number;
  readonly cloudwatch: MetricStore;
  /** The queue as GetQueueAttributes reports it (KEDA polls the API, not CloudWatch). */
  readonly queue: { readonly visible: number; readonly inFlight: number };
}

export interface Scaler {
  readonly min: number;
  readonly max: number;
  /** The new desired count (called every tick; the scaler keeps its own clock). */
  step(view: ScalerView): number;
}

/** The step whose interval holds `delta` (= value − threshold), with AWS's bound rules. */
export function stepAdjustmentFor(policy: StepPolicySpec, delta: number, below: boolean): number | undefined {
  for (const s of policy.steps) {
    const lower = s.lower ?? -Infinity;
    const upper = s.upper ?? Infinity;
    // Above the threshold: lower bound inclusive, upper exclusive; below it: the reverse.
    const inside = below ? delta > lower && delta <= upper : delta >= lower && delta < upper;
    if (inside) return s.adjustment;
  }
  return undefined;
}

function applyAdjustment(type: StepPolicySpec['adjustmentType'], current: number, adjustment: number): number {
  switch (type) {
    case 'ChangeInCapacity': return current + adjustment;
    case 'ExactCapacity': return adjustment;
    case 'PercentChangeInCapacity': {
      const change = (current * adjustment) / 100;
      return current + (change >= 0 ? Math.max(1, Math.floor(change)) : Math.min(-1, Math.ceil(change)));
    }
  }
}

interface PolicyClock { lastOut?: number; outBase?: number; lastIn?: number }

/**
 * Application Auto Scaling as documented: alarms are evaluated once a minute; an alarm in ALARM
 * invokes its policy every minute it stays there; step scaling cooldown (default 300 s): a scale-out
 * during it counts the capacity the initiating scale-out added, scale-in waits for it to end; target
 * tracking: desired = ceil(capacity × metric / target), scale-out cooldown counts added capacity the
 * same way, scale-in waits for the scale-in cooldown. Several policies: the largest scale-out wins;
 * scale-in only when no policy wants out.
 */
export class ApplicationAutoScaling implements Scaler {
  public readonly min: number;
  public readonly max: number;
  private readonly clocks = new Map<string, PolicyClock>();
  private nextEvaluation = 0;
  private desired = 0;

  constructor(public readonly spec: ScalingSpec) {
    this.min = spec.minCapacity;
    this.max = spec.maxCapacity;
  }

  step(view: ScalerView): number {
    this.desired = view.desired;
    if (view.now < this.nextEvaluation) return this.desired;
    this.nextEvaluation = view.now + 60;
    const outs: number[] = [];
    const ins: number[] = [];
    for (const policy of this.spec.policies) {
      const clock = this.clocks.get(policy.logicalId) ?? {};
      this.clocks.set(policy.logicalId, clock);
      const proposal = policy.kind === 'step' ? this.stepProposal(policy, clock, view) : this.targetProposal(policy, clock, view);
      if (proposal === undefined) continue;
      if (proposal > view.desired) outs.push(proposal);
      else if (proposal < view.desired) ins.push(proposal);
    }
    let next = view.desired;
    if (outs.length > 0) next = Math.max(...outs);
    else if (ins.length > 0) next = Math.max(...ins);
    next = Math.min(this.max, Math.max(this.min, next));
    // Start the cooldown clocks of the policies whose proposal was applied.
    for (const policy of this.spec.policies) {
      const clock = this.clocks.get(policy.logicalId)!;
      if ((clock as any).pending === next && next > view.desired) {
        if (clock.lastOut === undefined || view.now - clock.lastOut >= this.outCooldown(policy)) {
          clock.outBase = view.desired;
          clock.lastOut = view.now;
        }
      }
      if ((clock as any).pending === next && next < view.desired) clock.lastIn = view.now;
      delete (clock as any).pending;
    }
    return next;
  }

  private outCooldown(policy: StepPolicySpec | TargetTrackingSpec): number {
    return policy.kind === 'step' ? policy.cooldownSeconds : policy.scaleOutCooldownSeconds;
  }

  private stepProposal(policy: StepPolicySpec, clock: PolicyClock, view: ScalerView): number | undefined {
    for (const alarm of policy.alarms) {
      const state = alarmState(alarm, view.cloudwatch, view.now);
      if (!state.alarm || state.value === undefined) continue;
      const below = alarm.comparison.startsWith('Less');
      const adjustment = stepAdjustmentFor(policy, state.value - alarm.threshold, below);
      if (adjustment === undefined || adjustment === 0) continue;
      const inCooldown = clock.lastOut !== undefined && view.now - clock.lastOut < policy.cooldownSeconds;
      const inInCooldown = clock.lastIn !== undefined && view.now - clock.lastIn < policy.cooldownSeconds;
      let proposal: number;
      if (adjustment > 0) {
        const base = inCooldown ? clock.outBase! : view.desired;
        proposal = Math.max(view.desired, applyAdjustment(policy.adjustmentType, base, adjustment));
        if (proposal <= view.desired) continue;
      } else {
        if (inInCooldown || inCooldown) continue;
        proposal = applyAdjustment(policy.adjustmentType, view.desired, adjustment);
      }
      (clock as any).pending = Math.min(this.max, Math.max(this.min, proposal));
      return proposal;
    }
    return undefined;
  }

  private targetProposal(policy: TargetTrackingSpec, clock: PolicyClock, view: ScalerView): number | undefined {
    const t = TARGET_TRACKING_ALARMS;
    const high = view.cloudwatch.latest(policy.queries, t.periodSeconds, t.scaleOutDatapoints, view.now);
    const value = high[high.length - 1];
    if (value === undefined) return undefined;
    if (high.every(v => v !== undefined && v > policy.targetValue)) {
      const inCooldown = clock.lastOut !== undefined && view.now - clock.lastOut < policy.scaleOutCooldownSeconds;
      const base = inCooldown ? clock.outBase! : view.desired;
      const proposal = Math.ceil((base * value) / policy.targetValue);
      if (proposal <= view.desired) return undefined;
      (clock as any).pending = Math.min(this.max, Math.max(this.min, proposal));
      return proposal;
    }
    if (policy.disableScaleIn) return undefined;
    const low = view.cloudwatch.latest(policy.queries, t.periodSeconds, t.scaleInDatapoints, view.now);
    if (low.every(v => v !== undefined && v < policy.targetValue * t.scaleInFactor)) {
      if (clock.lastIn !== undefined && view.now - clock.lastIn < policy.scaleInCooldownSeconds) return undefined;
      const proposal = Math.ceil((view.desired * value) / policy.targetValue);
      if (proposal >= view.desired) return undefined;
      (clock as any).pending = Math.min(this.max, Math.max(this.min, proposal));
      return proposal;
    }
    return undefined;
  }
}

/** KEDA aws-sqs-queue scaler + HPA, with their published defaults. */
export interface KedaSettings {
  /** queueLength: target messages per replica (default 5). */
  readonly queueLength: number;
  /** activationQueueLength (default 0): above it, 0 → 1. */
  readonly activationQueueLength: number;
  /** scaleOnInFlight (default true): in-flight messages count as queue length. */
  readonly scaleOnInFlight: boolean;
  /** pollingInterval (default 30 s). */
  readonly pollingIntervalSeconds: number;
  /** cooldownPeriod (default 300 s): inactive this long before 1 → 0. */
  readonly cooldownPeriodSeconds: number;
  readonly minReplicaCount: number;
  readonly maxReplicaCount: number;
  /** HPA: sync period 15 s, tolerance 10 %, scale-up max(100 %, 4 pods) per 15 s, scale-down stabilization 300 s. */
  readonly hpaSyncSeconds: number;
  readonly hpaTolerance: number;
  readonly hpaScaleDownStabilizationSeconds: number;
}

export const KEDA_DEFAULTS: Omit<KedaSettings, 'maxReplicaCount'> = {
  queueLength: 5,
  activationQueueLength: 0,
  scaleOnInFlight: true,
  pollingIntervalSeconds: 30,
  cooldownPeriodSeconds: 300,
  minReplicaCount: 0,
  hpaSyncSeconds: 15,
  hpaTolerance: 0.1,
  hpaScaleDownStabilizationSeconds: 300,
};

export class Keda implements Scaler {
  public readonly min: number;
  public readonly max: number;
  private metric = 0;
  private nextPoll = 0;
  private nextSync = 0;
  private lastActive = -Infinity;
  private recommendations: Array<{ at: number; value: number }> = [];

  constructor(public readonly settings: KedaSettings) {
    this.min = settings.minReplicaCount;
    this.max = settings.maxReplicaCount;
  }

  step(view: ScalerView): number {
    const s = this.settings;
    let desired = view.desired;
    if (view.now >= this.nextPoll) {
      this.nextPoll = view.now + s.pollingIntervalSeconds;
      this.metric = view.queue.visible + (s.scaleOnInFlight ? view.queue.inFlight : 0);
      if (this.metric > s.activationQueueLength) this.lastActive = view.now;
      // KEDA itself: 0 -> 1 on activation, 1 -> 0 after cooldownPeriod without activity.
      if (desired === 0 && this.metric > s.activationQueueLength) desired = Math.max(1, s.minReplicaCount);
      if (desired > 0 && s.minReplicaCount === 0 && view.now - this.lastActive >= s.cooldownPeriodSeconds) return 0;
    }
    if (desired === 0 || view.now < this.nextSync) return desired;
    this.nextSync = view.now + s.hpaSyncSeconds;
    // HPA, AverageValue target: desired = ceil(metric / queueLength), within tolerance keep.
    const ratio = this.metric / (s.queueLength * desired);
    let recommended = Math.abs(ratio - 1) <= s.hpaTolerance ? desired : Math.ceil(this.metric / s.queueLength);
    recommended = Math.min(this.max, Math.max(1, recommended));
    this.recommendations.push({ at: view.now, value: recommended });
    this.recommendations = this.recommendations.filter(r => view.now - r.at <= s.hpaScaleDownStabilizationSeconds);
    if (recommended > desired) return Math.min(recommended, Math.max(desired * 2, desired + 4));
    // Scale down: the highest recommendation in the stabilization window.
    return Math.min(desired, Math.max(...this.recommendations.map(r => r.value)));
  }
}

/** The backlog controller as its template configures it: its schedule and its decision settings. */
export interface ControllerSpec {
  /** Seconds between invocations (the schedule's rate). */
  readonly scheduleSeconds: number;
  readonly settings: DecisionSettings;
}

/**
 * BacklogScaling's controller (lambda/backlog-controller): a Lambda function invoked on a schedule
 * that reads the queue through the API (GetQueueAttributes: no CloudWatch delay) and sets the
 * desired count with the controller's own decision code (`desiredWorkers`, imported, not copied).
 */
export class Controller implements Scaler {
  public readonly min: number;
  public readonly max: number;
  private next = 0;

  constructor(public readonly spec: ControllerSpec) {
    this.min = spec.settings.minWorkers;
    this.max = spec.settings.maxWorkers;
  }

  step(view: ScalerView): number {
    if (view.now < this.next) return view.desired;
    this.next = view.now + this.spec.scheduleSeconds;
    return desiredWorkers(view.queue, this.spec.settings);
  }
}
