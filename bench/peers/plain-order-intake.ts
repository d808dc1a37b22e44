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
import { Aws, CfnOutput, Duration, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import {
  alarmTopic, batchWriter, bufferQueue, dashboard, ONE_MINUTE, queueAlarms, queueWidgets, recordsTable, section, writeBufferTitle, writerParts,
} from './plain-parts';

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
    const fiveMinutes = Duration.minutes(5);
    const p = this.node.path;

    // Alarm topic: encrypted, TLS only, CloudWatch may publish (and use the key).
    const { alarm } = alarmTopic(this);

    const table = recordsTable(this, 'OrdersTable', 'orderId');

    // Buffer queue (with DLQ) -> batch writer -> table.
    const buffer = bufferQueue(this, 'Orders', 'OrdersQueue', { visibilityTimeout: Duration.seconds(6 * 30 + 1), maxReceiveCount: 5 });
    const { queue, deadLetterQueue } = buffer;

    const writer = batchWriter(this, 'Orders', buffer, table, ORDER_SCHEMA, 'orderId');
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
    const ordersQueueAlarms = queueAlarms(alarm, buffer, {
      queuePath: `${p}/Orders/Queue`, maxReceiveCount: 5, ageAlarmId: 'OrdersQueueAgeAlarm', deadLetterAlarmId: 'OrdersDeadLetterAlarm',
    });
    const frontDoorAlarms = [
      alarm(stage.metricServerError({ statistic: 'Sum', period: ONE_MINUTE }), 'FrontDoorServerErrorsAlarm', {
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
    const writerSection = writerParts(alarm, writer, table, `${p}/Orders`, 5);

    // Dashboard: a title, then a header, the graphs and an alarm row per section.
    const board = dashboard(this, 'Dashboard', writeBufferTitle(`${p}/Orders`));
    section(board, 'Buffer queue', queueWidgets('Queue', buffer), ordersQueueAlarms);
    section(board, 'Writer', writerSection.widgets, writerSection.alarms);
    section(board, 'Front door', [
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
