import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { FrontDoorRouteOptions } from './props';

/** Where a route reads a single value (message group id, deduplication id, partition key). */
export class FrontDoorValue {
  /** A field of the JSON body, e.g. `customerId` or `customer.id`; REST routes require it in the model. */
  public static bodyField(field: string): FrontDoorValue {
    return new FrontDoorValue('BODY_FIELD', field);
  }

  /** A request header, e.g. `X-Group-Id`; REST routes require it on the method request. */
  public static header(name: string): FrontDoorValue {
    return new FrontDoorValue('HEADER', name);
  }

  /** API Gateway's request id: unique per request (each request is a new message / record). */
  public static requestId(): FrontDoorValue {
    return new FrontDoorValue('REQUEST_ID', '');
  }

  /**
   * @param kind BODY_FIELD, HEADER or REQUEST_ID
   * @param name the field or header name (empty for REQUEST_ID)
   */
  private constructor(public readonly kind: string, public readonly name: string) {}

  /** How the value reads in the user's words, for error messages. */
  public toString(): string {
    return this.kind === 'BODY_FIELD' ? `FrontDoorValue.bodyField('${this.name}')`
      : this.kind === 'HEADER' ? `FrontDoorValue.header('${this.name}')` : 'FrontDoorValue.requestId()';
  }
}

/** A route that sends the request body to an SQS queue (SendMessage). */
export interface QueueRouteOptions extends FrontDoorRouteOptions {
  /** The queue. Its KMS key (if any) is granted to the route's role. */
  readonly queue: sqs.IQueue;
  /**
   * FIFO queues: where the message group id comes from (messages of one group keep their order).
   *
   * @default - none; required for a FIFO queue
   */
  readonly messageGroupId?: FrontDoorValue;
  /**
   * FIFO queues: where the deduplication id comes from (a retried request with the same value is
   * dropped for 5 minutes).
   *
   * @default FrontDoorValue.requestId() (each request is a new message)
   */
  readonly deduplicationId?: FrontDoorValue;
}

/**
 * A route that writes the request to a Kinesis data stream.
 *
 * REST: the body is the record (the mapping template base64-encodes it). HTTP API: the body is
 * `{"data": "<the record, base64>", ...}` — API Gateway passes `data` to Kinesis as it is, and
 * Kinesis reads a record's data as base64 (an HTTP API cannot encode; a raw JSON body would be
 * refused with a SerializationException). API Gateway reads body fields from the first 100 KB of
 * the body only, so HTTP records stay under about 75 KB; use REST for larger ones.
 */
export interface StreamRouteOptions extends FrontDoorRouteOptions {
  /** The stream. Its KMS key (if any) is granted to the route's role. */
  readonly stream: kinesis.IStream;
  /**
   * Where the partition key comes from (records with one key stay in order on one shard).
   * With `batch`, a field of each record.
   */
  readonly partitionKey: FrontDoorValue;
  /**
   * REST only: the body is `{"records": [ {...}, ... ]}` (1–500) and each record is written with
   * PutRecords; the answer is 500 with every record's result when any record failed.
   *
   * @default false (the body is one record, PutRecord)
   */
  readonly batch?: boolean;
}

/** A route that puts the request body on an EventBridge bus as the detail of one event. */
export interface EventBusRouteOptions extends FrontDoorRouteOptions {
  /** The event bus. */
  readonly eventBus: events.IEventBus;
  /** The event's `source`, fixed for the route, e.g. `shop.orders` (callers cannot forge it). */
  readonly source: string;
  /** The event's `detail-type`, fixed for the route, e.g. `OrderPlaced`. */
  readonly detailType: string;
}

/** A route that starts a Step Functions workflow with the request body as its input. */
export interface WorkflowRouteOptions extends FrontDoorRouteOptions {
  /** The state machine. */
  readonly stateMachine: sfn.IStateMachine;
  /**
   * Wait for the workflow and answer with its output (StartSyncExecution; Express workflows only,
   * which must finish within the integration timeout).
   *
   * @default false (StartExecution: the answer is the execution ARN)
   */
  readonly synchronous?: boolean;
}

/** What a route is, in the terms both API kinds need. Internal. */
export interface RouteTarget {
  readonly kind: 'queue' | 'stream' | 'bus' | 'workflow';
  /** Noun for messages, e.g. `queue`. */
  readonly backend: string;
  /** The IAM action the route's role may call, and on what. */
  readonly action: string;
  readonly resourceArn: string;
  /** Grants the key of an encrypted target to the route's role. */
  readonly grantKey?: (role: iam.IGrantable) => void;
}

