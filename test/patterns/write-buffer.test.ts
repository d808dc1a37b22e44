import { CfnElement, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { IConstruct } from 'constructs';
import { readConfig } from '../../lambda/write-buffer/config';
import { DataApiParameterType, FrontDoor, FrontDoorApiKind, FrontDoorAuthorization, FrontDoorValue, ORDER_SCHEMA, PatternDashboard, QueueEncryption, WriteBuffer, WriteBufferProps, WriteBufferSink } from '../../src';
import { expectBadInput, expectNumberTokenAccepted, newStack, templateOf } from '../support';

const ref = (c: IConstruct) => ({ Ref: Stack.of(c).getLogicalId(c.node.defaultChild as CfnElement) });
const arnOf = (c: IConstruct) => ({ 'Fn::GetAtt': [Stack.of(c).getLogicalId(c.node.defaultChild as CfnElement), 'Arn'] });

function ordersTable(stack: Stack, sortKey?: string): dynamodb.TableV2 {
  return new dynamodb.TableV2(stack, 'Orders', {
    partitionKey: { name: 'orderId', type: dynamodb.AttributeType.STRING },
    sortKey: sortKey ? { name: sortKey, type: dynamodb.AttributeType.STRING } : undefined,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
  });
}

function auroraCluster(stack: Stack, enableDataApi: boolean | undefined): rds.DatabaseCluster {
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'db', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
  return new rds.DatabaseCluster(stack, 'Db', {
    engine: rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_16_4 }),
    writer: rds.ClusterInstance.serverlessV2('writer'),
    vpc,
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    enableDataApi,
  });
}

const orderSchema: apigateway.JsonSchema = {
  type: apigateway.JsonSchemaType.OBJECT,
  required: ['orderId', 'amount'],
  properties: {
    orderId: { type: apigateway.JsonSchemaType.STRING, minLength: 1 },
    amount: { type: apigateway.JsonSchemaType.NUMBER, minimum: 0 },
  },
};

describe('WriteBuffer defaults (DynamoDB sink)', () => {
  const stack = newStack();
  const table = ordersTable(stack);
  const buffer = new WriteBuffer(stack, 'Buffer', { sink: WriteBufferSink.dynamoDb({ table }) });
  const template = templateOf(stack);
  const writer = buffer.writer as lambda.Function;

  test('a standard queue with its DLQ (SSE, TLS only), visibility derived from the writer: 6 x 30 s = 180 s', () => {
    template.resourceCountIs('AWS::SQS::Queue', 2);
    template.hasResourceProperties('AWS::SQS::Queue', {
      VisibilityTimeout: 180,
      SqsManagedSseEnabled: true,
      RedrivePolicy: { deadLetterTargetArn: arnOf(buffer.deadLetterQueue), maxReceiveCount: 5 },
      FifoQueue: Match.absent(),
    });
    expect(buffer.queue.fifo).toBe(false);
  });

  test('the bundled writer: Node 24, arm64, 256 MB, 30 s, JSON logs, sink environment from the table\'s key schema', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      MemorySize: 256,
      Timeout: 30,
      LoggingConfig: Match.objectLike({ LogFormat: 'JSON' }),
      Environment: {
        Variables: {
          WRITE_BUFFER_SINK: 'dynamodb',
          TABLE_NAME: ref(table),
          PARTITION_KEY: 'orderId',
          DEAD_LETTER_QUEUE_URL: ref(buffer.deadLetterQueue),
          AWS_NODEJS_CONNECTION_REUSE_ENABLED: '1',
        },
      },
    });
  });

  test('the throttle: SQS event source with partial batch responses, batch 10, no window, at most 2 writers', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: ref(writer),
      EventSourceArn: arnOf(buffer.queue),
      BatchSize: 10,
      MaximumBatchingWindowInSeconds: Match.absent(),
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 2 },
    });
    expect(buffer.maxConcurrency).toBe(2);
  });

  test('least privilege: BatchWriteItem + PutItem on the table, SendMessage on the DLQ only', () => {
    const policies = template.findResources('AWS::IAM::Policy');
    type Policy = { Properties: { PolicyDocument: { Statement: unknown[] } } };
    const statements = Object.values(policies).flatMap(p => (p as Policy).Properties.PolicyDocument.Statement);
    expect(statements).toEqual(expect.arrayContaining([
      expect.objectContaining({ Action: ['dynamodb:BatchWriteItem', 'dynamodb:PutItem'], Resource: arnOf(table) }),
      expect.objectContaining({ Action: 'sqs:SendMessage', Resource: arnOf(buffer.deadLetterQueue) }),
    ]));
    const actions = statements.flatMap(s => ([] as string[]).concat((s as { Action: string | string[] }).Action));
    expect(actions).not.toContain('dynamodb:UpdateItem');
    expect(actions).not.toContain('dynamodb:DeleteItem');
  });

  test('alarms with dimensions: buffer lag, DLQ not empty, writer errors, writer throttles, table write throttles', () => {
    expect(buffer.alarms).toHaveLength(5);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateAgeOfOldestMessage', Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [Stack.of(buffer).getLogicalId(buffer.queue.node.defaultChild as CfnElement), 'QueueName'] } }], Threshold: 900,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ApproximateNumberOfMessagesVisible', Threshold: 0 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'Errors', Namespace: 'AWS/Lambda', Dimensions: [{ Name: 'FunctionName', Value: ref(writer) }] });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'Throttles', Namespace: 'AWS/Lambda', Dimensions: [{ Name: 'FunctionName', Value: ref(writer) }] });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'WriteThrottleEvents', Namespace: 'AWS/DynamoDB', Dimensions: [{ Name: 'TableName', Value: ref(table) }], Statistic: 'Sum', Threshold: 0,
    });
    template.resourceCountIs('AWS::CloudWatch::Alarm', 5);
  });

  test('one dashboard: buffer lag, dead letters, writer errors/throttles/duration, table write throttles, alarm status', () => {
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    const body = JSON.stringify(Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0]);
    for (const metric of ['ApproximateAgeOfOldestMessage', 'ApproximateNumberOfMessagesVisible', 'Errors', 'Throttles', 'Duration', 'WriteThrottleEvents', 'alarm']) {
      expect(body).toContain(metric);
    }
    expect(buffer.dashboard!.dashboard).toBeDefined();
  });

  test('no front door by default', () => {
    template.resourceCountIs('AWS::ApiGateway::RestApi', 0);
    expect(buffer.frontDoor).toBeUndefined();
  });
});

