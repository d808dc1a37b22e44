/**
 * Peer of the WriteBuffer writer: the handler a careful user writes with Powertools for AWS
 * Lambda's BatchProcessor (partial batch responses) and one PutItem per record, with the SDK v3
 * DynamoDB client created once per container. Same marshalling as ours, so the bench compares
 * architecture (per-record PutItem, SDK client, BatchProcessor), not JSON-to-item code.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { marshallItem } from '../../lambda/write-buffer/dynamodb';

const processor = new BatchProcessor(EventType.SQS);
const client = new DynamoDBClient({});
const tableName = process.env.TABLE_NAME;

const recordHandler = async (record: SQSRecord): Promise<void> => {
  const item = marshallItem(JSON.parse(record.body) as Record<string, unknown>) as Record<string, AttributeValue>;
  await client.send(new PutItemCommand({ TableName: tableName, Item: item }));
};

export const handler = async (event: SQSEvent, context: Context) =>
  processPartialResponse(event, recordHandler, processor, { context });
