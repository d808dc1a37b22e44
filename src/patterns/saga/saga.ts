import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { SagaProps, SagaStep } from './saga-props';
import { SecureQueue } from '../../core/secure-queue';
import { check } from '../../core/validation';
import { createAlarm } from '../../monitoring/alarm-factory';
import { IMonitoredBlock } from '../../monitoring/monitored-block';
import { PatternDashboard } from '../../monitoring/pattern-dashboard';
import { QueueMetrics } from '../../monitoring/queue-metrics';
import { Workflow } from '../workflow/workflow';

/** Where the saga keeps what went wrong, inside the execution's state. */
const ERROR_PATH = '$.saga.error';
const COMPENSATION_ERROR_PATH = '$.saga.compensationError';
const ESCALATED_PATH = '$.saga.escalated';

const DEFAULT_RETRY: sfn.RetryProps = {
  errors: [sfn.Errors.ALL], interval: Duration.seconds(1), maxAttempts: 3, backoffRate: 2, jitterStrategy: sfn.JitterType.FULL,
};
const DEFAULT_COMPENSATION_RETRY: sfn.RetryProps = {
  errors: [sfn.Errors.ALL],
  interval: Duration.seconds(2),
  maxAttempts: 6,
  backoffRate: 2,
  maxDelay: Duration.minutes(1),
  jitterStrategy: sfn.JitterType.FULL,
};

/** A state that can take retriers and catchers (tasks, Parallel, Map). */
interface Recoverable extends sfn.INextable {
  addRetry(props?: sfn.RetryProps): unknown;
  addCatch(handler: sfn.IChainable, props?: sfn.CatchProps): unknown;
}
const isRecoverable = (s: unknown): s is Recoverable => typeof (s as Recoverable).addCatch === 'function' && typeof (s as Recoverable).addRetry === 'function';
const isNextable = (s: unknown): s is sfn.INextable & sfn.State => typeof (s as sfn.INextable).next === 'function';

/**
 * The compensation pattern on a {@link Workflow}: ordered steps, each an action with its retry
 * policy and a compensating action. When a step fails, the completed steps (and the failed one,
 * whose effect may have happened) are compensated in reverse order; compensations retry with
 * backoff; a compensation that still fails sends the case to a needs-a-person queue (alarmed)
 * and the others still run; the execution ends in Fail with the original error and cause.
 * After the pivot step, failures are not compensated but sent to a person.
 *
 * @example
 * new Saga(this, 'Order', {
 *   steps: [
 *     { name: 'Reserve stock', action: reserve, compensation: release, finalErrors: ['OutOfStock'] },
 *     { name: 'Charge payment', action: charge, compensation: refund, finalErrors: ['PaymentDeclined'] },
 *     { name: 'Request shipping', action: ship, pivot: true },
 *   ],
 *   idempotency: { table: claims, businessKeyPath: '$.orderId' },
 * });
 */
export class Saga extends Construct implements IMonitoredBlock {
  /** The workflow that runs the saga. */
  public readonly workflow: Workflow;
  /** Failed compensations and failures after the pivot: a person must look at each message. */
  public readonly needsAPersonQueue: SecureQueue;
  /** The dashboard (the saga's own or the one handed in); undefined when disabled. */
  public readonly dashboard?: PatternDashboard;
  private readonly ownAlarms: cloudwatch.IAlarm[] = [];

  constructor(scope: Construct, id: string, props: SagaProps) {
    super(scope, id);
    this.validate(props);

    this.needsAPersonQueue = new SecureQueue(this, 'NeedsAPerson', {
      retentionPeriod: Duration.days(14),
      alarmsEnabled: props.alarmsEnabled,
      alarmTopic: props.alarmTopic,
      ...props.needsAPersonQueueProps,
    });
    if (props.alarmsEnabled ?? true) {
      this.ownAlarms.push(createAlarm(this, 'NeedsAPersonAlarm', {
        metric: QueueMetrics.visibleMessages(this.needsAPersonQueue.queue),
        threshold: 0,
        evaluationPeriods: 1,
        description: `A compensation of ${this.node.path} failed after its retries, or a step after the pivot failed: `
          + 'each message on the needs-a-person queue names the execution, the step and the error. Fix the cause, finish the undo by hand '
          + '(or redrive the execution), then delete the message.',
        alarmTopic: props.alarmTopic,
      }));
    }

    this.dashboard = props.existingDashboard
      ?? ((props.dashboardEnabled ?? true) ? new PatternDashboard(this, 'Dashboard', { dashboardName: props.dashboardName, description: 'Saga: executions, and the cases that need a person.' }) : undefined);
    this.workflow = new Workflow(this, 'Workflow', {
      ...props,
      definition: this.buildDefinition(props),
      existingDashboard: this.dashboard,
      dashboardEnabled: false,
    });
    this.dashboard?.addSection('Needs a person', this.needsAPersonQueue.dashboardWidgets(), this.ownAlarms);
  }