/**
 * One route of a {@link FrontDoor}: a path and method that send the request to one backend,
 * with no Lambda function in between. Make routes with the static methods.
 */
export abstract class FrontDoorRoute {
  /** POST the body to an SQS queue (SendMessage). */
  public static toQueue(options: QueueRouteOptions): FrontDoorRoute {
    return new QueueRoute(options);
  }

  /** POST the body to a Kinesis data stream (PutRecord, or PutRecords with `batch`). */
  public static toStream(options: StreamRouteOptions): FrontDoorRoute {
    return new StreamRoute(options);
  }

  /** POST the body as the detail of an event on an EventBridge bus (PutEvents). */
  public static toEventBus(options: EventBusRouteOptions): FrontDoorRoute {
    return new EventBusRoute(options);
  }

  /** POST the body as the input of a Step Functions workflow (StartExecution or StartSyncExecution). */
  public static toWorkflow(options: WorkflowRouteOptions): FrontDoorRoute {
    return new WorkflowRoute(options);
  }

  /** The settings every route has. */
  public abstract readonly options: FrontDoorRouteOptions;

  /** @internal */
  public abstract _target(): RouteTarget;
}

/** @internal */
export class QueueRoute extends FrontDoorRoute {
  constructor(public readonly options: QueueRouteOptions) { super(); }
  public _target(): RouteTarget {
    const q = this.options.queue;
    return {
      kind: 'queue',
      backend: 'queue',
      action: 'sqs:SendMessage',
      resourceArn: q.queueArn,
      grantKey: q.encryptionMasterKey ? g => q.encryptionMasterKey!.grant(g, 'kms:GenerateDataKey', 'kms:Decrypt') : undefined,
    };
  }
}

/** @internal */
export class StreamRoute extends FrontDoorRoute {
  constructor(public readonly options: StreamRouteOptions) { super(); }
  public _target(): RouteTarget {
    const s = this.options.stream;
    return {
      kind: 'stream',
      backend: 'stream',
      action: this.options.batch ? 'kinesis:PutRecords' : 'kinesis:PutRecord',
      resourceArn: s.streamArn,
      grantKey: s.encryptionKey ? g => s.encryptionKey!.grant(g, 'kms:GenerateDataKey') : undefined,
    };
  }
}

/** @internal */
export class EventBusRoute extends FrontDoorRoute {
  constructor(public readonly options: EventBusRouteOptions) { super(); }
  public _target(): RouteTarget {
    return { kind: 'bus', backend: 'event bus', action: 'events:PutEvents', resourceArn: this.options.eventBus.eventBusArn };
  }
}

/** @internal */
export class WorkflowRoute extends FrontDoorRoute {
  constructor(public readonly options: WorkflowRouteOptions) { super(); }
  public _target(): RouteTarget {
    return {
      kind: 'workflow',
      backend: 'workflow',
      action: this.options.synchronous ? 'states:StartSyncExecution' : 'states:StartExecution',
      resourceArn: this.options.stateMachine.stateMachineArn,
    };
  }
}

/** The JSON schema the REST route validates: the user's, with the fields the route reads required as strings. */
export function routeSchema(user: apigateway.JsonSchema | undefined, stringFields: string[], batchOf?: string): apigateway.JsonSchema {
  const base: apigateway.JsonSchema = user ?? { type: apigateway.JsonSchemaType.OBJECT };
  const withFields = stringFields.reduce((schema, field) => requireStringField(schema, field.split('.')), base);
  if (batchOf === undefined) return withFields;
  return {
    type: apigateway.JsonSchemaType.OBJECT,
    required: ['records'],
    properties: { records: { type: apigateway.JsonSchemaType.ARRAY, minItems: 1, maxItems: 500, items: withFields } },
  };
}

function requireStringField(schema: apigateway.JsonSchema, parts: string[]): apigateway.JsonSchema {
  const [head, ...rest] = parts;
  const existing = schema.properties?.[head];
  const child: apigateway.JsonSchema = rest.length === 0
    // Partition keys and group ids: 1-128 printable ASCII (SQS group ids); Kinesis allows 256 unicode, the stricter rule keeps one model.
    ? { ...existing, type: apigateway.JsonSchemaType.STRING, minLength: 1, maxLength: 128, pattern: existing?.pattern ?? '^[!-~]+$' }
    : requireStringField({ type: apigateway.JsonSchemaType.OBJECT, ...existing }, rest);
  return {
    ...schema,
    type: schema.type ?? apigateway.JsonSchemaType.OBJECT,
    required: [...new Set([...(schema.required ?? []), head])],
    properties: { ...schema.properties, [head]: child },
  };
}
