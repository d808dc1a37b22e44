/**
 * The peer of `IngestApiStack`: the same architecture written the way a careful user would
 * write it with plain aws-cdk-lib L2 constructs and no code from this library.
 *
 * Same resources (53): an encrypted alarm topic that CloudWatch may publish to, an orders queue
 * and an audit queue (each with a dead-letter queue: TLS-only, SSE, long polling, named, redrive
 * allowed from its queue only; age and dead-letter alarms), an on-demand Kinesis stream, an
 * event bus with a rule that copies every event to the audit queue (retries, dead-letter queue),
 * an Express workflow (logged, traced), and a REST API (IAM auth, request models and a validator,
 * throttling, JSON access logs) whose four POST routes go straight to the queue, the stream, the
 * bus and the workflow (synchronously), each through an integration role that may only do that,
 * four API alarms and one dashboard.
 *
 * Like for like, property by property: the same descriptions, queue names, integration templates
 * and responses, alarm descriptions and dashboard widgets. The bench checks every resource
 * against ours in every run.
 */
import { Aws, CfnOutput, Duration, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { alarmTopic, bufferQueue, dashboard, ONE_MINUTE, queueAlarms, section } from './plain-parts';

const S = apigateway.JsonSchemaType;

/** An order (the same body as the OrderIntake peer's; not imported, so this app loads only what it uses). */
const ORDER_SCHEMA: apigateway.JsonSchema = {
  type: S.OBJECT,
  required: ['orderId', 'customerId', 'amount'],
  properties: {
    orderId: { type: S.STRING, minLength: 1, maxLength: 64 },
    customerId: { type: S.STRING, minLength: 1, maxLength: 64 },
    amount: { type: S.NUMBER, minimum: 0 },
    currency: { type: S.STRING, enum: ['EUR', 'USD', 'GBP'] },
  },
};

/** A click (`sessionId` is the stream's partition key: printable ASCII only). */
const CLICK_SCHEMA: apigateway.JsonSchema = {
  type: S.OBJECT,
  required: ['sessionId', 'page'],
  properties: {
    sessionId: { type: S.STRING, minLength: 1, maxLength: 128, pattern: '^[!-~]+$' },
    page: { type: S.STRING, minLength: 1, maxLength: 2048 },
    at: { type: S.STRING },
  },
};

/** A quote request the quotes workflow answers synchronously. */
const QUOTE_REQUEST_SCHEMA: apigateway.JsonSchema = {
  type: S.OBJECT,
  required: ['productId', 'quantity'],
  properties: {
    productId: { type: S.STRING, minLength: 1, maxLength: 64 },
    quantity: { type: S.INTEGER, minimum: 1, maximum: 10_000 },
  },
};

/** The request body as a JSON string inside a JSON request (single quotes unescaped). */
const BODY_AS_STRING = String.raw`$util.escapeJavaScript($input.json('$')).replaceAll("\\'","'")`;

/** The backend's answer on 200; 4XX from the backend is the front door's fault (500), 5XX a 503. */
function responses(backend: string, ok: string): apigateway.IntegrationResponse[] {
  return [
    { statusCode: '200', responseTemplates: { 'application/json': ok } },
    {
      statusCode: '500',
      selectionPattern: '4\\d{2}',
      responseTemplates: { 'application/json': `{"message":"the ${backend} refused the request: the front door's fault, not the caller's","requestId":"$context.requestId"}` },
    },
    {
      statusCode: '503',
      selectionPattern: '5\\d{2}',
      responseTemplates: { 'application/json': `{"message":"the ${backend} is unavailable; retry with backoff","requestId":"$context.requestId"}` },
    },
  ];
}

/** `Content-Type` and, for JSON protocols, `X-Amz-Target` of an integration request. */
function headers(contentType: string, target?: string): { [header: string]: string } {
  return {
    'integration.request.header.Content-Type': `'${contentType}'`,
    ...(target ? { 'integration.request.header.X-Amz-Target': `'${target}'` } : {}),
  };
}

export class PlainIngestApiStack extends Stack {
  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, props);
    const fiveMinutes = Duration.minutes(5);
    const p = this.node.path;

    // Alarm topic: encrypted, TLS only, CloudWatch may publish (and use the key).
    const { alarm } = alarmTopic(this, 'AlarmsFailedNotificationsAlarm');

    // Orders queue (+ DLQ), clicks stream, ingest bus with an audit queue (+ DLQ) for every event.
    const orders = bufferQueue(this, 'Orders', 'Orders', { maxReceiveCount: 5 });
    queueAlarms(alarm, orders, {
      queuePath: `${p}/Orders`, maxReceiveCount: 5, ageAlarmId: 'OrdersOldestMessageAgeAlarm', deadLetterAlarmId: 'OrdersDeadLetterQueueNotEmptyAlarm',
    });
    const clicks = new kinesis.Stream(this, 'Clicks', {
      streamMode: kinesis.StreamMode.ON_DEMAND,
      encryption: kinesis.StreamEncryption.MANAGED,
      retentionPeriod: Duration.hours(24),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const bus = new events.EventBus(this, 'IngestBus');
    const audit = bufferQueue(this, 'EventsAudit', 'EventsAudit', { maxReceiveCount: 5 });
    queueAlarms(alarm, audit, {
      queuePath: `${p}/EventsAudit`, maxReceiveCount: 5, ageAlarmId: 'EventsAuditOldestMessageAgeAlarm', deadLetterAlarmId: 'EventsAuditDeadLetterQueueNotEmptyAlarm',
    });
    new events.Rule(this, 'AuditEveryEvent', {
      eventBus: bus,
      description: 'Every event that POST /events puts on the bus, to the audit queue',
      eventPattern: { source: ['ingest.api'] },
      targets: [new targets.SqsQueue(audit.queue, { deadLetterQueue: audit.deadLetterQueue, retryAttempts: 8, maxEventAge: Duration.hours(2) })],
    });

    // Quotes: an Express workflow (logged, traced) answered within the request.
    const quotesLogs = new logs.LogGroup(this, 'QuotesLogs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.RETAIN });
    const quotes = new sfn.StateMachine(this, 'Quotes', {
      stateMachineType: sfn.StateMachineType.EXPRESS,
      definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(this, 'Quote', {
        parameters: {
          'productId.$': '$.productId',
          'quantity.$': '$.quantity',
          'unitPrice': 9.5,
          'currency': 'EUR',
          'quotedAt.$': '$$.State.EnteredTime',
        },
      })),
      timeout: Duration.seconds(10),
      logs: { destination: quotesLogs, level: sfn.LogLevel.ALL, includeExecutionData: true },
      tracingEnabled: true,
    });

    // Front door: four POST routes straight to the backends (no Lambda in between).
    const apiName = `${p}/Ingest`;
    const accessLogs = new logs.LogGroup(this, 'IngestAccessLogs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
    const api = new apigateway.RestApi(this, 'IngestApi', {
      restApiName: apiName,
      description: `Front door of ${apiName}: routes straight to queues, streams, buses and workflows (no Lambda in between)`,
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
    const route = (index: number, path: string, schema: apigateway.JsonSchema, grant: (role: iam.IGrantable) => void,
      integration: apigateway.AwsIntegrationProps, options: apigateway.IntegrationOptions) => {
      const model = api.addModel(`Route${index}Model`, {
        contentType: 'application/json',
        description: `Body of POST /${path}`,
        schema: { schema: apigateway.JsonSchemaVersion.DRAFT4, title: `Route${index}Body`, ...schema },
      });
      const role = new iam.Role(this, `IngestRoute${index}Role`, {
        assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com'),
        description: `API Gateway calls the backend of POST /${path} (${apiName})`,
      });
      grant(role);
      api.root.addResource(path).addMethod('POST', new apigateway.AwsIntegration({
        ...integration,
        integrationHttpMethod: 'POST',
        options: { ...options, credentialsRole: role, passthroughBehavior: apigateway.PassthroughBehavior.NEVER },
      }), {
        authorizationType: apigateway.AuthorizationType.IAM,
        apiKeyRequired: false,
        requestParameters: {},
        requestValidator: validator,
        requestModels: { 'application/json': model },
        methodResponses: [{ statusCode: '200' }, { statusCode: '500' }, { statusCode: '503' }, { statusCode: '504' }],
      });
    };
    route(0, 'orders', ORDER_SCHEMA, role => orders.queue.grant(role, 'sqs:SendMessage'), {
      service: 'sqs', path: `${Aws.ACCOUNT_ID}/${orders.queue.queueName}`,
    }, {
      requestParameters: headers('application/x-www-form-urlencoded'),
      requestTemplates: { 'application/json': 'Action=SendMessage&MessageBody=$util.urlEncode($input.body)' },
      integrationResponses: responses('queue', "{\"messageId\":$input.json('$.SendMessageResponse.SendMessageResult.MessageId')}"),
    });
    route(1, 'clicks', CLICK_SCHEMA, role => clicks.grant(role, 'kinesis:PutRecord'), { service: 'kinesis', action: 'PutRecord' }, {
      requestParameters: headers('application/x-amz-json-1.1', 'Kinesis_20131202.PutRecord'),
      requestTemplates: {
        'application/json': `{"StreamName":"${clicks.streamName}","Data":"$util.base64Encode($input.body)","PartitionKey":$input.json('$.sessionId')}`,
      },
      integrationResponses: responses('stream', "{\"sequenceNumber\":$input.json('$.SequenceNumber'),\"shardId\":$input.json('$.ShardId')}"),
    });
    route(2, 'events', { type: S.OBJECT }, role => bus.grantPutEventsTo(role), { service: 'events', action: 'PutEvents' }, {
      requestParameters: headers('application/x-amz-json-1.1', 'AWSEvents.PutEvents'),
      requestTemplates: {
        'application/json': `{"Entries":[{"EventBusName":"${bus.eventBusName}","Source":"ingest.api","DetailType":"IngestEvent","Detail":"${BODY_AS_STRING}"}]}`,
      },
      integrationResponses: responses('event bus', '#if($input.path(\'$.FailedEntryCount\') > 0)#set($context.responseOverride.status = 500)'
        + '{"message":"the event bus did not accept the event; retry","errorCode":$input.json(\'$.Entries[0].ErrorCode\')}'
        + '#{else}{"eventId":$input.json(\'$.Entries[0].EventId\')}#end'),
    });
    route(3, 'quotes', QUOTE_REQUEST_SCHEMA, role => quotes.grant(role, 'states:StartSyncExecution'), {
      service: 'states', subdomain: 'sync-states', action: 'StartSyncExecution',
    }, {
      timeout: Duration.seconds(10),
      requestParameters: headers('application/x-amz-json-1.0', 'AWSStepFunctions.StartSyncExecution'),
      requestTemplates: {
        'application/json': `{"stateMachineArn":"${quotes.stateMachineArn}","name":"$context.requestId","input":"${BODY_AS_STRING}"}`,
      },
      integrationResponses: responses('workflow', '#set($status = $input.path(\'$.status\'))#if("$status" == "SUCCEEDED")$input.path(\'$.output\')'
        + '#elseif("$status" == "FAILED")#set($context.responseOverride.status = 500){"message":"the workflow failed","executionArn":$input.json(\'$.executionArn\')}'
        + '#{else}#set($context.responseOverride.status = 504){"message":"the workflow did not finish in time","executionArn":$input.json(\'$.executionArn\')}#end'),
    });

    // Front door alarms (each notifying the alarm topic) and the dashboard.
    const stage = api.deploymentStage;
    const frontDoorAlarms = [
      alarm(stage.metricServerError({ statistic: 'Sum', period: ONE_MINUTE }), 'IngestServerErrorsAlarm', {
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        alarmDescription: 'The front door answered 5XX (its fault or a backend\'s): read the access logs (status, integrationError), then the integration role and the backend\'s health.',
      }),
      alarm(stage.metricClientError({ statistic: 'Average', period: fiveMinutes }), 'IngestClientErrorRateAlarm', {
        threshold: 0.1,
        evaluationPeriods: 3,
        alarmDescription: 'More than 10 % of requests were answered 4XX for 15 minutes: a caller sends invalid bodies, a key or token broke, or throttling is set too low (429 in the access logs).',
      }),
      alarm(stage.metricLatency({ statistic: 'p99', period: fiveMinutes }), 'IngestLatencyAlarm', {
        threshold: 2000,
        evaluationPeriods: 3,
        alarmDescription: 'Callers wait more than 2 seconds (p99) for 15 minutes: compare with the integration latency to see whether the backend or the API is slow.',
      }),
      alarm(stage.metricIntegrationLatency({ statistic: 'p99', period: fiveMinutes }), 'IngestIntegrationLatencyAlarm', {
        threshold: 1000,
        evaluationPeriods: 3,
        alarmDescription: 'The backends answer slower than 1 second (p99) for 15 minutes: look at the backend (queue/stream/bus/workflow) throttling and, for synchronous workflows, their duration.',
      }),
    ];
    const board = dashboard(this, 'IngestDashboard', `# ${apiName}\nAPI Gateway (REST) front door: requests go straight to queues, streams, buses and workflows.`);
    section(board, `Front door ${apiName}`, [
      new cloudwatch.GraphWidget({
        title: 'Requests and 5XX',
        left: [stage.metricCount({ label: 'requests', statistic: 'Sum' })],
        right: [stage.metricServerError({ label: '5XX answers', statistic: 'Sum' })],
        width: 8,
      }),
      new cloudwatch.GraphWidget({ title: '4XX rate', left: [stage.metricClientError({ label: 'share of requests answered 4XX', statistic: 'Average' })], width: 8 }),
      new cloudwatch.GraphWidget({
        title: 'Latency p99 (ms)',
        left: [stage.metricLatency({ label: 'what callers see', statistic: 'p99' }), stage.metricIntegrationLatency({ label: 'backend', statistic: 'p99' })],
        width: 8,
      }),
    ], frontDoorAlarms);

    new CfnOutput(this, 'IngestApiUrl', { value: api.url });
    new CfnOutput(this, 'IngestRestApiId', { value: api.restApiId });
    new CfnOutput(this, 'OrdersQueueUrl', { value: orders.queue.queueUrl });
    new CfnOutput(this, 'ClicksStreamName', { value: clicks.streamName });
    new CfnOutput(this, 'IngestBusName', { value: bus.eventBusName });
    new CfnOutput(this, 'EventsAuditQueueUrl', { value: audit.queue.queueUrl });
    new CfnOutput(this, 'QuotesStateMachineArn', { value: quotes.stateMachineArn });
  }
}
