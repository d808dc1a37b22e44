/**
 * Idempotent recorder: an SQS consumer that writes each message once to a DynamoDB table.
 *
 * - Body: JSON, either the message itself (raw delivery) or an SNS envelope around it.
 * - Key: the message's own id field (ID_FIELD), so a redelivered message overwrites nothing:
 *   the write is conditional on the key being new, and "already there" counts as success.
 * - Poison (not JSON, no id, missing required fields) and failed writes are reported as batch
 *   item failures; SQS retries only those and moves them to the DLQ after maxReceiveCount.
 * - FIFO queues: records are written in order and, after the first failure, the rest of the
 *   batch is returned unprocessed so a message group is never reordered.
 */
import { ConditionalCheckFailedException, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { SQSBatchItemFailure, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';

/** Configuration read once per container from the environment the construct sets. */
export interface RecorderConfig {
  readonly tableName: string;
  readonly keyAttribute: string;
  readonly idField: string;
  readonly requiredFields: readonly string[];
}

/** A message ready to write, or the reason it never will be. */
export type ParsedMessage =
  | { readonly ok: true; readonly id: string; readonly payload: Record<string, unknown> }
  | { readonly ok: false; readonly reason: string };

/** Writes one message; resolves when stored or already stored, rejects on any other error. */
export type Writer = (record: SQSRecord, message: { id: string; payload: Record<string, unknown> }) => Promise<void>;

export function readConfig(env: NodeJS.ProcessEnv): RecorderConfig {
  const tableName = env.TABLE_NAME;
  if (!tableName) throw new Error('TABLE_NAME is not set: the construct that deploys this handler sets it');
  return {
    tableName,
    keyAttribute: env.KEY_ATTRIBUTE || 'id',
    idField: env.ID_FIELD || 'id',
    requiredFields: (env.REQUIRED_FIELDS ?? '').split(',').map(f => f.trim()).filter(Boolean),
  };
}

/** Parses a record body, unwrapping an SNS notification envelope when present. */
export function parseMessage(body: string, idField: string, requiredFields: readonly string[]): ParsedMessage {
  let value: unknown;
  try {
    value = JSON.parse(body);
    if (isSnsEnvelope(value)) value = JSON.parse(value.Message);
  } catch {
    return { ok: false, reason: 'body is not valid JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, reason: 'body is not a JSON object' };
  }
  const payload = value as Record<string, unknown>;
  const id = payload[idField];
  if ((typeof id !== 'string' || id.length === 0) && typeof id !== 'number') {
    return { ok: false, reason: `field "${idField}" (the item key) is missing or not a string/number` };
  }
  const missing = requiredFields.filter(f => payload[f] === undefined || payload[f] === null);
  if (missing.length > 0) {
    return { ok: false, reason: `required field(s) missing: ${missing.join(', ')}` };
  }
  return { ok: true, id: String(id), payload };
}

function isSnsEnvelope(value: unknown): value is { Type: string; Message: string } {
  const v = value as { Type?: unknown; Message?: unknown; TopicArn?: unknown } | null;
  return typeof v === 'object' && v !== null && v.Type === 'Notification' && typeof v.Message === 'string' && typeof v.TopicArn === 'string';
}

/** Whether the records come from a FIFO queue (order must be kept). */
export function isFifoSource(records: readonly SQSRecord[]): boolean {
  return records.length > 0 && records[0].eventSourceARN.endsWith('.fifo');
}

/**
 * Processes a batch and returns the partial batch response: the ids of the messages that
 * failed and only those.
 */
export async function processBatch(records: readonly SQSRecord[], config: RecorderConfig, write: Writer): Promise<SQSBatchResponse> {
  const failures: SQSBatchItemFailure[] = [];
  const handle = async (record: SQSRecord): Promise<boolean> => {
    const parsed = parseMessage(record.body, config.idField, config.requiredFields);
    if (!parsed.ok) {
      console.warn(JSON.stringify({ event: 'poison-message', messageId: record.messageId, reason: parsed.reason }));
      return false;
    }
    try {
      await write(record, parsed);
      return true;
    } catch (err) {
      console.error(JSON.stringify({ event: 'write-failed', messageId: record.messageId, error: String(err) }));
      return false;
    }
  };

  if (isFifoSource(records)) {
    for (let i = 0; i < records.length; i++) {
      if (!(await handle(records[i]))) {
        failures.push(...records.slice(i).map(r => ({ itemIdentifier: r.messageId })));
        break;
      }
    }
  } else {
    const results = await Promise.all(records.map(handle));
    results.forEach((ok, i) => { if (!ok) failures.push({ itemIdentifier: records[i].messageId }); });
  }
  return { batchItemFailures: failures };
}

/** A writer that puts the item only if its key is new; an existing key is a redelivery. */
export function dynamoWriter(client: DynamoDBClient, config: RecorderConfig): Writer {
  return async (record, message) => {
    try {
      await client.send(new PutItemCommand({
        TableName: config.tableName,
        Item: {
          [config.keyAttribute]: { S: message.id },
          payload: { S: JSON.stringify(message.payload) },
          sqsMessageId: { S: record.messageId },
          recordedAt: { S: new Date().toISOString() },
        },
        ConditionExpression: 'attribute_not_exists(#key)',
        ExpressionAttributeNames: { '#key': config.keyAttribute },
      }));
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException || (err as { name?: string }).name === 'ConditionalCheckFailedException') {
        return; // written by an earlier delivery of the same message
      }
      throw err;
    }
  };
}

// Created once per container, reused by every invocation.
let writer: Writer | undefined;
let config: RecorderConfig | undefined;

export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  config ??= readConfig(process.env);
  writer ??= dynamoWriter(new DynamoDBClient({}), config);
  return processBatch(event.Records, config, writer);
};