  /** The workflow's alarms, the needs-a-person alarm and the queue's own. */
  public get alarms(): cloudwatch.IAlarm[] {
    return [...this.workflow.alarms, ...this.ownAlarms, ...this.needsAPersonQueue.alarms];
  }

  /** The workflow's widgets and the needs-a-person queue's. */
  public dashboardWidgets(): cloudwatch.IWidget[] {
    return [...this.workflow.dashboardWidgets(), ...this.needsAPersonQueue.dashboardWidgets()];
  }

  private validate(props: SagaProps): void {
    check(this, props.definition === undefined && props.definitionBody === undefined, {
      prop: props.definition ? 'definition' : 'definitionBody',
      value: 'given',
      allowed: 'unset: the saga builds its definition from steps',
      fix: 'describe the work as steps, or use Workflow for a definition of your own',
    });
    check(this, props.steps.length > 0, { prop: 'steps', value: '[] (empty)', allowed: 'at least one step', fix: 'add the saga\'s steps in order' });
    const pivots = props.steps.map((s, i) => (s.pivot ? i : -1)).filter(i => i >= 0);
    check(this, pivots.length <= 1, {
      prop: `steps[${pivots[1]}].pivot`,
      value: `true (steps[${pivots[0]}] is the pivot already)`,
      allowed: 'one pivot: the single point of no return',
      fix: 'mark only the step after which nothing is undone as pivot; give the others a compensation',
    });
    props.steps.forEach((step, i) => {
      const at = `steps[${i}]`;
      const last = i === props.steps.length - 1;
      // Pass and Wait states cannot fail, so there is nothing to undo for them.
      check(this, step.compensation !== undefined || step.pivot === true || last || !isRecoverable(step.action), {
        prop: `${at}.compensation`,
        value: `missing for "${step.name}"`,
        allowed: 'a compensating state, unless the step is the pivot or the last step',
        fix: `give "${step.name}" a compensation that undoes it (idempotent), mark it pivot: true if nothing after it is undone, `
          + 'or pass a Pass state named for why there is nothing to undo',
      });
      check(this, !(step.pivot && step.compensation), {
        prop: `${at}.compensation`,
        value: `given for the pivot "${step.name}"`,
        allowed: 'no compensation on the pivot (the point of no return)',
        fix: 'remove the compensation, or remove pivot: true',
      });
      check(this, isNextable(step.action), {
        prop: `${at}.action`, value: step.action.node.id, allowed: 'a state that continues (a task, Pass, Wait, Parallel or Map)', fix: 'do not end a step with Succeed or Fail',
      });
      if (step.compensation) {
        check(this, isNextable(step.compensation), {
          prop: `${at}.compensation`, value: step.compensation.node.id, allowed: 'a state that continues (a task or Pass)', fix: 'use a task or a Pass state',
        });
      }
      const finals = step.finalErrors ?? [];
      check(this, !finals.includes(sfn.Errors.ALL), {
        prop: `${at}.finalErrors`,
        value: JSON.stringify(finals),
        allowed: 'named errors (States.ALL would make the retry policy unreachable)',
        fix: 'list the errors retrying cannot fix, e.g. ["PaymentDeclined"]; set retry.maxAttempts to 0 to never retry',
      });
    });
  }

