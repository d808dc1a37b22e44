import { Duration, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { DataApiSinkOptions } from './sink';
import { check } from '../../core/validation';

/** JSON Schema keywords the bundled writer validates (lambda/write-buffer-writer). */
const WRITER_SCHEMA_KEYWORDS = new Set([
  'type', 'required', 'properties', 'enum', 'minimum', 'maximum', 'minLength', 'maxLength', 'pattern', 'items',
  'additionalProperties', 'title', 'description', 'schema',
]);

/** Write throttle events of the table (TableName dimension), per minute. */
export function tableWriteThrottles(table: dynamodb.ITable): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: 'AWS/DynamoDB',
    metricName: 'WriteThrottleEvents',
    dimensionsMap: { TableName: table.tableName },
    statistic: cloudwatch.Stats.SUM,
    period: Duration.minutes(1),
  });
}

export function customWriterTimeout(fn: lambda.IFunction): Duration | undefined {
  return fn instanceof lambda.Function ? (fn.timeout ?? Duration.seconds(3)) : undefined;
}

/** The key attribute names of a table this stack defines (Table or TableV2); undefined for an imported one. */
export function tableKeySchema(table: dynamodb.ITable): { partitionKey: string; sortKey?: string } | undefined {
  const cfn = table.node.defaultChild;
  if (!(cfn instanceof dynamodb.CfnTable || cfn instanceof dynamodb.CfnGlobalTable)) return undefined;
  const keys = Stack.of(table).resolve(cfn.keySchema) as Array<{ attributeName: string; keyType: string }> | undefined;
  const hash = keys?.find(k => k.keyType === 'HASH');
  if (!hash) return undefined;
  return { partitionKey: hash.attributeName, sortKey: keys!.find(k => k.keyType === 'RANGE')?.attributeName };
}

/** Whether the cluster has the Data API on; undefined when it cannot be known here. */
export function dataApiEnabled(cluster: rds.IDatabaseCluster): boolean | undefined {
  const cfn = cluster.node.defaultChild;
  if (!(cfn instanceof rds.CfnDBCluster)) return undefined;
  const value = Stack.of(cluster).resolve(cfn.enableHttpEndpoint);
  return value === true || value === 'true';
}

export function dataApiSecret(options: DataApiSinkOptions): secretsmanager.ISecret | undefined {
  return options.secret ?? (options.cluster instanceof rds.DatabaseClusterBase ? options.cluster.secret : undefined);
}

/** Throws for a keyword the bundled writer does not validate (it would be ignored silently). */
export function checkSchemaKeywords(scope: Construct, prop: string, schema: apigateway.JsonSchema): void {
  for (const [key, value] of Object.entries(schema)) {
    if (value === undefined) continue;
    check(scope, WRITER_SCHEMA_KEYWORDS.has(key), {
      prop: `${prop}.${key}`,
      value: JSON.stringify(value),
      allowed: `the keywords the writer validates: ${[...WRITER_SCHEMA_KEYWORDS].filter(k => !['title', 'description', 'schema'].includes(k)).join(', ')}`,
      fix: `remove ${key} (validate it in a custom writer instead)`,
    });
    if (key === 'properties') {
      for (const [name, sub] of Object.entries(value as { [name: string]: apigateway.JsonSchema })) checkSchemaKeywords(scope, `${prop}.properties.${name}`, sub);
    } else if (key === 'items' && !Array.isArray(value)) {
      checkSchemaKeywords(scope, `${prop}.items`, value as apigateway.JsonSchema);
    } else if (key === 'additionalProperties' && typeof value === 'object') {
      checkSchemaKeywords(scope, `${prop}.additionalProperties`, value as apigateway.JsonSchema);
    }
  }
}

/** CDK's JsonSchema (camelCase, `schema`/`ref`/`id`) as plain JSON Schema (`$schema`, `$ref`, `$id`). */
export function toJsonSchema(schema: apigateway.JsonSchema): unknown {
  const out: { [key: string]: unknown } = {};
  for (const [key, value] of Object.entries(schema)) {
    if (value === undefined) continue;
    const name = ['schema', 'ref', 'id'].includes(key) ? `$${key}` : key;
    if (key === 'properties') {
      out[name] = Object.fromEntries(Object.entries(value as { [k: string]: apigateway.JsonSchema }).map(([k, v]) => [k, toJsonSchema(v)]));
    } else if (key === 'items' || key === 'additionalProperties') {
      out[name] = Array.isArray(value) ? value.map(v => toJsonSchema(v)) : typeof value === 'object' ? toJsonSchema(value) : value;
    } else {
      out[name] = value;
    }
  }
  return out;
}
