/**
 * One test per documented AWS behaviour the scaling simulator (bench/scaling/) models, each citing
 * the page that documents it. If AWS changes a behaviour, the page changes first: update the test
 * and the model together.
 */
import { alarmState, MetricStore } from '../../bench/scaling/cloudwatch';
import { ApplicationAutoScaling, Controller, Scaler, stepAdjustmentFor } from '../../bench/scaling/scalers';
import { AlarmSpec, DEFAULT_STEP_COOLDOWN_SECONDS, rateSeconds, ScalingSpec, StepPolicySpec, TARGET_TRACKING_ALARMS, TargetTrackingSpec } from '../../bench/scaling/template';
import { Arrival, simulate, WorldOptions } from '../../bench/scaling/world';

const NO_METRICS = {
  ApproximateNumberOfMessagesVisible: 0,
  ApproximateNumberOfMessagesNotVisible: 0,
  RunningTaskCount: 0,
  DesiredTaskCount: 0,
  CPUUtilization: undefined,
};
const VISIBLE_SUM = { namespace: 'AWS/SQS', metricName: 'ApproximateNumberOfMessagesVisible', stat: 'Sum' as const, periodSeconds: 60 };
const queue = { visible: 0, inFlight: 0 };

function storeOf(minutes: number, visible: (minute: number) => number, delaySeconds = 0): MetricStore {
  const store = new MetricStore(delaySeconds);
  for (let m = 0; m < minutes; m++) store.record(m, { ...NO_METRICS, ApproximateNumberOfMessagesVisible: visible(m) });
  return store;
}

function tracking(overrides: Partial<TargetTrackingSpec> = {}): TargetTrackingSpec {
  return {
    kind: 'target',
    logicalId: 'tt',
    targetValue: 10,
    scaleOutCooldownSeconds: 0,
    scaleInCooldownSeconds: 0,
    disableScaleIn: false,
    queries: [{ id: 'm', returnData: true, metric: VISIBLE_SUM }],
    ...overrides,
  };
}

function stepPolicy(overrides: Partial<StepPolicySpec> = {}): StepPolicySpec {
  const alarm: AlarmSpec = {
    logicalId: 'high',
    queries: [{ id: 'm', returnData: true, metric: VISIBLE_SUM }],
    periodSeconds: 60,
    threshold: 100,
    comparison: 'GreaterThanOrEqualToThreshold',
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
  };
  return {
    kind: 'step',
    logicalId: 'step',
    adjustmentType: 'ChangeInCapacity',
    cooldownSeconds: 300,
    steps: [{ lower: 0, upper: 100, adjustment: 2 }, { lower: 100, adjustment: 3 }],
    alarms: [alarm],
    ...overrides,
  };
}

const spec = (policies: ScalingSpec['policies'], max = 100): ScalingSpec => ({ minCapacity: 0, maxCapacity: max, policies });

describe('Application Auto Scaling: target tracking', () => {
  // https://docs.aws.amazon.com/autoscaling/application/userguide/target-tracking-scaling-policy-overview.html
  // Application Auto Scaling creates the alarms: AlarmHigh (metric > target for 3 of 3 one-minute
  // datapoints) and AlarmLow (metric < 90 % of target for 15 of 15); it scales in only when the metric
  // is clearly (about 10 %) below the target for long enough, and adds capacity in proportion to the metric.
  test('scales out after 3 one-minute datapoints above the target, not after 2', () => {
    expect(TARGET_TRACKING_ALARMS).toMatchObject({ scaleOutDatapoints: 3, periodSeconds: 60 });
    const store = storeOf(3, m => (m >= 1 ? 40 : 0));
    // Datapoints of minutes 1 and 2 are above target (40 / 2 tasks … the metric is the sum, 40 > 10); minute 0 is not.
    expect(new ApplicationAutoScaling(spec([tracking()])).step({ now: 180, desired: 2, cloudwatch: store, queue })).toBe(2);
    store.record(3, { ...NO_METRICS, ApproximateNumberOfMessagesVisible: 40 });
    // Three above: ceil(capacity × metric / target) = ceil(2 × 40 / 10) = 8.
    expect(new ApplicationAutoScaling(spec([tracking()])).step({ now: 240, desired: 2, cloudwatch: store, queue })).toBe(8);
  });

  test('scales in after 15 datapoints below 90 % of the target, not after 14 or at 90 %', () => {
    expect(TARGET_TRACKING_ALARMS).toMatchObject({ scaleInDatapoints: 15, scaleInFactor: 0.9 });
    const low = storeOf(15, m => (m === 0 ? 20 : 5));
    expect(new ApplicationAutoScaling(spec([tracking()])).step({ now: 15 * 60, desired: 8, cloudwatch: low, queue })).toBe(8);
    const fifteen = storeOf(15, () => 5);
    expect(new ApplicationAutoScaling(spec([tracking()])).step({ now: 15 * 60, desired: 8, cloudwatch: fifteen, queue })).toBe(4);
    const atNinety = storeOf(15, () => 9);
    expect(new ApplicationAutoScaling(spec([tracking()])).step({ now: 15 * 60, desired: 8, cloudwatch: atNinety, queue })).toBe(8);
  });

  test('DisableScaleIn: never removes capacity', () => {
    const store = storeOf(15, () => 0);
    const aas = new ApplicationAutoScaling(spec([tracking({ disableScaleIn: true })]));
    expect(aas.step({ now: 15 * 60, desired: 8, cloudwatch: store, queue })).toBe(8);
  });
});

