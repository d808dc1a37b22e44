/**
 * Kinesis producer helper for runtime code (your services, Lambda functions, scripts): puts
 * records with PutRecords in batches within Kinesis's limits, and retries only the records
 * Kinesis reports as failed, with exponential backoff and full jitter.
 *
 * Shipped in the npm package, bundled to `assets/kinesis-producer/index.js` (CommonJS, with
 * `@aws-sdk/client-kinesis` left to your app) with its types beside it:
 *
 * ```ts
 * import { KinesisClient } from '@aws-sdk/client-kinesis';
 * import { KinesisProducer } from 'cdk-integration-patterns/assets/kinesis-producer';
 * const producer = new KinesisProducer({ client: new KinesisClient({}), streamName: process.env.STREAM_NAME! });
 * await producer.putAll(events.map(e => ({ data: JSON.stringify(e), partitionKey: e.sessionId })));
 * ```
 *
 * It is runtime code, not part of the construct library's (jsii) API.
 *
 * Order: PutRecords writes the records of one call independently, so when record 1 of key K
 * fails and record 2 of K succeeds, a plain retry puts 1 after 2. With `preserveOrderPerKey`
 * (the default) a call carries at most one record per partition key, and a key's next record
 * is sent only after the previous one is in: per-key order survives partial failures, at the
 * price of smaller calls when few keys are busy.
 */
import { PutRecordsCommand, type KinesisClient, type PutRecordsCommandOutput } from '@aws-sdk/client-kinesis';

/** Kinesis limits a PutRecords call must stay within (https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutRecords.html). */
export const KINESIS_LIMITS = {
  recordsPerCall: 500,
  /** Whole request: data and partition keys of every record. */
  bytesPerCall: 5 * 1024 * 1024,
  /** One record: data plus partition key. */
  bytesPerRecord: 1024 * 1024,
  partitionKeyLength: 256,
} as const;

/** One record to put. */
export interface ProducerRecord {
  /** The payload: bytes, or a string written as UTF-8. */
  readonly data: Uint8Array | string;
  /** Records with the same key go to the same shard, in order. */
  readonly partitionKey: string;
  /** Pins the record to a hash key instead of hashing the partition key. */
  readonly explicitHashKey?: string;
}

/** What `putAll` did. */
export interface PutAllResult {
  /** Records now in the stream. */
  readonly recordsPut: number;
  /** PutRecords calls made (first tries and retries). */
  readonly calls: number;
  /** Records sent again after Kinesis reported them failed. */
  readonly retriedRecords: number;
  /** Failures reported by Kinesis, by error code (e.g. ProvisionedThroughputExceededException). */
  readonly failuresByCode: Readonly<Record<string, number>>;
  /** Sequence number of each record, in the order given. */
  readonly sequenceNumbers: readonly string[];
}

/** Options of a {@link KinesisProducer}. */
export interface KinesisProducerOptions {
  /** The client; give it a `NodeHttpHandler` when the endpoint speaks HTTP/1.1 only (local emulators). */
  readonly client: Pick<KinesisClient, 'send'>;
  /** Name of the stream (or give `streamArn`). */
  readonly streamName?: string;
  /** ARN of the stream (preferred by AWS for cross-account access). */
  readonly streamArn?: string;
  /** Send at most one record per partition key per call, so retries never reorder a key. Default: true. */
  readonly preserveOrderPerKey?: boolean;
  /** Attempts per record (the first try included) before `putAll` gives up. Default: 10. */
  readonly maxAttempts?: number;
  /** First backoff before a retry, in ms; doubles per attempt, with full jitter. Default: 50. */
  readonly baseDelayMs?: number;
  /** Longest backoff, in ms. Default: 5000. */
  readonly maxDelayMs?: number;
  /** Sleep function (tests replace it). Default: setTimeout. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Random source in [0, 1) for the jitter (tests replace it). Default: Math.random. */
  readonly random?: () => number;
}