describe('WriteBuffer options', () => {
  test('grantSend lets a producer send (and nothing else)', () => {
    const stack = newStack();
    const buffer = new WriteBuffer(stack, 'Buffer', { sink: WriteBufferSink.dynamoDb({ table: ordersTable(stack) }) });
    const producer = new iam.Role(stack, 'Producer', { assumedBy: new iam.AccountRootPrincipal() });
    buffer.grantSend(producer);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      Roles: [ref(producer)],
      PolicyDocument: { Statement: [{ Action: ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'], Effect: 'Allow', Resource: arnOf(buffer.queue) }] },
    });
  });

  test('consumer: maxConcurrency, batchSize, maxBatchingWindow and function settings; visibility = 6 x 60 s + 5 s', () => {
    const stack = newStack();
    const buffer = new WriteBuffer(stack, 'Buffer', {
      sink: WriteBufferSink.dynamoDb({ table: ordersTable(stack) }),
      consumer: { maxConcurrency: 20, batchSize: 500, maxBatchingWindow: Duration.seconds(5), timeout: Duration.seconds(60), memorySize: 512 },
    });
    const template = templateOf(stack);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 500, MaximumBatchingWindowInSeconds: 5, ScalingConfig: { MaximumConcurrency: 20 },
    });
    template.hasResourceProperties('AWS::Lambda::Function', { Timeout: 60, MemorySize: 512 });
    template.hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 365, RedrivePolicy: Match.anyValue() });
    expect(buffer.maxConcurrency).toBe(20);
  });

  test('a hand-set visibility timeout at or above the rule is kept', () => {
    const stack = newStack();
    new WriteBuffer(stack, 'Buffer', { sink: WriteBufferSink.dynamoDb({ table: ordersTable(stack) }), queueProps: { visibilityTimeout: Duration.minutes(10) } });
    Template.fromStack(stack).hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 600, RedrivePolicy: Match.anyValue() });
  });

  test('FIFO queue (message groups keep per-entity order), KMS, sort key passed to the writer', () => {
    const stack = newStack();
    const table = ordersTable(stack, 'lineId');
    const buffer = new WriteBuffer(stack, 'Buffer', {
      sink: WriteBufferSink.dynamoDb({ table }),
      queueProps: { fifo: true, contentBasedDeduplication: true, encryption: QueueEncryption.KMS },
    });
    const template = templateOf(stack);
    template.hasResourceProperties('AWS::SQS::Queue', { FifoQueue: true, ContentBasedDeduplication: true, KmsMasterKeyId: Match.anyValue(), RedrivePolicy: Match.anyValue() });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ PARTITION_KEY: 'orderId', SORT_KEY: 'lineId' }) },
    });
    expect(buffer.queue.fifo).toBe(true);
    // The writer may use the key to send poison messages to the (KMS-encrypted) DLQ.
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Resource: arnOf(buffer.secureQueue.encryptionKey!) })]) },
    });
  });

  test('imported table: partitionKey given explicitly; KMS-encrypted table key granted', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'TableKey', { enableKeyRotation: true });
    const table = dynamodb.Table.fromTableAttributes(stack, 'Imported', { tableName: 'orders', encryptionKey: key });
    new WriteBuffer(stack, 'Buffer', { sink: WriteBufferSink.dynamoDb({ table, partitionKey: 'pk', sortKey: 'sk' }) });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ TABLE_NAME: 'orders', PARTITION_KEY: 'pk', SORT_KEY: 'sk' }) } });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: Match.arrayWith(['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey']), Resource: arnOf(key) })]) },
    });
  });

  test('messageSchema reaches the writer as plain JSON Schema', () => {
    const stack = newStack();
    new WriteBuffer(stack, 'Buffer', { sink: WriteBufferSink.dynamoDb({ table: ordersTable(stack) }), messageSchema: orderSchema });
    const fn = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'))[0] as { Properties: { Environment: { Variables: { MESSAGE_SCHEMA: string } } } };
    expect(JSON.parse(fn.Properties.Environment.Variables.MESSAGE_SCHEMA)).toEqual({
      type: 'object',
      required: ['orderId', 'amount'],
      properties: { orderId: { type: 'string', minLength: 1 }, amount: { type: 'number', minimum: 0 } },
    });
  });

  test('alarms notify the alarm topic; alarmsEnabled: false makes none', () => {
    const stack = newStack();
    const topic = new sns.Topic(stack, 'Alarms', { enforceSSL: true, masterKey: new kms.Key(stack, 'K', { enableKeyRotation: true }) });
    new WriteBuffer(stack, 'Buffer', { sink: WriteBufferSink.dynamoDb({ table: ordersTable(stack) }), alarmTopic: topic });
    const alarms = Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm');
    expect(Object.keys(alarms)).toHaveLength(5);
    for (const alarm of Object.values(alarms)) {
      expect((alarm as { Properties: { AlarmActions: unknown[] } }).Properties.AlarmActions).toEqual([ref(topic)]);
    }
    const quiet = newStack();
    const buffer = new WriteBuffer(quiet, 'Buffer', { sink: WriteBufferSink.dynamoDb({ table: ordersTable(quiet) }), alarmsEnabled: false });
    Template.fromStack(quiet).resourceCountIs('AWS::CloudWatch::Alarm', 0);
    expect(buffer.alarms).toEqual([]);
  });

  test('dashboardName names the one dashboard; front door access logs kept as asked', () => {
    const stack = newStack();
    new WriteBuffer(stack, 'Buffer', {
      sink: WriteBufferSink.dynamoDb({ table: ordersTable(stack) }),
      dashboardName: 'order-buffer',
      frontDoor: { accessLogRetention: logs.RetentionDays.ONE_YEAR },
    });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'order-buffer' });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
  });

  test('existing queue and DLQ: used as they are, the writer subscribed to them', () => {
    const stack = newStack();
    const queue = sqs.Queue.fromQueueArn(stack, 'Q', 'arn:aws:sqs:us-east-1:111111111111:orders');
    const dlq = sqs.Queue.fromQueueArn(stack, 'D', 'arn:aws:sqs:us-east-1:111111111111:orders-dlq');
    const buffer = new WriteBuffer(stack, 'Buffer', { sink: WriteBufferSink.dynamoDb({ table: ordersTable(stack) }), queueProps: { existingQueue: queue, existingDeadLetterQueue: dlq } });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SQS::Queue', 0);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { EventSourceArn: 'arn:aws:sqs:us-east-1:111111111111:orders' });
    expect(buffer.deadLetterQueue).toBe(dlq);
    Annotations.fromStack(stack).hasWarning('/TestStack/Buffer', Match.stringLikeRegexp('visibility timeout cannot be checked'));
  });
});

describe('WriteBuffer Data API sink (Aurora PostgreSQL)', () => {
  const sql = 'INSERT INTO orders (id, amount, doc) VALUES (:id, :amount, CAST(:doc AS jsonb)) ON CONFLICT (id) DO NOTHING';
  const parameters = [
    { name: 'id', field: 'orderId' },
    { name: 'amount', field: 'amount', type: DataApiParameterType.DOUBLE },
    { name: 'doc', field: 'details', type: DataApiParameterType.JSON },
  ];
  const stack = newStack();
  const cluster = auroraCluster(stack, true);
  const buffer = new WriteBuffer(stack, 'Buffer', { sink: WriteBufferSink.dataApi({ cluster, databaseName: 'shop', sql, parameters }) });
  const template = Template.fromStack(stack);

  test('writer environment: cluster, the cluster\'s secret, database, statement and parameter mapping', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          WRITE_BUFFER_SINK: 'data-api',
          DATABASE_NAME: 'shop',
          SQL_STATEMENT: sql,
          SECRET_ARN: { Ref: Match.stringLikeRegexp('DbSecretAttachment') },
          PARAMETER_MAPPING: JSON.stringify([
            { name: 'id', field: 'orderId', type: 'string' },
            { name: 'amount', field: 'amount', type: 'double' },
            { name: 'doc', field: 'details', type: 'json' },
          ]),
        }),
      },
    });
    expect(buffer.table).toBeUndefined();
  });

  test('grants: rds-data:BatchExecuteStatement on the cluster, read of the secret', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: 'rds-data:BatchExecuteStatement', Resource: Match.objectLike({ 'Fn::Join': Match.anyValue() }) }),
          Match.objectLike({ Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'] }),
        ]),
      },
    });
  });

  test('no table alarm without a table: 4 alarms', () => {
    expect(buffer.alarms).toHaveLength(4);
  });
});

