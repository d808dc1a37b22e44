/**
 * Reading back what arrived: drain or peek a queue, scan a table, count objects, and wait for a
 * condition with a deadline.
 */
import { AttributeValue, ScanCommand } from '@aws-sdk/client-dynamodb';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import {
  ChangeMessageVisibilityBatchCommand, DeleteMessageBatchCommand, GetQueueAttributesCommand, Message, QueueAttributeName, ReceiveMessageCommand,
} from '@aws-sdk/client-sqs';
import { LocalClients } from './clients';

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

export interface DrainOptions {
  /** Delete what was read (drain), or leave it in the queue (peek). Default: delete. */
  readonly delete?: boolean;
  /** Stop after this many receives in a row return nothing. Default 3. */
  readonly emptyReceives?: number;
  /** Long-poll wait per receive, seconds. Default 1. */
  readonly waitTimeSeconds?: number;
}

/**
 * Reads a queue until it returns nothing `emptyReceives` times in a row. Draining deletes each
 * message read; peeking hides messages while reading (so each is read once) and makes them visible
 * again at the end. Peeking counts as a receive: on a queue with a redrive policy it brings
 * messages closer to the DLQ.
 */
export async function drainQueue(clients: LocalClients, queueUrl: string, options: DrainOptions = {}): Promise<Message[]> {
  const remove = options.delete ?? true;
  const emptyReceives = options.emptyReceives ?? 3;
  const seen = new Map<string, Message>();
  let empty = 0;
  while (empty < emptyReceives) {
    const res = await clients.sqs.send(new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: options.waitTimeSeconds ?? 1,
      VisibilityTimeout: remove ? 30 : 60,
      MessageAttributeNames: ['All'],
      MessageSystemAttributeNames: ['All'],
    }));
    const messages = res.Messages ?? [];
    if (messages.length === 0) {
      empty++;
      continue;
    }
    empty = 0;
    for (const m of messages) seen.set(m.MessageId!, m);
    const entries = messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! }));
    if (remove) {
      await clients.sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
    }
  }
  if (!remove) {
    const all = [...seen.values()];
    for (let i = 0; i < all.length; i += 10) {
      const entries = all.slice(i, i + 10).map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle!, VisibilityTimeout: 0 }));
      await clients.sqs.send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
    }
  }
  return [...seen.values()];
}

/** Messages in a queue: visible, in flight and delayed (approximate, as SQS reports them). */
export interface QueueDepth {
  readonly visible: number;
  readonly inFlight: number;
  readonly delayed: number;
  readonly total: number;
}

export async function queueDepth(clients: LocalClients, queueUrl: string): Promise<QueueDepth> {
  const res = await clients.sqs.send(new GetQueueAttributesCommand({
    QueueUrl: queueUrl,
    AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
  }));
  const n = (key: QueueAttributeName) => Number(res.Attributes?.[key] ?? 0);
  const visible = n('ApproximateNumberOfMessages');
  const inFlight = n('ApproximateNumberOfMessagesNotVisible');
  const delayed = n('ApproximateNumberOfMessagesDelayed');
  return { visible, inFlight, delayed, total: visible + inFlight + delayed };
}

/** A DynamoDB item with string and number attributes as plain values (others as JSON). */
export type PlainItem = Record<string, string | number | boolean | null | object>;

function plain(value: AttributeValue): string | number | boolean | null | object {
  if (value.S !== undefined) return value.S;
  if (value.N !== undefined) return Number(value.N);
  if (value.BOOL !== undefined) return value.BOOL;
  if (value.NULL !== undefined) return null;
  return value;
}

/** Every item of a table (paginated scan, strongly consistent). */
export async function scanTable(clients: LocalClients, tableName: string): Promise<PlainItem[]> {
  const items: PlainItem[] = [];
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const res = await clients.dynamodb.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: startKey, ConsistentRead: true }));
    for (const item of res.Items ?? []) {
      items.push(Object.fromEntries(Object.entries(item).map(([k, v]) => [k, plain(v)])));
    }
    startKey = res.LastEvaluatedKey;
  } while (startKey);
  return items;
}

/** Keys of the objects in a bucket (optionally under a prefix). */
export async function listObjectKeys(clients: LocalClients, bucket: string, prefix?: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const res = await clients.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    keys.push(...(res.Contents ?? []).map(o => o.Key!));
    token = res.IsTruncated ? res.NextContinuationToken : undefined;
  } while (token);
  return keys;
}

/** How many objects a bucket holds (optionally under a prefix). */
export async function countObjects(clients: LocalClients, bucket: string, prefix?: string): Promise<number> {
  return (await listObjectKeys(clients, bucket, prefix)).length;
}

export interface WaitResult<T> {
  readonly value: T;
  /** Whether `done` held before the deadline. */
  readonly met: boolean;
  readonly waitedMs: number;
}

/**
 * Polls `read` until `done(value)` holds or the deadline passes; returns the last value either
 * way (the caller reports what is missing).
 */
export async function waitFor<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  options: { timeoutMs: number; intervalMs?: number },
): Promise<WaitResult<T>> {
  const started = Date.now();
  for (;;) {
    const value = await read();
    if (done(value)) return { value, met: true, waitedMs: Date.now() - started };
    if (Date.now() - started >= options.timeoutMs) return { value, met: false, waitedMs: Date.now() - started };
    await sleep(options.intervalMs ?? 1000);
  }
}
