import { CfnOutput, Duration, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { consumerFunctionProps } from '../core/consumer/consumer-defaults';
import { acknowledgeWildcardResource } from '../core/nag-acknowledgements';
import { SecureQueue } from '../core/secure-queue';
import { validateProps } from '../core/validation';
import { Saga } from '../patterns/saga';
import { QueueStarter, QueueStarterConsumerOptions } from '../patterns/workflow';
import { FraudCheckFunction } from './handlers/fraud-check-function';
import { PaymentFunction } from './handlers/payment-function';
import { orderSagaRules } from './rules';

/** The event source the saga publishes as, and `OrderPlaced` must come from. */
export const ORDER_SAGA_SOURCE = 'shop.orders';

/**
 * Properties of the {@link OrderSagaStack} reference architecture.
 */
export interface OrderSagaStackProps extends StackProps {
  /**
   * How long a charge settles before shipping is requested (the Wait state).
   * A token (e.g. a CfnParameter) must be given in seconds, `Duration.seconds(param.valueAsNumber)`:
   * CDK cannot convert the unit of a token.
   *
   * A Standard saga's execution timeout is 15 minutes, or this wait plus 5 minutes when longer
   * (a year when the wait is a token); at most a year less 5 minutes.
   *
   * @default Duration.minutes(1)
   */
  readonly settlementWait?: Duration;

  /**
   * Orders at or above this amount (cents) go through the fraud check first.
   *
   * @default 100000
   */
  readonly fraudCheckThreshold?: number;

  /**
   * Standard (exactly once, history) or Express.
   *
   * @default sfn.StateMachineType.STANDARD
   */
  readonly stateMachineType?: sfn.StateMachineType;

  /**
   * What happens to the stock, payments and claims tables when the stack is deleted.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly dataRemovalPolicy?: RemovalPolicy;

  /**
   * The starter that reads `OrderPlaced` from the intake queue and starts one execution per
   * order: batch size, most invocations at once (`maxConcurrency`), memory, timeout. Bounding
   * `maxConcurrency` (and the batch size) bounds how fast orders become running executions,
   * which is how a burst of orders is kept from hitting the payment provider all at once.
   *
   * @default - the QueueStarter defaults: batches of 10, at most 5 invocations at once
   */
  readonly consumer?: QueueStarterConsumerOptions;
}

/**
 * Reference architecture: an order saga. An `OrderPlaced` event on the app's bus is queued and
 * starts one execution per order (named by the order id; a claim on the order id makes a
 * re-sent order a no-op): reserve stock (a conditional DynamoDB update, `OutOfStock` when
 * short) → a fraud check for high-value orders → charge payment (bundled Lambda; a test card is
 * declined with `PaymentDeclined`) → wait for settlement → request shipping (SQS, the pivot) →
 * publish `OrderConfirmed`. On failure: refund, release stock, publish `OrderCancelled`.
 */
export class OrderSagaStack extends Stack {
  /** The app's event bus: `OrderPlaced` in, `OrderConfirmed` / `OrderCancelled` out. */
  public readonly eventBus: events.EventBus;
  /** The saga. */
  public readonly saga: Saga;
  /** Stock per SKU: `available`, `reserved`, and the orders holding stock (`holds`). */
  public readonly stockTable: dynamodb.Table;
  /** One payment per order. */
  public readonly paymentsTable: dynamodb.Table;
  /** Order ids that started a saga. */
  public readonly claimsTable: dynamodb.Table;
  /** Shipping requests, one per confirmed order. */
  public readonly shippingQueue: SecureQueue;
  /** The queue `OrderPlaced` events land on, and its starter. */
  public readonly intake: QueueStarter;
  /** The payment function (charge and refund). */
  public readonly paymentFunction: lambda.Function;
  /** The fraud check function. */
  public readonly fraudCheckFunction: lambda.Function;

  constructor(scope: Construct, id: string, props: OrderSagaStackProps = {}) {
    super(scope, id, props);
    validateProps(this, props, orderSagaRules());
    const removalPolicy = props.dataRemovalPolicy ?? RemovalPolicy.RETAIN;
    const express = props.stateMachineType === sfn.StateMachineType.EXPRESS;
    // dynamodb.Table, not TableV2: TableV2 in aws-cdk-lib 2.257 uses deprecated grant props
    // internally, which fails a JSII_DEPRECATED=fail synth (a warning the user did not cause).
    const table = (tid: string, partitionKey: string) => new dynamodb.Table(this, tid, {
      partitionKey: { name: partitionKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      removalPolicy,
    });
    this.stockTable = table('StockTable', 'sku');
    this.paymentsTable = table('PaymentsTable', 'orderId');
    this.claimsTable = table('ClaimsTable', 'pk');
    this.eventBus = new events.EventBus(this, 'Bus');
    this.shippingQueue = new SecureQueue(this, 'ShippingRequests');

    const payment = consumerFunctionProps(this, 'Payment', {});
    this.paymentFunction = new PaymentFunction(this, 'Payment', {
      ...payment.props,
      description: 'Order saga: charge and refund, idempotent per order',
      environment: { PAYMENTS_TABLE_NAME: this.paymentsTable.tableName },
    });
    this.paymentFunction.addToRolePolicy(new iam.PolicyStatement({
      actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:GetItem'],
      resources: [this.paymentsTable.tableArn],
    }));
    const fraud = consumerFunctionProps(this, 'FraudCheck', {});
    this.fraudCheckFunction = new FraudCheckFunction(this, 'FraudCheck', {
      ...fraud.props,
      description: 'Order saga: fraud check of high-value orders',
      environment: { MAX_ORDER_AMOUNT: '5000000', BLOCKED_CARDS: '4000000000000119' },
    });

    this.saga = new Saga(this, 'OrderSaga', {
      stateMachineType: props.stateMachineType,
      // Express runs at most 5 minutes; Standard gets room for a slow payment provider.
      timeout: express ? Duration.minutes(5) : standardTimeout(props.settlementWait),
      executionTimeSla: express ? Duration.minutes(2) : Duration.minutes(5),
      idempotency: { table: this.claimsTable, businessKeyPath: '$.orderId' },
      steps: [
        { name: 'Reserve stock', action: this.reserveStock(), compensation: this.releaseStock(), finalErrors: ['OutOfStock'] },
        {
          name: 'Fraud check',
          runIf: sfn.Condition.numberGreaterThanEquals('$.amount', props.fraudCheckThreshold ?? 100_000),
          action: this.invoke('Fraud check', this.fraudCheckFunction, { 'orderId.$': '$.orderId', 'amount.$': '$.amount', 'card.$': '$.card' }, '$.fraud'),
          compensation: new sfn.Pass(this, 'Fraud check has nothing to undo'),
          finalErrors: ['FraudSuspected'],
        },
        {
          name: 'Charge payment',
          action: this.invoke('Charge payment', this.paymentFunction, {
            'action': 'charge', 'orderId.$': '$.orderId', 'amount.$': '$.amount', 'currency.$': '$.currency', 'card.$': '$.card',
          }, '$.payment'),
          compensation: this.invoke('Refund payment', this.paymentFunction, { 'action': 'refund', 'orderId.$': '$.orderId' }, sfn.JsonPath.DISCARD),
          finalErrors: ['PaymentDeclined', 'InvalidPaymentRequest', 'PaymentConflict'],
        },
        { name: 'Settle', action: new sfn.Wait(this, 'Wait for settlement', { time: sfn.WaitTime.duration(props.settlementWait ?? Duration.minutes(1)) }) },
        {
          name: 'Request shipping',
          pivot: true,
          action: new tasks.SqsSendMessage(this, 'Request shipping', {
            queue: this.shippingQueue.queue,
            messageBody: sfn.TaskInput.fromObject({ 'orderId.$': '$.orderId', 'sku.$': '$.sku', 'quantity.$': '$.quantity', 'paymentId.$': '$.payment.paymentId' }),
            resultPath: sfn.JsonPath.DISCARD,
          }),
        },
      ],
      onSuccess: this.publish('Publish OrderConfirmed', 'OrderConfirmed', { 'orderId.$': '$.orderId', 'paymentId.$': '$.payment.paymentId' }),
      onCompensated: this.publish('Publish OrderCancelled', 'OrderCancelled', { 'orderId.$': '$.orderId', 'reason.$': '$.saga.error.Error' }),
    });

    // LambdaInvoke grants the function and its versions (`<arn>:*`); the policy names exactly these two functions.
    const policy = this.saga.workflow.stateMachine.role.node.tryFindChild('DefaultPolicy');
    for (const fn of [this.paymentFunction, this.fraudCheckFunction]) {
      if (policy) {
        acknowledgeWildcardResource(policy, `${fn.functionArn}:*`,
          `aws-cdk-lib's LambdaInvoke grants lambda:InvokeFunction on ${fn.node.id} and its versions/aliases (<arn>:*); no other function.`);
      }
    }

    // OrderPlaced -> intake queue (DLQ'd rule target) -> starter: one execution per order, named by its id.
    this.intake = this.saga.workflow.startFromQueue('Intake', { executionNameField: 'orderId', consumer: props.consumer });
    const placed = new events.Rule(this, 'OrderPlacedRule', {
      eventBus: this.eventBus,
      eventPattern: { source: [ORDER_SAGA_SOURCE], detailType: ['OrderPlaced'] },
      description: 'OrderPlaced starts the order saga',
    });
    const ruleDlq = new SecureQueue(this, 'OrderPlacedRuleDlq');
    placed.addTarget(new targets.SqsQueue(this.intake.queue, {
      message: events.RuleTargetInput.fromEventPath('$.detail'),
      deadLetterQueue: ruleDlq.queue,
      retryAttempts: 5,
      maxEventAge: Duration.hours(1),
    }));

    // What an operator (and the e2e suite) needs to drive and inspect the saga.
    new CfnOutput(this, 'EventBusName', { value: this.eventBus.eventBusName });
    new CfnOutput(this, 'StateMachineArn', { value: this.saga.workflow.stateMachine.stateMachineArn });
    new CfnOutput(this, 'IntakeQueueUrl', { value: this.intake.queue.queueUrl });
    new CfnOutput(this, 'ShippingQueueUrl', { value: this.shippingQueue.queue.queueUrl });
    new CfnOutput(this, 'NeedsAPersonQueueUrl', { value: this.saga.needsAPersonQueue.queue.queueUrl });
    new CfnOutput(this, 'StockTableName', { value: this.stockTable.tableName });
    new CfnOutput(this, 'PaymentsTableName', { value: this.paymentsTable.tableName });
  }

  /**
   * Takes the quantity from `available` into `reserved` and records the order in `holds`, only
   * if enough is available and this order holds nothing yet (a retried reservation cannot
   * reserve twice). Inside a Parallel, so a failed condition becomes the named error `OutOfStock`.
   */
  private reserveStock(): sfn.Parallel {
    return this.stockUpdate('Reserve stock', 'Take from stock',
      'SET available = available - :q, reserved = reserved + :q ADD holds :order',
      'available >= :q AND NOT contains(holds, :orderId)',
      new sfn.Fail(this, 'Out of stock', { error: 'OutOfStock', cause: 'Not enough stock for the order (or the order holds stock already)' }));
  }

  /** Gives back what this order holds; an order that holds nothing has nothing to release. */
  private releaseStock(): sfn.Parallel {
    return this.stockUpdate('Release stock', 'Give back stock',
      'SET available = available + :q, reserved = reserved - :q DELETE holds :order',
      'contains(holds, :orderId)',
      new sfn.Succeed(this, 'Nothing to release'));
  }

  /**
   * One conditional update of the order's SKU (quantity `:q`, the order id as `:orderId` and as a
   * one-element string set `:order`), in a Parallel of its own; a failed condition goes to
   * `onConditionFailed` inside the branch.
   */
  private stockUpdate(id: string, taskId: string, updateExpression: string, conditionExpression: string, onConditionFailed: sfn.State): sfn.Parallel {
    const update = new tasks.CallAwsService(this, taskId, {
      service: 'dynamodb',
      action: 'updateItem',
      iamResources: [this.stockTable.tableArn],
      iamAction: 'dynamodb:UpdateItem',
      parameters: {
        TableName: this.stockTable.tableName,
        Key: { sku: { 'S.$': '$.sku' } },
        UpdateExpression: updateExpression,
        ConditionExpression: conditionExpression,
        ExpressionAttributeValues: {
          ':q': { 'N.$': 'States.Format(\'{}\', $.quantity)' },
          ':order': { 'SS.$': 'States.Array($.orderId)' },
          ':orderId': { 'S.$': '$.orderId' },
        },
      },
      resultPath: sfn.JsonPath.DISCARD,
    });
    update.addCatch(onConditionFailed, { errors: ['DynamoDb.ConditionalCheckFailedException'] });
    return new sfn.Parallel(this, id, { resultPath: sfn.JsonPath.DISCARD }).branch(update);
  }

  private invoke(name: string, fn: lambda.IFunction, payload: Record<string, unknown>, resultPath: string): tasks.LambdaInvoke {
    return new tasks.LambdaInvoke(this, name, {
      lambdaFunction: fn,
      payload: sfn.TaskInput.fromObject(payload),
      payloadResponseOnly: true,
      resultPath,
      // The saga's retry policy applies (named errors are final); the service's own retries add nothing.
      retryOnServiceExceptions: false,
    });
  }

  private publish(name: string, detailType: string, detail: Record<string, unknown>): tasks.EventBridgePutEvents {
    return new tasks.EventBridgePutEvents(this, name, {
      entries: [{ eventBus: this.eventBus, source: ORDER_SAGA_SOURCE, detailType, detail: sfn.TaskInput.fromObject(detail) }],
      resultPath: sfn.JsonPath.DISCARD,
    });
  }
}

/**
 * A Standard saga's execution timeout: 15 minutes, or the settlement wait plus 5 minutes for the
 * other steps when the wait is longer (a Standard execution lasts up to a year, and a long
 * settlement is what Standard is for). A token wait cannot be added to: then a year, the most a
 * Standard execution runs (each task keeps its own timeout).
 */
function standardTimeout(settlementWait: Duration | undefined): Duration {
  if (settlementWait === undefined) return Duration.minutes(15);
  if (settlementWait.isUnresolved()) return Duration.days(365);
  return Duration.seconds(Math.max(15 * 60, settlementWait.toSeconds() + 5 * 60));
}