/** Thrown when records are still not in the stream after `maxAttempts`. */
export class PutRecordsError extends Error {
  constructor(
    message: string,
    /** Indexes (in the order given to `putAll`) of the records that are not in the stream. */
    public readonly notPut: readonly number[],
    /** What was done before giving up. */
    public readonly result: PutAllResult,
  ) {
    super(message);
    this.name = 'PutRecordsError';
  }
}

interface Pending {
  readonly index: number;
  readonly data: Uint8Array;
  readonly partitionKey: string;
  readonly explicitHashKey?: string;
  readonly size: number;
  attempts: number;
  done: boolean;
}

const encoder = new TextEncoder();

/** Bytes a record counts against the limits: data plus the UTF-8 partition key. */
export function recordSize(data: Uint8Array, partitionKey: string): number {
  return data.byteLength + encoder.encode(partitionKey).byteLength;
}

/**
 * Picks the next call's records from the per-key queues (or the single queue): at most 500
 * records and 5 MiB, the heads of the queues taken round-robin so every key progresses.
 * Exported for tests.
 */
export function nextCall(queues: Pending[][], preserveOrderPerKey: boolean): Pending[] {
  const call: Pending[] = [];
  let bytes = 0;
  if (preserveOrderPerKey) {
    for (const queue of queues) {
      const head = queue[0];
      if (!head) continue;
      if (call.length === KINESIS_LIMITS.recordsPerCall || bytes + head.size > KINESIS_LIMITS.bytesPerCall) break;
      call.push(head);
      bytes += head.size;
    }
    return call;
  }
  const queue = queues[0] ?? [];
  for (const record of queue) {
    if (call.length === KINESIS_LIMITS.recordsPerCall || bytes + record.size > KINESIS_LIMITS.bytesPerCall) break;
    call.push(record);
    bytes += record.size;
  }
  return call;
}

/** Backoff before retry number `attempt` (1 = first retry): full jitter over an exponential cap. */
export function backoffMs(attempt: number, baseDelayMs: number, maxDelayMs: number, random: () => number): number {
  const cap = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(random() * cap);
}

/**
 * Puts records into one stream with PutRecords, in calls within Kinesis's limits, retrying
 * only failed records. Create one per stream and reuse it (it holds no connections of its own).
 */
export class KinesisProducer {
  private readonly options: Required<Omit<KinesisProducerOptions, 'streamName' | 'streamArn'>>;
  private readonly target: { StreamName?: string; StreamARN?: string };

  constructor(options: KinesisProducerOptions) {
    if (!options.streamName && !options.streamArn) throw new Error('KinesisProducer: give streamName or streamArn');
    this.target = options.streamArn ? { StreamARN: options.streamArn } : { StreamName: options.streamName };
    this.options = {
      client: options.client,
      preserveOrderPerKey: options.preserveOrderPerKey ?? true,
      maxAttempts: options.maxAttempts ?? 10,
      baseDelayMs: options.baseDelayMs ?? 50,
      maxDelayMs: options.maxDelayMs ?? 5000,
      sleep: options.sleep ?? (ms => new Promise(resolve => setTimeout(resolve, ms))),
      random: options.random ?? Math.random,
    };
    if (!Number.isInteger(this.options.maxAttempts) || this.options.maxAttempts < 1) {
      throw new Error(`KinesisProducer: maxAttempts must be a whole number >= 1, got ${this.options.maxAttempts}`);
    }
  }

