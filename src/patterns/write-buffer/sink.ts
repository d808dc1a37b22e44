import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';

/**
 * Options of the DynamoDB sink: every message body (a JSON object) is written as one item with
 * BatchWriteItem, keyed by attributes of the body.
 */
export interface DynamoDbSinkOptions {
  /** The table the writer puts items into. */
  readonly table: dynamodb.ITable;

  /**
   * Name of the table's partition key attribute; every message body must carry it. Writes are
   * idempotent because the key comes from the message: a redelivered message overwrites the
   * same item.
   *
   * @default - read from the table when this stack defines it; required for an imported table
   */
  readonly partitionKey?: string;

  /**
   * Name of the table's sort key attribute, when it has one.
   *
   * @default - read from the table when this stack defines it; none for an imported table
   */
  readonly sortKey?: string;
}

/**
 * Type of a Data API parameter (the `SqlParameter.value` field the writer fills).
 */
export enum DataApiParameterType {
  /** `stringValue`. */
  STRING = 'string',
  /** `longValue` (whole numbers). */
  LONG = 'long',
  /** `doubleValue`. */
  DOUBLE = 'double',
  /** `booleanValue`. */
  BOOLEAN = 'boolean',
  /** The field's JSON text as `stringValue` with type hint JSON (for `jsonb` columns). */
  JSON = 'json',
  /** An ISO 8601 text as `stringValue` with type hint TIMESTAMP. */
  TIMESTAMP = 'timestamp',
}

/**
 * One named parameter of the SQL statement and the message field that fills it.
 */
export interface DataApiParameter {
  /** Parameter name as written in the statement without the colon, e.g. `id` for `:id`. */
  readonly name: string;

  /** The message body field, top-level or a dotted path, e.g. `orderId` or `customer.id`. */
  readonly field: string;

  /**
   * The parameter's type.
   *
   * @default DataApiParameterType.STRING
   */
  readonly type?: DataApiParameterType;
}

/**
 * Options of the Aurora (PostgreSQL or MySQL) sink through the RDS Data API: one
 * BatchExecuteStatement per batch, one parameter set per message.
 */
export interface DataApiSinkOptions {
  /**
   * The Aurora cluster. It must have the Data API enabled (`enableDataApi: true` on
   * `rds.DatabaseCluster`); for an imported cluster this cannot be checked at synth time.
   */
  readonly cluster: rds.IDatabaseCluster;

  /**
   * The secret with the database credentials the Data API uses.
   *
   * @default - the cluster's own secret (`rds.DatabaseCluster.secret`); required otherwise
   */
  readonly secret?: secretsmanager.ISecret;

  /** The database the statement runs in. */
  readonly databaseName: string;

  /**
   * The statement run for every message, with named parameters, e.g.
   * `INSERT INTO orders (id, amount) VALUES (:id, :amount) ON CONFLICT (id) DO NOTHING`.
   * Make it idempotent (an upsert or `ON CONFLICT DO NOTHING`): SQS delivers at least once.
   */
  readonly sql: string;

  /** One entry per named parameter of `sql`, and no other. */
  readonly parameters: DataApiParameter[];
}

/** Which sink a {@link WriteBufferSink} is. */
export enum WriteBufferSinkKind {
  /** The bundled writer into a DynamoDB table. */
  DYNAMODB = 'dynamodb',
  /** The bundled writer into Aurora through the RDS Data API. */
  DATA_API = 'data-api',
  /** Your own writer function. */
  CUSTOM_WRITER = 'custom-writer',
}

/**
 * Where a {@link WriteBuffer} writes: DynamoDB or Aurora (Data API) with the bundled writer, or
 * your own writer function. Made with the static factories.
 *
 * @example
 * WriteBufferSink.dynamoDb({ table: ordersTable });
 * WriteBufferSink.dataApi({ cluster, databaseName: 'shop', sql: 'INSERT INTO orders (id) VALUES (:id) ON CONFLICT DO NOTHING', parameters: [{ name: 'id', field: 'orderId' }] });
 * WriteBufferSink.customWriter(myFunction);
 */
export class WriteBufferSink {
  /** The bundled writer puts each message into the table (BatchWriteItem, idempotent by key). */
  public static dynamoDb(options: DynamoDbSinkOptions): WriteBufferSink {
    return new WriteBufferSink(WriteBufferSinkKind.DYNAMODB, options, undefined, undefined);
  }

  /** The bundled writer runs `sql` once per message through the RDS Data API (BatchExecuteStatement). */
  public static dataApi(options: DataApiSinkOptions): WriteBufferSink {
    return new WriteBufferSink(WriteBufferSinkKind.DATA_API, undefined, options, undefined);
  }

  /**
   * Your function writes. The buffer still owns the queue, dead-letter queue, throttle
   * (maximum concurrency) and alarms, and subscribes your function with partial batch responses:
   * it must return `{ batchItemFailures: [{ itemIdentifier: messageId }] }` for the messages it
   * could not write.
   */
  public static customWriter(writer: lambda.IFunction): WriteBufferSink {
    return new WriteBufferSink(WriteBufferSinkKind.CUSTOM_WRITER, undefined, undefined, writer);
  }

  /** Which sink this is. */
  public readonly kind: WriteBufferSinkKind;
  /** The DynamoDB options, for `dynamoDb`. */
  public readonly dynamoDbOptions?: DynamoDbSinkOptions;
  /** The Data API options, for `dataApi`. */
  public readonly dataApiOptions?: DataApiSinkOptions;
  /** Your writer, for `customWriter`. */
  public readonly writer?: lambda.IFunction;

  private constructor(
    kind: WriteBufferSinkKind, dynamoDbOptions?: DynamoDbSinkOptions, dataApiOptions?: DataApiSinkOptions, writer?: lambda.IFunction,
  ) {
    this.kind = kind;
    this.dynamoDbOptions = dynamoDbOptions;
    this.dataApiOptions = dataApiOptions;
    this.writer = writer;
  }
}
