import type { SQSBatchItemFailure, SQSRecord } from 'aws-lambda';

/** Whether the batch comes from a FIFO queue (its event source ARN ends with `.fifo`). */
export function isFifoSource(records: readonly SQSRecord[]): boolean {
  return records.length > 0 && records[0].eventSourceARN.endsWith('.fifo');
}

/**
 * Maps the ids of messages that failed back to the partial batch response, in batch order.
 *
 * FIFO rule: once a message of a message group failed, every later message of the same group
 * in this batch is reported as failed too (even if written), so SQS redelivers the group in
 * order; re-writing is harmless because writes are idempotent.
 */
export function batchItemFailures(records: readonly SQSRecord[], failed: ReadonlySet<string>, fifo: boolean): SQSBatchItemFailure[] {
  const out: SQSBatchItemFailure[] = [];
  if (failed.size === 0) return out;
  if (!fifo) {
    for (const r of records) if (failed.has(r.messageId)) out.push({ itemIdentifier: r.messageId });
    return out;
  }
  const blocked = new Set<string>();
  for (const r of records) {
    const group = r.attributes?.MessageGroupId ?? '';
    if (failed.has(r.messageId) || blocked.has(group)) {
      blocked.add(group);
      out.push({ itemIdentifier: r.messageId });
    }
  }
  return out;
}
