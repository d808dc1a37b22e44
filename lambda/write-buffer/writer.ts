/**
 * The batch flow: parse + validate each record, write the good ones to the sink, send poison to
 * the dead-letter queue (both in parallel), and answer with the ids that really failed.
 */
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { budgetDeadline } from './backoff';
import type { DeadLetterSender } from './dead-letter';
import { batchItemFailures, isFifoSource } from './failures';
import { parseBody } from './parse';
import type { Validator } from './schema';
import type { Entry, Poison, Sink } from './types';

/** What one batch did (logged as one JSON line). */
export interface BatchSummary {
  readonly received: number;
  readonly written: number;
  readonly poison: number;
  readonly failed: number;
  readonly requests: number;
  readonly retries: number;
  readonly ms: number;
}

export interface Writer {
  readonly sink: Sink;
  readonly deadLetter: DeadLetterSender;
  readonly validate?: Validator;
  /** Receives the summary of each batch (default: one JSON log line). */
  readonly log?: (summary: BatchSummary) => void;
}

const logSummary = (summary: BatchSummary): void => {
  console.log(JSON.stringify({ level: 'INFO', event: 'write-buffer-batch', ...summary }));
};

export async function processBatch(writer: Writer, event: SQSEvent, context: Pick<Context, 'getRemainingTimeInMillis'>): Promise<SQSBatchResponse> {
  const started = Date.now();
  const deadline = budgetDeadline(started, context.getRemainingTimeInMillis());
  const records = event.Records;
  const entries: Entry[] = [];
  const poison: Poison[] = [];
  for (const record of records) {
    const parsed = parseBody(record.body, writer.validate);
    if (parsed.ok) entries.push({ messageId: record.messageId, value: parsed.value, size: record.body.length });
    else poison.push({ messageId: record.messageId, code: parsed.code, detail: parsed.detail });
  }

  const written = await writer.sink.write(entries, deadline);
  // Poison found by the sink (no key, wrong parameter type, refused item) joins the parse poison.
  const allPoison = written.poison.length > 0 ? poison.concat(written.poison) : poison;
  let dlqFailed: string[] = [];
  let dlqRequests = 0;
  if (allPoison.length > 0) {
    const byId = new Map<string, SQSRecord>();
    for (const r of records) byId.set(r.messageId, r);
    const sent = await writer.deadLetter(allPoison, byId, deadline);
    dlqFailed = sent.failed;
    dlqRequests = sent.requests;
  }

  const failed = new Set<string>(written.failed);
  for (const id of dlqFailed) failed.add(id);
  const batchItemFailuresList = batchItemFailures(records, failed, isFifoSource(records));
  (writer.log ?? logSummary)({
    received: records.length,
    written: entries.length - written.failed.length - written.poison.length,
    poison: allPoison.length - dlqFailed.length,
    failed: batchItemFailuresList.length,
    requests: written.requests + dlqRequests,
    retries: written.retries,
    ms: Date.now() - started,
  });
  return { batchItemFailures: batchItemFailuresList };
}
