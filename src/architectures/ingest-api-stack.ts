import { CfnOutput, Duration, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { ORDER_SCHEMA } from './order-intake-stack';
import { acknowledgeWildcardResource } from '../core/nag-acknowledgements';
import { SecureQueue } from '../core/secure-queue';
import { SecureTopic } from '../core/secure-topic';
import { FrontDoor } from '../patterns/front-door/front-door';
import { FrontDoorAuthorization, FrontDoorThrottling } from '../patterns/front-door/props';
import { FrontDoorRoute, FrontDoorValue } from '../patterns/front-door/route';

const S = apigateway.JsonSchemaType;

/** A click the stream accepts (`sessionId` is its partition key: one session's clicks stay in order). */
export const CLICK_SCHEMA: apigateway.JsonSchema = {
  type: S.OBJECT,
  required: ['sessionId', 'page'],
  properties: {
    sessionId: { type: S.STRING, minLength: 1, maxLength: 128 },
    page: { type: S.STRING, minLength: 1, maxLength: 2048 },
    at: { type: S.STRING },
  },
};

/** A quote request the quotes workflow answers synchronously. */
export const QUOTE_REQUEST_SCHEMA: apigateway.JsonSchema = {
  type: S.OBJECT,
  required: ['productId', 'quantity'],
  properties: {
    productId: { type: S.STRING, minLength: 1, maxLength: 64 },
    quantity: { type: S.INTEGER, minimum: 1, maximum: 10_000 },
  },
};

/**
 * Properties of the {@link IngestApiStack} reference architecture.
 */
export interface IngestApiStackProps extends StackProps {
  /**
   * Throttling of the whole API.
   *
   * @default - 100 requests per second, burst 200
   */
  readonly throttling?: FrontDoorThrottling;

  /**
   * What happens to the quotes workflow's log group and the stream's records when the stack is deleted.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly dataRemovalPolicy?: RemovalPolicy;
}

/**
 * Reference architecture: one ingest API for every kind of intermediary, with no Lambda in between.
 *
 * ```
 *                    ┌ POST /orders ─> orders queue (SQS + DLQ)             -> your consumers
 * callers (SigV4) ──>├ POST /clicks ─> clicks stream (Kinesis, by sessionId) -> your consumers
 *  REST API, IAM     ├ POST /events ─> ingest bus (EventBridge) ─ rule ─> audit queue (+ DLQ)
 *                    └ POST /quotes ─> quotes workflow (Express, synchronous) -> the quote in the response
 * ```
 */
export class IngestApiStack extends Stack {
  /** The front door (REST API, IAM). */
  public readonly frontDoor: FrontDoor;
  /** The orders queue behind `POST /orders`. */
  public readonly ordersQueue: SecureQueue;
  /** The clicks stream behind `POST /clicks`. */
  public readonly clicksStream: kinesis.Stream;
  /** The bus behind `POST /events`. */
  public readonly eventBus: events.EventBus;
  /** Every event of the bus, for audit (and the e2e). */
  public readonly auditQueue: SecureQueue;
  /** The Express workflow behind `POST /quotes`. */
  public readonly quotesWorkflow: sfn.StateMachine;
  /** Topic every alarm of the stack notifies. */
  public readonly alarmTopic: SecureTopic;

  constructor(scope: Construct, id: string, props: IngestApiStackProps = {}) {
    super(scope, id, props);
    const removalPolicy = props.dataRemovalPolicy ?? RemovalPolicy.RETAIN;
    this.alarmTopic = new SecureTopic(this, 'Alarms');
    this.alarmTopic.allowServicePublisher(new iam.ServicePrincipal('cloudwatch.amazonaws.com'));

    this.ordersQueue = new SecureQueue(this, 'Orders', { alarmTopic: this.alarmTopic.topic });
    this.clicksStream = new kinesis.Stream(this, 'Clicks', {
      streamMode: kinesis.StreamMode.ON_DEMAND,
      encryption: kinesis.StreamEncryption.MANAGED,
      retentionPeriod: Duration.hours(24),
      removalPolicy,
    });
    this.eventBus = new events.EventBus(this, 'IngestBus');
    this.auditQueue = new SecureQueue(this, 'EventsAudit', { alarmTopic: this.alarmTopic.topic });
    new events.Rule(this, 'AuditEveryEvent', {
      eventBus: this.eventBus,
      description: 'Every event that POST /events puts on the bus, to the audit queue',
      eventPattern: { source: ['ingest.api'] },
      targets: [new targets.SqsQueue(this.auditQueue.queue, {
        deadLetterQueue: this.auditQueue.deadLetterQueue,
        retryAttempts: 8,
        maxEventAge: Duration.hours(2),
      })],
    });
    this.quotesWorkflow = this.quotes(removalPolicy);

    this.frontDoor = new FrontDoor(this, 'Ingest', {
      authorization: FrontDoorAuthorization.IAM,
      throttling: props.throttling,
      alarmTopic: this.alarmTopic.topic,
      routes: [
        FrontDoorRoute.toQueue({ path: 'orders', queue: this.ordersQueue.queue, requestSchema: ORDER_SCHEMA }),
        FrontDoorRoute.toStream({ path: 'clicks', stream: this.clicksStream, partitionKey: FrontDoorValue.bodyField('sessionId'), requestSchema: CLICK_SCHEMA }),
        FrontDoorRoute.toEventBus({ path: 'events', eventBus: this.eventBus, source: 'ingest.api', detailType: 'IngestEvent' }),
        FrontDoorRoute.toWorkflow({ path: 'quotes', stateMachine: this.quotesWorkflow, synchronous: true, requestSchema: QUOTE_REQUEST_SCHEMA, integrationTimeout: Duration.seconds(10) }),
      ],
    });

    new CfnOutput(this, 'IngestApiUrl', { value: this.frontDoor.url });
    new CfnOutput(this, 'IngestRestApiId', { value: this.frontDoor.restApi!.restApiId });
    new CfnOutput(this, 'OrdersQueueUrl', { value: this.ordersQueue.queue.queueUrl });
    new CfnOutput(this, 'ClicksStreamName', { value: this.clicksStream.streamName });
    new CfnOutput(this, 'IngestBusName', { value: this.eventBus.eventBusName });
    new CfnOutput(this, 'EventsAuditQueueUrl', { value: this.auditQueue.queue.queueUrl });
    new CfnOutput(this, 'QuotesStateMachineArn', { value: this.quotesWorkflow.stateMachineArn });
  }

  /** A quote: the request with a unit price and currency, answered within the request (Express, logged, traced). */
  private quotes(removalPolicy: RemovalPolicy): sfn.StateMachine {
    const logGroup = new logs.LogGroup(this, 'QuotesLogs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy });
    const quote = new sfn.Pass(this, 'Quote', {
      parameters: {
        'productId.$': '$.productId',
        'quantity.$': '$.quantity',
        'unitPrice': 9.5,
        'currency': 'EUR',
        'quotedAt.$': '$$.State.EnteredTime',
      },
    });
    const workflow = new sfn.StateMachine(this, 'Quotes', {
      stateMachineType: sfn.StateMachineType.EXPRESS,
      definitionBody: sfn.DefinitionBody.fromChainable(quote),
      timeout: Duration.seconds(10),
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
      tracingEnabled: true,
    });
    acknowledgeWildcardResource(workflow.role, '*',
      'CDK\'s StateMachine grants CloudWatch Logs delivery and X-Ray on *: those APIs take no resource (AWS docs), and the workflow logs ALL and is traced.');
    return workflow;
  }
}
