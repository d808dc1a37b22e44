/**
 * Clickstream aggregator: a Kinesis consumer that keeps per-minute click counts per page and
 * per-session progress in one DynamoDB table.
 *
 * Event (JSON, partition key = sessionId): `{ "sessionId": "s-1", "seq": 0, "page": "/home", "ts": 1700000000000 }`
 * where `seq` counts the session's events from 0 (the producer assigns it).
 *
 * Items:
 * - `pk = PAGE#<page>`, `sk = MINUTE#<yyyy-mm-ddThh:mm>`: `clicks` (ADD).
 * - `pk = SESSION#<sessionId>`, `sk = SESSION`: `events`, `lastSeq`, `orderBreaks`, `duplicates`.
 *   A run of a session's events whose first `seq` is not `lastSeq + 1` counts an order break,
 *   unless all of it was seen before (a retry), which counts as duplicates and changes nothing else.
 * - `pk = BATCH#<shard>#<first>#<last>#<chunk>`, `sk = BATCH`: a marker written in the same
 *   transaction as a chunk of counts, so a retried batch with the same boundaries adds nothing twice.
 *
 * Delivery semantics, honestly: Kinesis + Lambda is at-least-once. Page counts are exactly once
 * for a batch retried with the same boundaries (the marker), which is what a plain retry is;
 * a batch bisected after a failed commit can count the records of the chunks that did commit
 * again. Session progress is idempotent (a replayed run is recognised and ignored).
 *
 * Poison records (not JSON, or missing fields) stop the batch: everything before them is
 * committed and the poison's sequence number is returned as the batch item failure, so Lambda
 * checkpoints before it, retries from it, bisects, and after `retryAttempts` sends its
 * coordinates to the on-failure queue. Records after the poison are never counted twice.
 */
import {
  ConditionalCheckFailedException, DynamoDBClient, TransactionCanceledException, TransactWriteItemsCommand,
  UpdateItemCommand, type TransactWriteItem,
} from '@aws-sdk/client-dynamodb';
import type { KinesisStreamBatchResponse, KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';

/** One click, as the producer sends it. */
export interface Click {
  readonly sessionId: string;
  readonly seq: number;
  readonly page: string;
  readonly ts: number;
}

/** A record decoded, or why it cannot be. */
export type Decoded = { readonly ok: true; readonly click: Click } | { readonly ok: false; readonly reason: string };

/** The run of one session's events within a batch, in the order the batch holds them. */
export interface SessionRun {
  readonly sessionId: string;
  readonly firstSeq: number;
  readonly lastSeq: number;
  readonly events: number;
  /** Places inside the batch where seq did not go up by one. */
  readonly breaks: number;
}

const MARKER_TTL_SECONDS = 8 * 24 * 3600; // beyond the stream's 7-day default retention
const MAX_TRANSACTION_ITEMS = 100;

/** Decodes one Kinesis record's base64 data into a click. */
export function decode(record: KinesisStreamRecord): Decoded {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(record.kinesis.data, 'base64').toString('utf8'));
  } catch {
    return { ok: false, reason: 'data is not JSON' };
  }
  const v = value as Partial<Click> | null;
  if (!v || typeof v !== 'object') return { ok: false, reason: 'data is not a JSON object' };
  if (typeof v.sessionId !== 'string' || v.sessionId.length === 0) return { ok: false, reason: 'sessionId missing' };
  if (typeof v.seq !== 'number' || !Number.isInteger(v.seq) || v.seq < 0) return { ok: false, reason: 'seq missing or not a whole number' };
  if (typeof v.page !== 'string' || v.page.length === 0) return { ok: false, reason: 'page missing' };
  if (typeof v.ts !== 'number' || !Number.isFinite(v.ts)) return { ok: false, reason: 'ts missing' };
  return { ok: true, click: { sessionId: v.sessionId, seq: v.seq, page: v.page, ts: v.ts } };
}

/** The minute a timestamp falls in, e.g. `2026-11-23T03:14`. */
export function minuteOf(ts: number): string {
  return new Date(ts).toISOString().slice(0, 16);
}

