import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { SagaProps } from './props';
import { isRecoverable, SAGA_RULES } from './rules';
import { SecureQueue } from '../../core/secure-queue';
import { validateProps } from '../../core/validation';
import { createAlarm } from '../../monitoring/alarm-factory';
import { patternDashboard } from '../../monitoring/dashboard-factory';
import { IMonitoredBlock } from '../../monitoring/monitored-block';
import { PatternDashboard } from '../../monitoring/pattern-dashboard';
import { QueueMetrics } from '../../monitoring/queue-metrics';
import { Workflow } from '../workflow';

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
    validateProps(this, props, SAGA_RULES);

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

    this.dashboard = patternDashboard(this, props, 'Saga: executions, and the cases that need a person.');
    this.workflow = new Workflow(this, 'Workflow', {
      ...props,
      definition: this.buildDefinition(props),
      dashboard: this.dashboard,
      dashboardName: undefined,
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
    }));
    afterPivot.next(needsAPerson);
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
