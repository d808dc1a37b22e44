import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { SagaProps } from './props';
import { Rule } from '../../core/validation';

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
    const finals = step.finalErrors ?? [];
    v.check('SAGA_FINAL_ERRORS', !finals.includes(sfn.Errors.ALL), {
      prop: `${at}.finalErrors`,
      value: JSON.stringify(finals),
      allowed: 'named errors (States.ALL would make the retry policy unreachable)',
      fix: 'list the errors retrying cannot fix, e.g. ["PaymentDeclined"]; set retry.maxAttempts to 0 to never retry',
    });
  }),
];