describe('WriteBuffer custom writer', () => {
  test('your function gets the event source, alarms and dashboard; visibility from its timeout', () => {
    const stack = newStack();
    const fn = new lambda.Function(stack, 'Mine', {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      timeout: Duration.seconds(20),
      code: lambda.Code.fromInline('exports.handler = async () => ({ batchItemFailures: [] });'),
    });
    const buffer = new WriteBuffer(stack, 'Buffer', { sink: WriteBufferSink.customWriter(fn), consumer: { maxConcurrency: 4 } });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Lambda::Function', 1);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: ref(fn), FunctionResponseTypes: ['ReportBatchItemFailures'], ScalingConfig: { MaximumConcurrency: 4 },
    });
    template.hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 120, RedrivePolicy: Match.anyValue() });
    expect(buffer.writer).toBe(fn);
    expect(buffer.alarms).toHaveLength(4);
  });

  test('an imported function needs a hand-set visibility timeout', () => {
    const stack = newStack();
    const fn = lambda.Function.fromFunctionArn(stack, 'Imported', 'arn:aws:lambda:us-east-1:111111111111:function:writer');
    new WriteBuffer(stack, 'Buffer', { sink: WriteBufferSink.customWriter(fn), queueProps: { visibilityTimeout: Duration.minutes(5) } });
    Template.fromStack(stack).hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 300, RedrivePolicy: Match.anyValue() });
  });
});

