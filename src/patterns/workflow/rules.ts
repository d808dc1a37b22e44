import { Duration, Token } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { WorkflowProps } from './props';
import { cronNeverFires, cronProblem } from '../../core/schedule-expression';
import { describeDuration, NAME_RULES, Rule, secondsOf, Violations } from '../../core/validation';

/** AWS's limits on what a workflow emits (Step Functions quotas and the States Language). */
export const WORKFLOW_LIMITS = {
  expressMaxTimeout: Duration.minutes(5),
  standardMaxTimeout: Duration.days(365),
  stateNameMaxLength: 80,
  retryIntervalMaxSeconds: 99_999_999,
  retryMaxAttempts: 99_999_999,
  retryMaxDelayMaxSeconds: 31_622_400,
  mapMaxConcurrency: 10_000,
} as const;

/** What the settings rules look at: the props and what they resolve to. */
export interface WorkflowSettings {
  readonly props: WorkflowProps;
  readonly express: boolean;
  readonly effectiveTimeout: Duration;
  readonly logLevel: sfn.LogLevel;
}

/** Rules on the workflow's settings, checked before anything is built. */
export const WORKFLOW_SETTINGS_RULES: ReadonlyArray<Rule<WorkflowSettings>> = [
  ({ props }, v) => v.check('WORKFLOW_DEFINITION_ONE_OF', (props.definition === undefined) !== (props.definitionBody === undefined), {
    prop: 'definition / definitionBody',
    value: props.definition ? 'both given' : 'neither given',
    allowed: 'exactly one of them',
    fix: 'pass the chain of states as definition, or a sfn.DefinitionBody as definitionBody',
  }),
  ({ props, express }, v) => v.durationInRange('WORKFLOW_TIMEOUT', 'timeout', props.timeout, {
    min: Duration.seconds(1),
    max: express ? WORKFLOW_LIMITS.expressMaxTimeout : WORKFLOW_LIMITS.standardMaxTimeout,
    fix: express
      ? 'Express workflows run at most 5 minutes: shorten timeout, or use stateMachineType STANDARD for longer runs'
      : 'set timeout between 1 second and 365 days',
  }),
  ({ props }, v) => {
    const t = props.timeout;
    if (!t || t.isUnresolved() || secondsOf(t) === undefined) return;
    v.check('WORKFLOW_TIMEOUT_WHOLE_SECONDS', t.toMilliseconds() % 1000 === 0, {
      prop: 'timeout', value: describeDuration(t), allowed: 'whole seconds', fix: 'give timeout in whole seconds',
    });
  },
  ({ props, effectiveTimeout }, v) => {
    const sla = props.executionTimeSla;
    if (!sla || sla.isUnresolved() || effectiveTimeout.isUnresolved()) return;
    const slaSeconds = secondsOf(sla);
    const timeoutSeconds = secondsOf(effectiveTimeout);
    if (timeoutSeconds === undefined) return; // the timeout rule reports it
    v.check('WORKFLOW_SLA_BELOW_TIMEOUT', slaSeconds !== undefined && slaSeconds > 0 && slaSeconds < timeoutSeconds, {
      prop: 'executionTimeSla',
      value: describeDuration(sla),
      allowed: `more than 0 and less than the timeout (${describeDuration(effectiveTimeout)}), or the alarm could never fire`,
      fix: 'lower executionTimeSla below timeout, or raise timeout',
    });
  },
  ({ express, logLevel }, v) => {
    if (!express) return;
    v.check('WORKFLOW_EXPRESS_LOGGING_OFF', logLevel !== sfn.LogLevel.OFF, {
      prop: 'logging.level',
      value: 'OFF',
      allowed: 'ALL, ERROR or FATAL for an Express workflow',
      fix: 'Express workflows keep no execution history, so the log is the only record: use LogLevel.ERROR at least, or leave it unset for ALL',
    });
  },
  ({ props }, v) => v.name('WORKFLOW_STATE_MACHINE_NAME', 'stateMachineName', props.stateMachineName, NAME_RULES.stateMachine),
  ({ props }, v) => v.notSetWith('WORKFLOW_LOG_RETENTION_WITH_EXISTING_GROUP', 'logRetention', props.logging?.existingLogGroup ? props.logRetention : undefined,
    'with logging.existingLogGroup (the retention of your log group is yours; this one would be ignored)',
    'set the retention on your log group, or drop logging.existingLogGroup so the workflow creates one with logRetention'),
  ({ props }, v) => {
    const body = props.definitionBody;
    if (!(body instanceof sfn.StringDefinitionBody) || Token.isUnresolved(body.body)) return;
    const problem = aslProblem(body.body);
    v.check('WORKFLOW_DEFINITION_JSON', problem === undefined, {
      prop: 'definitionBody',
      value: problem ?? '',
      allowed: 'an Amazon States Language document: a JSON object with StartAt naming one of its States (https://states-language.net/spec.html)',
      fix: 'correct the definition string (or build it with definition: a chain of aws-stepfunctions states)',
    });
  },
];

