/**
 * EventBridge publisher helper for runtime code (your services, Lambda functions, scripts):
 * puts events with PutEvents in requests within EventBridge's limits (10 entries, 256 KB), and
 * retries ONLY the entries EventBridge reports as failed (`FailedEntryCount` and
 * `Entries[i].ErrorCode`), with exponential backoff and full jitter. What could not be sent is
 * reported, entry by entry, never dropped: a PutEvents call that "succeeds" with failed entries
 * is the classic way events are lost.
 *
 * Shipped in the npm package, bundled to `assets/event-publisher/index.js` (CommonJS, with
 * `@aws-sdk/client-eventbridge` left to your app) with its types beside it:
 *
 * ```ts
 * import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
 * import { EventPublisher } from 'cdk-integration-patterns/assets/event-publisher';
 * const publisher = new EventPublisher({ client: new EventBridgeClient({}), eventBusName: process.env.EVENT_BUS_NAME! });
 * const result = await publisher.publishAll(prices.map(p => ({ source: 'prices', detailType: 'PriceRecorded', detail: p })));
 * if (result.failed.length > 0) throw new Error(`${result.failed.length} events not sent`);
 * ```
 *
 * It is runtime code, not part of the construct library's (jsii) API.
 */
import { PutEventsCommand, type EventBridgeClient, type PutEventsCommandOutput, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { compileSchema, type MessageSchema, type Validator } from '../write-buffer/schema';

/** EventBridge limits a PutEvents request must stay within (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html). */
export const PUT_EVENTS_LIMITS = {
  entriesPerRequest: 10,
  /** Sum of the entry sizes of one request, and the largest single entry. */
  bytesPerRequest: 256 * 1024,
} as const;

/**
 * Error codes AWS documents as not retryable (PutEventsResultEntry): sending the entry again
 * cannot succeed. Every other code (InternalFailure, ThrottlingException, and codes AWS may add)
 * is retried until `maxAttempts`.
 */
export const NON_RETRYABLE_CODES: ReadonlySet<string> = new Set([
  'AccessDeniedException',
  'InvalidAccountIdException',
  'InvalidArgument',
  'MalformedDetail',
  'RedactionFailure',
  'NotAuthorizedForSourceException',
  'NotAuthorizedForDetailTypeException',
]);

/** One event to publish. */
export interface PublisherEvent {
  /** `source` of the event, e.g. `com.example.prices`. */
  readonly source: string;
  /** `detail-type` of the event, e.g. `PriceRecorded`; selects the schema checked, if any. */
  readonly detailType: string;
  /** The detail: an object (serialized with JSON.stringify) or JSON text. */
  readonly detail: unknown;
  /** ARNs the event concerns. */
  readonly resources?: readonly string[];
  /** Event time. Default: the time EventBridge receives it. */
  readonly time?: Date;
  /** X-Ray trace header. */
  readonly traceHeader?: string;
}

/** An event that was not sent, and why. */
export interface FailedEvent {
  /** Index of the event in the array given to `publishAll`. */
  readonly index: number;
  /** EventBridge's error code, or ours: `TooLarge`, `SchemaViolation`, `NotJson`, `RequestFailed`. */
  readonly errorCode: string;
  /** The reason, in words. */
  readonly errorMessage: string;
  /** Attempts made for this event (0 when it was refused before any request). */
  readonly attempts: number;
  /** The event itself, so the caller can store or resend it. */
  readonly event: PublisherEvent;
}

/** What `publishAll` did. */
export interface PublishResult {
  /** Events EventBridge accepted. */
  readonly published: number;
  /** PutEvents requests made (first tries and retries). */
  readonly requests: number;
  /** Entries sent again after EventBridge reported them failed. */
  readonly retriedEntries: number;
  /** Failures seen (also those retried with success later), by error code. */
  readonly failuresByCode: Readonly<Record<string, number>>;
  /** EventBridge's event id of each event, in the order given (`''` for an event not sent). */
  readonly eventIds: readonly string[];
  /** Events that were not sent, in the order given: the caller decides what happens to them. */
  readonly failed: readonly FailedEvent[];
}

/** Options of an {@link EventPublisher}. */
export interface EventPublisherOptions {
  /** The client; create it once per process. */
  readonly client: Pick<EventBridgeClient, 'send'>;
  /** Name or ARN of the bus (an ARN for another account's bus). Default: the account's default bus. */
  readonly eventBusName?: string;
  /** Attempts per entry (the first try included) before it is reported as failed. Default: 8. */
  readonly maxAttempts?: number;
  /** First backoff before a retry, in ms; doubles per retry round, with full jitter. Default: 50. */
  readonly baseDelayMs?: number;
  /** Longest backoff, in ms. Default: 5000. */
  readonly maxDelayMs?: number;
  /**
   * JSON Schema (the subset of lambda/write-buffer/schema.ts) per detail-type: an event whose
   * detail does not conform is not sent and is reported as `SchemaViolation`. Detail-types
   * without a schema are sent unchecked.
   */
  readonly schemas?: Readonly<Record<string, MessageSchema>>;
  /** Sleep function (tests replace it). Default: setTimeout. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Random source in [0, 1) for the jitter (tests replace it). Default: Math.random. */
  readonly random?: () => number;
}

/** Thrown by `publishAllOrThrow` when some events were not sent. */
export class PublishError extends Error {
  constructor(message: string, public readonly result: PublishResult) {
    super(message);
    this.name = 'PublishError';
  }
}

interface Pending {
  readonly index: number;
  readonly entry: PutEventsRequestEntry;
  readonly size: number;
  attempts: number;
}

const encoder = new TextEncoder();
const utf8Length = (s: string | undefined): number => (s === undefined ? 0 : encoder.encode(s).byteLength);

/**
 * Size of an entry as EventBridge counts it (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html):
 * 14 bytes for Time when given, plus the UTF-8 bytes of Source, DetailType, Detail and each Resource.
 */
export function entrySize(entry: PutEventsRequestEntry): number {
  let size = entry.Time ? 14 : 0;
  size += utf8Length(entry.Source) + utf8Length(entry.DetailType) + utf8Length(entry.Detail);
  for (const r of entry.Resources ?? []) size += utf8Length(r);
  return size;
}

/** Takes the next request's entries from the front of the queue: at most 10 and 256 KB. Exported for tests. */
export function nextRequest<T extends { readonly size: number }>(queue: readonly T[]): T[] {
  const request: T[] = [];
  let bytes = 0;
  for (const p of queue) {
    if (request.length === PUT_EVENTS_LIMITS.entriesPerRequest || bytes + p.size > PUT_EVENTS_LIMITS.bytesPerRequest) break;
    request.push(p);
    bytes += p.size;
  }
  return request;
}

/** Backoff before retry round `attempt` (1 = first retry): full jitter over an exponential cap. */
export function backoffMs(attempt: number, baseDelayMs: number, maxDelayMs: number, random: () => number): number {
  const cap = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(random() * cap);
}

/** Whether a whole-request error (after the SDK's own retries) is worth another try. */
function isRetryableRequestError(err: unknown): boolean {
  const e = err as { name?: string; $retryable?: unknown; $metadata?: { httpStatusCode?: number } };
  if (e.$retryable) return true;
  if (e.name === 'ThrottlingException' || e.name === 'InternalException' || e.name === 'InternalFailure') return true;
  const status = e.$metadata?.httpStatusCode;
  return status === undefined || status >= 500 || status === 429;
}

/**
 * Publishes events onto one bus with PutEvents, retrying only failed entries. Create one per
 * bus and reuse it (it holds no connections of its own; the client does).
 */
export class EventPublisher {
  private readonly options: Required<Omit<EventPublisherOptions, 'eventBusName' | 'schemas'>>;
  private readonly eventBusName?: string;
  private readonly validators = new Map<string, Validator>();

  constructor(options: EventPublisherOptions) {
    this.eventBusName = options.eventBusName;
    this.options = {
      client: options.client,
      maxAttempts: options.maxAttempts ?? 8,
      baseDelayMs: options.baseDelayMs ?? 50,
      maxDelayMs: options.maxDelayMs ?? 5000,
      sleep: options.sleep ?? (ms => new Promise(resolve => setTimeout(resolve, ms))),
      random: options.random ?? Math.random,
    };
    if (!Number.isInteger(this.options.maxAttempts) || this.options.maxAttempts < 1) {
      throw new Error(`EventPublisher: maxAttempts must be a whole number >= 1, got ${this.options.maxAttempts}`);
    }
    // Compiled once: a schema outside the supported subset fails here, at start-up.
    for (const [detailType, schema] of Object.entries(options.schemas ?? {})) {
      this.validators.set(detailType, compileSchema(schema));
    }
  }

  /**
   * Publishes every event it can. Resolves (never rejects for per-entry failures) with what was
   * done; `result.failed` lists each event not sent with its error code. Entries failing with a
   * retryable code are sent again, alone with the other failed entries, up to `maxAttempts`.
   */
  public async publishAll(events: readonly PublisherEvent[]): Promise<PublishResult> {
    const eventIds: string[] = new Array(events.length).fill('');
    const failed: FailedEvent[] = [];
    const failuresByCode: Record<string, number> = {};
    const count = (code: string) => { failuresByCode[code] = (failuresByCode[code] ?? 0) + 1; };
    let queue: Pending[] = [];
    for (const [index, event] of events.entries()) {
      const refused = this.refuse(event);
      if (refused) {
        count(refused.code);
        failed.push({ index, errorCode: refused.code, errorMessage: refused.message, attempts: 0, event });
        continue;
      }
      const entry = this.toEntry(event);
      queue.push({ index, entry, size: entrySize(entry), attempts: 0 });
    }

    let requests = 0;
    let retriedEntries = 0;
    let published = 0;
    let retryRound = 0;
    while (queue.length > 0) {
      // One round: every pending entry once, in requests within the limits.
      const again: Pending[] = [];
      let offset = 0;
      while (offset < queue.length) {
        const request = nextRequest(queue.slice(offset, offset + PUT_EVENTS_LIMITS.entriesPerRequest));
        offset += request.length;
        retriedEntries += request.filter(p => p.attempts > 0).length;
        requests++;
        const outcome = await this.send(request);
        for (const [i, p] of request.entries()) {
          p.attempts++;
          const result = outcome.entries?.[i];
          if (outcome.entries && result?.EventId && !result.ErrorCode) {
            eventIds[p.index] = result.EventId;
            published++;
            continue;
          }
          const code = outcome.error?.code ?? result?.ErrorCode ?? 'MissingResult';
          const message = outcome.error?.message ?? result?.ErrorMessage ?? 'no result entry for the event';
          const retryable = outcome.error ? outcome.error.retryable : !NON_RETRYABLE_CODES.has(code);
          count(code);
          if (retryable && p.attempts < this.options.maxAttempts) {
            again.push(p);
          } else {
            failed.push({ index: p.index, errorCode: code, errorMessage: message, attempts: p.attempts, event: events[p.index] });
          }
        }
      }
      queue = again;
      if (queue.length > 0) {
        retryRound++;
        await this.options.sleep(backoffMs(retryRound, this.options.baseDelayMs, this.options.maxDelayMs, this.options.random));
      }
    }
    failed.sort((a, b) => a.index - b.index);
    return { published, requests, retriedEntries, failuresByCode: { ...failuresByCode }, eventIds, failed };
  }

  /** Like `publishAll`, but rejects with a {@link PublishError} when any event was not sent. */
  public async publishAllOrThrow(events: readonly PublisherEvent[]): Promise<PublishResult> {
    const result = await this.publishAll(events);
    if (result.failed.length > 0) {
      const first = result.failed[0];
      throw new PublishError(
        `PutEvents: ${result.failed.length} of ${events.length} events not sent; first: event ${first.index} ` +
        `(${first.event.detailType}) ${first.errorCode}: ${first.errorMessage} after ${first.attempts} attempts`, result);
    }
    return result;
  }

  /** Why an event cannot be sent at all (bad JSON, over 256 KB, schema violation), or undefined. */
  private refuse(event: PublisherEvent): { code: string; message: string } | undefined {
    let detail: unknown;
    if (typeof event.detail === 'string') {
      try {
        detail = JSON.parse(event.detail);
      } catch (err) {
        return { code: 'NotJson', message: `detail is not JSON: ${(err as Error).message}` };
      }
    } else {
      detail = event.detail;
    }
    if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) {
      return { code: 'NotJson', message: 'detail must be a JSON object (EventBridge refuses other JSON values as MalformedDetail)' };
    }
    const validator = this.validators.get(event.detailType);
    const violation = validator?.(detail, 'detail');
    if (violation) return { code: 'SchemaViolation', message: `${event.detailType}: ${violation}` };
    const size = entrySize(this.toEntry(event));
    if (size > PUT_EVENTS_LIMITS.bytesPerRequest) {
      return { code: 'TooLarge', message: `${size} bytes is over EventBridge's ${PUT_EVENTS_LIMITS.bytesPerRequest} bytes per event; store the payload in S3 and send a pointer` };
    }
    return undefined;
  }

  private toEntry(event: PublisherEvent): PutEventsRequestEntry {
    return {
      EventBusName: this.eventBusName,
      Source: event.source,
      DetailType: event.detailType,
      Detail: typeof event.detail === 'string' ? event.detail : JSON.stringify(event.detail),
      Resources: event.resources ? [...event.resources] : undefined,
      Time: event.time,
      TraceHeader: event.traceHeader,
    };
  }

  private async send(request: Pending[]): Promise<{ entries?: PutEventsCommandOutput['Entries']; error?: { code: string; message: string; retryable: boolean } }> {
    try {
      const output = await this.options.client.send(new PutEventsCommand({ Entries: request.map(p => p.entry) }));
      // FailedEntryCount is the summary; the entries say which. An answer with fewer entries
      // than sent leaves the missing ones "MissingResult" (retried).
      return { entries: output.Entries ?? [] };
    } catch (err) {
      const e = err as Error;
      return { error: { code: e.name || 'RequestFailed', message: e.message, retryable: isRetryableRequestError(err) } };
    }
  }
}