/** Clicks per page and minute, keyed `page\u0000minute`. */
export function countByPageMinute(clicks: readonly Click[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const c of clicks) {
    const key = `${c.page}\u0000${minuteOf(c.ts)}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** Each session's run within the batch. */
export function sessionRuns(clicks: readonly Click[]): SessionRun[] {
  const runs = new Map<string, { firstSeq: number; lastSeq: number; events: number; breaks: number }>();
  for (const c of clicks) {
    const run = runs.get(c.sessionId);
    if (!run) {
      runs.set(c.sessionId, { firstSeq: c.seq, lastSeq: c.seq, events: 1, breaks: 0 });
      continue;
    }
    if (c.seq !== run.lastSeq + 1) run.breaks++;
    run.lastSeq = c.seq;
    run.events++;
  }
  return [...runs.entries()].map(([sessionId, r]) => ({ sessionId, ...r }));
}

/** A batch split at its first poison record. */
export interface BatchSplit {
  readonly clicks: Click[];
  readonly good: KinesisStreamRecord[];
  readonly poison?: { readonly record: KinesisStreamRecord; readonly reason: string };
}

/** Splits a batch at its first poison record: the clicks before it, and the poison. */
export function untilPoison(records: readonly KinesisStreamRecord[]): BatchSplit {
  const clicks: Click[] = [];
  const good: KinesisStreamRecord[] = [];
  for (const record of records) {
    const d = decode(record);
    if (!d.ok) return { clicks, good, poison: { record, reason: d.reason } };
    clicks.push(d.click);
    good.push(record);
  }
  return { clicks, good };
}

/** The transactions that add a batch's counts, each with its marker. */
export function countTransactions(tableName: string, counts: Map<string, number>, batchId: string, nowSeconds: number): TransactWriteItem[][] {
  const updates: TransactWriteItem[] = [...counts.entries()].map(([key, n]) => {
    const [page, minute] = key.split('\u0000');
    return {
      Update: {
        TableName: tableName,
        Key: { pk: { S: `PAGE#${page}` }, sk: { S: `MINUTE#${minute}` } },
        UpdateExpression: 'ADD clicks :n SET page = :page, #minute = :minute',
        ExpressionAttributeNames: { '#minute': 'minute' },
        ExpressionAttributeValues: { ':n': { N: String(n) }, ':page': { S: page }, ':minute': { S: minute } },
      },
    };
  });
  const transactions: TransactWriteItem[][] = [];
  for (let i = 0, chunk = 0; i < updates.length; i += MAX_TRANSACTION_ITEMS - 1, chunk++) {
    transactions.push([
      {
        Put: {
          TableName: tableName,
          Item: { pk: { S: `BATCH#${batchId}#${chunk}` }, sk: { S: 'BATCH' }, expiresAt: { N: String(nowSeconds + MARKER_TTL_SECONDS) } },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      ...updates.slice(i, i + MAX_TRANSACTION_ITEMS - 1),
    ]);
  }
  return transactions;
}

/** Runs the count transactions; a transaction whose marker exists was applied before and is skipped. */
export async function applyCounts(db: Pick<DynamoDBClient, 'send'>, transactions: TransactWriteItem[][]): Promise<{ applied: number; skipped: number }> {
  let applied = 0;
  let skipped = 0;
  for (const items of transactions) {
    try {
      await db.send(new TransactWriteItemsCommand({ TransactItems: items }));
      applied++;
    } catch (err) {
      const reasons = err instanceof TransactionCanceledException ? err.CancellationReasons ?? [] : [];
      if (reasons[0]?.Code === 'ConditionalCheckFailed') {
        skipped++;
        continue;
      }
      throw err;
    }
  }
  return { applied, skipped };
}

/** Records a session's run: in order, a replay (ignored), or an order break. */
export async function applySessionRun(db: Pick<DynamoDBClient, 'send'>, tableName: string, run: SessionRun): Promise<'in-order' | 'replay' | 'break'> {
  const key = { pk: { S: `SESSION#${run.sessionId}` }, sk: { S: 'SESSION' } };
  const values = {
    ':events': { N: String(run.events) },
    ':last': { N: String(run.lastSeq) },
    ':breaks': { N: String(run.breaks) },
  };
  try {
    await db.send(new UpdateItemCommand({
      TableName: tableName,
      Key: key,
      UpdateExpression: 'ADD events :events, orderBreaks :breaks SET lastSeq = :last',
      ConditionExpression: run.firstSeq === 0 ? 'attribute_not_exists(lastSeq)' : 'lastSeq = :prev',
      ExpressionAttributeValues: run.firstSeq === 0 ? values : { ...values, ':prev': { N: String(run.firstSeq - 1) } },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    }));
    return 'in-order';
  } catch (err) {
    if (!(err instanceof ConditionalCheckFailedException)) throw err;
    const seen = Number(err.Item?.lastSeq?.N ?? -1);
    if (seen >= run.lastSeq) {
      await db.send(new UpdateItemCommand({
        TableName: tableName, Key: key, UpdateExpression: 'ADD duplicates :events', ExpressionAttributeValues: { ':events': values[':events'] },
      }));
      return 'replay';
    }
    await db.send(new UpdateItemCommand({
      TableName: tableName,
      Key: key,
      UpdateExpression: 'ADD events :events, orderBreaks :one SET lastSeq = :last',
      ExpressionAttributeValues: { ':events': values[':events'], ':last': values[':last'], ':one': { N: String(run.breaks + 1) } },
    }));
    return 'break';
  }
}

/** Processes one batch; exported with its client so tests and the e2e harness call it directly. */
export async function processBatch(db: Pick<DynamoDBClient, 'send'>, tableName: string, event: KinesisStreamEvent, nowSeconds = Math.floor(Date.now() / 1000)): Promise<KinesisStreamBatchResponse> {
  const { clicks, good, poison } = untilPoison(event.Records);
  if (good.length > 0) {
    const first = good[0];
    const last = good[good.length - 1];
    const batchId = `${first.eventID.split(':')[0]}#${first.kinesis.sequenceNumber}#${last.kinesis.sequenceNumber}`;
    await applyCounts(db, countTransactions(tableName, countByPageMinute(clicks), batchId, nowSeconds));
    await Promise.all(sessionRuns(clicks).map(run => applySessionRun(db, tableName, run)));
  }
  if (!poison) return { batchItemFailures: [] };
  console.warn(JSON.stringify({
    message: 'poison record: the batch stops here and Lambda retries from it',
    sequenceNumber: poison.record.kinesis.sequenceNumber,
    partitionKey: poison.record.kinesis.partitionKey,
    reason: poison.reason,
    processedBefore: good.length,
  }));
  return { batchItemFailures: [{ itemIdentifier: poison.record.kinesis.sequenceNumber }] };
}

const db = new DynamoDBClient({});
const table = process.env.TABLE_NAME ?? '';

export const handler = async (event: KinesisStreamEvent): Promise<KinesisStreamBatchResponse> => {
  if (!table) throw new Error('TABLE_NAME is not set: the construct that deploys this handler sets it');
  return processBatch(db, table, event);
};
