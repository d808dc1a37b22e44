/**
 * A fault for the Kinesis producer helper: an HTTP proxy on 127.0.0.1 in front of the emulator
 * that makes PutRecords partially fail, as a hot shard does on AWS. For a PutRecords call it
 * picks records to fail, forwards only the others, and answers with the emulator's results for
 * those and `ProvisionedThroughputExceededException` for the picked ones (FailedRecordCount set),
 * so a failed record is really not in the stream. Every other request passes through unchanged.
 *
 * The loop and the partial-batch fault are proxy-core.ts's, shared with the EventBridge proxy.
 */
import { isOperation, partialBatchFailure, startProxy } from './proxy-core';

export interface FaultProxyOptions {
  /** The emulator's endpoint, e.g. http://127.0.0.1:4566. */
  readonly target: string;
  /** Whether to fail the n-th record seen in PutRecords (n counts from 0 over all calls). */
  readonly failRecord: (n: number) => boolean;
}

export interface FaultProxy {
  readonly endpoint: string;
  /** Records failed on purpose so far. */
  failed(): number;
  /** PutRecords calls seen. */
  calls(): number;
  close(): Promise<void>;
}

export async function startKinesisFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  let seen = 0;
  let failed = 0;
  let calls = 0;
  const proxy = await startProxy(options.target, async (req, body, forward) => {
    if (!isOperation(req, 'PutRecords')) return undefined;
    calls++;
    const outcome = await partialBatchFailure({ entries: 'Records', failedCount: 'FailedRecordCount' }, body, forward,
      () => options.failRecord(seen++),
      () => ({ ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'Rate exceeded for shard (injected by the e2e fault proxy)' }));
    failed += outcome.injected;
    return outcome.reply;
  });
  return { endpoint: proxy.endpoint, failed: () => failed, calls: () => calls, close: proxy.close };
}
