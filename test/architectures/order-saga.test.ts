import { CfnElement, Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { IConstruct } from 'constructs';
import { ORDER_SAGA_SOURCE, OrderSagaStack, OrderSagaStackProps } from '../../src';
import { buildArchitecture, nagFindings } from '../support';
import { allStates, expectValidDefinitions } from '../support/asl';

const build = (props: OrderSagaStackProps = {}) => buildArchitecture(OrderSagaStack, 'OrderSaga', props);

describe('OrderSagaStack', () => {
  const { stack, template } = build();
  const logicalId = (c: IConstruct) => stack.getLogicalId(c.node.defaultChild as CfnElement);
  const [definition] = Object.values(expectValidDefinitions(template));
  const states = Object.fromEntries(allStates(definition)) as Record<string, any>;

  test('cdk-nag AwsSolutions: no unacknowledged finding; asl-validator accepts the definition', () => {
    expect(nagFindings(stack)).toEqual([]);
  });

  test('OrderPlaced on the app bus → intake queue (rule target with DLQ and retry) → starter named by orderId', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: logicalId(stack.eventBus) },
      EventPattern: { 'source': [ORDER_SAGA_SOURCE], 'detail-type': ['OrderPlaced'] },
      Targets: [Match.objectLike({
        Arn: { 'Fn::GetAtt': [logicalId(stack.intake.queue), 'Arn'] },
        InputPath: '$.detail',
        RetryPolicy: { MaximumRetryAttempts: 5, MaximumEventAgeInSeconds: 3600 },
        DeadLetterConfig: Match.objectLike({ Arn: Match.anyValue() }),
      })],
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ NAME_FIELD: 'orderId', SYNC: 'false', STATE_MACHINE_ARN: { Ref: logicalId(stack.saga.workflow.stateMachine) } }) },
    });
  });

  test('the saga: claim → reserve (conditional, OutOfStock) → fraud check if ≥ 100000 → charge → wait → ship (pivot) → OrderConfirmed', () => {
    expect(definition.StartAt).toBe('Claim business key');
    expect(states['Claim business key']).toMatchObject({ Resource: 'arn:aws:states:::dynamodb:putItem', Parameters: { ConditionExpression: 'attribute_not_exists(#pk)' } });
    expect(states['Claim business key'].Catch[0]).toMatchObject({ ErrorEquals: ['DynamoDB.ConditionalCheckFailedException'], Next: 'Duplicate ignored' });
    expect(states['Take from stock']).toMatchObject({
      Resource: 'arn:aws:states:::aws-sdk:dynamodb:updateItem',
      Parameters: { ConditionExpression: 'available >= :q AND NOT contains(holds, :orderId)' },
      Catch: [{ ErrorEquals: ['DynamoDb.ConditionalCheckFailedException'], Next: 'Out of stock' }],
    });
    expect(states['Out of stock']).toEqual({ Type: 'Fail', Error: 'OutOfStock', Cause: expect.any(String) });
    expect(states['Run Fraud check']).toMatchObject({ Type: 'Choice', Choices: [{ Variable: '$.amount', NumericGreaterThanEquals: 100000, Next: 'Fraud check' }], Default: 'Charge payment' });
    expect(states['Reserve stock'].Next).toBe('Run Fraud check');
    expect(states['Charge payment'].Next).toBe('Wait for settlement');
    expect(states['Wait for settlement']).toMatchObject({ Type: 'Wait', Seconds: 60, Next: 'Request shipping' });
    expect(states['Request shipping']).toMatchObject({ Resource: 'arn:aws:states:::sqs:sendMessage', Next: 'Publish OrderConfirmed' });
    expect(states['Publish OrderConfirmed']).toMatchObject({ Resource: 'arn:aws:states:::events:putEvents', Next: 'Saga succeeded' });
  });

  test('named errors: PaymentDeclined and OutOfStock are never retried, States.ALL is, and everything is caught', () => {
    expect(states['Charge payment'].Retry).toEqual([
      { ErrorEquals: ['PaymentDeclined', 'InvalidPaymentRequest', 'PaymentConflict'], MaxAttempts: 0 },
      { ErrorEquals: ['States.ALL'], IntervalSeconds: 1, MaxAttempts: 3, BackoffRate: 2, JitterStrategy: 'FULL' },
    ]);
    expect(states['Charge payment'].Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.saga.error', Next: 'Refund payment' }]);
    expect(states['Reserve stock'].Retry[0]).toEqual({ ErrorEquals: ['OutOfStock'], MaxAttempts: 0 });
    expect(states['Fraud check'].Retry[0]).toEqual({ ErrorEquals: ['FraudSuspected'], MaxAttempts: 0 });
  });

  test('on failure: refund → release stock → OrderCancelled → Fail with the cause; compensations retried with backoff, then a person', () => {
    expect(states['Refund payment'].Next).toBe('Fraud check has nothing to undo');
    expect(states['Fraud check has nothing to undo'].Next).toBe('Release stock');
    expect(states['Release stock'].Next).toBe('Publish OrderCancelled');
    expect(states['Publish OrderCancelled'].Next).toBe('Compensation complete');
    expect(states['Refund payment'].Retry).toEqual([{ ErrorEquals: ['States.ALL'], IntervalSeconds: 2, MaxAttempts: 6, BackoffRate: 2, MaxDelaySeconds: 60, JitterStrategy: 'FULL' }]);
    expect(states['Refund payment'].Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.saga.compensationError', Next: 'Needs a person Charge payment' }]);
    expect(states['Needs a person Charge payment']).toMatchObject({ Resource: 'arn:aws:states:::sqs:sendMessage', ResultPath: '$.saga.escalated', Next: 'Fraud check has nothing to undo' });
    expect(states['Saga failed']).toEqual({ Type: 'Fail', ErrorPath: '$.saga.error.Error', CausePath: '$.saga.error.Cause' });
    // After the pivot (shipping requested), a failure is not compensated: a person decides.
    expect(states['Publish OrderConfirmed'].Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.saga.error', Next: 'Needs a person after pivot' }]);
    expect(states['Request shipping'].Catch[0].Next).toBe('Refund payment');
  });

  test('payment function: bundled, Node 24, its own table with conditional writes only; the role of the state machine is scoped', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Environment: { Variables: Match.objectLike({ PAYMENTS_TABLE_NAME: { Ref: logicalId(stack.paymentsTable) } }) },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:GetItem'], Resource: { 'Fn::GetAtt': [logicalId(stack.paymentsTable), 'Arn'] } })]) },
    });
    const smPolicy = JSON.stringify(template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp('OrderSagaWorkflowStateMachineRole') }] } }));
    expect(smPolicy).toContain('dynamodb:UpdateItem');
    expect(smPolicy).toContain('events:PutEvents');
    expect(smPolicy).not.toContain('dynamodb:*');
  });

  test('tables: on demand, point-in-time recovery, encrypted, retained by default', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 3);
    template.allResourcesProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST', PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true }, SSESpecification: { SSEEnabled: true },
    });
    template.allResources('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain' });
  });

  test('alarms: the workflow five, the needs-a-person alarm; one dashboard', () => {
    for (const metric of ['ExecutionsFailed', 'ExecutionsTimedOut', 'ExecutionsAborted', 'ExecutionThrottled', 'ExecutionTime']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: metric, Dimensions: [{ Name: 'StateMachineArn', Value: { Ref: logicalId(stack.saga.workflow.stateMachine) } }] });
    }
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(stack.saga.needsAPersonQueue.queue), 'QueueName'] } }],
      AlarmDescription: Match.stringLikeRegexp('needs-a-person'),
    });
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });

  test('options: Express, settlement wait, fraud threshold, removal policy', () => {
    const { template: t } = build({
      stateMachineType: sfn.StateMachineType.EXPRESS,
      settlementWait: Duration.seconds(5),
      fraudCheckThreshold: 5000,
      dataRemovalPolicy: RemovalPolicy.DESTROY,
    });
    t.hasResourceProperties('AWS::StepFunctions::StateMachine', { StateMachineType: 'EXPRESS', LoggingConfiguration: { Level: 'ALL' } });
    const [d] = Object.values(expectValidDefinitions(t));
    const s = Object.fromEntries(allStates(d)) as Record<string, any>;
    expect(s['Wait for settlement'].Seconds).toBe(5);
    expect(s['Run Fraud check'].Choices[0].NumericGreaterThanEquals).toBe(5000);
    t.allResources('AWS::DynamoDB::Table', { DeletionPolicy: 'Delete' });
    // Express starts are synchronous: the starter waits for the saga.
    t.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ SYNC: 'true' }) } });
  });

  test('consumer: the intake starter\'s batch size and concurrency (how fast orders become executions); defaults 10 and 5', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { BatchSize: 10, ScalingConfig: { MaximumConcurrency: 5 }, FunctionResponseTypes: ['ReportBatchItemFailures'] });
    const { template: t } = build({ consumer: { maxConcurrency: 2, batchSize: 4, memorySize: 512 } });
    t.hasResourceProperties('AWS::Lambda::EventSourceMapping', { BatchSize: 4, ScalingConfig: { MaximumConcurrency: 2 } });
    t.hasResourceProperties('AWS::Lambda::Function', { MemorySize: 512, Environment: { Variables: Match.objectLike({ NAME_FIELD: 'orderId' }) } });
  });

  test('synthesizes with JSII_DEPRECATED=fail (no deprecated aws-cdk-lib API on the way)', () => {
    const before = process.env.JSII_DEPRECATED;
    process.env.JSII_DEPRECATED = 'fail';
    try {
      expect(() => build().template).not.toThrow();
    } finally {
      if (before === undefined) delete process.env.JSII_DEPRECATED; else process.env.JSII_DEPRECATED = before;
    }
  });

  test('snapshot', () => {
    expect(template.toJSON()).toMatchSnapshot();
  });
});