describe('WriteBuffer front door: a FrontDoor queue route (API Gateway -> SQS, no Lambda)', () => {
  const stack = newStack();
  const buffer = new WriteBuffer(stack, 'Buffer', {
    sink: WriteBufferSink.dynamoDb({ table: ordersTable(stack) }),
    messageSchema: orderSchema,
    frontDoor: { path: 'orders' },
  });
  const template = templateOf(stack);
  const door = buffer.frontDoor!;
  const role = door.node.findChild('Route0Role') as iam.Role;

  test('the door is a FrontDoor (REST by default) at <buffer>/FrontDoor: the one front-door implementation', () => {
    expect(door).toBeInstanceOf(FrontDoor);
    expect(door.node.path).toBe('TestStack/Buffer/FrontDoor');
    expect(door.apiKind).toBe(FrontDoorApiKind.REST);
    template.resourceCountIs('AWS::ApiGateway::RestApi', 1);
  });

  test('POST /orders: AWS integration to SQS SendMessage with the route\'s role, IAM auth, no Lambda', () => {
    template.resourceCountIs('AWS::Lambda::Function', 1); // the writer only
    template.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: 'orders' });
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'POST',
      AuthorizationType: 'AWS_IAM',
      ApiKeyRequired: false,
      Integration: Match.objectLike({
        Type: 'AWS',
        IntegrationHttpMethod: 'POST',
        Credentials: arnOf(role),
        PassthroughBehavior: 'NEVER',
        RequestTemplates: { 'application/json': 'Action=SendMessage&MessageBody=$util.urlEncode($input.body)' },
        RequestParameters: { 'integration.request.header.Content-Type': '\'application/x-www-form-urlencoded\'' },
      }),
    });
    // Least privilege: one action on the buffer queue (FrontDoor's route role).
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [ref(role)],
      PolicyDocument: { Statement: [Match.objectLike({ Action: 'sqs:SendMessage', Resource: arnOf(buffer.queue) })] },
    });
  });

  test('request model from messageSchema, validated body', () => {
    template.hasResourceProperties('AWS::ApiGateway::Model', {
      ContentType: 'application/json',
      Schema: Match.objectLike({ $schema: 'http://json-schema.org/draft-04/schema#', type: 'object', required: ['orderId', 'amount'] }),
    });
    template.hasResourceProperties('AWS::ApiGateway::RequestValidator', { ValidateRequestBody: true });
    template.hasResourceProperties('AWS::ApiGateway::Method', { RequestValidatorId: Match.anyValue(), RequestModels: { 'application/json': Match.anyValue() } });
  });

  test('stage: throttling 100/s burst 200, JSON access logs into a log group kept one month', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      AccessLogSetting: Match.objectLike({ DestinationArn: arnOf(door.accessLogGroup) }),
      MethodSettings: [Match.objectLike({ ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200, HttpMethod: '*', ResourcePath: '/*' })],
      TracingEnabled: false,
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    template.resourceCountIs('AWS::ApiGateway::Account', 0);
  });

  test('the front door\'s four alarms (with ApiName + Stage dimensions) are the buffer\'s, and its section is on the buffer\'s one dashboard', () => {
    for (const metric of ['5XXError', '4XXError', 'Latency', 'IntegrationLatency']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/ApiGateway', MetricName: metric, Dimensions: Match.arrayWith([Match.objectLike({ Name: 'ApiName' }), Match.objectLike({ Name: 'Stage', Value: Match.anyValue() })]),
      });
    }
    expect(door.alarms).toHaveLength(4);
    expect(buffer.alarms).toEqual(expect.arrayContaining(door.alarms));
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    expect(JSON.stringify(template.toJSON())).toContain('## Front door');
  });

  test('alarmTopic and alarmsEnabled: false reach the front door', () => {
    const s = newStack();
    const topic = new sns.Topic(s, 'Alarms');
    new WriteBuffer(s, 'Buffer', { sink: WriteBufferSink.dynamoDb({ table: ordersTable(s) }), frontDoor: {}, alarmTopic: topic });
    Template.fromStack(s).hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: '5XXError', AlarmActions: [ref(topic)] });
    const quiet = newStack();
    const b = new WriteBuffer(quiet, 'Buffer', { sink: WriteBufferSink.dynamoDb({ table: ordersTable(quiet) }), frontDoor: {}, alarmsEnabled: false });
    Template.fromStack(quiet).resourceCountIs('AWS::CloudWatch::Alarm', 0);
    expect(b.frontDoor!.alarms).toEqual([]);
  });

  test('grantInvoke allows execute-api:Invoke on the POST method', () => {
    const s = newStack();
    const b = new WriteBuffer(s, 'Buffer', { sink: WriteBufferSink.dynamoDb({ table: ordersTable(s) }), frontDoor: {} });
    const caller = new iam.Role(s, 'Caller', { assumedBy: new iam.AccountRootPrincipal() });
    b.frontDoor!.grantInvoke(caller);
    Template.fromStack(s).hasResourceProperties('AWS::IAM::Policy', {
      Roles: [ref(caller)], PolicyDocument: { Statement: [Match.objectLike({ Action: 'execute-api:Invoke' })] },
    });
  });

  test('API key auth: key required, usage plan with the same throttle and a daily quota', () => {
    const s = newStack();
    new WriteBuffer(s, 'Buffer', {
      sink: WriteBufferSink.dynamoDb({ table: ordersTable(s) }),
      frontDoor: { authorization: FrontDoorAuthorization.API_KEY, throttling: { rateLimit: 50, burstLimit: 80 }, dailyQuota: 100_000 },
    });
    const t = templateOf(s);
    t.hasResourceProperties('AWS::ApiGateway::Method', { HttpMethod: 'POST', AuthorizationType: 'NONE', ApiKeyRequired: true });
    t.hasResourceProperties('AWS::ApiGateway::UsagePlan', { Throttle: { RateLimit: 50, BurstLimit: 80 }, Quota: { Limit: 100_000, Period: 'DAY' } });
    t.resourceCountIs('AWS::ApiGateway::ApiKey', 1);
    t.resourceCountIs('AWS::ApiGateway::UsagePlanKey', 1);
  });

  test('Cognito and Lambda authorizers: what FrontDoor offers, the buffer\'s door offers', () => {
    const s = newStack();
    const userPool = new cognito.UserPool(s, 'Users');
    new WriteBuffer(s, 'Buffer', { sink: WriteBufferSink.dynamoDb({ table: ordersTable(s) }), frontDoor: { authorization: FrontDoorAuthorization.COGNITO, userPool } });
    const t = Template.fromStack(s);
    t.hasResourceProperties('AWS::ApiGateway::Method', { HttpMethod: 'POST', AuthorizationType: 'COGNITO_USER_POOLS', AuthorizerId: Match.anyValue() });
    t.hasResourceProperties('AWS::ApiGateway::Authorizer', { Type: 'COGNITO_USER_POOLS' });
    const l = newStack();
    const authorizerFunction = new lambda.Function(l, 'Authorizer', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => ({})') });
    new WriteBuffer(l, 'Buffer', { sink: WriteBufferSink.dynamoDb({ table: ordersTable(l) }), frontDoor: { authorization: FrontDoorAuthorization.LAMBDA, authorizerFunction } });
    Template.fromStack(l).hasResourceProperties('AWS::ApiGateway::Method', { HttpMethod: 'POST', AuthorizationType: 'CUSTOM', AuthorizerId: Match.anyValue() });
  });

  test('HTTP API: a first-class SQS-SendMessage integration, no request model (the writer validates)', () => {
    const s = newStack();
    const b = new WriteBuffer(s, 'Buffer', { sink: WriteBufferSink.dynamoDb({ table: ordersTable(s) }), messageSchema: orderSchema, frontDoor: { apiKind: FrontDoorApiKind.HTTP, path: 'orders' } });
    const t = Template.fromStack(s);
    expect(b.frontDoor!.httpApi).toBeDefined();
    t.hasResourceProperties('AWS::ApiGatewayV2::Integration', { IntegrationSubtype: 'SQS-SendMessage', RequestParameters: Match.objectLike({ MessageBody: '$request.body' }) });
    t.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'POST /orders', AuthorizationType: 'AWS_IAM' });
    t.resourceCountIs('AWS::ApiGateway::Model', 0);
  });

  test('FIFO: message group id and deduplication id from body fields; web ACL; execution logs; X-Ray', () => {
    const s = newStack();
    new WriteBuffer(s, 'Buffer', {
      sink: WriteBufferSink.dynamoDb({ table: ordersTable(s) }),
      queueProps: { fifo: true },
      frontDoor: {
        messageGroupId: FrontDoorValue.bodyField('customerId'),
        deduplicationId: FrontDoorValue.bodyField('orderId'),
        executionLogging: true,
        tracingEnabled: true,
        webAclArn: 'arn:aws:wafv2:us-east-1:111111111111:regional/webacl/orders/abc',
      },
    });
    const t = Template.fromStack(s);
    t.hasResourceProperties('AWS::ApiGateway::Method', {
      Integration: Match.objectLike({
        RequestTemplates: {
          'application/json': 'Action=SendMessage&MessageBody=$util.urlEncode($input.body)'
            + '&MessageGroupId=$util.urlEncode($input.path(\'$.customerId\'))&MessageDeduplicationId=$util.urlEncode($input.path(\'$.orderId\'))',
        },
      }),
    });
    // The fields the route reads are required strings in the request model.
    t.hasResourceProperties('AWS::ApiGateway::Model', { Schema: Match.objectLike({ required: Match.arrayWith(['customerId', 'orderId']) }) });
    t.hasResourceProperties('AWS::WAFv2::WebACLAssociation', { WebACLArn: 'arn:aws:wafv2:us-east-1:111111111111:regional/webacl/orders/abc' });
    t.hasResourceProperties('AWS::ApiGateway::Stage', { TracingEnabled: true, MethodSettings: [Match.objectLike({ LoggingLevel: 'ERROR' })] });
  });
});