describe('Application Auto Scaling: cooldowns', () => {
  // https://docs.aws.amazon.com/autoscaling/application/APIReference/API_StepScalingPolicyConfiguration.html (Cooldown)
  // "While the cooldown period is in effect, capacity added by the initiating scale-out activity is
  // calculated as part of the desired capacity for the next scale-out activity"; scale-in activities
  // are blocked until the cooldown period has expired. CloudFormation: "If not specified, the default value is 300."
  test('step scale-out during the cooldown counts the capacity the initiating scale-out added', () => {
    const aas = new ApplicationAutoScaling(spec([stepPolicy()]));
    const store = storeOf(10, m => (m < 2 ? 150 : 250));
    // Minute 0 (150 → +2): 4 → 6.
    expect(aas.step({ now: 60, desired: 4, cloudwatch: store, queue })).toBe(6);
    // Minute 2 (250 → +3) within the cooldown: from the base 4, so 4 + 3 = 7 (only 1 more), not 6 + 3.
    expect(aas.step({ now: 180, desired: 6, cloudwatch: store, queue })).toBe(7);
    // After the cooldown (300 s after the first activity): +3 on the current 7.
    expect(aas.step({ now: 360, desired: 7, cloudwatch: store, queue })).toBe(10);
  });

  test('step scale-in waits for the cooldown to end', () => {
    const lowAlarm: AlarmSpec = { ...stepPolicy().alarms[0], logicalId: 'low', threshold: 0, comparison: 'LessThanOrEqualToThreshold' };
    const scaleIn = stepPolicy({ logicalId: 'in', steps: [{ upper: 0, adjustment: -1 }], alarms: [lowAlarm] });
    const aas = new ApplicationAutoScaling(spec([scaleIn]));
    const store = storeOf(12, () => 0);
    expect(aas.step({ now: 60, desired: 5, cloudwatch: store, queue })).toBe(4);
    expect(aas.step({ now: 120, desired: 4, cloudwatch: store, queue })).toBe(4);
    expect(aas.step({ now: 300, desired: 4, cloudwatch: store, queue })).toBe(4);
    expect(aas.step({ now: 360, desired: 4, cloudwatch: store, queue })).toBe(3);
  });

  test('a template without Cooldown gets the documented default of 300 s', () => {
    expect(DEFAULT_STEP_COOLDOWN_SECONDS).toBe(300);
  });

  // https://docs.aws.amazon.com/autoscaling/application/APIReference/API_TargetTrackingScalingPolicyConfiguration.html
  // ScaleInCooldown: "the amount of time, in seconds, after a scale-in activity completes before another scale-in activity can start".
  test('target tracking scale-in waits for ScaleInCooldown after the last scale-in', () => {
    const aas = new ApplicationAutoScaling(spec([tracking({ scaleInCooldownSeconds: 300 })]));
    const store = storeOf(40, () => 5);
    expect(aas.step({ now: 15 * 60, desired: 8, cloudwatch: store, queue })).toBe(4);
    expect(aas.step({ now: 16 * 60, desired: 4, cloudwatch: store, queue })).toBe(4);
    expect(aas.step({ now: 20 * 60, desired: 4, cloudwatch: store, queue })).toBe(2);
  });
});

