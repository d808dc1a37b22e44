/**
 * A fault for the EventBridge publisher helper: an HTTP proxy on 127.0.0.1 in front of the
 * emulator that makes PutEvents partially fail, as AWS does under throttling or an internal
 * failure. For a PutEvents request it picks entries to fail, forwards only the others, and
 * answers with the emulator's results for those and `ThrottlingException` / `InternalFailure`
 * for the picked ones (FailedEntryCount set): a failed entry is really not on the bus. Every
 * other request passes through unchanged.
 *
 * It also records, per `detail.eventKey` when the detail has one, how many times each entry was
 * accepted upstream, so a test or bench can count lost and duplicated events at the door.
 *
 * The loop and the partial-batch fault are proxy-core.ts's, shared with the Kinesis proxy.
 */
import { isOperation, partialBatchFailure, startProxy } from './proxy-core';

export interface EventBridgeFaultProxyOptions {
  /** The emulator's endpoint, e.g. http://127.0.0.1:4566. */
  readonly target: string;
  /** Whether to fail the n-th entry seen in PutEvents (n counts from 0 over all requests). */
  readonly failEntry: (n: number) => boolean;
}

export interface EventBridgeFaultProxy {
  readonly endpoint: string;
  /** Entries failed on purpose so far. */
  failed(): number;
  /** PutEvents requests seen. */
  requests(): number;
  /** Entries forwarded and accepted upstream (with an EventId). */
  accepted(): number;
  /** How often each `detail.eventKey` was accepted upstream. */
  acceptedKeys(): ReadonlyMap<string, number>;
  /** Forgets the counts (between bench subjects). */
  reset(): void;
  close(): Promise<void>;
}

interface PutEventsEntry { Detail?: string }

const CODES = ['ThrottlingException', 'InternalFailure'];

/** The entry's `detail.eventKey`, when its detail is JSON with one. */
function keyOf(entry: PutEventsEntry): string | undefined {
  try {
    const key = (JSON.parse(entry.Detail ?? '{}') as { eventKey?: unknown }).eventKey;
    return typeof key === 'string' ? key : undefined;
  } catch {
    return undefined;
  }
}

export async function startEventBridgeFaultProxy(options: EventBridgeFaultProxyOptions): Promise<EventBridgeFaultProxy> {
  let seen = 0;
  let failed = 0;
  let requests = 0;
  let accepted = 0;
  let keys = new Map<string, number>();
  const proxy = await startProxy(options.target, async (req, body, forward) => {
    if (!isOperation(req, 'PutEvents')) return undefined;
    requests++;
    const outcome = await partialBatchFailure<PutEventsEntry>({ entries: 'Entries', failedCount: 'FailedEntryCount' }, body, forward,
      () => options.failEntry(seen++),
      i => ({ ErrorCode: CODES[i % CODES.length], ErrorMessage: 'injected by the e2e fault proxy' }));
    failed += outcome.injected;
    for (const { entry, result } of outcome.forwarded) {
      if (!result?.EventId || result.ErrorCode) continue;
      accepted++;
      const key = keyOf(entry);
      if (key !== undefined) keys.set(key, (keys.get(key) ?? 0) + 1);
    }
    return outcome.reply;
  });
  return {
    endpoint: proxy.endpoint,
    failed: () => failed,
    requests: () => requests,
    accepted: () => accepted,
    acceptedKeys: () => keys,
    reset: () => { seen = 0; failed = 0; requests = 0; accepted = 0; keys = new Map(); },
    close: proxy.close,
  };
}
