import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { SecureQueueProps } from '../../core/secure-queue';
import { WorkflowProps } from '../workflow';

/**
 * One step of a saga: an action, how it is retried, and how it is undone.
 */
export interface SagaStep {
  /** What the step is, for messages and state names (e.g. `Charge payment`). */
  readonly name: string;

  /**
   * The step's work: usually a task (`LambdaInvoke`, `DynamoUpdateItem`, `SqsSendMessage`...),
   * or any state with retry and catch (`Parallel`, `Map`), or a `Wait`. Its result should go
   * to its own `resultPath`, so `$.saga` (where the saga keeps the error) survives.
   */
  readonly action: sfn.State;

  /**
   * How the action is retried (errors in `finalErrors` are never retried).
   *
   * @default - every error, 3 attempts, 1 s then doubling with full jitter
   */
  readonly retry?: sfn.RetryProps;

  /**
   * Errors that retrying cannot fix (e.g. `PaymentDeclined`, `OutOfStock`): compensated at once.
   *
   * @default - none
   */
  readonly finalErrors?: string[];

  /**
   * Undoes the action. It runs after any later step fails, and after this step itself fails
   * (a task can fail after its effect took place: a timeout after the write), so it must be
   * idempotent and accept "nothing to undo". Retried with backoff; if it still fails, the
   * saga sends the case to the needs-a-person queue and goes on compensating.
   * A step without compensation is refused unless it is the `pivot`, the last step, or a
   * state that cannot fail (Pass, Wait); for a step with nothing to undo, pass a `Pass` state
   * that says so.
   *
   * @default - none (only for the pivot or the last step)
   */
  readonly compensation?: sfn.State;

  /**
   * How the compensation is retried.
   *
   * @default - every error, 6 attempts, 2 s then doubling up to 1 minute, full jitter
   */
  readonly compensationRetry?: sfn.RetryProps;

  /**
   * The point of no return: once it succeeds, later failures are not compensated (they go to
   * the needs-a-person queue). The pivot itself has no compensation.
   *
   * @default false
   */
  readonly pivot?: boolean;

  /**
   * Run the step only when this holds (e.g. a fraud check for high-value orders); otherwise skip it.
   *
   * @default - always run
   */
  readonly runIf?: sfn.Condition;
}

/**
 * Executions idempotent per business key: the saga's first state writes the key with
 * `attribute_not_exists`, and a key already written ends the execution as a duplicate.
 */
export interface SagaIdempotencyOptions {
  /** The table of claimed keys. */
  readonly table: dynamodb.ITable;

  /**
   * The table's partition key (a string attribute).
   *
   * @default 'pk'
   */
  readonly partitionKey?: string;

  /** JSONPath of the business key in the execution input, e.g. `$.orderId`. */
  readonly businessKeyPath: string;
}

/**
 * Properties of a {@link Saga}: the steps, and the workflow settings of {@link WorkflowProps}
 * (its `definition` and `definitionBody` are built by the saga and must be left unset).
 */
export interface SagaProps extends WorkflowProps {
  /** The steps, in order. At least one. */
  readonly steps: SagaStep[];

  /**
   * Runs after all steps succeeded (e.g. publish `OrderConfirmed`), retried like a step.
   *
   * @default - the saga succeeds after its last step
   */
  readonly onSuccess?: sfn.State;

  /**
   * Runs after the compensations, before the execution fails (e.g. publish `OrderCancelled`).
   * Retried like a compensation; a failure goes to the needs-a-person queue.
   *
   * @default - nothing
   */
  readonly onCompensated?: sfn.State;

  /**
   * Make executions idempotent per business key with a conditional write.
   *
   * @default - no claim: rely on execution names (a Standard workflow refuses a name twice)
   */
  readonly idempotency?: SagaIdempotencyOptions;

  /**
   * Settings of the needs-a-person queue (a SecureQueue with a DLQ, alarmed when not empty).
   *
   * @default - a SecureQueue with 14 days retention
   */
  readonly needsAPersonQueueProps?: SecureQueueProps;
}