describe('Application Auto Scaling: step adjustments', () => {
  // https://docs.aws.amazon.com/autoscaling/application/APIReference/API_StepAdjustment.html
  // Bounds are relative to the alarm threshold. Above the threshold the lower bound is inclusive and
  // the upper exclusive; below it the lower bound is exclusive and the upper inclusive.
  test('interval bounds above and below the threshold', () => {
    const policy = stepPolicy({
      steps: [
        { upper: -10, adjustment: -2 }, { lower: -10, upper: 0, adjustment: -1 },
        { lower: 0, upper: 10, adjustment: 1 }, { lower: 10, adjustment: 3 },
      ],
    });
    expect(stepAdjustmentFor(policy, 0, false)).toBe(1); // metric = threshold: [0, 10)
    expect(stepAdjustmentFor(policy, 10, false)).toBe(3); // metric = threshold + 10: [10, ∞)
    expect(stepAdjustmentFor(policy, 0, true)).toBe(-1); // below: (-10, 0]
    expect(stepAdjustmentFor(policy, -10, true)).toBe(-2); // below: (-∞, -10]
  });

  // https://docs.aws.amazon.com/autoscaling/application/userguide/step-scaling-policy-overview.html
  // Adjustment types: ChangeInCapacity, ExactCapacity, PercentChangeInCapacity; "the adjustments can
  // continue for additional alarm breaches until the alarm state returns to OK".
  test('adjustment types, and the policy applies again each minute while the alarm stays in ALARM', () => {
    const store = storeOf(20, () => 150);
    const exact = new ApplicationAutoScaling(spec([stepPolicy({ adjustmentType: 'ExactCapacity', cooldownSeconds: 0, steps: [{ lower: 0, adjustment: 12 }] })]));
    expect(exact.step({ now: 60, desired: 3, cloudwatch: store, queue })).toBe(12);
    const percent = new ApplicationAutoScaling(spec([stepPolicy({ adjustmentType: 'PercentChangeInCapacity', cooldownSeconds: 0, steps: [{ lower: 0, adjustment: 50 }] })]));
    expect(percent.step({ now: 60, desired: 5, cloudwatch: store, queue })).toBe(7); // 5 × 50 % = 2.5 → 2
    expect(percent.step({ now: 120, desired: 1, cloudwatch: store, queue })).toBe(2); // 0.5 → at least 1
    const change = new ApplicationAutoScaling(spec([stepPolicy({ cooldownSeconds: 0 })]));
    let desired = 4;
    for (const now of [60, 120, 180]) desired = change.step({ now, desired, cloudwatch: store, queue });
    expect(desired).toBe(10); // +2 at each of three evaluations
  });
});

describe('CloudWatch', () => {
  // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-available-cloudwatch-metrics.html
  // SQS metrics are collected and pushed to CloudWatch at one-minute intervals; the model makes a
  // datapoint visible `metricDelaySeconds` after its minute ends (60 s in the bench).
  test('a one-minute datapoint is visible only after its minute ends plus the publication delay', () => {
    const store = storeOf(5, m => (m === 2 ? 100 : 0), 60);
    const q = [{ id: 'm', returnData: true, metric: VISIBLE_SUM }];
    // Minute 2 covers [120, 180): published at 180 + 60 = 240.
    expect(store.latest(q, 60, 1, 239)).toEqual([0]);
    expect(store.latest(q, 60, 1, 240)).toEqual([100]);
  });

  // https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html (alarm evaluation)
  // An alarm goes to ALARM when DatapointsToAlarm of the last EvaluationPeriods datapoints breach;
  // missing data treated as not breaching counts as good.
  test('M out of N datapoints, missing data not breaching', () => {
    const store = new MetricStore(0);
    const values = [150, 0, 150, 150];
    values.forEach((v, m) => store.record(m, { ...NO_METRICS, ApproximateNumberOfMessagesVisible: v }));
    const alarm = { ...stepPolicy().alarms[0], evaluationPeriods: 3, datapointsToAlarm: 2 };
    expect(alarmState(alarm, store, 180).alarm).toBe(true); // 150, 0, 150: 2 of 3
    expect(alarmState({ ...alarm, datapointsToAlarm: 3 }, store, 180).alarm).toBe(false);
    expect(alarmState(alarm, store, 60 * 10).alarm).toBe(false); // minutes 7–9 missing
  });
});

