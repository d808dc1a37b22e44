/** The writer's configuration, read and checked once per container from the environment the construct sets. */
import { type ParameterMapping, parseParameterMapping } from './data-api';
import { compileSchema, type Validator } from './schema';

export interface DynamoTarget {
  readonly sink: 'dynamodb';
  readonly tableName: string;
  readonly partitionKey: string;
  readonly sortKey?: string;
}

export interface DataApiTarget {
  readonly sink: 'data-api';
  readonly resourceArn: string;
  readonly secretArn: string;
  readonly database: string;
  readonly sql: string;
  readonly mapping: ParameterMapping[];
}

export interface WriterConfig {
  readonly target: DynamoTarget | DataApiTarget;
  readonly deadLetterQueueUrl: string;
  readonly validate?: Validator;
}

function required(env: NodeJS.ProcessEnv, name: string, why: string): string {
  const value = env[name];
  if (!value) throw new Error(`${name} is not set: ${why} (the WriteBuffer construct sets it)`);
  return value;
}

/** Reads the environment; throws a message naming the variable on anything missing or malformed. */
export function readConfig(env: NodeJS.ProcessEnv): WriterConfig {
  const sink = required(env, 'WRITE_BUFFER_SINK', 'one of dynamodb, data-api');
  const deadLetterQueueUrl = required(env, 'DEAD_LETTER_QUEUE_URL', 'the queue poison messages go to');
  let validate: Validator | undefined;
  if (env.MESSAGE_SCHEMA) {
    let schema: unknown;
    try {
      schema = JSON.parse(env.MESSAGE_SCHEMA);
    } catch (e) {
      throw new Error(`MESSAGE_SCHEMA is not valid JSON: ${(e as Error).message}`);
    }
    validate = compileSchema(schema);
  }
  if (sink === 'dynamodb') {
    return {
      target: {
        sink,
        tableName: required(env, 'TABLE_NAME', 'the table to write to'),
        partitionKey: required(env, 'PARTITION_KEY', 'the partition key attribute name'),
        sortKey: env.SORT_KEY || undefined,
      },
      deadLetterQueueUrl,
      validate,
    };
  }
  if (sink === 'data-api') {
    const sql = required(env, 'SQL_STATEMENT', 'the statement run once per message');
    return {
      target: {
        sink,
        resourceArn: required(env, 'CLUSTER_ARN', 'the Aurora cluster ARN'),
        secretArn: required(env, 'SECRET_ARN', 'the database credentials secret ARN'),
        database: required(env, 'DATABASE_NAME', 'the database name'),
        sql,
        mapping: parseParameterMapping(required(env, 'PARAMETER_MAPPING', 'JSON array of { name, field, type }'), sql),
      },
      deadLetterQueueUrl,
      validate,
    };
  }
  throw new Error(`WRITE_BUFFER_SINK must be dynamodb or data-api, got "${sink}"`);
}
