/**
 * The peer of `OrderSagaStack`: the same architecture written the way a careful user would
 * write it with plain aws-cdk-lib L2 constructs and no code from this library.
 *
 * Same resources (54): three tables (stock, payments, idempotency claims), an event bus, a
 * shipping queue, a needs-a-person queue, an intake queue and the OrderPlaced rule's dead-letter
 * queue (each with its own dead-letter queue: TLS-only, SSE, long polling, named, redrive allowed
 * from its queue only; age and dead-letter alarms), the payment and fraud-check functions (the
 * library's bundles, as a user ships their own), the saga as a Standard state machine built with
 * the L2 states (claim the order id, reserve stock → fraud check for high-value orders → charge →
 * wait → request shipping → publish OrderConfirmed; compensations in reverse with their own
 * retries, escalation to the needs-a-person queue when a compensation or a step after the pivot
 * fails), logged to a vended-logs group, a starter function fed by the intake queue (one
 * execution per order, named by its id), the OrderPlaced rule, six alarms of the saga and its
 * workflow and one dashboard.
 *
 * Like for like, property by property (same state names, retries, catches, policies,
 * descriptions and dashboard widgets). The bench checks every resource against ours in every run.
 */
import { CfnOutput, Duration, Names, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import {
  AlarmFactory, bufferQueue, BufferQueue, bundle, dashboard, deadLetters, nodeFunction, queueAlarms, queueWidgets, section, thresholdAlarm,
} from './plain-parts';

const SOURCE = 'shop.orders';
const ERROR_PATH = '$.saga.error';
const COMPENSATION_ERROR_PATH = '$.saga.compensationError';
const ESCALATED_PATH = '$.saga.escalated';
const RETRY: sfn.RetryProps = {
  errors: [sfn.Errors.ALL], interval: Duration.seconds(1), maxAttempts: 3, backoffRate: 2, jitterStrategy: sfn.JitterType.FULL,
};
const COMPENSATION_RETRY: sfn.RetryProps = {
  errors: [sfn.Errors.ALL],
  interval: Duration.seconds(2),
  maxAttempts: 6,
  backoffRate: 2,
  maxDelay: Duration.minutes(1),
  jitterStrategy: sfn.JitterType.FULL,
};

export class PlainOrderSagaStack extends Stack {
  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, props);
    const p = this.node.path;
    const sagaPath = `${p}/OrderSaga`;
    const workflowPath = `${sagaPath}/Workflow`;
    // No alarm topic in this architecture: the alarms notify nobody.
    const alarm: AlarmFactory = (metric, alarmId, options) => thresholdAlarm(this, alarmId, metric, options);
    type QueueOptions = { visibilityTimeout?: Duration; retentionPeriod?: Duration };
    const queueWithAlarms = (qid: string, queuePath: string, options: QueueOptions = {}): BufferQueue => {
      const q = bufferQueue(this, qid, qid, { maxReceiveCount: 5, ...options });
      queueAlarms(alarm, q, { queuePath, maxReceiveCount: 5, ageAlarmId: `${qid}OldestMessageAgeAlarm`, deadLetterAlarmId: `${qid}DeadLetterQueueNotEmptyAlarm` });
      return q;
    };

    const table = (tid: string, partitionKey: string) => new dynamodb.Table(this, tid, {
      partitionKey: { name: partitionKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const stock = table('StockTable', 'sku');
    const payments = table('PaymentsTable', 'orderId');
    const claims = table('ClaimsTable', 'pk');
    const bus = new events.EventBus(this, 'Bus');
    const shipping = queueWithAlarms('ShippingRequests', `${p}/ShippingRequests`);

    const payment = nodeFunction(this, 'Payment', {
      asset: bundle('saga-payment/payment'),
      rolePath: 'Payment',
      description: 'Order saga: charge and refund, idempotent per order',
      environment: { PAYMENTS_TABLE_NAME: payments.tableName },
    });
    payment.addToRolePolicy(new iam.PolicyStatement({
      actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:GetItem'], resources: [payments.tableArn],
    }));
    const fraudCheck = nodeFunction(this, 'FraudCheck', {
      asset: bundle('saga-fraud-check/fraud-check'),
      rolePath: 'FraudCheck',
      description: 'Order saga: fraud check of high-value orders',
      environment: { MAX_ORDER_AMOUNT: '5000000', BLOCKED_CARDS: '4000000000000119' },
    });

    // The steps' own states.
    const stockUpdate = (sid: string, taskId: string, updateExpression: string, conditionExpression: string, onConditionFailed: sfn.State) => {
      const update = new tasks.CallAwsService(this, taskId, {
        service: 'dynamodb',
        action: 'updateItem',
        iamResources: [stock.tableArn],
        iamAction: 'dynamodb:UpdateItem',
        parameters: {
          TableName: stock.tableName,
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
      return new sfn.Parallel(this, sid, { resultPath: sfn.JsonPath.DISCARD }).branch(update);
    };
    const invoke = (name: string, fn: lambda.IFunction, payload: Record<string, unknown>, resultPath: string) => new tasks.LambdaInvoke(this, name, {
      lambdaFunction: fn, payload: sfn.TaskInput.fromObject(payload), payloadResponseOnly: true, resultPath, retryOnServiceExceptions: false,
    });
    const publish = (name: string, detailType: string, detail: Record<string, unknown>) => new tasks.EventBridgePutEvents(this, name, {
      entries: [{ eventBus: bus, source: SOURCE, detailType, detail: sfn.TaskInput.fromObject(detail) }],
      resultPath: sfn.JsonPath.DISCARD,
    });
    const reserveStock = stockUpdate('Reserve stock', 'Take from stock',
      'SET available = available - :q, reserved = reserved + :q ADD holds :order',
      'available >= :q AND NOT contains(holds, :orderId)',
      new sfn.Fail(this, 'Out of stock', { error: 'OutOfStock', cause: 'Not enough stock for the order (or the order holds stock already)' }));
    const releaseStock = stockUpdate('Release stock', 'Give back stock',
      'SET available = available + :q, reserved = reserved - :q DELETE holds :order',
      'contains(holds, :orderId)',
      new sfn.Succeed(this, 'Nothing to release'));
    const fraud = invoke('Fraud check', fraudCheck, { 'orderId.$': '$.orderId', 'amount.$': '$.amount', 'card.$': '$.card' }, '$.fraud');
    const nothingToUndo = new sfn.Pass(this, 'Fraud check has nothing to undo');
    const charge = invoke('Charge payment', payment, {
      'action': 'charge', 'orderId.$': '$.orderId', 'amount.$': '$.amount', 'currency.$': '$.currency', 'card.$': '$.card',
    }, '$.payment');
    const refund = invoke('Refund payment', payment, { 'action': 'refund', 'orderId.$': '$.orderId' }, sfn.JsonPath.DISCARD);
    const settle = new sfn.Wait(this, 'Wait for settlement', { time: sfn.WaitTime.duration(Duration.minutes(1)) });
    const requestShipping = new tasks.SqsSendMessage(this, 'Request shipping', {
      queue: shipping.queue,
      messageBody: sfn.TaskInput.fromObject({ 'orderId.$': '$.orderId', 'sku.$': '$.sku', 'quantity.$': '$.quantity', 'paymentId.$': '$.payment.paymentId' }),
      resultPath: sfn.JsonPath.DISCARD,
    });
    const confirmed = publish('Publish OrderConfirmed', 'OrderConfirmed', { 'orderId.$': '$.orderId', 'paymentId.$': '$.payment.paymentId' });
    const cancelled = publish('Publish OrderCancelled', 'OrderCancelled', { 'orderId.$': '$.orderId', 'reason.$': '$.saga.error.Error' });

    // Needs a person: a queue (14 days) and an alarm on its depth.
    const needsAPerson = queueWithAlarms('NeedsAPerson', `${sagaPath}/NeedsAPerson`, { retentionPeriod: Duration.days(14) });
    const needsAPersonAlarm = alarm(deadLetters(needsAPerson.queue), 'NeedsAPersonAlarm', {
      alarmDescription: `A compensation of ${sagaPath} failed after its retries, or a step after the pivot failed: `
        + 'each message on the needs-a-person queue names the execution, the step and the error. Fix the cause, finish the undo by hand '
        + '(or redrive the execution), then delete the message.',
    });
    const board = dashboard(this, 'Dashboard', `# ${sagaPath}\nSaga: executions, and the cases that need a person.`);

    // The saga's flow: compensations last step first, then the steps forwards.
    const escalation = (name: string, body: Record<string, unknown>) => {
      const send = new tasks.SqsSendMessage(this, `Needs a person ${name}`, {
        queue: needsAPerson.queue, messageBody: sfn.TaskInput.fromObject(body), resultPath: ESCALATED_PATH,
      });
      send.addRetry({ errors: [sfn.Errors.ALL], interval: Duration.seconds(1), maxAttempts: 5, backoffRate: 2 });
      return send;
    };
    const compensating = (name: string, compensation: sfn.TaskStateBase | sfn.Parallel, next: sfn.State) => {
      compensation.addRetry(COMPENSATION_RETRY);
      const escalate = escalation(name, {
        'execution.$': '$$.Execution.Id',
        'stateMachine.$': '$$.StateMachine.Name',
        'reason': `compensation "${name}" failed`,
        'compensationError.$': COMPENSATION_ERROR_PATH,
        'sagaError.$': ERROR_PATH,
        'input.$': '$$.Execution.Input',
      });
      escalate.next(next);
      compensation.addCatch(escalate, { errors: [sfn.Errors.ALL], resultPath: COMPENSATION_ERROR_PATH });
      compensation.next(next);
      return compensation;
    };
    const recover = (action: sfn.TaskStateBase | sfn.Parallel, finalErrors: string[], onFailure: sfn.State) => {
      if (finalErrors.length > 0) action.addRetry({ errors: finalErrors, maxAttempts: 0 });
      action.addRetry(RETRY);
      action.addCatch(onFailure, { errors: [sfn.Errors.ALL], resultPath: ERROR_PATH });
    };
    const failed = new sfn.Fail(this, 'Saga failed', { errorPath: `${ERROR_PATH}.Error`, causePath: `${ERROR_PATH}.Cause` });
    const sagaNeedsAPerson = new sfn.Fail(this, 'Saga needs a person', {
      error: 'SagaNeedsAPerson',
      cause: 'A compensation, or a step after the pivot, failed after its retries: the case is on the needs-a-person queue.',
    });
    const ended = new sfn.Choice(this, 'Compensation complete').when(sfn.Condition.isPresent(ESCALATED_PATH), sagaNeedsAPerson).otherwise(failed);
    const undoCancel = compensating('on compensated', cancelled, ended);
    const undoReserve = compensating('Reserve stock', releaseStock, undoCancel);
    nothingToUndo.next(undoReserve);
    const undoCharge = compensating('Charge payment', refund, nothingToUndo);
    const afterPivot = escalation('after pivot', {
      'execution.$': '$$.Execution.Id',
      'stateMachine.$': '$$.StateMachine.Name',
      'reason': 'a step after the pivot failed',
      'error.$': ERROR_PATH,
      'input.$': '$$.Execution.Input',
    });
    afterPivot.next(sagaNeedsAPerson);
    recover(confirmed, [], afterPivot);
    confirmed.next(new sfn.Succeed(this, 'Saga succeeded'));
    recover(requestShipping, [], undoCharge);
    requestShipping.next(confirmed);
    settle.next(requestShipping);
    recover(charge, ['PaymentDeclined', 'InvalidPaymentRequest', 'PaymentConflict'], undoCharge);
    charge.next(settle);
    recover(fraud, ['FraudSuspected'], nothingToUndo);
    fraud.next(charge);
    const runFraudCheck = new sfn.Choice(this, 'Run Fraud check').when(sfn.Condition.numberGreaterThanEquals('$.amount', 100_000), fraud).otherwise(charge);
    recover(reserveStock, ['OutOfStock'], undoReserve);
    reserveStock.next(runFraudCheck);
    const claim = new tasks.DynamoPutItem(this, 'Claim business key', {
      table: claims,
      item: {
        pk: tasks.DynamoAttributeValue.fromString(sfn.JsonPath.stringAt('$.orderId')),
        execution: tasks.DynamoAttributeValue.fromString(sfn.JsonPath.stringAt('$$.Execution.Id')),
        claimedAt: tasks.DynamoAttributeValue.fromString(sfn.JsonPath.stringAt('$$.Execution.StartTime')),
      },
      conditionExpression: 'attribute_not_exists(#pk)',
      expressionAttributeNames: { '#pk': 'pk' },
      resultPath: sfn.JsonPath.DISCARD,
    });
    claim.addRetry({ errors: ['DynamoDB.ConditionalCheckFailedException'], maxAttempts: 0 });
    claim.addRetry(RETRY);
    claim.addCatch(new sfn.Succeed(this, 'Duplicate ignored', { comment: 'An execution for this business key ran already' }), {
      errors: ['DynamoDB.ConditionalCheckFailedException'],
    });
    claim.addCatch(failed, { errors: [sfn.Errors.ALL], resultPath: ERROR_PATH });

    // The workflow: Standard, 15 minutes, errors logged to a vended-logs group, alarmed.
    const workflowLogs = new logs.LogGroup(this, 'WorkflowLogs', {
      logGroupName: `/aws/vendedlogs/states/${Names.uniqueResourceName(this, { maxLength: 200, separator: '-' })}-Workflow`,
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const machine = new sfn.StateMachine(this, 'StateMachine', {
      definitionBody: sfn.DefinitionBody.fromChainable(claim.next(reserveStock)),
      stateMachineType: sfn.StateMachineType.STANDARD,
      timeout: Duration.minutes(15),
      tracingEnabled: false,
      removalPolicy: RemovalPolicy.DESTROY,
      logs: { destination: workflowLogs, level: sfn.LogLevel.ERROR, includeExecutionData: false },
    });
    const statesMetric = (metricName: string, statistic = 'Sum') => new cloudwatch.Metric({
      namespace: 'AWS/States', metricName, dimensionsMap: { StateMachineArn: machine.stateMachineArn }, statistic, period: Duration.minutes(5),
    });
    const history = 'the execution history in the Step Functions console';
    const workflowAlarms = [
      alarm(statesMetric('ExecutionsFailed'), 'ExecutionsFailedAlarm', {
        alarmDescription: `Executions of ${workflowPath} failed. Find the failed state and its error in ${history}; fix the cause, then redrive or restart.`,
      }),
      alarm(statesMetric('ExecutionsTimedOut'), 'ExecutionsTimedOutAlarm', {
        alarmDescription: `Executions of ${workflowPath} ran past their 15 minutes timeout. Look for a state waiting on a slow or stuck dependency in ${history}.`,
      }),
      alarm(statesMetric('ExecutionsAborted'), 'ExecutionsAbortedAlarm', {
        alarmDescription: `Executions of ${workflowPath} were stopped (StopExecution). Check CloudTrail for who stopped them and whether the work must be redone.`,
      }),
      alarm(statesMetric('ExecutionThrottled'), 'ExecutionThrottledAlarm', {
        alarmDescription: `Starts of ${workflowPath} were throttled: callers must retry. Raise the StartExecution quota or smooth the starts (an SQS starter does).`,
      }),
      alarm(statesMetric('ExecutionTime', 'p99'), 'ExecutionTimeSlaAlarm', {
        threshold: 300_000,
        evaluationPeriods: 3,
        datapointsToAlarm: 3,
        alarmDescription: `p99 execution time of ${workflowPath} has been above its SLA of 5 minutes for 15 minutes. `
          + 'Look for slow states (retries, waits on dependencies) in the execution events.',
      }),
    ];
    section(board, 'Workflow Workflow', [
      new cloudwatch.GraphWidget({
        title: 'Workflow: executions',
        left: [statesMetric('ExecutionsStarted'), statesMetric('ExecutionsSucceeded')],
        right: [statesMetric('ExecutionsFailed'), statesMetric('ExecutionsTimedOut'), statesMetric('ExecutionsAborted'), statesMetric('ExecutionThrottled')],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Workflow: execution time p99 (ms)',
        left: [statesMetric('ExecutionTime', 'p99')],
        leftAnnotations: [{ value: 300_000, label: 'SLA' }],
        width: 12,
      }),
    ], workflowAlarms);
    section(board, 'Needs a person', queueWidgets('NeedsAPerson', needsAPerson), [needsAPersonAlarm]);

    // OrderPlaced -> intake queue (DLQ'd rule target) -> starter: one execution per order, named by its id.
    const intake = queueWithAlarms('Intake', `${workflowPath}/Intake/Queue`, { visibilityTimeout: Duration.seconds(180) });
    const starter = nodeFunction(this, 'Starter', {
      asset: bundle('workflow-starter/start-execution'),
      rolePath: 'OrderSaga/Workflow/Intake/Starter',
      description: `Starts one execution of ${workflowPath}/StateMachine per message`,
      environment: { STATE_MACHINE_ARN: machine.stateMachineArn, NAME_FIELD: 'orderId', SYNC: 'false' },
    });
    machine.grantStartExecution(starter);
    starter.addEventSource(new SqsEventSource(intake.queue, { batchSize: 10, maxConcurrency: 5, reportBatchItemFailures: true }));
    const placed = new events.Rule(this, 'OrderPlacedRule', {
      eventBus: bus,
      eventPattern: { source: [SOURCE], detailType: ['OrderPlaced'] },
      description: 'OrderPlaced starts the order saga',
    });
    const ruleDlq = queueWithAlarms('OrderPlacedRuleDlq', `${p}/OrderPlacedRuleDlq`);
    placed.addTarget(new targets.SqsQueue(intake.queue, {
      message: events.RuleTargetInput.fromEventPath('$.detail'),
      deadLetterQueue: ruleDlq.queue,
      retryAttempts: 5,
      maxEventAge: Duration.hours(1),
    }));

    new CfnOutput(this, 'EventBusName', { value: bus.eventBusName });
    new CfnOutput(this, 'StateMachineArn', { value: machine.stateMachineArn });
    new CfnOutput(this, 'IntakeQueueUrl', { value: intake.queue.queueUrl });
    new CfnOutput(this, 'ShippingQueueUrl', { value: shipping.queue.queueUrl });
    new CfnOutput(this, 'NeedsAPersonQueueUrl', { value: needsAPerson.queue.queueUrl });
    new CfnOutput(this, 'StockTableName', { value: stock.tableName });
    new CfnOutput(this, 'PaymentsTableName', { value: payments.tableName });
  }
}
