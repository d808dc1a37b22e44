/**
 * A MODEL of AppSync's DynamoDB data source: it executes the request objects the shipped
 * resolvers return against a real DynamoDB endpoint (MiniStack's in the local proof), as the
 * "DynamoDB JavaScript resolver function reference" documents them:
 *
 * - GetItem `{ key, consistentRead }` → `ctx.result` is the item as plain JSON, or null.
 * - UpdateItem / PutItem with `condition`: the update's and the condition's names and values are
 *   merged into one request; the new item is `ctx.result`. When the condition fails, the default
 *   strategy (Reject) applies ("Condition expressions — Handling a condition check failure"):
 *   AppSync reads the current item and hands the response handler `ctx.error` of type
 *   `DynamoDB:ConditionalCheckFailedException` with the current item in `ctx.result`. Not
 *   modelled: AppSync first treats the write as a success when the current item already equals
 *   the desired result; the shipped update always writes a new timestamp, so that never applies.
 * - Query `{ query, index, limit, nextToken, scanIndexForward }` → `{ items, nextToken,
 *   scannedCount }`; nextToken is opaque to the client (here: base64 of LastEvaluatedKey).
 *
 * The condition itself is evaluated by the DynamoDB behind the client, not by this code.
 */
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { DataSource, DataSourceOutcome, unmarshallItem } from './appsync-js-runtime';

interface Expression {
  expression: string;
  expressionNames?: Record<string, string>;
  expressionValues?: Record<string, any>;
}

function merged(...parts: (Expression | undefined)[]) {
  const names: Record<string, string> = {};
  const values: Record<string, any> = {};
  for (const p of parts) {
    Object.assign(names, p?.expressionNames ?? {});
    Object.assign(values, p?.expressionValues ?? {});
  }
  return {
    ExpressionAttributeNames: Object.keys(names).length ? names : undefined,
    ExpressionAttributeValues: Object.keys(values).length ? values : undefined,
  };
}

/** The error AppSync reports for a failed condition (type as documented; message as AppSync words it). */
const CONDITION_FAILED = {
  type: 'DynamoDB:ConditionalCheckFailedException',
  message: 'The conditional request failed (Service: DynamoDb, Status Code: 400)',
};

/** Counts of what the model did, so a proof can show the condition was DynamoDB's decision. */
export interface DynamoDbDataSourceStats {
  conditionalCheckFailures: number;
  writes: number;
}

export function dynamoDbDataSource(client: DynamoDBClient, tableName: string, stats?: DynamoDbDataSourceStats): DataSource {
  const current = async (key: Record<string, any>) => {
    const got = await client.send(new GetItemCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
    return got.Item ? unmarshallItem(got.Item) : null;
  };
  return async (req: any): Promise<DataSourceOutcome> => {
    switch (req.operation) {
      case 'GetItem':
        return { result: await current(req.key) };
      case 'UpdateItem':
      case 'PutItem': {
        try {
          const out = req.operation === 'UpdateItem'
            ? await client.send(new UpdateItemCommand({
              TableName: tableName,
              Key: req.key,
              UpdateExpression: req.update.expression,
              ConditionExpression: req.condition?.expression,
              ...merged(req.update, req.condition),
              ReturnValues: 'ALL_NEW',
            }))
            : await client.send(new PutItemCommand({
              TableName: tableName,
              Item: { ...req.key, ...req.attributeValues },
              ConditionExpression: req.condition?.expression,
              ...merged(req.condition),
            }));
          if (stats) stats.writes += 1;
          const attributes = 'Attributes' in out && out.Attributes ? unmarshallItem(out.Attributes) : await current(req.key);
          return { result: attributes };
        } catch (e) {
          if (e instanceof ConditionalCheckFailedException || (e as Error).name === 'ConditionalCheckFailedException') {
            if (stats) stats.conditionalCheckFailures += 1;
            return { result: await current(req.key), error: CONDITION_FAILED };
          }
          return { error: { type: `DynamoDB:${(e as Error).name}`, message: (e as Error).message } };
        }
      }
      case 'Query': {
        const out = await client.send(new QueryCommand({
          TableName: tableName,
          IndexName: req.index,
          KeyConditionExpression: req.query.expression,
          FilterExpression: req.filter?.expression,
          ...merged(req.query, req.filter),
          Limit: req.limit,
          ScanIndexForward: req.scanIndexForward ?? true,
          ConsistentRead: req.consistentRead,
          ExclusiveStartKey: req.nextToken ? JSON.parse(Buffer.from(req.nextToken, 'base64').toString('utf8')) : undefined,
        }));
        return {
          result: {
            items: (out.Items ?? []).map(unmarshallItem),
            nextToken: out.LastEvaluatedKey ? Buffer.from(JSON.stringify(out.LastEvaluatedKey)).toString('base64') : null,
            scannedCount: out.ScannedCount ?? 0,
          },
        };
      }
      default:
        return { error: { type: 'DynamoDB:UnsupportedOperation', message: `model does not implement ${req.operation}` } };
    }
  };
}
