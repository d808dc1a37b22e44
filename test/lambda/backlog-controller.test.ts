import { ControllerConfig, readControllerConfig } from '../../lambda/backlog-controller/config';
import { controlStep, ControllerPort } from '../../lambda/backlog-controller/controller';
import { desiredWorkers, DecisionSettings, neededWorkers } from '../../lambda/backlog-controller/decide';

const SETTINGS: DecisionSettings = { targetBacklogPerWorker: 5, workerConcurrency: 1, minWorkers: 0, maxWorkers: 50, includeInFlight: true };
const ENV = {
  QUEUE_URL: 'http://127.0.0.1:4566/000000000000/jobs',
  CLUSTER_NAME: 'workers',
  SERVICE_NAME: 'transcoders',
  METRIC_NAMESPACE: 'CdkIntegrationPatterns/BacklogScaling',
  SCALING_NAME: 'Stack/Workers/Scaling',
  TARGET_BACKLOG_PER_WORKER: '5',
  WORKER_CONCURRENCY: '1',
  MIN_WORKERS: '0',
  MAX_WORKERS: '50',
};

describe('desiredWorkers', () => {
  test('waiting messages spread at the target per worker; in-flight ones count half a slot', () => {
    expect(desiredWorkers({ visible: 100, inFlight: 0 }, SETTINGS)).toBe(20);
    expect(desiredWorkers({ visible: 0, inFlight: 20 }, SETTINGS)).toBe(10);
    expect(desiredWorkers({ visible: 10, inFlight: 20 }, SETTINGS)).toBe(12);
    expect(desiredWorkers({ visible: 11, inFlight: 20 }, SETTINGS)).toBe(13); // 12.2 rounds up
  });
  test('scale from zero: one message is one worker; nothing is zero', () => {
    expect(desiredWorkers({ visible: 1, inFlight: 0 }, SETTINGS)).toBe(1);
    expect(desiredWorkers({ visible: 0, inFlight: 1 }, SETTINGS)).toBe(1);
    expect(desiredWorkers({ visible: 0, inFlight: 0 }, SETTINGS)).toBe(0);
  });
  test('within min and max; the need before the limits is kept for the at-max alarm', () => {
    expect(desiredWorkers({ visible: 10_000, inFlight: 0 }, SETTINGS)).toBe(50);
    expect(neededWorkers({ visible: 10_000, inFlight: 0 }, SETTINGS)).toBe(2000);
    expect(desiredWorkers({ visible: 0, inFlight: 0 }, { ...SETTINGS, minWorkers: 2 })).toBe(2);
  });
  test('concurrency: a worker with 4 slots holds 4 in-flight messages', () => {
    expect(desiredWorkers({ visible: 0, inFlight: 40 }, { ...SETTINGS, workerConcurrency: 4, targetBacklogPerWorker: 20 })).toBe(5);
  });
  test('without in-flight messages: only the waiting ones', () => {
    expect(desiredWorkers({ visible: 10, inFlight: 40 }, { ...SETTINGS, includeInFlight: false })).toBe(2);
  });
  test('exact multiples do not round up through float error; negative approximations read as 0', () => {
    expect(desiredWorkers({ visible: 0.3 * 10, inFlight: 0 }, { ...SETTINGS, targetBacklogPerWorker: 0.1 * 3 })).toBe(10);
    expect(desiredWorkers({ visible: -3, inFlight: 0 }, SETTINGS)).toBe(0);
  });
});

