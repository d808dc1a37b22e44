/**
 * Sends poison messages straight to the dead-letter queue (SendMessageBatch, 10 per call) with
 * the reason in message attributes, keeping the original body, attributes and, for FIFO
 * queues, the message group and deduplication id. Returns the ids it could not send.
 */
import type { SQSRecord } from 'aws-lambda';
import type { AwsError, AwsJsonClient } from './aws';
import { backoffWithinBudget, type Clock, SYSTEM_CLOCK } from './backoff';
import { forEachLimited } from './chunk';
import type { Poison } from './types';

/** SendMessageBatch's limits: entries per call and total payload (1 MiB; a margin kept for attributes). */
export const DLQ_BATCH_LIMIT = 10;
export const DLQ_BATCH_CHARS = 900 * 1024;
/** SQS allows 10 message attributes: the writer's two plus up to 8 of the original. */
const MAX_CARRIED_ATTRIBUTES = 8;

interface DlqEntry {
  Id: string;
  MessageBody: string;
  MessageAttributes: Record<string, { DataType: string; StringValue?: string; BinaryValue?: string }>;
  MessageGroupId?: string;
  MessageDeduplicationId?: string;
}

/** The SendMessageBatch entry for one poison message (Id = its index in the call). */
export function dlqEntry(record: SQSRecord, poison: Poison, id: string, fifo: boolean): DlqEntry {
  const attributes: DlqEntry['MessageAttributes'] = {};
  let carried = 0;
  for (const [name, a] of Object.entries(record.messageAttributes ?? {})) {
    if (carried >= MAX_CARRIED_ATTRIBUTES || name === 'writeBufferError' || name === 'writeBufferErrorDetail') continue;
    attributes[name] = a.stringValue !== undefined
      ? { DataType: a.dataType, StringValue: a.stringValue }
      : { DataType: a.dataType, BinaryValue: a.binaryValue };
    carried++;
  }
  attributes.writeBufferError = { DataType: 'String', StringValue: poison.code };
  attributes.writeBufferErrorDetail = { DataType: 'String', StringValue: poison.detail || poison.code };
  const entry: DlqEntry = { Id: id, MessageBody: record.body, MessageAttributes: attributes };
  if (fifo) {
    entry.MessageGroupId = record.attributes?.MessageGroupId || 'write-buffer-poison';
    entry.MessageDeduplicationId = record.attributes?.MessageDeduplicationId || record.messageId;
  }
  return entry;
}

interface SendMessageBatchOutput {
  readonly Successful?: Array<{ Id: string }>;
  readonly Failed?: Array<{ Id: string; SenderFault?: boolean; Code?: string; Message?: string }>;
}

/** Dead-letter sender settings. */
export interface DeadLetterOptions {
  readonly queueUrl: string;
  readonly clock?: Clock;
}

/** Sends the poison to the DLQ; resolves with the message ids that could not be sent. */
export type DeadLetterSender = (
  poison: readonly Poison[], records: ReadonlyMap<string, SQSRecord>, deadline: number,
) => Promise<{ failed: string[]; requests: number }>;

export function deadLetterSender(client: AwsJsonClient, options: DeadLetterOptions): DeadLetterSender {
  const fifo = options.queueUrl.endsWith('.fifo');
  const clock = options.clock ?? SYSTEM_CLOCK;
  return async (poison, records, deadline) => {
    const failed: string[] = [];
    let requests = 0;
    if (poison.length === 0) return { failed, requests };
    // Calls of at most 10 entries and ~900 KB of bodies.
    const calls: Array<Array<{ poison: Poison; record: SQSRecord }>> = [];
    let current: Array<{ poison: Poison; record: SQSRecord }> = [];
    let chars = 0;
    for (const p of poison) {
      const record = records.get(p.messageId);
      if (!record) {
        failed.push(p.messageId);
        continue;
      }
      if (current.length > 0 && (current.length >= DLQ_BATCH_LIMIT || chars + record.body.length > DLQ_BATCH_CHARS)) {
        calls.push(current);
        current = [];
        chars = 0;
      }
      current.push({ poison: p, record });
      chars += record.body.length;
    }
    if (current.length > 0) calls.push(current);

    await forEachLimited(calls, 4, async call => {
      let pending = call;
      for (let attempt = 0; ; attempt++) {
        requests++;
        try {
          const out = await client.send('SendMessageBatch', {
            QueueUrl: options.queueUrl,
            Entries: pending.map((e, i) => dlqEntry(e.record, e.poison, String(i), fifo)),
          }, deadline) as SendMessageBatchOutput;
          const retry: typeof pending = [];
          for (const f of out.Failed ?? []) {
            const e = pending[Number(f.Id)];
            if (!e) continue;
            if (f.SenderFault) {
              console.error(JSON.stringify({ level: 'ERROR', event: 'dead-letter-failed', messageId: e.record.messageId, code: f.Code, error: f.Message }));
              failed.push(e.record.messageId);
            } else {
              retry.push(e);
            }
          }
          if (retry.length === 0) return;
          pending = retry;
        } catch (e) {
          const err = e as AwsError;
          if (!err.retryable) {
            console.error(JSON.stringify({ level: 'ERROR', event: 'dead-letter-failed', error: err.message, messages: pending.length }));
            break;
          }
        }
        if (!(await backoffWithinBudget(attempt, deadline, clock))) break;
      }
      for (const e of pending) failed.push(e.record.messageId);
    });
    return { failed, requests };
  };
}
