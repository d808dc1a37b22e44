import { Duration, Token } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { DEFAULT_WRITE_BUFFER_PATH } from './buffer-front-door';
import { customWriterTimeout, dataApiEnabled, dataApiSecret, tableKeySchema } from './checks';
import { WriteBufferFrontDoorOptions } from './front-door';
import { WriteBufferProps } from './props';
import { WriteBufferSinkKind } from './sink';
import { appQueueVisibility, checkVisibilityTimeout, consumerFunctionRules, queueConsumerRules } from '../../core/consumer/consumer-rules';
import { queueIsFifo, secureQueueRules } from '../../core/secure-queue-rules';
import { NAME_RULES, Rule, Violations, groupThousands, nested } from '../../core/validation';
import { alarmTopicRule } from '../../monitoring/alarm-topic';
import { FrontDoorApiKind, FrontDoorAuthorization } from '../front-door';
// FrontDoor's rule tables, so the buffer's door is checked by the same code (internal: not in the folder's index).
import { apiRules, queueValueRules, routeOptionRules } from '../front-door/rules';

const FRONT_DOOR = 'frontDoor';

/** JSON Schema keywords the bundled writer validates (lambda/write-buffer-writer). */
const WRITER_SCHEMA_KEYWORDS = new Set([
  'type', 'required', 'properties', 'enum', 'minimum', 'maximum', 'minLength', 'maxLength', 'pattern', 'items',
  'additionalProperties', 'title', 'description', 'schema',
]);

/** Records a keyword the bundled writer does not validate (it would be ignored silently). */
function schemaKeywordRules(v: Violations, prop: string, schema: apigateway.JsonSchema): void {
  for (const [key, value] of Object.entries(schema)) {
    if (value === undefined) continue;
    v.check('WRITE_BUFFER_SCHEMA_KEYWORD', WRITER_SCHEMA_KEYWORDS.has(key), {
      prop: `${prop}.${key}`,
      value: JSON.stringify(value),
      allowed: `the keywords the writer validates: ${[...WRITER_SCHEMA_KEYWORDS].filter(k => !['title', 'description', 'schema'].includes(k)).join(', ')}`,
      fix: `remove ${key} (validate it in a custom writer instead)`,
    });
    if (key === 'properties') {
      for (const [name, sub] of Object.entries(value as { [name: string]: apigateway.JsonSchema })) schemaKeywordRules(v, `${prop}.properties.${name}`, sub);
    } else if (key === 'items' && !Array.isArray(value)) {
      schemaKeywordRules(v, `${prop}.items`, value as apigateway.JsonSchema);
    } else if (key === 'additionalProperties' && typeof value === 'object') {
      schemaKeywordRules(v, `${prop}.additionalProperties`, value as apigateway.JsonSchema);
    }
  }
}

/** Whether the props make the buffer queue FIFO. */
/**
 * A schema no message can pass: every message would be refused (by the front door or the writer's
 * validation), so the buffer would never write. Bounds given the wrong way round, and a required
 * property that `additionalProperties: false` forbids.
 */
function schemaNeverMatchesRules(v: Violations, prop: string, schema: apigateway.JsonSchema): void {
  const pairs: Array<[keyof apigateway.JsonSchema, keyof apigateway.JsonSchema]> = [['minimum', 'maximum'], ['minLength', 'maxLength'], ['minItems', 'maxItems']];
  for (const [lo, hi] of pairs) {
    const low = schema[lo] as number | undefined;
    const high = schema[hi] as number | undefined;
    if (typeof low !== 'number' || typeof high !== 'number' || Token.isUnresolved(low) || Token.isUnresolved(high)) continue;
    v.check('WRITE_BUFFER_SCHEMA_NEVER_MATCHES', low <= high, {
      prop: `${prop}.${lo}`,
      value: `${low} with ${hi} ${high}`,
      allowed: `at most ${hi} (no value could pass the schema, so every message would be refused)`,
      fix: `swap ${lo} and ${hi}`,
    });
  }
  const required = Array.isArray(schema.required) ? schema.required : [];
  if (schema.additionalProperties === false) {
    const defined = Object.keys(schema.properties ?? {});
    for (const key of required) {
      if (Token.isUnresolved(key)) continue;
      v.check('WRITE_BUFFER_SCHEMA_NEVER_MATCHES', defined.includes(key), {
        prop: `${prop}.required`,
        value: `"${key}", which ${prop}.properties does not define, with additionalProperties: false`,
        allowed: 'required keys that properties defines when additionalProperties is false (else no message can pass)',
        fix: `add "${key}" to ${prop}.properties, or allow additional properties`,
      });
    }
  }
  for (const [name, sub] of Object.entries(schema.properties ?? {})) schemaNeverMatchesRules(v, `${prop}.properties.${name}`, sub);
}