describe('readControllerConfig', () => {
  test('reads the contract BacklogScaling sets', () => {
    expect(readControllerConfig(ENV)).toEqual({
      queueUrl: ENV.QUEUE_URL,
      clusterName: 'workers',
      serviceName: 'transcoders',
      metricNamespace: ENV.METRIC_NAMESPACE,
      scalingName: ENV.SCALING_NAME,
      targetBacklogPerWorker: 5,
      workerConcurrency: 1,
      minWorkers: 0,
      maxWorkers: 50,
      includeInFlight: true,
    });
    expect(readControllerConfig({ ...ENV, INCLUDE_IN_FLIGHT: 'false', WORKER_CONCURRENCY: undefined }).includeInFlight).toBe(false);
  });
  test('refuses missing and bad values, naming the variable, the value, the range and the fix', () => {
    expect(() => readControllerConfig({ ...ENV, SERVICE_NAME: '' })).toThrow('SERVICE_NAME is not set: expected the name of the ECS service to scale. Fix: set SERVICE_NAME');
    expect(() => readControllerConfig({ ...ENV, MAX_WORKERS: '0' })).toThrow('MAX_WORKERS="0" is invalid: expected a whole number from 1 to 10000. Fix:');
    expect(() => readControllerConfig({ ...ENV, TARGET_BACKLOG_PER_WORKER: 'NaN' })).toThrow('TARGET_BACKLOG_PER_WORKER="NaN" is invalid');
    expect(() => readControllerConfig({ ...ENV, WORKER_CONCURRENCY: '101' })).toThrow('WORKER_CONCURRENCY="101" is invalid: expected a whole number from 1 to 100');
    expect(() => readControllerConfig({ ...ENV, MIN_WORKERS: '9', MAX_WORKERS: '3' })).toThrow('MIN_WORKERS=9 is more than MAX_WORKERS=3');
  });
});

describe('readControllerConfig: the target derived at run time (BacklogScaling got a token latency, processing time or concurrency)', () => {
  const { TARGET_BACKLOG_PER_WORKER: _given, ...BASE } = ENV;
  const DERIVED = { ...BASE, ACCEPTABLE_LATENCY: '5', ACCEPTABLE_LATENCY_UNIT_MS: '60000', AVERAGE_PROCESSING_TIME: '30', AVERAGE_PROCESSING_TIME_UNIT_MS: '1000' };

  test('computes workerConcurrency x latency / processing time from the amounts and their units, rounded as at synth', () => {
    expect(readControllerConfig(DERIVED).targetBacklogPerWorker).toBe(10); // 5 min / 30 s
    expect(readControllerConfig({ ...DERIVED, WORKER_CONCURRENCY: '4' }).targetBacklogPerWorker).toBe(40);
    // 4 x 2 min / 45 s = 10.666... -> 10.67, the number BacklogScaling computes for known values
    expect(readControllerConfig({ ...DERIVED, WORKER_CONCURRENCY: '4', ACCEPTABLE_LATENCY: '120000', ACCEPTABLE_LATENCY_UNIT_MS: '1', AVERAGE_PROCESSING_TIME: '45' }).targetBacklogPerWorker).toBe(10.67);
    expect(readControllerConfig({ ...DERIVED, ACCEPTABLE_LATENCY: '1', ACCEPTABLE_LATENCY_UNIT_MS: '3600000', AVERAGE_PROCESSING_TIME: '0.5', AVERAGE_PROCESSING_TIME_UNIT_MS: '60000' }).targetBacklogPerWorker).toBe(120);
  });

  test('the computed target decides like the given one', () => {
    const observation = { visible: 100, inFlight: 4 };
    expect(desiredWorkers(observation, readControllerConfig(DERIVED))).toBe(desiredWorkers(observation, readControllerConfig({ ...BASE, TARGET_BACKLOG_PER_WORKER: '10' })));
  });

  test('refuses bad amounts and units, naming the variable, the value, the range and the fix', () => {
    expect(() => readControllerConfig({ ...DERIVED, ACCEPTABLE_LATENCY: 'abc' })).toThrow(
      'ACCEPTABLE_LATENCY="abc" is invalid: expected a number greater than 0 (acceptableLatency, in units of ACCEPTABLE_LATENCY_UNIT_MS milliseconds). Fix: give acceptableLatency a value greater than 0');
    expect(() => readControllerConfig({ ...DERIVED, AVERAGE_PROCESSING_TIME: '0' })).toThrow('AVERAGE_PROCESSING_TIME="0" is invalid: expected a number greater than 0');
    expect(() => readControllerConfig({ ...DERIVED, AVERAGE_PROCESSING_TIME: '-3' })).toThrow('AVERAGE_PROCESSING_TIME="-3" is invalid');
    expect(() => readControllerConfig({ ...DERIVED, ACCEPTABLE_LATENCY_UNIT_MS: '7' })).toThrow(
      'ACCEPTABLE_LATENCY_UNIT_MS="7" is invalid: expected one of 1, 1000, 60000, 3600000, 86400000 (milliseconds in a millisecond, second, minute, hour, day). Fix: set ACCEPTABLE_LATENCY_UNIT_MS');
    expect(() => readControllerConfig({ ...DERIVED, AVERAGE_PROCESSING_TIME_UNIT_MS: undefined })).toThrow('AVERAGE_PROCESSING_TIME_UNIT_MS is not set: expected the milliseconds in the unit of AVERAGE_PROCESSING_TIME');
    expect(() => readControllerConfig({ ...DERIVED, AVERAGE_PROCESSING_TIME: undefined })).toThrow('AVERAGE_PROCESSING_TIME is not set');
  });

  test('refuses a processing time not under the latency (the cross rule BacklogScaling skips for a token)', () => {
    expect(() => readControllerConfig({ ...DERIVED, AVERAGE_PROCESSING_TIME: '300' })).toThrow(
      'AVERAGE_PROCESSING_TIME=300 x 1000 ms (300000 ms) is not less than ACCEPTABLE_LATENCY=5 x 60000 ms (300000 ms): expected a processing time greater than 0 and less than the acceptable latency');
    expect(() => readControllerConfig({ ...DERIVED, AVERAGE_PROCESSING_TIME: '6', AVERAGE_PROCESSING_TIME_UNIT_MS: '60000' })).toThrow('Fix: raise acceptableLatency above averageProcessingTime');
  });

  test('refuses a computed target above 1,000,000 per worker', () => {
    expect(() => readControllerConfig({ ...DERIVED, ACCEPTABLE_LATENCY: '1', ACCEPTABLE_LATENCY_UNIT_MS: '86400000', AVERAGE_PROCESSING_TIME: '1', AVERAGE_PROCESSING_TIME_UNIT_MS: '1', WORKER_CONCURRENCY: '100' }))
      .toThrow('is 8640000000: expected at most 1000000 messages per worker');
  });

  test('one of the target and its inputs: both or neither is refused', () => {
    expect(() => readControllerConfig({ ...DERIVED, TARGET_BACKLOG_PER_WORKER: '5' })).toThrow(
      'TARGET_BACKLOG_PER_WORKER is set together with ACCEPTABLE_LATENCY and AVERAGE_PROCESSING_TIME: expected one of them');
    expect(() => readControllerConfig(BASE)).toThrow('TARGET_BACKLOG_PER_WORKER is not set, nor ACCEPTABLE_LATENCY and AVERAGE_PROCESSING_TIME');
  });
});

