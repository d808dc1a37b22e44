/**
 * DynamoDB sink: each message body (a JSON object) is written as one item with BatchWriteItem,
 * 25 puts per request. The item key comes from the body, so a redelivered message overwrites
 * the same item (idempotent). Duplicate keys in a batch are collapsed (last wins). Unprocessed
 * items and throttling are retried with full-jitter backoff until done or out of time.
 */
import { AwsError, type AwsJsonClient } from './aws';
import { backoffWithinBudget, type Clock, SYSTEM_CLOCK } from './backoff';
import { chunk, forEachLimited } from './chunk';
import { truncate } from './parse';
import type { Entry, Poison, Sink, SinkResult } from './types';

/** A DynamoDB attribute value in the wire format. */
export type AttributeValue =
  | { S: string } | { N: string } | { BOOL: boolean } | { NULL: true }
  | { L: AttributeValue[] } | { M: Record<string, AttributeValue> };

/** BatchWriteItem's limit of put requests per call. */
export const BATCH_WRITE_LIMIT = 25;
/** DynamoDB's item size limit (400 KB); larger bodies are poison. */
export const MAX_ITEM_BYTES = 400 * 1024;
/** DynamoDB's nesting limit for maps and lists. */
const MAX_DEPTH = 32;

/** Marshalls a JSON value to a DynamoDB attribute value (like @aws-sdk/util-dynamodb for JSON input). */
export function marshall(value: unknown, depth = 0): AttributeValue {
  if (depth > MAX_DEPTH) throw new RangeError(`nested deeper than DynamoDB's limit of ${MAX_DEPTH} levels`);
  switch (typeof value) {
    case 'string': return { S: value };
    case 'number':
      if (!Number.isFinite(value)) throw new RangeError(`number ${value} cannot be stored`);
      return { N: String(value) };
    case 'boolean': return { BOOL: value };
    case 'object': {
      if (value === null) return { NULL: true };
      if (Array.isArray(value)) {
        const L: AttributeValue[] = new Array(value.length);
        for (let i = 0; i < value.length; i++) L[i] = marshall(value[i], depth + 1);
        return { L };
      }
      return { M: marshallItem(value as Record<string, unknown>, depth + 1) };
    }
    default:
      throw new RangeError(`${typeof value} cannot be stored`);
  }
}

/** Marshalls a JSON object to an item (attribute map). */
export function marshallItem(value: Record<string, unknown>, depth = 0): Record<string, AttributeValue> {
  const item: Record<string, AttributeValue> = {};
  for (const key in value) {
    const v = value[key];
    if (v !== undefined) item[key] = marshall(v, depth);
  }
  return item;
}

/** The key schema the writer needs: attribute names (the body fields of the same name). */
export interface KeySchema {
  readonly partitionKey: string;
  readonly sortKey?: string;
}

/** A key part as text: type tag + value, so "1" (S) and 1 (N) stay distinct. */
function keyPart(value: unknown): string | undefined {
  if (typeof value === 'string') return value.length > 0 ? `S${value}` : undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? `N${String(value)}` : undefined;
  return undefined;
}

function attributeKeyPart(attr: AttributeValue | undefined): string | undefined {
  if (!attr) return undefined;
  if ('S' in attr) return `S${attr.S}`;
  if ('N' in attr) return `N${attr.N}`;
  return undefined;
}

/** The item key of a body, or why the body has none. */
export function itemKey(value: Record<string, unknown>, keys: KeySchema): { key: string } | Poison & { messageId: '' } {
  const pk = value[keys.partitionKey];
  const pkPart = keyPart(pk);
  if (pkPart === undefined) {
    return pk === undefined || pk === null
      ? { messageId: '', code: 'MissingKey', detail: `partition key "${keys.partitionKey}" is missing` }
      : { messageId: '', code: 'InvalidKey', detail: `partition key "${keys.partitionKey}" must be a non-empty string or a number` };
  }
  if (keys.sortKey === undefined) return { key: pkPart };
  const sk = value[keys.sortKey];
  const skPart = keyPart(sk);
  if (skPart === undefined) {
    return sk === undefined || sk === null
      ? { messageId: '', code: 'MissingKey', detail: `sort key "${keys.sortKey}" is missing` }
      : { messageId: '', code: 'InvalidKey', detail: `sort key "${keys.sortKey}" must be a non-empty string or a number` };
  }
  return { key: `${pkPart}\u0000${skPart}` };
}

/** The key of an item as DynamoDB returns it in UnprocessedItems. */
export function attributeKey(item: Record<string, AttributeValue>, keys: KeySchema): string | undefined {
  const pk = attributeKeyPart(item[keys.partitionKey]);
  if (pk === undefined || keys.sortKey === undefined) return pk;
  const sk = attributeKeyPart(item[keys.sortKey]);
  return sk === undefined ? undefined : `${pk}\u0000${sk}`;
}