export function bufferIsFifo(props: WriteBufferProps): boolean {
  return queueIsFifo(props.queueProps ?? {});
}

/**
 * The front door's rules: FrontDoor's own API and queue-route rules (one implementation), with
 * every prop named under `frontDoor.` as the user wrote it.
 */
function frontDoorRules(f: WriteBufferFrontDoorOptions, fifo: boolean, v: Violations): void {
  const apiKind = f.apiKind ?? FrontDoorApiKind.REST;
  const authorization = f.authorization ?? FrontDoorAuthorization.IAM;
  for (const rule of apiRules(`${FRONT_DOOR}.`)) rule({ props: f, apiKind, authorization }, v);
  routeOptionRules(v, FRONT_DOOR, { path: f.path ?? DEFAULT_WRITE_BUFFER_PATH, integrationTimeout: f.integrationTimeout }, 'POST', apiKind, new Map());
  queueValueRules(v, FRONT_DOOR, fifo, f.messageGroupId, f.deduplicationId);
}

/** The keys every message must carry for the writer (DynamoDB keys) or the front door (message group). */
function keysTheWriterNeeds(props: WriteBufferProps): Array<{ key: string; why: string }> {
  const keys: Array<{ key: string; why: string }> = [];
  const ddb = props.sink.dynamoDbOptions;
  if (ddb) {
    const schema = tableKeySchema(ddb.table);
    const pk = ddb.partitionKey ?? schema?.partitionKey;
    const sk = ddb.sortKey ?? schema?.sortKey;
    if (pk) keys.push({ key: pk, why: 'the table\'s partition key' });
    if (sk) keys.push({ key: sk, why: 'the table\'s sort key' });
  }
  const group = props.frontDoor?.messageGroupId;
  if (group?.kind === 'BODY_FIELD' && !group.name.includes('.')) keys.push({ key: group.name, why: 'frontDoor.messageGroupId' });
  return keys;
}

