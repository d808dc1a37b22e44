/**
 * WriteBuffer writer: an SQS consumer (partial batch responses) that writes message bodies to
 * DynamoDB (BatchWriteItem, 25 per request) or Aurora through the RDS Data API
 * (BatchExecuteStatement), sends poison messages to the dead-letter queue with the reason, and
 * reports only the messages that really failed. See docs/write-buffer-runtime.md.
 *
 * Everything is built once per container: configuration (checked, fails loudly), the schema
 * validator, and the signed HTTP clients.
 */
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { createAwsJsonClient, DYNAMODB, RDS_DATA, SQS } from './write-buffer/aws';
import { readConfig } from './write-buffer/config';
import { dataApiSink } from './write-buffer/data-api';
import { deadLetterSender } from './write-buffer/dead-letter';
import { dynamoSink } from './write-buffer/dynamodb';
import { processBatch, type Writer } from './write-buffer/writer';

let writer: Writer | undefined;

function createWriter(env: NodeJS.ProcessEnv): Writer {
  const config = readConfig(env);
  const { target } = config;
  const sink = target.sink === 'dynamodb'
    ? dynamoSink(createAwsJsonClient(DYNAMODB, env), target)
    : dataApiSink(createAwsJsonClient(RDS_DATA, env), target);
  return {
    sink,
    deadLetter: deadLetterSender(createAwsJsonClient(SQS, env), { queueUrl: config.deadLetterQueueUrl }),
    validate: config.validate,
  };
}

export const handler = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  writer ??= createWriter(process.env);
  return processBatch(writer, event, context);
};
