import { CfnParameter, Duration, Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { DashboardOptions, PatternDashboard } from '../../src';
import { PatternValidationError } from '../../src/core/errors';
import { describeDuration, groupThousands, NAME_RULES, Rule, validateProps } from '../../src/core/validation';
import { patternDashboard } from '../../src/monitoring/dashboard-factory';
import { expectBadInput, newStack } from '../support';

interface DemoProps {
  readonly retries?: number;
  readonly age?: Duration;
  readonly name?: string;
  readonly targets?: string[];
}
const rules: Rule<DemoProps>[] = [
  (p, v) => v.numberInRange('DEMO_RETRIES', 'retries', p.retries, { min: 0, max: 185 }),
  (p, v) => v.durationInRange('DEMO_AGE', 'age', p.age, { min: Duration.seconds(60), max: Duration.hours(24) }),
  (p, v) => v.name('DEMO_NAME', 'name', p.name, NAME_RULES.rule),
  (p, v) => v.nonEmpty('DEMO_TARGETS', 'targets', p.targets, 'give at least one target'),
];
class Demo extends Construct {
  constructor(scope: Construct, id: string, props: DemoProps) {
    super(scope, id);
    validateProps(this, props, rules);
  }
}

describe('rule tables (src/core/validation.ts)', () => {
  test('every violation of a construct is reported in one error, each with its code', () => {
    const stack = newStack();
    let error: PatternValidationError | undefined;
    try {
      new Demo(stack, 'Demo', { retries: 200, age: Duration.seconds(10), name: 'bad name!', targets: [] });
    } catch (e) {
      error = e as PatternValidationError;
    }
    expect(error).toBeInstanceOf(PatternValidationError);
    expect(error!.violations.map(v => v.code)).toEqual(['DEMO_RETRIES', 'DEMO_AGE', 'DEMO_NAME', 'DEMO_TARGETS']);
    expect(error!.code).toBe('DEMO_RETRIES');
    expect(error!.constructPath).toBe('TestStack/Demo');
    expect(error!.message).toContain('[TestStack/Demo] 4 invalid settings:');
  });

  test.each([
    ['NaN', Number.NaN], ['Infinity', Number.POSITIVE_INFINITY], ['-1', -1], ['2.5', 2.5],
  ])('a number that is %s gets our message', (_label, retries) => {
    expectBadInput({
      build: (stack: Stack) => new Demo(stack, 'Demo', { retries }),
      path: 'TestStack/Demo',
      code: 'DEMO_RETRIES',
      prop: 'retries',
      value: String(retries),
      allowed: 'a whole number from 0 to 185',
      fix: 'set retries to',
    });
  });

  test('a resource name AWS refuses names its length and characters', () => {
    expectBadInput({
      build: (stack: Stack) => new Demo(stack, 'Demo', { name: 'x'.repeat(65) }),
      path: 'TestStack/Demo',
      code: 'DEMO_NAME',
      prop: 'name',
      value: '65 characters',
      allowed: 'EventBridge rule name of 1 to 64 characters',
      fix: 'rename it',
    });
  });

  test('tokens are never checked', () => {
    const stack = newStack();
    const n = new CfnParameter(stack, 'N', { type: 'Number' }).valueAsNumber;
    const s = new CfnParameter(stack, 'S', { type: 'String' }).valueAsString;
    expect(() => new Demo(stack, 'Demo', { retries: n, name: s, age: Duration.seconds(n) })).not.toThrow();
  });
});

describe('numbers in messages (src/core/validation.ts)', () => {
  test('groupThousands writes what toLocaleString(\'en-US\') writes', () => {
    const numbers = [0, -0, 7, -999, 1_000, -1_000, 2_048, 262_144, 1_209_600, -12_345_678, 123_456_789_012, Number.MAX_SAFE_INTEGER,
      -Number.MAX_SAFE_INTEGER, 2 ** 60, 1e21, 1234.5678, -0.5, NaN, Infinity];
    for (let i = 1; i < 16; i++) numbers.push(Math.floor(7.3 ** i), -Math.floor(3.1 ** (i * 2)));
    for (const n of numbers) expect(groupThousands(n)).toBe(n.toLocaleString('en-US'));
  });

  test('durations name their seconds with thousands separators', () => {
    expect(describeDuration(Duration.days(14))).toBe('14 days (1,209,600 s)');
    expect(describeDuration(Duration.minutes(15))).toBe('15 minutes (900 s)');
    expect(describeDuration(Duration.seconds(30))).toBe('30 seconds');
  });
});

describe('DashboardOptions', () => {
  const build = (options: DashboardOptions) => {
    const stack = newStack();
    const scope = new Construct(stack, 'Pattern');
    return { stack, dashboard: patternDashboard(scope, options, 'demo') };
  };
  test('a dashboard per pattern by default, none when disabled', () => {
    expect(build({}).dashboard).toBeInstanceOf(PatternDashboard);
    expect(build({ dashboardEnabled: false }).dashboard).toBeUndefined();
  });
  test('a shared dashboard is used as it is', () => {
    const stack = newStack();
    const shared = new PatternDashboard(stack, 'Shared');
    expect(patternDashboard(new Construct(stack, 'A'), { dashboard: shared }, 'a')).toBe(shared);
    expect(patternDashboard(new Construct(stack, 'B'), { dashboard: shared }, 'b')).toBe(shared);
  });
  test('a dashboard name with a shared dashboard is refused', () => {
    expectBadInput({
      build: (stack: Stack) => patternDashboard(new Construct(stack, 'P'), { dashboard: new PatternDashboard(stack, 'S'), dashboardName: 'x' }, 'p'),
      path: 'TestStack/P',
      code: 'DASHBOARD_NAME_WITH_SHARED',
      prop: 'dashboardName',
      value: 'x',
      allowed: 'no value together with dashboard',
      fix: 'name the shared PatternDashboard',
    });
  });
});