describe('WriteBuffer bad input', () => {
  const table = (stack: Stack) => ordersTable(stack);
  const ddb = (s: Stack) => WriteBufferSink.dynamoDb({ table: table(s) });
  const imported = (s: Stack) => WriteBufferSink.customWriter(lambda.Function.fromFunctionArn(s, 'F', 'arn:aws:lambda:us-east-1:111111111111:function:w'));
  const buffer = (props: (s: Stack) => WriteBufferProps) => (s: Stack) => { new WriteBuffer(s, 'Buffer', props(s)); };
  const P = 'TestStack/Buffer';
  // [name, build, code, prop, value, allowed, fix]
  const cases: Array<[string, (s: Stack) => void, string, string, string, string, string]> = [
    ['consumer.maxConcurrency below 2', buffer(s => ({ sink: ddb(s), consumer: { maxConcurrency: 1 } })), 'CONSUMER_MAX_CONCURRENCY', 'consumer.maxConcurrency', '1', 'a whole number from 2 to 1,000', 'size it from what the function writes to'],
    ['consumer.maxConcurrency above 1000', buffer(s => ({ sink: ddb(s), consumer: { maxConcurrency: 1001 } })), 'CONSUMER_MAX_CONCURRENCY', 'consumer.maxConcurrency', '1001', 'from 2 to 1,000', 'set consumer.maxConcurrency'],
    ['consumer.maxConcurrency NaN', buffer(s => ({ sink: ddb(s), consumer: { maxConcurrency: NaN } })), 'CONSUMER_MAX_CONCURRENCY', 'consumer.maxConcurrency', 'NaN', 'from 2 to 1,000', 'set consumer.maxConcurrency'],
    ['consumer.maxConcurrency fractional', buffer(s => ({ sink: ddb(s), consumer: { maxConcurrency: 2.5 } })), 'CONSUMER_MAX_CONCURRENCY', 'consumer.maxConcurrency', '2.5', 'a whole number', 'set consumer.maxConcurrency'],
    ['batchSize above 10 without a window', buffer(s => ({ sink: ddb(s), consumer: { batchSize: 11 } })), 'CONSUMER_BATCH_SIZE', 'consumer.batchSize', '11', 'from 1 to 10', 'set consumer.maxBatchingWindow to allow up to 10,000'],
    ['batchSize above 10,000 with a window', buffer(s => ({ sink: ddb(s), consumer: { batchSize: 10_001, maxBatchingWindow: Duration.seconds(1) } })), 'CONSUMER_BATCH_SIZE', 'consumer.batchSize', '10001', 'from 1 to 10,000', 'set consumer.batchSize from 1 to 10,000'],
    ['batchSize 0', buffer(s => ({ sink: ddb(s), consumer: { batchSize: 0 } })), 'CONSUMER_BATCH_SIZE', 'consumer.batchSize', '0', 'from 1 to 10', 'set consumer.batchSize'],
    ['batchSize Infinity', buffer(s => ({ sink: ddb(s), consumer: { batchSize: Infinity } })), 'CONSUMER_BATCH_SIZE', 'consumer.batchSize', 'Infinity', 'from 1 to 10', 'set consumer.batchSize'],
    ['batchSize above 10 on FIFO', buffer(s => ({ sink: ddb(s), queueProps: { fifo: true }, consumer: { batchSize: 20 } })), 'CONSUMER_BATCH_SIZE', 'consumer.batchSize', '20', 'from 1 to 10', '(FIFO queues)'],
    ['batching window on FIFO', buffer(s => ({ sink: ddb(s), queueProps: { fifo: true }, consumer: { maxBatchingWindow: Duration.seconds(1) } })), 'CONSUMER_BATCHING_WINDOW_FIFO', 'consumer.maxBatchingWindow', '1 second', 'no value on a FIFO queue', 'remove consumer.maxBatchingWindow'],
    ['batching window above 5 minutes', buffer(s => ({ sink: ddb(s), consumer: { maxBatchingWindow: Duration.minutes(6) } })), 'CONSUMER_BATCHING_WINDOW', 'consumer.maxBatchingWindow', '6 minutes', '0 seconds to 5 minutes', 'set consumer.maxBatchingWindow'],
    ['batching window NaN', buffer(s => ({ sink: ddb(s), consumer: { maxBatchingWindow: Duration.seconds(NaN) } })), 'CONSUMER_BATCHING_WINDOW', 'consumer.maxBatchingWindow', 'Duration.seconds(NaN)', '0 seconds to 5 minutes', 'set consumer.maxBatchingWindow'],
    ['writer memory below 128 MB', buffer(s => ({ sink: ddb(s), consumer: { memorySize: 64 } })), 'CONSUMER_MEMORY_SIZE', 'consumer.memorySize', '64 MB', 'from 128 to 10,240 MB', 'set consumer.memorySize'],
    ['writer memory NaN', buffer(s => ({ sink: ddb(s), consumer: { memorySize: NaN } })), 'CONSUMER_MEMORY_SIZE', 'consumer.memorySize', 'NaN MB', 'from 128 to 10,240 MB', 'set consumer.memorySize'],
    ['writer timeout above 15 minutes', buffer(s => ({ sink: ddb(s), consumer: { timeout: Duration.minutes(16) } })), 'CONSUMER_TIMEOUT', 'consumer.timeout', '16 minutes', '1 second to 15 minutes', 'set consumer.timeout'],
    ['writer timeout Infinity', buffer(s => ({ sink: ddb(s), consumer: { timeout: Duration.seconds(Infinity) } })), 'CONSUMER_TIMEOUT', 'consumer.timeout', 'Duration.seconds(Infinity)', '1 second to 15 minutes', 'set consumer.timeout'],
    ['visibility timeout below 6 x writer timeout + window', buffer(s => ({ sink: ddb(s), consumer: { maxBatchingWindow: Duration.seconds(10) }, queueProps: { visibilityTimeout: Duration.seconds(60) } })),
      'CONSUMER_VISIBILITY_TIMEOUT', 'queueProps.visibilityTimeout', '1 minute', 'at least 3 minutes 10 seconds (190 s): 6 x consumer.timeout (30 seconds) + consumer.maxBatchingWindow (10 seconds)', 'raise queueProps.visibilityTimeout to 3 minutes 10 seconds (190 s)'],
    ['visibility timeout below 6 x a longer writer timeout', buffer(s => ({ sink: ddb(s), consumer: { timeout: Duration.minutes(2) }, queueProps: { visibilityTimeout: Duration.minutes(10) } })),
      'CONSUMER_VISIBILITY_TIMEOUT', 'queueProps.visibilityTimeout', '10 minutes', 'at least 12 minutes (720 s)', 'raise queueProps.visibilityTimeout'],
    ['imported writer without a visibility timeout', buffer(s => ({ sink: imported(s) })), 'WRITE_BUFFER_VISIBILITY_UNKNOWN', 'queueProps.visibilityTimeout', 'undefined', 'at least 6 x the writer\'s timeout', 'set queueProps.visibilityTimeout'],
    ['partitionKey that is not the table\'s key', buffer(s => ({ sink: WriteBufferSink.dynamoDb({ table: table(s), partitionKey: 'id' }) })), 'WRITE_BUFFER_SINK_PARTITION_KEY', 'sink.partitionKey', '"id"', 'the partition key of table TestStack/Orders: "orderId"', 'set partitionKey to "orderId"'],
    ['sortKey on a table without one', buffer(s => ({ sink: WriteBufferSink.dynamoDb({ table: table(s), sortKey: 'createdAt' }) })), 'WRITE_BUFFER_SINK_SORT_KEY', 'sink.sortKey', '"createdAt"', 'none: table TestStack/Orders has no sort key', 'remove sortKey'],
    ['imported table without partitionKey', buffer(s => ({ sink: WriteBufferSink.dynamoDb({ table: dynamodb.Table.fromTableName(s, 'T', 'orders') }) })), 'WRITE_BUFFER_SINK_PARTITION_KEY', 'sink.partitionKey', 'undefined', 'the name of the table\'s partition key', 'set partitionKey'],
    ['Data API sink on a cluster without the Data API', buffer(s => ({ sink: WriteBufferSink.dataApi({ cluster: auroraCluster(s, undefined), databaseName: 'shop', sql: 'INSERT INTO t (id) VALUES (:id)', parameters: [{ name: 'id', field: 'id' }] }) })),
      'WRITE_BUFFER_SINK_DATA_API', 'sink.cluster', 'cluster TestStack/Db without the Data API', 'RDS Data API enabled', 'set enableDataApi: true'],
    ['Data API parameter missing from the mapping', buffer(s => ({ sink: WriteBufferSink.dataApi({ cluster: auroraCluster(s, true), databaseName: 'shop', sql: 'INSERT INTO t (id, n) VALUES (:id, :n)', parameters: [{ name: 'id', field: 'id' }] }) })),
      'WRITE_BUFFER_SINK_PARAMETERS', 'sink.parameters', 'statement parameters [:id, :n], mapped [id]', 'exactly one mapping per named parameter', 'add mappings for :n'],
    ['Data API mapping without a parameter', buffer(s => ({ sink: WriteBufferSink.dataApi({ cluster: auroraCluster(s, true), databaseName: 'shop', sql: 'INSERT INTO t (id) VALUES (:id)', parameters: [{ name: 'id', field: 'id' }, { name: 'x', field: 'x' }] }) })),
      'WRITE_BUFFER_SINK_PARAMETERS', 'sink.parameters', 'mapped [id, x]', 'exactly one mapping per named parameter', 'remove mappings x'],
    ['Data API empty database name', buffer(s => ({ sink: WriteBufferSink.dataApi({ cluster: auroraCluster(s, true), databaseName: '', sql: 'INSERT INTO t (id) VALUES (:id)', parameters: [{ name: 'id', field: 'id' }] }) })),
      'WRITE_BUFFER_SINK_DATABASE', 'sink.databaseName', '"" (empty)', 'a database name', 'e.g. "shop"'],
    ['existing queue without its DLQ', buffer(s => ({ sink: ddb(s), queueProps: { existingQueue: sqs.Queue.fromQueueArn(s, 'Q', 'arn:aws:sqs:us-east-1:111111111111:q') } })),
      'WRITE_BUFFER_EXISTING_DLQ', 'queueProps.existingDeadLetterQueue', 'undefined with queueProps.existingQueue', 'the dead-letter queue of the existing queue', 'pass queueProps.existingDeadLetterQueue'],
    ['function settings with a custom writer', buffer(s => ({ sink: imported(s), consumer: { memorySize: 512 }, queueProps: { visibilityTimeout: Duration.minutes(5) } })),
      'WRITE_BUFFER_SETTING_WITH_CUSTOM_WRITER', 'consumer.memorySize', '512', 'no value with WriteBufferSink.customWriter', 'set memorySize on your function'],
    ['messageSchema with a custom writer and no front door (nothing would validate it)', buffer(s => ({ sink: imported(s), messageSchema: { type: apigateway.JsonSchemaType.OBJECT }, queueProps: { visibilityTimeout: Duration.minutes(5) } })),
      'WRITE_BUFFER_SCHEMA_WITH_CUSTOM_WRITER', 'messageSchema', '{"type":"object"}', 'with WriteBufferSink.customWriter and no front door', 'validate in your writer, or use a bundled sink'],
    ['schema keyword the writer does not validate', buffer(s => ({ sink: ddb(s), messageSchema: { type: apigateway.JsonSchemaType.OBJECT, required: ['orderId'], properties: { tags: { type: apigateway.JsonSchemaType.ARRAY, uniqueItems: true } } } })),
      'WRITE_BUFFER_SCHEMA_KEYWORD', 'messageSchema.properties.tags.uniqueItems', 'true', 'the keywords the writer validates', 'remove uniqueItems'],
    ['schema that does not require the partition key', buffer(s => ({ sink: ddb(s), messageSchema: { type: apigateway.JsonSchemaType.OBJECT, required: ['customerId'] } })),
      'WRITE_BUFFER_SCHEMA_KEY_NOT_REQUIRED', 'messageSchema.required', '["customerId"] (without "orderId")', 'a list that includes "orderId", the table\'s partition key', 'add "orderId" to messageSchema.required'],
    ['schema without required at all', buffer(s => ({ sink: ddb(s), messageSchema: { type: apigateway.JsonSchemaType.OBJECT } })),
      'WRITE_BUFFER_SCHEMA_KEY_NOT_REQUIRED', 'messageSchema.required', '[] (without "orderId")', 'includes "orderId"', 'add "orderId"'],
    ['schema that does not require the sort key', buffer(s => ({ sink: WriteBufferSink.dynamoDb({ table: ordersTable(s, 'createdAt') }), messageSchema: { type: apigateway.JsonSchemaType.OBJECT, required: ['orderId'] } })),
      'WRITE_BUFFER_SCHEMA_KEY_NOT_REQUIRED', 'messageSchema.required', '(without "createdAt")', 'the table\'s sort key', 'add "createdAt"'],
    ['schema that does not require the FIFO message group field', buffer(s => ({ sink: ddb(s), queueProps: { fifo: true }, frontDoor: { messageGroupId: FrontDoorValue.bodyField('customerId') }, messageSchema: { type: apigateway.JsonSchemaType.OBJECT, required: ['orderId'] } })),
      'WRITE_BUFFER_SCHEMA_KEY_NOT_REQUIRED', 'messageSchema.required', '(without "customerId")', 'frontDoor.messageGroupId', 'add "customerId"'],
    ['schema of an array', buffer(s => ({ sink: ddb(s), messageSchema: { type: apigateway.JsonSchemaType.ARRAY, required: ['orderId'] } })),
      'WRITE_BUFFER_SCHEMA_TYPE', 'messageSchema.type', '"array"', 'apigateway.JsonSchemaType.OBJECT', 'set type: apigateway.JsonSchemaType.OBJECT'],
    // The buffer's door is checked by FrontDoor's own rules (FRONT_DOOR_* codes), named under frontDoor.
    ['front door on FIFO without messageGroupId', buffer(s => ({ sink: ddb(s), queueProps: { fifo: true }, frontDoor: {} })),
      'FRONT_DOOR_FIFO_GROUP_ID', 'frontDoor.messageGroupId', 'undefined on a FIFO queue', 'FrontDoorValue.bodyField(...) or FrontDoorValue.header(...)', 'set frontDoor.messageGroupId'],
    ['front door message group field that is not a field path', buffer(s => ({ sink: ddb(s), queueProps: { fifo: true }, frontDoor: { messageGroupId: FrontDoorValue.bodyField('a b') } })),
      'FRONT_DOOR_VALUE_NAME', 'frontDoor.messageGroupId', '"a b"', 'a body field name or dotted path', 'e.g. "customerId"'],
    ['front door deduplication id on a standard queue', buffer(s => ({ sink: ddb(s), frontDoor: { deduplicationId: FrontDoorValue.bodyField('orderId') } })),
      'FRONT_DOOR_GROUP_ID_ON_STANDARD', 'frontDoor.deduplicationId', 'orderId', 'no value on a standard queue', 'remove frontDoor.deduplicationId'],
    ['front door dailyQuota with IAM auth', buffer(s => ({ sink: ddb(s), frontDoor: { dailyQuota: 10 } })),
      'FRONT_DOOR_QUOTA_WITHOUT_API_KEY', 'frontDoor.dailyQuota', '10', 'without FrontDoorAuthorization.API_KEY', 'set frontDoor.authorization: FrontDoorAuthorization.API_KEY'],
    ['front door with COGNITO and no user pool (the door never falls open)', buffer(s => ({ sink: ddb(s), frontDoor: { authorization: FrontDoorAuthorization.COGNITO } })),
      'FRONT_DOOR_COGNITO_USER_POOL', 'frontDoor.userPool', 'undefined with FrontDoorAuthorization.COGNITO', 'the user pool whose tokens are accepted', 'set frontDoor.userPool'],
    ['front door with LAMBDA and no authorizer', buffer(s => ({ sink: ddb(s), frontDoor: { authorization: FrontDoorAuthorization.LAMBDA } })),
      'FRONT_DOOR_LAMBDA_AUTHORIZER', 'frontDoor.authorizerFunction', 'undefined with FrontDoorAuthorization.LAMBDA', 'the authorizer function', 'set frontDoor.authorizerFunction'],
    ['front door rate limit 0', buffer(s => ({ sink: ddb(s), frontDoor: { throttling: { rateLimit: 0 } } })),
      'FRONT_DOOR_THROTTLING_RATE', 'frontDoor.throttling.rateLimit', '0 requests/s', 'from 1 to 10,000 requests/s', 'set frontDoor.throttling.rateLimit'],
    ['front door rate limit NaN', buffer(s => ({ sink: ddb(s), frontDoor: { throttling: { rateLimit: NaN } } })),
      'FRONT_DOOR_THROTTLING_RATE', 'frontDoor.throttling.rateLimit', 'NaN requests/s', 'from 1 to 10,000', 'set frontDoor.throttling.rateLimit'],
    ['front door burst above 5,000', buffer(s => ({ sink: ddb(s), frontDoor: { throttling: { burstLimit: 5001 } } })),
      'FRONT_DOOR_THROTTLING_BURST', 'frontDoor.throttling.burstLimit', '5001 requests', 'from 1 to 5,000 requests', 'set frontDoor.throttling.burstLimit'],
    ['front door daily quota 0', buffer(s => ({ sink: ddb(s), frontDoor: { authorization: FrontDoorAuthorization.API_KEY, dailyQuota: 0 } })),
      'FRONT_DOOR_DAILY_QUOTA', 'frontDoor.dailyQuota', '0 requests', 'from 1 to 1,000,000,000 requests', 'set frontDoor.dailyQuota'],
    ['front door path with a leading slash', buffer(s => ({ sink: ddb(s), frontDoor: { path: '/orders' } })),
      'FRONT_DOOR_ROUTE_PATH', 'frontDoor.path', '"/orders"', 'no leading or trailing /', 'e.g. "orders"'],
    ['front door integration timeout above 29 s', buffer(s => ({ sink: ddb(s), frontDoor: { integrationTimeout: Duration.seconds(30) } })),
      'FRONT_DOOR_INTEGRATION_TIMEOUT', 'frontDoor.integrationTimeout', '30 seconds', '50 millis to 29 seconds', 'set frontDoor.integrationTimeout'],
    ['front door WAF on an HTTP API', buffer(s => ({ sink: ddb(s), frontDoor: { apiKind: FrontDoorApiKind.HTTP, webAclArn: 'arn:aws:wafv2:us-east-1:111111111111:regional/webacl/orders/abc' } })),
      'FRONT_DOOR_HTTP_WAF', 'frontDoor.webAclArn', 'arn:aws:wafv2', 'on an HTTP API', 'or use frontDoor.apiKind: FrontDoorApiKind.REST'],
    ['front door execution logs on an HTTP API', buffer(s => ({ sink: ddb(s), frontDoor: { apiKind: FrontDoorApiKind.HTTP, executionLogging: true } })),
      'FRONT_DOOR_HTTP_EXECUTION_LOGGING', 'frontDoor.executionLogging', 'true', 'on an HTTP API', 'or use frontDoor.apiKind: FrontDoorApiKind.REST'],
    ['front door global (CLOUDFRONT) web ACL', buffer(s => ({ sink: ddb(s), frontDoor: { webAclArn: 'arn:aws:wafv2:us-east-1:111111111111:global/webacl/orders/abc' } })),
      'FRONT_DOOR_WAF_REGIONAL', 'frontDoor.webAclArn', 'global/webacl', 'scope REGIONAL', 'create the web ACL with scope REGIONAL'],
    ['messageSchema with a custom writer and an HTTP API door (nothing would validate it)', buffer(s => ({ sink: imported(s), messageSchema: { type: apigateway.JsonSchemaType.OBJECT }, frontDoor: { apiKind: FrontDoorApiKind.HTTP }, queueProps: { visibilityTimeout: Duration.minutes(5) } })),
      'WRITE_BUFFER_SCHEMA_WITH_CUSTOM_WRITER', 'messageSchema', '{"type":"object"}', 'an HTTP API front door', 'use frontDoor.apiKind: FrontDoorApiKind.REST'],
    ['queue retention out of range, nested', buffer(s => ({ sink: ddb(s), queueProps: { retentionPeriod: Duration.days(15) } })),
      'SECURE_QUEUE_RETENTION', 'queueProps.retentionPeriod', '15 days', '1 minute (60 s) to 14 days', 'set queueProps.retentionPeriod'],
    ['queue name with a space, nested', buffer(s => ({ sink: ddb(s), queueProps: { queueName: 'my orders' } })),
      'SECURE_QUEUE_NAME', 'queueProps.queueName', '"my orders" (characters outside the allowed set)', 'SQS queue name of 1 to 80 characters', 'rename it'],
    ['queue age alarm that could never fire, nested', buffer(s => ({ sink: ddb(s), queueProps: { retentionPeriod: Duration.minutes(10), maxMessageAge: Duration.minutes(15) } })),
      'SECURE_QUEUE_AGE_ALARM_NEVER_FIRES', 'queueProps.maxMessageAge', '15 minutes (900 s)', 'less than queueProps.retentionPeriod (10 minutes (600 s))', 'lower queueProps.maxMessageAge'],
    ['dashboard name with a space', buffer(s => ({ sink: ddb(s), dashboardName: 'my buffer' })),
      'WRITE_BUFFER_DASHBOARD_NAME', 'dashboardName', '"my buffer" (characters outside the allowed set)', 'CloudWatch dashboard name of 1 to 255 characters', 'rename it'],
    ['dashboard name with a shared dashboard', buffer(s => ({ sink: ddb(s), dashboard: new PatternDashboard(s, 'Shared'), dashboardName: 'x' })),
      'DASHBOARD_NAME_WITH_SHARED', 'dashboardName', 'x', 'no value together with dashboard', 'name the shared PatternDashboard'],
    ['alarm topic with an imported key', buffer(s => ({ sink: ddb(s), alarmTopic: new sns.Topic(s, 'Alarms', { masterKey: kms.Key.fromKeyArn(s, 'K', 'arn:aws:kms:us-east-1:111111111111:key/abc') }) })),
      'ALARM_TOPIC_KEY', 'alarmTopic', 'that this app cannot grant to CloudWatch', 'an unencrypted topic, or one whose KMS key this app defines', 'pass a SecureTopic'],
  ];

  test.each(cases)('%s', (_name, build, code, prop, value, allowed, fix) => {
    expectBadInput({ build, path: P, code, prop, value, allowed, fix });
  });

  test('every violation in one error', () => {
    const message = expectBadInput({
      build: buffer(s => ({ sink: ddb(s), consumer: { maxConcurrency: 1, batchSize: 0 }, dashboardName: 'a b' })),
      path: P,
      code: 'CONSUMER_BATCH_SIZE',
      prop: 'consumer.batchSize',
      value: '0',
      allowed: 'from 1 to 10',
      fix: 'set consumer.batchSize',
    });
    expect(message).toContain('3 invalid settings');
  });
});