describe('controlStep', () => {
  function fakePort(queue: { visible: number; inFlight: number }, service: { desired: number; running: number }) {
    const calls: string[] = [];
    const published: Array<Record<string, number>> = [];
    const port: ControllerPort = {
      queueDepth: async () => queue,
      service: async () => ({ ...service, pending: 0 }),
      setDesired: async (_c, _s, desired) => { calls.push(`setDesired ${desired}`); },
      publish: async (_n, _d, values) => { published.push(values); },
    };
    return { port, calls, published };
  }
  const config: ControllerConfig = readControllerConfig(ENV);

  test('sets the desired count when the decision differs, and publishes what it saw and decided', async () => {
    const f = fakePort({ visible: 100, inFlight: 4 }, { desired: 3, running: 3 });
    const r = await controlStep(config, f.port);
    expect(r).toEqual({ visible: 100, inFlight: 4, needed: 22, running: 3, previousDesired: 3, desired: 22, changed: true });
    expect(f.calls).toEqual(['setDesired 22']);
    expect(f.published).toEqual([{ NeededWorkers: 22, DesiredWorkers: 22, RunningWorkers: 3 }]);
  });
  test('leaves the service alone when the count is right (no UpdateService call), still publishes', async () => {
    const f = fakePort({ visible: 0, inFlight: 0 }, { desired: 0, running: 0 });
    expect((await controlStep(config, f.port)).changed).toBe(false);
    expect(f.calls).toEqual([]);
    expect(f.published).toHaveLength(1);
  });
  test('a failing read fails the step (the invocation errors and is alarmed), nothing is set', async () => {
    const f = fakePort({ visible: 0, inFlight: 0 }, { desired: 0, running: 0 });
    const broken: ControllerPort = { ...f.port, queueDepth: async () => { throw new Error('AccessDenied'); } };
    await expect(controlStep(config, broken)).rejects.toThrow('AccessDenied');
    expect(f.calls).toEqual([]);
  });
});