/** One item to put and every message id that carries it (duplicates collapsed, last wins). */
export interface Slot {
  readonly key: string;
  item: Record<string, AttributeValue>;
  readonly messageIds: string[];
}

/**
 * Turns entries into one slot per distinct key (the last message with a key wins; every
 * message id of that key shares the slot's fate), plus the poison that has no usable key or
 * cannot be stored.
 */
export function collapse(entries: readonly Entry[], keys: KeySchema): { slots: Slot[]; poison: Poison[] } {
  const byKey = new Map<string, Slot>();
  const poison: Poison[] = [];
  for (const entry of entries) {
    if (entry.size > MAX_ITEM_BYTES) {
      poison.push({ messageId: entry.messageId, code: 'ItemTooLarge', detail: `body of ${entry.size} characters exceeds DynamoDB's item limit of ${MAX_ITEM_BYTES} bytes` });
      continue;
    }
    const k = itemKey(entry.value, keys);
    if (!('key' in k)) {
      poison.push({ messageId: entry.messageId, code: k.code, detail: k.detail });
      continue;
    }
    let item: Record<string, AttributeValue>;
    try {
      item = marshallItem(entry.value);
    } catch (e) {
      poison.push({ messageId: entry.messageId, code: 'Rejected', detail: truncate((e as Error).message) });
      continue;
    }
    const slot = byKey.get(k.key);
    if (slot) {
      slot.item = item;
      slot.messageIds.push(entry.messageId);
    } else {
      byKey.set(k.key, { key: k.key, item, messageIds: [entry.messageId] });
    }
  }
  return { slots: [...byKey.values()], poison };
}

/** DynamoDB sink settings. */
export interface DynamoSinkOptions extends KeySchema {
  readonly tableName: string;
  /** BatchWriteItem calls in flight at once. */
  readonly maxParallelRequests?: number;
  readonly clock?: Clock;
}

interface BatchWriteOutput {
  readonly UnprocessedItems?: Record<string, Array<{ PutRequest?: { Item: Record<string, AttributeValue> } }>>;
}

/** The DynamoDB sink, on a client created once per container. */
export function dynamoSink(client: AwsJsonClient, options: DynamoSinkOptions): Sink {
  const { tableName } = options;
  const clock = options.clock ?? SYSTEM_CLOCK;
  const parallel = options.maxParallelRequests ?? 10;

  return {
    async write(entries, deadline): Promise<SinkResult> {
      const { slots, poison } = collapse(entries, options);
      const failed: string[] = [];
      let requests = 0;
      let retries = 0;
      const fail = (list: readonly Slot[]): void => {
        for (const s of list) for (const id of s.messageIds) failed.push(id);
      };

      const writeChunk = async (group: Slot[]): Promise<void> => {
        let pending = group;
        for (let attempt = 0; ; attempt++) {
          if (attempt > 0) retries++;
          requests++;
          try {
            const out = await client.send('BatchWriteItem', {
              RequestItems: { [tableName]: pending.map(s => ({ PutRequest: { Item: s.item } })) },
            }, deadline) as BatchWriteOutput;
            const unprocessed = out.UnprocessedItems?.[tableName];
            if (!unprocessed || unprocessed.length === 0) return;
            const byKey = new Map(pending.map(s => [s.key, s]));
            const next: Slot[] = [];
            for (const req of unprocessed) {
              const key = req.PutRequest ? attributeKey(req.PutRequest.Item, options) : undefined;
              const slot = key === undefined ? undefined : byKey.get(key);
              if (!slot) {
                // An answer we cannot map back: fail everything still pending rather than guess.
                fail(pending);
                return;
              }
              next.push(slot);
            }
            pending = next;
          } catch (e) {
            const err = e as AwsError;
            if (!err.retryable) {
              if (err.code === 'ValidationException') {
                // The whole request is refused for one bad item (wrong key type, too large...):
                // write the items one by one to find it; the rest still get written.
                if (pending.length > 1) {
                  for (const one of pending) await writeChunk([one]);
                } else {
                  for (const id of pending[0].messageIds) poison.push({ messageId: id, code: 'Rejected', detail: truncate(err.message) });
                }
              } else {
                console.error(JSON.stringify({ level: 'ERROR', event: 'write-failed', sink: 'dynamodb', error: truncate(err.message ?? String(e)), items: pending.length }));
                fail(pending);
              }
              return;
            }
          }
          if (!(await backoffWithinBudget(attempt, deadline, clock))) {
            fail(pending);
            return;
          }
        }
      };

      await forEachLimited(chunk(slots, BATCH_WRITE_LIMIT), parallel, writeChunk);
      return { failed, poison, requests, retries };
    },
  };
}