describe('WriteBuffer numeric props accept CfnParameter tokens', () => {
  const cases: Array<[string, (s: Stack, n: number) => WriteBufferProps]> = [
    ['consumer.maxConcurrency', (s, n) => ({ sink: WriteBufferSink.dynamoDb({ table: ordersTable(s) }), consumer: { maxConcurrency: n } })],
    ['consumer.batchSize', (s, n) => ({ sink: WriteBufferSink.dynamoDb({ table: ordersTable(s) }), consumer: { batchSize: n } })],
    ['consumer.memorySize', (s, n) => ({ sink: WriteBufferSink.dynamoDb({ table: ordersTable(s) }), consumer: { memorySize: n } })],
    ['consumer.timeout (seconds)', (s, n) => ({ sink: WriteBufferSink.dynamoDb({ table: ordersTable(s) }), consumer: { timeout: Duration.seconds(n) }, queueProps: { visibilityTimeout: Duration.minutes(20) } })],
    ['consumer.maxBatchingWindow (seconds)', (s, n) => ({ sink: WriteBufferSink.dynamoDb({ table: ordersTable(s) }), consumer: { maxBatchingWindow: Duration.seconds(n) }, queueProps: { visibilityTimeout: Duration.minutes(20) } })],
    ['queueProps.maxReceiveCount', (s, n) => ({ sink: WriteBufferSink.dynamoDb({ table: ordersTable(s) }), queueProps: { maxReceiveCount: n } })],
    ['queueProps.maxMessageSizeBytes', (s, n) => ({ sink: WriteBufferSink.dynamoDb({ table: ordersTable(s) }), queueProps: { maxMessageSizeBytes: n } })],
    ['queueProps.visibilityTimeout (seconds)', (s, n) => ({ sink: WriteBufferSink.dynamoDb({ table: ordersTable(s) }), queueProps: { visibilityTimeout: Duration.seconds(n) } })],
    ['frontDoor.throttling.rateLimit', (s, n) => ({ sink: WriteBufferSink.dynamoDb({ table: ordersTable(s) }), frontDoor: { throttling: { rateLimit: n } } })],
    ['frontDoor.throttling.burstLimit', (s, n) => ({ sink: WriteBufferSink.dynamoDb({ table: ordersTable(s) }), frontDoor: { throttling: { burstLimit: n } } })],
    ['frontDoor.dailyQuota', (s, n) => ({ sink: WriteBufferSink.dynamoDb({ table: ordersTable(s) }), frontDoor: { authorization: FrontDoorAuthorization.API_KEY, dailyQuota: n } })],
  ];
  test.each(cases)('%s', (_name, props) => {
    expectNumberTokenAccepted((s, n) => { new WriteBuffer(s, 'Buffer', props(s, n)); });
  });
});

