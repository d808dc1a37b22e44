import { Stack, Token } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { SagaProps } from './props';
import { secureQueueRules } from '../../core/secure-queue-rules';
import { describeDuration, groupThousands, nested, Rule, secondsOf, Violations } from '../../core/validation';

/** A state that can take retriers and catchers (tasks, Parallel, Map). */
export interface Recoverable extends sfn.INextable {
  addRetry(props?: sfn.RetryProps): unknown;
  addCatch(handler: sfn.IChainable, props?: sfn.CatchProps): unknown;
}
export const isRecoverable = (s: unknown): s is Recoverable =>
  typeof (s as Recoverable).addCatch === 'function' && typeof (s as Recoverable).addRetry === 'function';
export const isNextable = (s: unknown): s is sfn.INextable & sfn.State => typeof (s as sfn.INextable).next === 'function';

/** The saga's rule table: every violation of its props in one error. */
export const SAGA_RULES: ReadonlyArray<Rule<SagaProps>> = [
  // The needs-a-person queue's settings, named as written (not at the queue's own path).
  nested(p => p.needsAPersonQueueProps, secureQueueRules('needsAPersonQueueProps.')),
  (p, v) => v.check('SAGA_OWN_DEFINITION', p.definition === undefined && p.definitionBody === undefined, {
    prop: p.definition ? 'definition' : 'definitionBody',
    value: 'given',
    allowed: 'unset: the saga builds its definition from steps',
    fix: 'describe the work as steps, or use Workflow for a definition of your own',
  }),
  (p, v) => v.check('SAGA_STEPS', p.steps.length > 0, { prop: 'steps', value: '[] (empty)', allowed: 'at least one step', fix: 'add the saga\'s steps in order' }),
  (p, v) => {
    const pivots = p.steps.map((s, i) => (s.pivot ? i : -1)).filter(i => i >= 0);
    v.check('SAGA_ONE_PIVOT', pivots.length <= 1, {
      prop: `steps[${pivots[1]}].pivot`,
      value: `true (steps[${pivots[0]}] is the pivot already)`,
      allowed: 'one pivot: the single point of no return',
      fix: 'mark only the step after which nothing is undone as pivot; give the others a compensation',
    });
  },
  (p, v) => p.steps.forEach((step, i) => {
    const at = `steps[${i}]`;
    const last = i === p.steps.length - 1;
    // Pass and Wait states cannot fail, so there is nothing to undo for them.
    v.check('SAGA_STEP_COMPENSATION', step.compensation !== undefined || step.pivot === true || last || !isRecoverable(step.action), {
      prop: `${at}.compensation`,
      value: `missing for "${step.name}"`,
      allowed: 'a compensating state, unless the step is the pivot, the last step, or a Pass or Wait',
      fix: `give "${step.name}" a compensation that undoes it (idempotent), mark it pivot: true if nothing after it is undone, `
        + 'or pass a Pass state named for why there is nothing to undo',
    });
    v.check('SAGA_PIVOT_COMPENSATION', !(step.pivot && step.compensation), {
      prop: `${at}.compensation`,
      value: `given for the pivot "${step.name}"`,
      allowed: 'no compensation on the pivot (the point of no return)',
      fix: 'remove the compensation, or remove pivot: true',
    });
    v.check('SAGA_STEP_ACTION', isNextable(step.action), {
      prop: `${at}.action`,
      value: step.action.node.id,
      allowed: 'a state that continues (a task, Pass, Wait, Parallel or Map)',
      fix: 'do not end a step with Succeed or Fail',
    });
    if (step.compensation) {
      v.check('SAGA_STEP_COMPENSATION_STATE', isNextable(step.compensation), {
        prop: `${at}.compensation`, value: step.compensation.node.id, allowed: 'a state that continues (a task or Pass)', fix: 'use a task or a Pass state',
      });
    }
    if (!isRecoverable(step.action)) {
      // A Pass or Wait cannot fail: the saga adds no retrier or catcher to it, so these would be ignored.
      for (const [name, value] of [['retry', step.retry], ['finalErrors', step.finalErrors]] as const) {
        v.notSetWith('SAGA_RETRY_UNUSED', `${at}.${name}`, value, `on a ${step.action.constructor.name} action (it cannot fail, so it is never retried)`,
          `remove ${at}.${name}, or make the action a task`);
      }
    }
    if (step.compensationRetry !== undefined && !(step.compensation && isRecoverable(step.compensation))) {
      v.notSetWith('SAGA_RETRY_UNUSED', `${at}.compensationRetry`, step.compensationRetry,
        step.compensation ? `on a ${step.compensation.constructor.name} compensation (it cannot fail)` : 'without a compensation', `remove ${at}.compensationRetry, or give a task as compensation`);
    }
    retryRules(v, `${at}.retry`, step.retry);
    retryRules(v, `${at}.compensationRetry`, step.compensationRetry);
    const finals = step.finalErrors ?? [];
    v.check('SAGA_FINAL_ERRORS', finals.every(e => typeof e === 'string' && e.length > 0), {
      prop: `${at}.finalErrors`, value: JSON.stringify(finals), allowed: 'error names (non-empty strings)', fix: 'remove the empty names',
    });
    v.check('SAGA_FINAL_ERRORS', !finals.includes(sfn.Errors.ALL), {
      prop: `${at}.finalErrors`,
      value: JSON.stringify(finals),
      allowed: 'named errors (States.ALL would make the retry policy unreachable)',
      fix: 'list the errors retrying cannot fix, e.g. ["PaymentDeclined"]; set retry.maxAttempts to 0 to never retry',
    });
  }),
  (p, v) => {
    // Each step names states "Run <name>" and "Needs a person <name>": Step Functions state names are
    // 1 to 80 characters without control characters (https://states-language.net/spec.html#states-fields;
    // CreateStateMachine), and a name is one construct id, so two steps cannot share it.
    const seen = new Map<string, number>();
    p.steps.forEach((step, i) => {
      const name = step.name;
      // eslint-disable-next-line no-control-regex
      v.check('SAGA_STEP_NAME', typeof name === 'string' && name.length >= 1 && name.length <= 65 && !/[\u0000-\u001f\u007f-\u009f]/.test(name), {
        prop: `steps[${i}].name`,
        value: `"${name}" (${name?.length ?? 0} characters)`,
        allowed: '1 to 65 characters without control characters (state names "Needs a person <name>" must fit Step Functions\' 80)',
        fix: 'name the step for what it does, e.g. "Charge card"',
      });
      const first = seen.get(name);
      v.check('SAGA_STEP_NAME_TAKEN', first === undefined, {
        prop: `steps[${i}].name`, value: `"${name}" (steps[${first}] has it)`, allowed: 'a name no other step uses', fix: 'give each step its own name',
      });
      if (first === undefined) seen.set(name, i);
    });
  },
  (p, v) => {
    // A state has one place in a state machine: the saga links each one (next, catch), so a state
    // given twice, or one already chained to another, cannot be placed.
    const owner = new Map<sfn.State, string>();
    const states: Array<[string, sfn.State | undefined]> = [
      ...p.steps.flatMap((s, i): Array<[string, sfn.State | undefined]> => [[`steps[${i}].action`, s.action], [`steps[${i}].compensation`, s.compensation]]),
      ['onSuccess', p.onSuccess], ['onCompensated', p.onCompensated],
    ];
    for (const [prop, state] of states) {
      if (state === undefined) continue;
      const taken = owner.get(state);
      v.check('SAGA_STATE_REUSED', taken === undefined, {
        prop, value: `${state.node.path} (already ${taken})`, allowed: 'a state of its own (a state has one place in a state machine)', fix: `create a second state for ${prop}`,
      });
      owner.set(state, prop);
      v.check('SAGA_STATE_CHAINED', !isNextable(state) || sfn.State.findReachableStates(state).length === 1, {
        prop,
        value: `${state.node.path} (already followed by ${sfn.State.findReachableStates(state).slice(1, 3).map(x => x.node.id).join(', ')})`,
        allowed: 'a state not yet chained with .next(): the saga links it',
        fix: 'pass the state without .next(...), and make what follows it a step of its own',
      });
    }
    for (const [prop, state] of [['onSuccess', p.onSuccess], ['onCompensated', p.onCompensated]] as const) {
      if (state === undefined) continue;
      v.check('SAGA_STATE_TERMINAL', isNextable(state), {
        prop,
        value: `${state.node.path} (a ${state.constructor.name}, which ends the execution)`,
        allowed: 'a state that continues (a task or Pass): the saga ends the execution itself',
        fix: `use a task or Pass state as ${prop}`,
      });
    }
  },
  (p, v) => {
    const idem = p.idempotency;
    if (!idem) return;
    const path = idem.businessKeyPath;
    if (!Token.isUnresolved(path)) {
      v.check('SAGA_BUSINESS_KEY_PATH', /^\$(\.[A-Za-z0-9_-]+|\[\d+\]|\['[^']+'\])+$/.test(path), {
        prop: 'idempotency.businessKeyPath', value: `"${path}"`, allowed: 'a JSONPath into the execution input, e.g. "$.orderId"', fix: 'write the path from $, e.g. "$.order.id"',
      });
    }
    const key = idem.partitionKey ?? 'pk';
    v.check('SAGA_IDEMPOTENCY_PARTITION_KEY', Token.isUnresolved(key) || (key.length >= 1 && key.length <= 255), {
      prop: 'idempotency.partitionKey', value: `"${key}"`, allowed: 'an attribute name of 1 to 255 characters', fix: 'name the table\'s partition key',
    });
    // A table defined in this app: PutItem succeeds only with the table's full key, as a string.
    const def = keyOf(idem.table);
    if (!def) return;
    const ok = def.partition === key && def.type === 'S' && def.sort === undefined;
    v.check('SAGA_IDEMPOTENCY_TABLE_KEY', ok, {
      prop: 'idempotency.table',
      value: `${idem.table.node.path} keyed by ${def.partition} (${def.type})${def.sort ? ` + sort key ${def.sort}` : ''}`,
      allowed: `a table whose only key is the partition key "${key}" of type STRING (the claim writes { ${key}: <business key> })`,
      fix: `set idempotency.partitionKey to the table's partition key, or give a table keyed by ${key} (STRING) without a sort key`,
    });
  },
];