/** The rule table of a {@link WriteBuffer}. */
export function writeBufferRules(): Rule<WriteBufferProps>[] {
  return [
    nested(p => p.queueProps, secureQueueRules('queueProps.')),
    (p, v) => {
      if (p.queueProps?.existingQueue) {
        v.check('WRITE_BUFFER_EXISTING_DLQ', p.queueProps.existingDeadLetterQueue !== undefined, {
          prop: 'queueProps.existingDeadLetterQueue',
          value: 'undefined with queueProps.existingQueue',
          allowed: 'the dead-letter queue of the existing queue (poison messages are sent to it, and its depth is alarmed)',
          fix: 'pass queueProps.existingDeadLetterQueue (the queue its redrive policy names), or let the buffer create both queues',
        });
      }
    },
    (p, v) => { if (p.consumer) for (const rule of queueConsumerRules('consumer.', bufferIsFifo(p))) rule(p.consumer, v); },
    (p, v) => {
      if (!p.consumer) return;
      if (p.sink.kind !== WriteBufferSinkKind.CUSTOM_WRITER) {
        for (const rule of consumerFunctionRules('consumer.')) rule(p.consumer, v);
        return;
      }
      const c = p.consumer;
      const settings: Array<[string, unknown]> = [
        ['memorySize', c.memorySize], ['timeout', c.timeout], ['architecture', c.architecture], ['logRetention', c.logRetention],
        ['applicationLogLevel', c.applicationLogLevel], ['tracing', c.tracing], ['environmentEncryption', c.environmentEncryption],
      ];
      for (const [name, value] of settings) {
        v.notSetWith('WRITE_BUFFER_SETTING_WITH_CUSTOM_WRITER', `consumer.${name}`, value, 'with WriteBufferSink.customWriter (your function is not reconfigured)',
          `set ${name} on your function, or remove consumer.${name} (batchSize, maxBatchingWindow and maxConcurrency still apply)`);
      }
    },
    // The one visibility rule.
    (p, v) => {
      const queueProps = p.queueProps ?? {};
      const custom = p.sink.kind === WriteBufferSinkKind.CUSTOM_WRITER;
      const timeout = custom ? customWriterTimeout(p.sink.writer!) : p.consumer?.timeout ?? undefined;
      if (queueProps.existingQueue) {
        // An existing queue this app defines: its visibility timeout is readable here, and checked by the same rule.
        checkVisibilityTimeout(v, {
          prop: 'queueProps.existingQueue',
          given: appQueueVisibility(queueProps.existingQueue),
          timeout: custom ? timeout : (timeout ?? Duration.seconds(30)),
          timeoutProp: custom ? 'the custom writer\'s timeout' : 'consumer.timeout',
          window: p.consumer?.maxBatchingWindow,
          windowProp: 'consumer.maxBatchingWindow',
          fix: `raise the visibility timeout where ${queueProps.existingQueue.node.path} is defined${custom ? '' : ', or lower consumer.timeout'}`,
        });
        return;
      }
      if (custom && timeout === undefined) {
        v.check('WRITE_BUFFER_VISIBILITY_UNKNOWN', queueProps.visibilityTimeout !== undefined, {
          prop: 'queueProps.visibilityTimeout',
          value: 'undefined with a writer whose timeout is unknown here (an imported function)',
          allowed: 'at least 6 x the writer\'s timeout + consumer.maxBatchingWindow',
          fix: 'set queueProps.visibilityTimeout, e.g. Duration.minutes(3) for a 30-second writer',
        });
        return;
      }
      checkVisibilityTimeout(v, {
        prop: 'queueProps.visibilityTimeout',
        given: queueProps.visibilityTimeout,
        timeout: timeout ?? Duration.seconds(30),
        timeoutProp: custom ? 'the custom writer\'s timeout' : 'consumer.timeout',
        window: p.consumer?.maxBatchingWindow,
        windowProp: 'consumer.maxBatchingWindow',
      });
    },
    (p, v) => {
      // The schema is honoured by the bundled writer, or by a REST front door (HTTP APIs validate nothing).
      const restDoor = p.frontDoor !== undefined && (p.frontDoor.apiKind ?? FrontDoorApiKind.REST) === FrontDoorApiKind.REST;
      if (p.sink.kind !== WriteBufferSinkKind.CUSTOM_WRITER || restDoor) return;
      v.notSetWith('WRITE_BUFFER_SCHEMA_WITH_CUSTOM_WRITER', 'messageSchema', p.messageSchema,
        `with WriteBufferSink.customWriter and ${p.frontDoor ? 'an HTTP API front door (it does not validate request bodies)' : 'no front door'} (the bundled writer validates messages; yours must do it itself)`,
        p.frontDoor ? 'validate in your writer, use a bundled sink, or use frontDoor.apiKind: FrontDoorApiKind.REST' : 'validate in your writer, or use a bundled sink');
    },
    (p, v) => { if (p.messageSchema) schemaKeywordRules(v, 'messageSchema', p.messageSchema); },
    (p, v) => { if (p.messageSchema) schemaNeverMatchesRules(v, 'messageSchema', p.messageSchema); },
    (p, v) => {
      const schema = p.messageSchema;
      if (!schema) return;
      v.check('WRITE_BUFFER_SCHEMA_TYPE', schema.type === undefined || schema.type === apigateway.JsonSchemaType.OBJECT, {
        prop: 'messageSchema.type',
        value: JSON.stringify(schema.type),
        allowed: 'apigateway.JsonSchemaType.OBJECT (the writer and the front door take JSON objects), or no type',
        fix: 'set type: apigateway.JsonSchemaType.OBJECT',
      });
      const required = schema.required ?? [];
      for (const { key, why } of keysTheWriterNeeds(p)) {
        v.check('WRITE_BUFFER_SCHEMA_KEY_NOT_REQUIRED', required.includes(key), {
          prop: 'messageSchema.required',
          value: `${JSON.stringify(required)} (without "${key}")`,
          allowed: `a list that includes "${key}", ${why}: a message without it passes the schema and then fails in the writer`,
          fix: `add "${key}" to messageSchema.required`,
        });
      }
    },
    // DynamoDB key attribute names: 1 to 255 bytes (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html#limits-naming-rules).
    (p, v) => {
      const ddb = p.sink.dynamoDbOptions;
      if (!ddb) return;
      for (const [name, value] of [['partitionKey', ddb.partitionKey], ['sortKey', ddb.sortKey]] as const) {
        if (value === undefined || Token.isUnresolved(value)) continue;
        const bytes = Buffer.byteLength(value, 'utf8');
        v.check('WRITE_BUFFER_SINK_KEY_NAME', bytes >= 1 && bytes <= 255, {
          prop: `sink.${name}`,
          value: `"${value.slice(0, 20)}${value.length > 20 ? '...' : ''}" (${bytes} bytes)`,
          allowed: 'an attribute name of 1 to 255 bytes (DynamoDB limit for key attributes)',
          fix: `set ${name} to the table's key attribute name, or leave it unset to read it from the table`,
        });
      }
    },
    (p, v) => {
      const ddb = p.sink.dynamoDbOptions;
      if (!ddb) return;
      const schema = tableKeySchema(ddb.table);
      const tableName = ddb.table.node.path;
      if (schema) {
        v.check('WRITE_BUFFER_SINK_PARTITION_KEY', ddb.partitionKey === undefined || ddb.partitionKey === schema.partitionKey, {
          prop: 'sink.partitionKey',
          value: `"${ddb.partitionKey}"`,
          allowed: `the partition key of table ${tableName}: "${schema.partitionKey}" (the writer takes each item's key from the message)`,
          fix: `set partitionKey to "${schema.partitionKey}" or leave it unset, or write to a table keyed by "${ddb.partitionKey}"`,
        });
        v.check('WRITE_BUFFER_SINK_SORT_KEY', ddb.sortKey === undefined || ddb.sortKey === schema.sortKey, {
          prop: 'sink.sortKey',
          value: `"${ddb.sortKey}"`,
          allowed: schema.sortKey ? `the sort key of table ${tableName}: "${schema.sortKey}"` : `none: table ${tableName} has no sort key`,
          fix: schema.sortKey ? `set sortKey to "${schema.sortKey}" or leave it unset` : 'remove sortKey, or write to a table with that sort key',
        });
      } else {
        v.check('WRITE_BUFFER_SINK_PARTITION_KEY', ddb.partitionKey !== undefined, {
          prop: 'sink.partitionKey',
          value: `undefined for table ${tableName}, whose key schema is not known here (an imported table)`,
          allowed: 'the name of the table\'s partition key attribute (the writer takes each item\'s key from the message)',
          fix: 'set partitionKey (and sortKey when the table has one), e.g. WriteBufferSink.dynamoDb({ table, partitionKey: "orderId" })',
        });
      }
    },
    (p, v) => {
      const options = p.sink.dataApiOptions;
      if (!options) return;
      const enabled = dataApiEnabled(options.cluster);
      v.check('WRITE_BUFFER_SINK_DATA_API', enabled !== false, {
        prop: 'sink.cluster',
        value: `cluster ${options.cluster.node.path} without the Data API`,
        allowed: 'an Aurora cluster with the RDS Data API enabled (the writer calls BatchExecuteStatement)',
        fix: 'set enableDataApi: true on the rds.DatabaseCluster (Aurora PostgreSQL 13.11+/14.8+/15.3+ or Aurora MySQL 3.07+, Serverless v2 or provisioned)',
      });
      v.check('WRITE_BUFFER_SINK_SECRET', dataApiSecret(options) !== undefined, {
        prop: 'sink.secret',
        value: 'undefined, and the cluster has no secret of its own here',
        allowed: 'the Secrets Manager secret with the database credentials',
        fix: 'pass secret (e.g. the cluster\'s credentials secret)',
      });
      v.check('WRITE_BUFFER_SINK_DATABASE', Token.isUnresolved(options.databaseName) || options.databaseName.length > 0, {
        prop: 'sink.databaseName', value: '"" (empty)', allowed: 'a database name', fix: 'e.g. "shop"',
      });
      // What the bundled writer refuses when it starts (lambda/write-buffer/data-api.ts parseParameterMapping): every
      // invocation would fail, so nothing would ever be written. Data API statements are at most 65,536 characters
      // (https://docs.aws.amazon.com/rdsdataservice/latest/APIReference/API_BatchExecuteStatement.html).
      v.nonEmpty('WRITE_BUFFER_SINK_PARAMETERS', 'sink.parameters', options.parameters,
        'map each :name of sql to a message field, e.g. [{ name: "id", field: "orderId" }] (the writer takes every value from the message)');
      for (const [i, m] of options.parameters.entries()) {
        if (!Token.isUnresolved(m.name)) {
          v.check('WRITE_BUFFER_SINK_PARAMETER_NAME', /^[A-Za-z_][A-Za-z0-9_]*$/.test(m.name), {
            prop: `sink.parameters[${i}].name`, value: `"${m.name}"`, allowed: 'an identifier as written after ":" in sql (letters, digits, _; not starting with a digit)', fix: 'e.g. "id" for :id',
          });
        }
        if (!Token.isUnresolved(m.field)) {
          v.check('WRITE_BUFFER_SINK_PARAMETER_FIELD', m.field.length > 0, {
            prop: `sink.parameters[${i}].field`, value: '"" (empty)', allowed: 'a message field, top-level or a dotted path', fix: 'e.g. "orderId" or "customer.id"',
          });
        }
      }
      if (Token.isUnresolved(options.sql)) return;
      v.check('WRITE_BUFFER_SINK_SQL', options.sql.trim().length > 0 && options.sql.length <= 65_536, {
        prop: 'sink.sql',
        value: options.sql.trim().length === 0 ? '"" (empty)' : `${groupThousands(options.sql.length)} characters`,
        allowed: 'a statement of 1 to 65,536 characters (Data API limit)',
        fix: 'e.g. "INSERT INTO orders (id) VALUES (:id) ON CONFLICT DO NOTHING"',
      });
      const inSql = new Set([...options.sql.matchAll(/(?<!:):([A-Za-z_][A-Za-z0-9_]*)/g)].map(m => m[1]));
      const mapped = options.parameters.map(x => x.name);
      const unmapped = [...inSql].filter(name => !mapped.includes(name));
      const unused = mapped.filter(name => !inSql.has(name));
      v.check('WRITE_BUFFER_SINK_PARAMETERS', unmapped.length === 0 && unused.length === 0 && new Set(mapped).size === mapped.length, {
        prop: 'sink.parameters',
        value: `statement parameters [${[...inSql].map(n => `:${n}`).join(', ')}], mapped [${mapped.join(', ')}]`,
        allowed: 'exactly one mapping per named parameter of sql (and no mapping without a parameter)',
        fix: unmapped.length > 0 ? `add mappings for ${unmapped.map(n => `:${n}`).join(', ')}` : unused.length > 0 ? `remove mappings ${unused.join(', ')} or use them in sql` : 'map each parameter once',
      });
    },
    (p, v) => { if (p.frontDoor) frontDoorRules(p.frontDoor, bufferIsFifo(p), v); },
    (p, v) => v.name('WRITE_BUFFER_DASHBOARD_NAME', 'dashboardName', p.dashboardName, NAME_RULES.dashboard),
    (p, v) => {
      if (p.dashboard) {
        v.notSetWith('DASHBOARD_NAME_WITH_SHARED', 'dashboardName', p.dashboardName, 'together with dashboard (a shared dashboard has its own name)',
          'name the shared PatternDashboard where you create it, and remove dashboardName here');
      }
    },
    alarmTopicRule(),
  ];
}
