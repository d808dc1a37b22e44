/**
 * The peer of `OrderIntakeStack`: the same architecture written the way a careful user would
 * write it with plain aws-cdk-lib L2 constructs and no code from this library.
 *
 * Same resources (34): an encrypted alarm topic that CloudWatch may publish to, a DynamoDB
 * table with point-in-time recovery, a buffer queue with a dead-letter queue (TLS-only, SSE,
 * long polling, named, redrive allowed from the buffer queue only), the library's bundled
 * batch writer with an SQS event source (partial batch responses), a REST API that sends
 * `POST /orders` straight to the queue (IAM auth, a request model and validator, throttling,
 * JSON access logs, an integration role that may only send), nine alarms and one dashboard.
 *
 * Like for like, property by property (so the ratio measures construct work, not a smaller
 * template): the same descriptions, queue names, execution role scoped to the log group,
 * environment, integration templates and responses, alarm descriptions and dashboard widgets.
 * The bench checks every resource against ours in every run.
 */
import * as path from 'path';
import { Aws, CfnOutput, Duration, Names, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** The same bundle the library ships (`npx projen bundle` writes it). */
const WRITER_ASSET = path.join(__dirname, '..', '..', 'assets', 'lambda', 'write-buffer-writer.lambda');

/** The order body: the API validates it, the writer checks it again. */
const ORDER_SCHEMA = {
  type: apigateway.JsonSchemaType.OBJECT,
  required: ['orderId', 'customerId', 'amount'],
  properties: {
    orderId: { type: apigateway.JsonSchemaType.STRING, minLength: 1, maxLength: 64 },
    customerId: { type: apigateway.JsonSchemaType.STRING, minLength: 1, maxLength: 64 },
    amount: { type: apigateway.JsonSchemaType.NUMBER, minimum: 0 },
    currency: { type: apigateway.JsonSchemaType.STRING, enum: ['EUR', 'USD', 'GBP'] },
  },
};

export class PlainOrderIntakeStack extends Stack {
  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, props);
    const oneMinute = Duration.minutes(1);
    const fiveMinutes = Duration.minutes(5);
    const p = this.node.path;

    // Alarm topic: encrypted, TLS only, CloudWatch may publish (and use the key).
    const alarmKey = new kms.Key(this, 'AlarmsKey', {
      enableKeyRotation: true, removalPolicy: RemovalPolicy.DESTROY, description: `Encrypts the messages of ${p}/Alarms`,
    });
    const alarmTopic = new sns.Topic(this, 'AlarmsTopic', { masterKey: alarmKey, enforceSSL: true });
    const fromThisAccount = { StringEquals: { 'aws:SourceAccount': this.account } };
    const cloudwatchPrincipal = new iam.ServicePrincipal('cloudwatch.amazonaws.com');
    alarmTopic.addToResourcePolicy(new iam.PolicyStatement({
      actions: ['sns:Publish'], principals: [cloudwatchPrincipal], resources: [alarmTopic.topicArn], conditions: fromThisAccount,
    }));
    alarmKey.addToResourcePolicy(new iam.PolicyStatement({
      actions: ['kms:GenerateDataKey*', 'kms:Decrypt'], principals: [cloudwatchPrincipal], resources: ['*'], conditions: fromThisAccount,
    }));
    const alarmAction = new actions.SnsAction(alarmTopic);
    const alarm = (metric: cloudwatch.Metric, alarmId: string, options: Partial<cloudwatch.CreateAlarmOptions>, notify = true) => {
      const a = metric.createAlarm(this, alarmId, {
        threshold: 0,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        ...options,
      });
      if (notify) {
        a.addAlarmAction(alarmAction);
        a.addOkAction(alarmAction);
      }
      return a;
    };
    alarm(alarmTopic.metricNumberOfNotificationsFailed({ statistic: 'Sum', period: oneMinute }), 'AlarmsTopicFailedAlarm', {
      alarmDescription: `${p}/Alarms: SNS failed to deliver notifications; check subscriber endpoints, their policies and KMS grants.`,
    }, false);

    const table = new dynamodb.TableV2(this, 'OrdersTable', {
      partitionKey: { name: 'orderId', type: dynamodb.AttributeType.STRING },
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // Buffer queue (with DLQ) -> batch writer -> table.
    const queueName = `${Names.uniqueResourceName(this, { maxLength: 40 })}-OrdersQueue`;
    const deadLetterQueue = new sqs.Queue(this, 'OrdersDeadLetterQueue', {
      queueName: `${queueName}-dlq`,
      redriveAllowPolicy: {
        redrivePermission: sqs.RedrivePermission.BY_QUEUE,
        sourceQueues: [sqs.Queue.fromQueueArn(this, 'OrdersQueueByArn', this.formatArn({ service: 'sqs', resource: queueName }))],
      },
      retentionPeriod: Duration.days(14),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      receiveMessageWaitTime: Duration.seconds(20),
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const queue = new sqs.Queue(this, 'OrdersQueue', {
      queueName,
      visibilityTimeout: Duration.seconds(6 * 30 + 1),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      receiveMessageWaitTime: Duration.seconds(20),
      deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: 5 },
      removalPolicy: RemovalPolicy.DESTROY,
    });

    const logGroup = new logs.LogGroup(this, 'WriterLogGroup', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const role = new iam.Role(this, 'WriterRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${p}/Orders/Writer`,
    });
    logGroup.grant(role, 'logs:CreateLogStream', 'logs:PutLogEvents');
    const writer = new lambda.Function(this, 'Writer', {
      role,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(WRITER_ASSET),
      memorySize: 256,
      timeout: Duration.seconds(30),
      description: `Writes the messages of ${p}/Orders in batches (dynamodb sink); poison messages to the dead-letter queue`,
      environment: {
        DEAD_LETTER_QUEUE_URL: deadLetterQueue.queueUrl,
        MESSAGE_SCHEMA: JSON.stringify(ORDER_SCHEMA),
        WRITE_BUFFER_SINK: 'dynamodb',
        TABLE_NAME: table.tableName,
        PARTITION_KEY: 'orderId',
        AWS_NODEJS_CONNECTION_REUSE_ENABLED: '1',
      },
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
    });
    deadLetterQueue.grant(writer, 'sqs:SendMessage');
    table.grant(writer, 'dynamodb:BatchWriteItem', 'dynamodb:PutItem');
    writer.addEventSource(new SqsEventSource(queue, {
      batchSize: 25,
      maxBatchingWindow: Duration.seconds(1),
      reportBatchItemFailures: true,
      maxConcurrency: 5,
    }));

    // Front door: POST /orders straight to the queue (no Lambda in between).
    const apiName = `${p}/Orders/FrontDoor`;
    const apiDescription = `Front door of ${apiName}: routes straight to queues, streams, buses and workflows (no Lambda in between)`;
    const accessLogs = new logs.LogGroup(this, 'FrontDoorAccessLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const api = new apigateway.RestApi(this, 'FrontDoorApi', {
      restApiName: apiName,
      description: apiDescription,
      endpointTypes: [apigateway.EndpointType.REGIONAL],
      cloudWatchRole: false,
      deployOptions: {
        stageName: 'prod',
        accessLogDestination: new apigateway.LogGroupLogDestination(accessLogs),
        accessLogFormat: apigateway.AccessLogFormat.jsonWithStandardFields(),
        dataTraceEnabled: false,
        tracingEnabled: false,
        throttlingRateLimit: 100,
        throttlingBurstLimit: 200,
      },
    });
    const validator = api.addRequestValidator('Validator', { validateRequestBody: true, validateRequestParameters: true });
    const model = api.addModel('Route0Model', {
      contentType: 'application/json',
      description: 'Body of POST /orders',
      schema: { schema: apigateway.JsonSchemaVersion.DRAFT4, title: 'Route0Body', ...ORDER_SCHEMA },
    });
    const integrationRole = new iam.Role(this, 'FrontDoorRoute0Role', {
      assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com'),
      description: `API Gateway calls the backend of POST /orders (${apiName})`,
    });
    queue.grant(integrationRole, 'sqs:SendMessage');
    api.root.addResource('orders').addMethod('POST', new apigateway.AwsIntegration({
      service: 'sqs',
      path: `${Aws.ACCOUNT_ID}/${queue.queueName}`,
      integrationHttpMethod: 'POST',
      options: {
        credentialsRole: integrationRole,
        passthroughBehavior: apigateway.PassthroughBehavior.NEVER,
        requestParameters: { 'integration.request.header.Content-Type': "'application/x-www-form-urlencoded'" },
        requestTemplates: { 'application/json': 'Action=SendMessage&MessageBody=$util.urlEncode($input.body)' },
        integrationResponses: [
          { statusCode: '200', responseTemplates: { 'application/json': "{\"messageId\":$input.json('$.SendMessageResponse.SendMessageResult.MessageId')}" } },
          {
            statusCode: '500',
            selectionPattern: '4\\d{2}',
            responseTemplates: { 'application/json': '{"message":"the queue refused the request: the front door\'s fault, not the caller\'s","requestId":"$context.requestId"}' },
          },
          {
            statusCode: '503',
            selectionPattern: '5\\d{2}',
            responseTemplates: { 'application/json': '{"message":"the queue is unavailable; retry with backoff","requestId":"$context.requestId"}' },
          },
        ],
      },
    }), {
      authorizationType: apigateway.AuthorizationType.IAM,
      apiKeyRequired: false,
      requestParameters: {},
      requestValidator: validator,
      requestModels: { 'application/json': model },
      methodResponses: [{ statusCode: '200' }, { statusCode: '500' }, { statusCode: '503' }, { statusCode: '504' }],
    });

    // Alarms, each notifying the alarm topic.
    const stage = api.deploymentStage;
    const oldestAge = queue.metricApproximateAgeOfOldestMessage({ statistic: 'Maximum', period: oneMinute });
    const dlqDepth = deadLetterQueue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: oneMinute });
    const queueAlarms = [
      alarm(oldestAge, 'OrdersQueueAgeAlarm', {
        threshold: 15 * 60,
        evaluationPeriods: 3,
        alarmDescription: `${p}/Orders/Queue: the oldest message has waited more than 15 minutes (900 s); consumers are down or too slow.`,
      }),
      alarm(dlqDepth, 'OrdersDeadLetterAlarm', {
        alarmDescription: `${p}/Orders/Queue: messages are in the dead-letter queue; they failed 5 receives. Inspect and redrive them.`,
      }),
    ];
    const frontDoorAlarms = [
      alarm(stage.metricServerError({ statistic: 'Sum', period: oneMinute }), 'FrontDoorServerErrorsAlarm', {
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        alarmDescription: 'The front door answered 5XX (its fault or a backend\'s): read the access logs (status, integrationError), then the integration role and the backend\'s health.',
      }),
      alarm(stage.metricClientError({ statistic: 'Average', period: fiveMinutes }), 'FrontDoorClientErrorRateAlarm', {
        threshold: 0.1,
        evaluationPeriods: 3,
        alarmDescription: 'More than 10 % of requests were answered 4XX for 15 minutes: a caller sends invalid bodies, a key or token broke, or throttling is set too low (429 in the access logs).',
      }),
      alarm(stage.metricLatency({ statistic: 'p99', period: fiveMinutes }), 'FrontDoorLatencyAlarm', {
        threshold: 2000,
        evaluationPeriods: 3,
        alarmDescription: 'Callers wait more than 2 seconds (p99) for 15 minutes: compare with the integration latency to see whether the backend or the API is slow.',
      }),
      alarm(stage.metricIntegrationLatency({ statistic: 'p99', period: fiveMinutes }), 'FrontDoorIntegrationLatencyAlarm', {
        threshold: 1000,
        evaluationPeriods: 3,
        alarmDescription: 'The backends answer slower than 1 second (p99) for 15 minutes: look at the backend (queue/stream/bus/workflow) throttling and, for synchronous workflows, their duration.',
      }),
    ];
    const errors = writer.metricErrors({ statistic: 'Sum', period: oneMinute });
    const throttles = writer.metricThrottles({ statistic: 'Sum', period: oneMinute });
    const tableThrottles = new cloudwatch.Metric({
      namespace: 'AWS/DynamoDB', metricName: 'WriteThrottleEvents', dimensionsMap: { TableName: table.tableName }, statistic: 'Sum', period: oneMinute,
    });
    const writerAlarms = [
      alarm(errors, 'WriterErrorsAlarm', {
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        alarmDescription: `${p}/Orders/Writer: the writer of ${p}/Orders is failing (whole invocations, e.g. timeouts); its messages are retried and reach the dead-letter queue after 5 receives.`,
      }),
      alarm(throttles, 'WriterThrottlesAlarm', {
        evaluationPeriods: 5,
        datapointsToAlarm: 3,
        alarmDescription: `${p}/Orders/Writer: the writer of ${p}/Orders is throttled by Lambda; raise the account's or the function's concurrency, or lower consumer.maxConcurrency.`,
      }),
      alarm(tableThrottles, 'TableWriteThrottlesAlarm', {
        evaluationPeriods: 5,
        datapointsToAlarm: 3,
        alarmDescription: `${p}/Orders: writes to the table are throttled; the writer retries and the buffer grows. Lower consumer.maxConcurrency or raise the table's write capacity.`,
      }),
    ];

    // Dashboard: a title, then a header, the graphs and an alarm row per section.
    const dashboard = new cloudwatch.Dashboard(this, 'Dashboard');
    const section = (title: string, widgets: cloudwatch.IWidget[], alarms: cloudwatch.IAlarm[]) => {
      dashboard.addWidgets(new cloudwatch.TextWidget({ markdown: `## ${title}`, width: 24, height: 1 }));
      dashboard.addWidgets(...widgets);
      dashboard.addWidgets(new cloudwatch.AlarmStatusWidget({ title: `${title}: alarms`, alarms, width: 24, height: 2 }));
    };
    dashboard.addWidgets(new cloudwatch.TextWidget({
      markdown: `# ${p}/Orders\nWrite buffer: queue traffic and lag (age of the oldest message), dead letters, then the writer (invocations, errors, throttles, duration) and the sink's throttling.`,
      width: 24,
      height: 2,
    }));
    section('Buffer queue', [
      new cloudwatch.GraphWidget({
        title: 'Queue: traffic',
        left: [queue.metricNumberOfMessagesSent({ statistic: 'Sum', period: oneMinute }),
          queue.metricNumberOfMessagesDeleted({ statistic: 'Sum', period: oneMinute })],
        right: [queue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: oneMinute }),
          queue.metricApproximateNumberOfMessagesNotVisible({ statistic: 'Maximum', period: oneMinute })],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Queue: lag',
        left: [oldestAge],
        right: [new cloudwatch.MathExpression({
          label: 'Minutes to drain',
          expression: 'IF(deleted > 0, visible / deleted)',
          usingMetrics: {
            visible: queue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: oneMinute }),
            deleted: queue.metricNumberOfMessagesDeleted({ statistic: 'Sum', period: oneMinute }),
          },
          period: oneMinute,
        })],
        width: 6,
      }),
      new cloudwatch.SingleValueWidget({ title: 'Queue: dead letters', metrics: [dlqDepth], width: 6 }),
    ], queueAlarms);
    section('Writer', [
      new cloudwatch.GraphWidget({
        title: 'Writer',
        left: [writer.metricInvocations({ statistic: 'Sum', period: oneMinute }), errors, throttles],
        right: [writer.metricDuration({ statistic: 'p99', period: oneMinute })],
        width: 12,
      }),
      new cloudwatch.GraphWidget({ title: 'Table: write throttle events', left: [tableThrottles], width: 12 }),
    ], writerAlarms);
    section('Front door', [
      new cloudwatch.GraphWidget({
        title: 'Requests and 5XX',
        left: [stage.metricCount({ label: 'requests', statistic: 'Sum' })],
        right: [stage.metricServerError({ label: '5XX answers', statistic: 'Sum' })],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: '4XX rate',
        left: [stage.metricClientError({ label: 'share of requests answered 4XX', statistic: 'Average' })],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Latency p99 (ms)',
        left: [stage.metricLatency({ label: 'what callers see', statistic: 'p99' }), stage.metricIntegrationLatency({ label: 'backend', statistic: 'p99' })],
        width: 8,
      }),
    ], frontDoorAlarms);

    new CfnOutput(this, 'OrdersQueueUrl', { value: queue.queueUrl });
    new CfnOutput(this, 'OrdersDeadLetterQueueUrl', { value: deadLetterQueue.queueUrl });
    new CfnOutput(this, 'OrdersTableName', { value: table.tableName });
    new CfnOutput(this, 'WriterFunctionName', { value: writer.functionName });
    new CfnOutput(this, 'OrderIntakeApiUrl', { value: api.urlForPath('/orders') });
  }
}
