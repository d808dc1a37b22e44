import { CfnOutput, Duration, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { orderIntakeRules } from './rules';
import { QueueConsumerFunctionOptions } from '../core/consumer/consumer-options';
import { SecureTopic } from '../core/secure-topic';
import { validateProps } from '../core/validation';
import { FrontDoorAuthorization } from '../patterns/front-door';
import { WriteBuffer, WriteBufferSink } from '../patterns/write-buffer';

/**
 * The order the intake API and the buffer accept: what the orders table stores.
 */
export const ORDER_SCHEMA: apigateway.JsonSchema = {
  type: apigateway.JsonSchemaType.OBJECT,
  required: ['orderId', 'customerId', 'amount'],
  properties: {
    orderId: { type: apigateway.JsonSchemaType.STRING, minLength: 1, maxLength: 64 },
    customerId: { type: apigateway.JsonSchemaType.STRING, minLength: 1, maxLength: 64 },
    amount: { type: apigateway.JsonSchemaType.NUMBER, minimum: 0 },
    currency: { type: apigateway.JsonSchemaType.STRING, enum: ['EUR', 'USD', 'GBP'] },
  },
};

/**
 * Properties of the {@link OrderIntakeStack} reference architecture.
 */
export interface OrderIntakeStackProps extends StackProps {
  /**
   * The bundled writer: function settings and how the buffer feeds it. `maxConcurrency` is the
   * throttle that protects the table (default 5); `batchSize` defaults to 25 (one
   * BatchWriteItem request) and `maxBatchingWindow` to 1 second.
   *
   * @default - the consumer defaults (256 MB, 30 s, arm64, JSON logs kept one month), 5 at once, batches of 25 within 1 s
   */
  readonly consumer?: QueueConsumerFunctionOptions;

  /**
   * Receives after which an order that could not be written moves to the dead-letter queue.
   * Range: 1 to 1,000.
   *
   * @default 5
   */
  readonly maxReceiveCount?: number;

  /**
   * What happens to the orders table when the stack is deleted.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Reference architecture: order intake. Orders arrive through a REST API (IAM-authorized,
 * schema-validated, throttled; API Gateway sends them straight to SQS) or from services with
 * `grantSend`; a throttled writer puts them into the orders table in batches, idempotent on
 * `orderId`; invalid orders go to the dead-letter queue.
 *
 * ```
 * POST /orders (API Gateway, IAM) ─┐
 *                                  ├─> orders buffer (SQS + DLQ) -> writer λ (max 5 at once, batches of up to 25 within 1 s) -> orders table
 * services (grantSend, SDK) ───────┘
 * ```
 */
export class OrderIntakeStack extends Stack {
  /** The buffer: queue, DLQ, writer, front door (a FrontDoor queue route), alarms, dashboard. */
  public readonly buffer: WriteBuffer;
  /** The orders table (partition key `orderId`). */
  public readonly ordersTable: dynamodb.TableV2;
  /** Topic every alarm of the stack notifies. */
  public readonly alarmTopic: SecureTopic;

  constructor(scope: Construct, id: string, props: OrderIntakeStackProps = {}) {
    super(scope, id, props);
    validateProps(this, props, orderIntakeRules());
    this.alarmTopic = new SecureTopic(this, 'Alarms');
    this.alarmTopic.allowServicePublisher(new iam.ServicePrincipal('cloudwatch.amazonaws.com'));

    this.ordersTable = new dynamodb.TableV2(this, 'OrdersTable', {
      partitionKey: { name: 'orderId', type: dynamodb.AttributeType.STRING },
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });

    this.buffer = new WriteBuffer(this, 'Orders', {
      sink: WriteBufferSink.dynamoDb({ table: this.ordersTable }),
      messageSchema: ORDER_SCHEMA,
      // 25 = one BatchWriteItem request; a 1 s window fills batches under load.
      consumer: { batchSize: 25, maxBatchingWindow: Duration.seconds(1), ...props.consumer, maxConcurrency: props.consumer?.maxConcurrency ?? 5 },
      queueProps: { maxReceiveCount: props.maxReceiveCount ?? 5 },
      alarmTopic: this.alarmTopic.topic,
      frontDoor: { path: 'orders', authorization: FrontDoorAuthorization.IAM, throttling: { rateLimit: 100, burstLimit: 200 } },
    });

    new CfnOutput(this, 'OrdersQueueUrl', { value: this.buffer.queue.queueUrl });
    new CfnOutput(this, 'OrdersDeadLetterQueueUrl', { value: this.buffer.deadLetterQueue.queueUrl });
    new CfnOutput(this, 'OrdersTableName', { value: this.ordersTable.tableName });
    new CfnOutput(this, 'WriterFunctionName', { value: this.buffer.writer.functionName });
    new CfnOutput(this, 'OrderIntakeApiUrl', { value: this.buffer.frontDoor!.restApi!.urlForPath('/orders') });
  }
}