/** aws-cdk-lib's RetryProps as the States Language takes them (Retrier fields). */
function retryRules(v: Violations, prop: string, r: sfn.RetryProps | undefined): void {
  if (!r) return;
  v.numberInRange('SAGA_RETRY', `${prop}.maxAttempts`, r.maxAttempts, { min: 0, max: 99_999_999 });
  if (r.backoffRate !== undefined && !Token.isUnresolved(r.backoffRate)) {
    v.check('SAGA_RETRY', Number.isFinite(r.backoffRate) && r.backoffRate >= 1, {
      prop: `${prop}.backoffRate`, value: String(r.backoffRate), allowed: 'a number of 1.0 or more', fix: `set ${prop}.backoffRate to 1 or more (2 doubles the wait)`,
    });
  }
  for (const [name, d, max] of [['interval', r.interval, 99_999_999], ['maxDelay', r.maxDelay, 31_622_400]] as const) {
    if (d === undefined || d.isUnresolved()) continue;
    const seconds = secondsOf(d);
    v.check('SAGA_RETRY', seconds !== undefined && Number.isInteger(seconds) && seconds >= 1 && seconds <= max, {
      prop: `${prop}.${name}`,
      value: describeDuration(d),
      allowed: `whole seconds from 1 to ${groupThousands(max)}`,
      fix: `set ${prop}.${name} to Duration.seconds(n), n from 1 to ${groupThousands(max)}`,
    });
  }
}

/** The key of a table defined in this app (its L1 resolved), or undefined for an imported one. */
function keyOf(table: dynamodb.ITable): { partition: string; type: string; sort?: string } | undefined {
  const cfn = table.node.defaultChild;
  if (!(cfn instanceof dynamodb.CfnTable || cfn instanceof dynamodb.CfnGlobalTable)) return undefined;
  const stack = Stack.of(cfn);
  const keys = (stack.resolve(cfn.keySchema) ?? []) as Array<{ attributeName: string; keyType: string }>;
  const types = (stack.resolve(cfn.attributeDefinitions) ?? []) as Array<{ attributeName: string; attributeType: string }>;
  const partition = keys.find(k => k.keyType === 'HASH')?.attributeName;
  if (partition === undefined || Token.isUnresolved(partition)) return undefined;
  return { partition, type: types.find(t => t.attributeName === partition)?.attributeType ?? '?', sort: keys.find(k => k.keyType === 'RANGE')?.attributeName };
}
