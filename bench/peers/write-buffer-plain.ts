/**
 * Peer of the WriteBuffer writer: a plain NodejsFunction handler, one PutItem per record in
 * parallel with the SDK v3 DynamoDB client (created once per container), partial batch
 * response by hand. Same marshalling as ours.
 */
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { marshallItem } from '../../lambda/write-buffer/dynamodb';

const client = new DynamoDBClient({});
const tableName = process.env.TABLE_NAME;

export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const results = await Promise.allSettled(event.Records.map(record => client.send(new PutItemCommand({
    TableName: tableName,
    Item: marshallItem(JSON.parse(record.body) as Record<string, unknown>) as Record<string, AttributeValue>,
  }))));
  const batchItemFailures = [];
  for (let i = 0; i < results.length; i++) {
    if (results[i].status === 'rejected') batchItemFailures.push({ itemIdentifier: event.Records[i].messageId });
  }
  return { batchItemFailures };
};