/** The first structural problem of an ASL document given as a string (what CreateStateMachine refuses), or undefined. */
export function aslProblem(body: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (e) {
    return `not JSON (${(e as Error).message})`;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return 'not a JSON object';
  const { StartAt, States } = parsed as { StartAt?: unknown; States?: unknown };
  if (typeof States !== 'object' || States === null || Array.isArray(States) || Object.keys(States).length === 0) return 'no States';
  if (typeof StartAt !== 'string') return 'no StartAt';
  if (!(StartAt in (States as object))) return `StartAt "${StartAt}" names no state (States: ${Object.keys(States as object).slice(0, 10).join(', ')})`;
  return undefined;
}

/**
 * A Wait state with a fixed `Seconds` at least as long as the execution timeout can never finish:
 * every execution that reaches it times out (States.Timeout). Waits on a path or timestamp are
 * not known at synth and not checked.
 */
export function waitRule(timeout: Duration): Rule<RenderedState> {
  return ({ name, where, json }, v) => {
    const seconds = json.Seconds;
    const limit = secondsOf(timeout);
    if (json.Type !== 'Wait' || typeof seconds !== 'number' || Token.isUnresolved(seconds) || limit === undefined) return;
    v.check('WORKFLOW_WAIT_BEYOND_TIMEOUT', seconds < limit, {
      prop: `definition > ${where}${JSON.stringify(name)} (Wait seconds)`,
      value: `${seconds} s, the workflow timeout is ${describeDuration(timeout)}`,
      allowed: 'a wait shorter than the execution timeout (else every execution reaching it times out)',
      fix: 'shorten the wait, or raise timeout (Express: at most 5 minutes; use STANDARD for longer waits)',
    });
  };
}

/**
 * Express workflows support the Request Response pattern only: "Express Workflows do not support
 * Run a Job (.sync) or Wait for Callback (.waitForTaskToken)"
 * (https://docs.aws.amazon.com/step-functions/latest/dg/connect-supported-services.html).
 * CreateStateMachine refuses such a definition for an EXPRESS machine.
 */
export function expressStateRule(express: boolean): Rule<RenderedState> {
  return ({ name, where, json }, v) => {
    if (!express || json.Type !== 'Task' || typeof json.Resource !== 'string') return;
    const pattern = /\.(sync(:\d+)?|waitForTaskToken)$/.exec(json.Resource)?.[1];
    if (pattern === undefined) return;
    v.check('WORKFLOW_EXPRESS_INTEGRATION_PATTERN', false, {
      prop: `definition > ${where}${JSON.stringify(name)} (integration pattern)`,
      value: `.${pattern} in an EXPRESS workflow`,
      allowed: 'Request Response tasks only in an EXPRESS workflow (.sync and .waitForTaskToken need STANDARD)',
      fix: 'use stateMachineType: sfn.StateMachineType.STANDARD, or the task\'s default integrationPattern (REQUEST_RESPONSE)',
    });
  };
}

/** One state as the definition renders it: its name, where it sits, and its JSON. */
export interface RenderedState {
  readonly name: string;
  readonly where: string;
  readonly json: Record<string, unknown>;
}

/**
 * The states of a definition, nested ones included, or undefined when the definition cannot be
 * read at synth time (a file, or a string that is a token). Call after the state machine is
 * built: a Parallel renders its branches only once its graph is bound.
 */
export function renderedStates(definitionBody: sfn.DefinitionBody, startState: sfn.State | undefined): RenderedState[] | undefined {
  const out: RenderedState[] = [];
  const walk = (states: Record<string, Record<string, unknown>>, where: string) => {
    for (const [name, json] of Object.entries(states)) {
      out.push({ name, where, json });
      const branches = (json.Branches as Array<{ States: Record<string, Record<string, unknown>> }> | undefined) ?? [];
      branches.forEach((b, i) => walk(b.States, `${where}${name}.Branches[${i}] > `));
      const inner = (json.ItemProcessor ?? json.Iterator) as { States: Record<string, Record<string, unknown>> } | undefined;
      if (inner) walk(inner.States, `${where}${name}.ItemProcessor > `);
    }
  };
  if (startState) {
    const top: Record<string, Record<string, unknown>> = {};
    for (const s of sfn.State.findReachableStates(startState, { includeErrorHandlers: true })) {
      top[s.stateId] = s.toStateJson() as Record<string, unknown>;
    }
    walk(top, '');
    return out;
  }
  if (definitionBody instanceof sfn.StringDefinitionBody && !Token.isUnresolved(definitionBody.body)) {
    let parsed: { States?: Record<string, Record<string, unknown>> };
    try {
      parsed = JSON.parse(definitionBody.body);
    } catch {
      return undefined; // aws-cdk-lib and AWS report malformed JSON themselves
    }
    walk(parsed.States ?? {}, '');
    return out;
  }
  return undefined;
}

/** The chainable's start state, if the definition is a chain (the states can then be read). */
export function startStateOf(definition: sfn.IChainable | undefined, definitionBody: sfn.DefinitionBody | undefined): sfn.State | undefined {
  if (definition) return definition.startState;
  if (definitionBody instanceof sfn.ChainDefinitionBody) return definitionBody.chainable.startState;
  return undefined;
}

/** Characters AWS refuses in a state name: control characters (U+0000-001F, U+007F-009F). */
// eslint-disable-next-line no-control-regex
const REFUSED_STATE_NAME_CHARS = /[\u0000-\u001f\u007f-\u009f]/;

/** Rules on every state of the definition: names, retriers, Map concurrency. */
export const WORKFLOW_STATE_RULES: ReadonlyArray<Rule<RenderedState>> = [
  ({ name, where }, v) => {
    const chars = [...name].length;
    const control = REFUSED_STATE_NAME_CHARS.test(name);
    v.check('WORKFLOW_STATE_NAME', chars >= 1 && chars <= WORKFLOW_LIMITS.stateNameMaxLength && !control, {
      prop: `definition > ${where}${JSON.stringify(name)} (state name)`,
      value: `${chars} characters${control ? ', with a control character' : ''}`,
      allowed: '1 to 80 characters, no control characters (U+0000-001F, U+007F-009F)',
      fix: 'give the state a shorter name (its id, or stateName), without line breaks or tabs',
    });
  },
  ({ name, where, json }, v) => {
    const retries = (json.Retry as Array<Record<string, unknown>> | undefined) ?? [];
    retries.forEach((r, i) => retrierRules(v, `definition > ${where}${JSON.stringify(name)}.Retry[${i}] (errors ${JSON.stringify(r.ErrorEquals)})`, r));
  },
  ({ name, where, json }, v) => {
    const mc = json.MaxConcurrency;
    if (json.Type !== 'Map' || typeof mc !== 'number' || Token.isUnresolved(mc)) return;
    v.check('WORKFLOW_MAP_MAX_CONCURRENCY', Number.isInteger(mc) && mc >= 0 && mc <= WORKFLOW_LIMITS.mapMaxConcurrency, {
      prop: `definition > ${where}${JSON.stringify(name)}.maxConcurrency`,
      value: String(mc),
      allowed: 'a whole number from 0 (no limit) to 10,000',
      fix: 'set maxConcurrency on the Map to a whole number from 1 to 10,000 (40 is the most an inline Map runs at once), or 0 for no limit',
    });
  },
];

function retrierRules(v: Violations, at: string, r: Record<string, unknown>): void {
  const num = (x: unknown) => (typeof x === 'number' && !Token.isUnresolved(x) ? x : undefined);
  const interval = num(r.IntervalSeconds);
  if (interval !== undefined) {
    v.check('WORKFLOW_RETRY_INTERVAL', Number.isInteger(interval) && interval >= 1 && interval <= WORKFLOW_LIMITS.retryIntervalMaxSeconds, {
      prop: `${at}.interval`,
      value: `${interval} s`,
      allowed: 'a whole number of seconds from 1 to 99,999,999',
      fix: 'give addRetry an interval of at least Duration.seconds(1), in whole seconds',
    });
  }
  const attempts = num(r.MaxAttempts);
  if (attempts !== undefined) {
    v.check('WORKFLOW_RETRY_MAX_ATTEMPTS', Number.isInteger(attempts) && attempts >= 0 && attempts <= WORKFLOW_LIMITS.retryMaxAttempts, {
      prop: `${at}.maxAttempts`,
      value: String(attempts),
      allowed: 'a whole number from 0 (never retry) to 99,999,999',
      fix: 'give addRetry a maxAttempts from 0 to 99,999,999 (a few attempts with backoff is usually right)',
    });
  }
  const backoff = num(r.BackoffRate);
  if (backoff !== undefined) {
    v.check('WORKFLOW_RETRY_BACKOFF_RATE', Number.isFinite(backoff) && backoff >= 1, {
      prop: `${at}.backoffRate`,
      value: String(backoff),
      allowed: 'a number of 1.0 or more',
      fix: 'give addRetry a backoffRate of at least 1 (2 doubles the wait after every attempt)',
    });
  }
  const maxDelay = num(r.MaxDelaySeconds);
  if (maxDelay !== undefined) {
    v.check('WORKFLOW_RETRY_MAX_DELAY', Number.isInteger(maxDelay) && maxDelay >= 1 && maxDelay <= WORKFLOW_LIMITS.retryMaxDelayMaxSeconds, {
      prop: `${at}.maxDelay`,
      value: `${maxDelay} s`,
      allowed: 'a whole number of seconds from 1 to 31,622,400 (366 days)',
      fix: 'give addRetry a maxDelay from Duration.seconds(1) to Duration.days(366), in whole seconds',
    });
  }
}

/**
 * Why EventBridge Scheduler would refuse (or never run) a schedule expression, or undefined
 * (https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html: rate(value unit)
 * with a positive whole value and unit minute(s), hour(s) or day(s); six-field cron;
 * at(yyyy-mm-ddThh:mm:ss)).
 */
export function scheduleExpressionProblem(expression: string, year: number): string | undefined {
  const rate = /^rate\((.*)\)$/.exec(expression);
  if (rate) {
    const m = /^(\d+) (minute|minutes|hour|hours|day|days)$/.exec(rate[1]);
    if (!m) return 'a rate is "<whole number> <minute(s)|hour(s)|day(s)>"';
    if (Number(m[1]) < 1) return 'the rate must be at least 1';
    return undefined;
  }
  const cron = /^cron\((.*)\)$/.exec(expression);
  if (cron) return cronProblem(cron[1]) ?? cronNeverFires(cron[1], year);
  const at = /^at\((.*)\)$/.exec(expression);
  if (at) {
    return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/.test(at[1]) && Number.isFinite(Date.parse(`${at[1]}Z`)) ? undefined : 'at() takes yyyy-mm-ddThh:mm:ss';
  }
  return 'not rate(...), cron(...) or at(...)';
}