describe('contract with the bundled writer: the environment the construct writes is what lambda/write-buffer reads', () => {
  type Fn = { Properties: { Environment: { Variables: Record<string, unknown> } } };
  /** The writer's environment with tokens replaced by placeholder strings (as Lambda would resolve them). */
  function writerEnvironment(stack: Stack): NodeJS.ProcessEnv {
    const fns = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function')) as Fn[];
    const variables = fns.find(f => f.Properties.Environment?.Variables?.WRITE_BUFFER_SINK)!.Properties.Environment.Variables;
    return Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, typeof v === 'string' ? v : `resolved-${k}`]));
  }

  test('DynamoDB sink with the order schema: readConfig accepts it; the schema accepts an order and rejects the schema failures the e2e sends', () => {
    const stack = newStack();
    // The schema must require the sort key too (WRITE_BUFFER_SCHEMA_KEY_NOT_REQUIRED).
    const schema = { ...ORDER_SCHEMA, required: [...ORDER_SCHEMA.required!, 'lineId'] };
    new WriteBuffer(stack, 'Buffer', { sink: WriteBufferSink.dynamoDb({ table: ordersTable(stack, 'lineId') }), messageSchema: schema });
    const config = readConfig(writerEnvironment(stack));
    expect(config.target).toEqual({ sink: 'dynamodb', tableName: 'resolved-TABLE_NAME', partitionKey: 'orderId', sortKey: 'lineId' });
    expect(config.deadLetterQueueUrl).toBe('resolved-DEAD_LETTER_QUEUE_URL');
    const validate = config.validate!;
    expect(validate({ orderId: 'o-1', lineId: 'l-1', customerId: 'c-1', amount: 12.5, currency: 'EUR' })).toBeUndefined();
    expect(validate({ orderId: 'o-1', customerId: 'c-1', amount: 12.5, currency: 'EUR' })).toEqual(expect.any(String));
    expect(validate({ orderId: 'o-1', customerId: 'c-1' })).toEqual(expect.any(String));
    expect(validate({ orderId: 'o-1', customerId: 'c-1', amount: -5 })).toEqual(expect.any(String));
    expect(validate({ orderId: 'o-1', customerId: 'c-1', amount: 10, currency: 'XXX' })).toEqual(expect.any(String));
  });

  test('Data API sink: readConfig accepts the statement and the parameter mapping', () => {
    const stack = newStack();
    new WriteBuffer(stack, 'Buffer', {
      sink: WriteBufferSink.dataApi({
        cluster: auroraCluster(stack, true),
        databaseName: 'shop',
        sql: 'INSERT INTO orders (id, amount) VALUES (:id, :amount) ON CONFLICT (id) DO NOTHING',
        parameters: [{ name: 'id', field: 'orderId' }, { name: 'amount', field: 'amount', type: DataApiParameterType.DOUBLE }],
      }),
    });
    const config = readConfig(writerEnvironment(stack));
    expect(config.target).toEqual(expect.objectContaining({
      sink: 'data-api',
      database: 'shop',
      resourceArn: 'resolved-CLUSTER_ARN',
      secretArn: 'resolved-SECRET_ARN',
      mapping: [expect.objectContaining({ name: 'id', field: 'orderId', type: 'string' }), expect.objectContaining({ name: 'amount', field: 'amount', type: 'double' })],
    }));
  });
});

describe('WriteBuffer dashboards', () => {
  test('a shared PatternDashboard gets the buffer\'s sections under its id; no dashboard of its own', () => {
    const stack = newStack();
    const shared = new PatternDashboard(stack, 'Shared');
    const buffer = new WriteBuffer(stack, 'Buffer', { sink: WriteBufferSink.dynamoDb({ table: ordersTable(stack) }), dashboard: shared });
    expect(buffer.dashboard).toBe(shared);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    expect(JSON.stringify(template.findResources('AWS::CloudWatch::Dashboard'))).toContain('Buffer: Writer');
  });
});