describe('ECS', () => {
  const world: WorldOptions = {
    tickSeconds: 5,
    horizonSeconds: 900,
    startDelaySeconds: 60,
    concurrency: 1,
    shutdownGraceSeconds: 25,
    metricDelaySeconds: 60,
    scaleInProtection: true,
    initialDesired: 0,
    seed: 1,
  };
  const jobs = (n: number, seconds: number): Arrival[] => Array.from({ length: n }, () => ({ at: 0, processingSeconds: seconds, tag: 'j' }));
  const fixed = (n: number): Scaler => ({ min: 0, max: n, step: () => n });

  // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-lifecycle-explanation.html and
  // https://aws.amazon.com/fargate/pricing/ : a task passes PROVISIONING and PENDING (image pull)
  // before RUNNING; Fargate bills from the start of the image download until the task stops.
  test('a launched task takes work only after the start delay, and is billed from launch', () => {
    const r = simulate(jobs(1, 30), fixed(1), { ...world, horizonSeconds: 600 });
    expect(r.lastDoneByTag.j).toBe(60 + 30);
    expect(r.workerSeconds).toBe(600);
  });

  // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-scale-in-protection.html
  // A protected task is not stopped by a scale-in; the service runs above its desired count until the
  // task drops its protection. https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html
  // (stopTimeout): an unprotected task gets SIGTERM, then SIGKILL after stopTimeout.
  test('scale-in stops idle and protected-free tasks only; without protection a busy task is stopped and its message released', () => {
    let t = 0;
    const shrink: Scaler = { min: 0, max: 2, step: () => ((t += 5) <= 120 ? 2 : 1) };
    const protectedRun = simulate(jobs(2, 300), shrink, { ...world, initialDesired: 2 });
    expect(protectedRun.redeliveries).toBe(0);
    expect(protectedRun.lastDoneByTag.j).toBe(300);
    t = 0;
    const unprotected = simulate(jobs(2, 300), shrink, { ...world, initialDesired: 2, scaleInProtection: false });
    expect(unprotected.redeliveries).toBe(1);
  });
});

describe('EventBridge Scheduler and the backlog controller', () => {
  // https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html (rate-based schedules)
  test('rate expressions: the interval between invocations', () => {
    expect(rateSeconds('rate(1 minute)')).toBe(60);
    expect(rateSeconds('rate(5 minutes)')).toBe(300);
    expect(rateSeconds('rate(2 hours)')).toBe(7200);
    expect(() => rateSeconds('cron(0 * * * ? *)')).toThrow('is not modelled');
  });

  // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_GetQueueAttributes.html
  // The controller reads ApproximateNumberOfMessages / NotVisible through the API (no CloudWatch delay)
  // once per invocation, and sets the desired count (ECS UpdateService) at once.
  test('the controller acts once per schedule interval on the queue as the API reports it', () => {
    const settings = { targetBacklogPerWorker: 5, workerConcurrency: 1, minWorkers: 0, maxWorkers: 50, includeInFlight: true };
    const c = new Controller({ scheduleSeconds: 60, settings });
    const view = (now: number, visible: number, inFlight: number, desired: number) => ({
      now, desired, cloudwatch: new MetricStore(60), queue: { visible, inFlight },
    });
    expect(c.step(view(0, 100, 0, 0))).toBe(20);
    expect(c.step(view(30, 500, 0, 20))).toBe(20); // between invocations: unchanged
    expect(c.step(view(60, 50, 20, 20))).toBe(20); // 20 / 2 + 50 / 5
    expect(c.step(view(120, 0, 6, 20))).toBe(3);
    expect(c.step(view(180, 0, 0, 3))).toBe(0);
  });
});