  private buildDefinition(props: SagaProps): sfn.IChainable {
    const steps = props.steps;
    const pivot = steps.findIndex(s => s.pivot === true);
    const failed = new sfn.Fail(this, 'Saga failed', { errorPath: `${ERROR_PATH}.Error`, causePath: `${ERROR_PATH}.Cause` });
    const needsAPerson = new sfn.Fail(this, 'Saga needs a person', {
      error: 'SagaNeedsAPerson',
      cause: 'A compensation, or a step after the pivot, failed after its retries: the case is on the needs-a-person queue.',
    });
    const ended = new sfn.Choice(this, 'Compensation complete')
      .when(sfn.Condition.isPresent(ESCALATED_PATH), needsAPerson)
      .otherwise(failed);

    // The compensation chain, last step first: C(n) -> ... -> C(1) -> onCompensated -> ended.
    let next: sfn.State = ended;
    if (props.onCompensated) next = this.compensating('on compensated', props.onCompensated, undefined, next);
    const entry: sfn.State[] = new Array(steps.length);
    let nearest = next;
    for (let i = 0; i < steps.length; i++) {
      // Built forwards by linking backwards: entry[i] is where a failure of step i starts undoing.
      const s = steps[i];
      if (s.compensation) nearest = this.compensating(s.name, s.compensation, s.compensationRetry, nearest);
      entry[i] = nearest;
    }

    const afterPivot = this.escalation('after pivot', sfn.TaskInput.fromObject({
      'execution.$': '$$.Execution.Id',
      'stateMachine.$': '$$.StateMachine.Name',
      'reason': 'a step after the pivot failed',
      'error.$': ERROR_PATH,
      'input.$': '$$.Execution.Input',
    })).next(needsAPerson);
    const onFailure = (i: number) => (pivot >= 0 && i > pivot ? afterPivot : entry[Math.min(i, steps.length - 1)]);

    // The steps, forwards.
    const succeed = new sfn.Succeed(this, 'Saga succeeded');
    let tail: sfn.IChainable = succeed;
    if (props.onSuccess) {
      this.recover(props.onSuccess, undefined, [], onFailure(steps.length));
      (props.onSuccess as unknown as sfn.INextable).next(succeed);
      tail = props.onSuccess;
    }
    for (let i = steps.length - 1; i >= 0; i--) {
      const s = steps[i];
      this.recover(s.action, s.retry, s.finalErrors ?? [], onFailure(i));
      (s.action as unknown as sfn.INextable).next(tail);
      tail = s.runIf
        ? new sfn.Choice(this, `Run ${s.name}`).when(s.runIf, s.action).otherwise(tail)
        : s.action;
    }
    if (!props.idempotency) return tail;

    const { table, partitionKey, businessKeyPath } = props.idempotency;
    const claim = new tasks.DynamoPutItem(this, 'Claim business key', {
      table,
      item: {
        [partitionKey ?? 'pk']: tasks.DynamoAttributeValue.fromString(sfn.JsonPath.stringAt(businessKeyPath)),
        execution: tasks.DynamoAttributeValue.fromString(sfn.JsonPath.stringAt('$$.Execution.Id')),
        claimedAt: tasks.DynamoAttributeValue.fromString(sfn.JsonPath.stringAt('$$.Execution.StartTime')),
      },
      conditionExpression: 'attribute_not_exists(#pk)',
      expressionAttributeNames: { '#pk': partitionKey ?? 'pk' },
      resultPath: sfn.JsonPath.DISCARD,
    });
    const duplicate = new sfn.Succeed(this, 'Duplicate ignored', { comment: 'An execution for this business key ran already' });
    claim.addRetry({ errors: ['DynamoDB.ConditionalCheckFailedException'], maxAttempts: 0 });
    claim.addRetry(DEFAULT_RETRY);
    claim.addCatch(duplicate, { errors: ['DynamoDB.ConditionalCheckFailedException'] });
    claim.addCatch(failed, { errors: [sfn.Errors.ALL], resultPath: ERROR_PATH });
    return claim.next(tail);
  }

  /** Retry policy and catch-to-compensation on an action. */
  private recover(action: sfn.State, retry: sfn.RetryProps | undefined, finalErrors: string[], onFailure: sfn.State): void {
    if (!isRecoverable(action)) return; // Pass and Wait do not fail
    if (finalErrors.length > 0) action.addRetry({ errors: finalErrors, maxAttempts: 0 });
    action.addRetry(retry ?? DEFAULT_RETRY);
    action.addCatch(onFailure, { errors: [sfn.Errors.ALL], resultPath: ERROR_PATH });
  }

  /** A compensation with its retry; if it still fails, the case goes to a person and undoing goes on. */
  private compensating(name: string, compensation: sfn.State, retry: sfn.RetryProps | undefined, next: sfn.State): sfn.State {
    if (isRecoverable(compensation)) {
      compensation.addRetry(retry ?? DEFAULT_COMPENSATION_RETRY);
      const escalate = this.escalation(name, sfn.TaskInput.fromObject({
        'execution.$': '$$.Execution.Id',
        'stateMachine.$': '$$.StateMachine.Name',
        'reason': `compensation "${name}" failed`,
        'compensationError.$': COMPENSATION_ERROR_PATH,
        'sagaError.$': ERROR_PATH,
        'input.$': '$$.Execution.Input',
      }));
      escalate.next(next);
      compensation.addCatch(escalate, { errors: [sfn.Errors.ALL], resultPath: COMPENSATION_ERROR_PATH });
    }
    (compensation as unknown as sfn.INextable).next(next);
    return compensation;
  }

  /** Sends the case to the needs-a-person queue; the SQS answer marks the execution as escalated. */
  private escalation(name: string, body: sfn.TaskInput): tasks.SqsSendMessage {
    const send = new tasks.SqsSendMessage(this, `Needs a person ${name}`, {
      queue: this.needsAPersonQueue.queue,
      messageBody: body,
      resultPath: ESCALATED_PATH,
    });
    send.addRetry({ errors: [sfn.Errors.ALL], interval: Duration.seconds(1), maxAttempts: 5, backoffRate: 2 });
    return send;
  }
}