  /**
   * Puts every record; resolves when all are in the stream, rejects with a
   * {@link PutRecordsError} when some are still failing after `maxAttempts`. A record that can
   * never fit (over 1 MiB, partition key empty or over 256 characters) fails before any call.
   * Whole-call errors (network, throttled API) are retried by the SDK client itself.
   */
  public async putAll(records: readonly ProducerRecord[]): Promise<PutAllResult> {
    const pending = records.map((r, index) => toPending(r, index));
    const queues = this.queuesOf(pending);
    const sequenceNumbers: string[] = new Array(records.length).fill('');
    const failuresByCode: Record<string, number> = {};
    let calls = 0;
    let retriedRecords = 0;
    let recordsPut = 0;
    let retryRound = 0;
    const result = (): PutAllResult => ({ recordsPut, calls, retriedRecords, failuresByCode: { ...failuresByCode }, sequenceNumbers });

    for (;;) {
      const call = nextCall(queues, this.options.preserveOrderPerKey);
      if (call.length === 0) break;
      if (call.some(r => r.attempts > 0)) retriedRecords += call.filter(r => r.attempts > 0).length;
      const output = await this.send(call);
      calls++;
      let failed = 0;
      for (const [i, record] of call.entries()) {
        record.attempts++;
        const entry = output.Records?.[i];
        if (entry && !entry.ErrorCode && entry.SequenceNumber) {
          sequenceNumbers[record.index] = entry.SequenceNumber;
          recordsPut++;
          record.done = true;
          continue;
        }
        failed++;
        const code = entry?.ErrorCode ?? 'MissingResult';
        failuresByCode[code] = (failuresByCode[code] ?? 0) + 1;
        if (record.attempts >= this.options.maxAttempts) {
          const notPut = queues.flat().filter(r => !r.done).map(r => r.index).sort((a, b) => a - b);
          throw new PutRecordsError(
            `PutRecords: record ${record.index} (partition key "${record.partitionKey}") still failing after ${record.attempts} attempts ` +
            `(last error ${code}: ${entry?.ErrorMessage ?? 'no result for the record'}); ${notPut.length} records are not in the stream`,
            notPut, result());
        }
      }
      compact(queues, call.length, this.options.preserveOrderPerKey);
      if (failed > 0) {
        retryRound++;
        await this.options.sleep(backoffMs(retryRound, this.options.baseDelayMs, this.options.maxDelayMs, this.options.random));
      } else {
        retryRound = 0;
      }
    }
    return result();
  }

  private queuesOf(pending: Pending[]): Pending[][] {
    if (!this.options.preserveOrderPerKey) return [pending];
    const byKey = new Map<string, Pending[]>();
    for (const p of pending) {
      const queue = byKey.get(p.partitionKey);
      if (queue) queue.push(p); else byKey.set(p.partitionKey, [p]);
    }
    return [...byKey.values()];
  }

  private async send(call: Pending[]): Promise<PutRecordsCommandOutput> {
    return this.options.client.send(new PutRecordsCommand({
      ...this.target,
      Records: call.map(r => ({ Data: r.data, PartitionKey: r.partitionKey, ExplicitHashKey: r.explicitHashKey })),
    }));
  }
}

function toPending(record: ProducerRecord, index: number): Pending {
  const data = typeof record.data === 'string' ? encoder.encode(record.data) : record.data;
  const key = record.partitionKey;
  if (typeof key !== 'string' || key.length === 0 || key.length > KINESIS_LIMITS.partitionKeyLength) {
    throw new Error(`record ${index}: partitionKey must be 1 to ${KINESIS_LIMITS.partitionKeyLength} characters, got ${JSON.stringify(key)}`);
  }
  const size = recordSize(data, key);
  if (size > KINESIS_LIMITS.bytesPerRecord) {
    throw new Error(`record ${index}: ${size} bytes (data + partition key) is over Kinesis's ${KINESIS_LIMITS.bytesPerRecord} bytes per record; split it or store it in S3 and send a pointer`);
  }
  return { index, data, partitionKey: key, explicitHashKey: record.explicitHashKey, size, attempts: 0, done: false };
}

/**
 * Drops the records that are in the stream after a call: the heads of per-key queues, or the
 * first `sent` records of the single queue (its failed ones stay in front, in their order).
 */
function compact(queues: Pending[][], sent: number, preserveOrderPerKey: boolean): void {
  if (preserveOrderPerKey) {
    let kept = 0;
    for (const queue of queues) {
      if (queue[0]?.done) queue.shift();
      if (queue.length > 0) queues[kept++] = queue;
    }
    queues.length = kept;
    return;
  }
  const queue = queues[0];
  const failed = queue.slice(0, sent).filter(r => !r.done);
  queues[0] = failed.concat(queue.slice(sent));
}
