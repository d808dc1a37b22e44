import { Duration, Token } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { IConstruct } from 'constructs';
import { check, checkDurationInRange, describeDuration } from '../../core/validation';

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

/** One state as the definition renders it: its name, where it sits, and its JSON. */
interface RenderedState {
  readonly name: string;
  readonly where: string;
  readonly json: Record<string, unknown>;
}

/**
 * The states of a definition, nested ones included, or undefined when the definition cannot be
 * read at synth time (a file, or a string that is a token).
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
      return undefined; // aws-cdk-lib / AWS report malformed JSON themselves
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

/** Checks what AWS would refuse at deploy time in each state: names, retriers, Map concurrency. */
export function checkStates(scope: IConstruct, states: readonly RenderedState[]): void {
  for (const { name, where, json } of states) {
    const at = `definition > ${where}"${name}"`;
    const chars = [...name].length;
    check(scope, chars >= 1 && chars <= WORKFLOW_LIMITS.stateNameMaxLength && !REFUSED_STATE_NAME_CHARS.test(name), {
      prop: `${at} (state name)`,
      value: `${chars} characters${REFUSED_STATE_NAME_CHARS.test(name) ? ', with a control character' : ''}`,
      allowed: '1 to 80 characters, no control characters (U+0000-001F, U+007F-009F)',
      fix: 'give the state a shorter name (the id, or `stateName`), without line breaks or tabs',
    });
    const retries = (json.Retry as Array<Record<string, unknown>> | undefined) ?? [];
    retries.forEach((r, i) => checkRetrier(scope, `${at}.Retry[${i}] (errors ${JSON.stringify(r.ErrorEquals)})`, r));
    if (json.Type === 'Map') {
      const mc = json.MaxConcurrency;
      if (typeof mc === 'number' && !Token.isUnresolved(mc)) {
        check(scope, Number.isInteger(mc) && mc >= 0 && mc <= WORKFLOW_LIMITS.mapMaxConcurrency, {
          prop: `${at}.maxConcurrency`,
          value: String(mc),
          allowed: 'a whole number from 0 (no limit) to 10,000',
          fix: 'set maxConcurrency on the Map to a whole number from 1 to 10,000 (40 is the most an inline Map runs at once), or 0 for no limit',
        });
      }
    }
  }
}

function checkRetrier(scope: IConstruct, at: string, r: Record<string, unknown>): void {
  const num = (v: unknown) => typeof v === 'number' && !Token.isUnresolved(v) ? v : undefined;
  const interval = num(r.IntervalSeconds);
  if (interval !== undefined) {
    check(scope, Number.isInteger(interval) && interval >= 1 && interval <= WORKFLOW_LIMITS.retryIntervalMaxSeconds, {
      prop: `${at}.interval`,
      value: `${interval} s`,
      allowed: 'a whole number of seconds from 1 to 99,999,999',
      fix: 'give addRetry an interval of at least Duration.seconds(1), in whole seconds',
    });
  }
  const attempts = num(r.MaxAttempts);
  if (attempts !== undefined) {
    check(scope, Number.isInteger(attempts) && attempts >= 0 && attempts <= WORKFLOW_LIMITS.retryMaxAttempts, {
      prop: `${at}.maxAttempts`,
      value: String(attempts),
      allowed: 'a whole number from 0 (never retry) to 99,999,999',
      fix: 'give addRetry a maxAttempts from 0 to 99,999,999 (a few attempts with backoff is usually right)',
    });
  }
  const backoff = num(r.BackoffRate);
  if (backoff !== undefined) {
    check(scope, Number.isFinite(backoff) && backoff >= 1, {
      prop: `${at}.backoffRate`,
      value: String(backoff),
      allowed: 'a number of 1.0 or more',
      fix: 'give addRetry a backoffRate of at least 1 (2 doubles the wait after every attempt)',
    });
  }
  const maxDelay = num(r.MaxDelaySeconds);
  if (maxDelay !== undefined) {
    check(scope, Number.isInteger(maxDelay) && maxDelay >= 1 && maxDelay <= WORKFLOW_LIMITS.retryMaxDelayMaxSeconds, {
      prop: `${at}.maxDelay`,
      value: `${maxDelay} s`,
      allowed: 'a whole number of seconds from 1 to 31,622,400 (366 days)',
      fix: 'give addRetry a maxDelay from Duration.seconds(1) to Duration.days(366), in whole seconds',
    });
  }
}

/** Timeout, SLA and logging checks that depend on the workflow type. */
export function checkWorkflowSettings(scope: IConstruct, settings: {
  express: boolean;
  timeout?: Duration;
  effectiveTimeout: Duration;
  executionTimeSla?: Duration;
  logLevel?: sfn.LogLevel;
  stateMachineName?: string;
}): void {
  const { express } = settings;
  checkDurationInRange(scope, 'timeout', settings.timeout, {
    min: Duration.seconds(1),
    max: express ? WORKFLOW_LIMITS.expressMaxTimeout : WORKFLOW_LIMITS.standardMaxTimeout,
    fix: express
      ? 'Express workflows run at most 5 minutes: shorten timeout, or use stateMachineType STANDARD for longer runs'
      : 'set timeout between 1 second and 365 days',
  });
  if (settings.timeout && !settings.timeout.isUnresolved()) {
    check(scope, settings.timeout.toMilliseconds() % 1000 === 0, {
      prop: 'timeout',
      value: describeDuration(settings.timeout),
      allowed: 'whole seconds',
      fix: 'give timeout in whole seconds',
    });
  }
  const sla = settings.executionTimeSla;
  if (sla && !sla.isUnresolved() && !settings.effectiveTimeout.isUnresolved()) {
    check(scope, sla.toMilliseconds() > 0 && sla.toMilliseconds() < settings.effectiveTimeout.toMilliseconds(), {
      prop: 'executionTimeSla',
      value: describeDuration(sla),
      allowed: `more than 0 and less than the timeout (${describeDuration(settings.effectiveTimeout)}), or the alarm could never fire`,
      fix: 'lower executionTimeSla below timeout, or raise timeout',
    });
  }
  if (express) {
    check(scope, settings.logLevel !== sfn.LogLevel.OFF, {
      prop: 'logging.level',
      value: 'OFF',
      allowed: 'ALL, ERROR or FATAL for an Express workflow',
      fix: 'Express workflows keep no execution history, so the log is the only record: use LogLevel.ERROR at least, or leave it unset for ALL',
    });
  }
  const name = settings.stateMachineName;
  if (name !== undefined && !Token.isUnresolved(name)) {
    check(scope, /^[A-Za-z0-9_-]{1,80}$/.test(name), {
      prop: 'stateMachineName',
      value: JSON.stringify(name),
      allowed: '1 to 80 characters: letters, digits, - and _ (other characters break CloudWatch Logs)',
      fix: 'rename the state machine, or leave stateMachineName unset',
    });
  }
}
