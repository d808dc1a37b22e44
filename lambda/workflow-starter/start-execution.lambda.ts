/**
 * Workflow starter: one state machine execution per SQS message, with partial batch responses.
 *
 * - Input: the message body (must be JSON; anything else is poison and goes back to the queue,
 *   then to its DLQ after maxReceiveCount).
 * - Execution name: from the business key (NAME_FIELD, a dotted path into the body such as
 *   `detail.orderId`), else the SQS message id. Step Functions refuses a second Standard
 *   execution with the same name (ExecutionAlreadyExists, for 90 days), so a re-sent order or a
 *   redelivered message starts nothing new: that answer counts as success here.
 * - SYNC=true (Express workflows): StartSyncExecution waits for the result; an execution that
 *   FAILED or TIMED_OUT is a failed message (back to the queue, then the DLQ). The construct
 *   makes the queue's visibility timeout cover this function's timeout, which covers the
 *   workflow's own timeout.
 * - Everything else (throttling, network): a failed message; SQS retries only those.
 */
import { createHash } from 'node:crypto';
import { SFNClient, StartExecutionCommand, StartSyncExecutionCommand } from '@aws-sdk/client-sfn';
import type { SQSBatchItemFailure, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';

/** Configuration read once per container from the environment the construct sets. */
export interface StarterConfig {
  readonly stateMachineArn: string;
  /** Dotted path of the business key in the body; empty: the SQS message id names the execution. */
  readonly nameField: string;
  readonly sync: boolean;
}

/** How one message ended. */
export type StartOutcome = 'started' | 'duplicate' | 'succeeded' | 'failed';

/** Starts one execution; resolves with its outcome, rejects when the message must be retried. */
export type Starter = (name: string, input: string) => Promise<StartOutcome>;

export function readConfig(env: NodeJS.ProcessEnv): StarterConfig {
  const stateMachineArn = env.STATE_MACHINE_ARN;
  if (!stateMachineArn) throw new Error('STATE_MACHINE_ARN is not set: the construct that deploys this handler sets it');
  return { stateMachineArn, nameField: env.NAME_FIELD ?? '', sync: env.SYNC === 'true' };
}

/** Step Functions execution names: 1-80 characters of A-Z a-z 0-9 - _. */
const NAME_MAX = 80;

/**
 * A valid execution name for a business key. A key that is already valid is used as it is (so
 * an operator finds `order-42` by its id); any other key keeps its valid characters and gets a
 * hash suffix, so two keys never share a name.
 */
export function executionNameFor(key: string): string {
  if (/^[A-Za-z0-9_-]{1,80}$/.test(key)) return key;
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 16);
  const readable = key.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, NAME_MAX - hash.length - 1);
  return `${readable}-${hash}`;
}

/** The value at a dotted path, if it is a non-empty string or a number. */
export function keyAt(body: unknown, path: string): string | undefined {
  let value: unknown = body;
  for (const part of path.split('.')) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** The execution name and input for a record, or why it can never start one. */
export function planStart(record: SQSRecord, config: StarterConfig):
{ ok: true; name: string; input: string } | { ok: false; reason: string } {
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch {
    return { ok: false, reason: 'body is not valid JSON' };
  }
  if (!config.nameField) return { ok: true, name: executionNameFor(record.messageId), input: record.body };
  const key = keyAt(body, config.nameField);
  if (key === undefined) return { ok: false, reason: `business key "${config.nameField}" is missing or empty` };
  return { ok: true, name: executionNameFor(key), input: record.body };
}

/** Processes a batch and returns only the messages that failed. */
export async function processBatch(records: readonly SQSRecord[], config: StarterConfig, start: Starter): Promise<SQSBatchResponse> {
  const failed: SQSBatchItemFailure[] = [];
  await Promise.all(records.map(async (record) => {
    const plan = planStart(record, config);
    if (!plan.ok) {
      console.warn(JSON.stringify({ event: 'poison-message', messageId: record.messageId, reason: plan.reason }));
      failed.push({ itemIdentifier: record.messageId });
      return;
    }
    try {
      const outcome = await start(plan.name, plan.input);
      console.log(JSON.stringify({ event: `execution-${outcome}`, messageId: record.messageId, executionName: plan.name }));
      if (outcome === 'failed') failed.push({ itemIdentifier: record.messageId });
    } catch (err) {
      console.error(JSON.stringify({ event: 'start-failed', messageId: record.messageId, executionName: plan.name, error: String(err) }));
      failed.push({ itemIdentifier: record.messageId });
    }
  }));
  // Keep the batch's order: easier to read in the logs and in tests.
  const order = new Map(records.map((r, i) => [r.messageId, i]));
  failed.sort((a, b) => order.get(a.itemIdentifier)! - order.get(b.itemIdentifier)!);
  return { batchItemFailures: failed };
}

/** A starter on the Step Functions API. */
export function sfnStarter(client: SFNClient, config: StarterConfig): Starter {
  return async (name, input) => {
    if (config.sync) {
      const out = await client.send(new StartSyncExecutionCommand({ stateMachineArn: config.stateMachineArn, name, input }));
      return out.status === 'SUCCEEDED' ? 'succeeded' : 'failed';
    }
    try {
      await client.send(new StartExecutionCommand({ stateMachineArn: config.stateMachineArn, name, input }));
      return 'started';
    } catch (err) {
      if ((err as { name?: string }).name === 'ExecutionAlreadyExists') return 'duplicate';
      throw err;
    }
  };
}

let starter: Starter | undefined;
let config: StarterConfig | undefined;

export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  config ??= readConfig(process.env);
  starter ??= sfnStarter(new SFNClient({}), config);
  return processBatch(event.Records, config, starter);
};
