/** Shared shapes of the writer runtime (no AWS SDK types: the hot path stays dependency-free). */

/** Why a message can never be written; sent with it to the dead-letter queue. */
export type PoisonCode =
  | 'InvalidJson'
  | 'NotAnObject'
  | 'SchemaViolation'
  | 'MissingKey'
  | 'InvalidKey'
  | 'ItemTooLarge'
  | 'InvalidParameter'
  | 'Rejected';

/** A message the sink must write: its SQS id and its parsed JSON object body. */
export interface Entry {
  readonly messageId: string;
  readonly value: Record<string, unknown>;
  /** Length of the raw body in characters (a lower bound of its size in bytes). */
  readonly size: number;
}

/** A message that goes to the dead-letter queue instead of the sink. */
export interface Poison {
  readonly messageId: string;
  readonly code: PoisonCode;
  readonly detail: string;
}

/** What a sink did with a batch of entries. */
export interface SinkResult {
  /** Ids of messages not written (retryable): reported as batch item failures. */
  readonly failed: string[];
  /** Messages the sink refused as permanently invalid (missing key, wrong parameter type, ...). */
  readonly poison: Poison[];
  /** Requests sent downstream (including retries). */
  readonly requests: number;
  /** Of which retries. */
  readonly retries: number;
}

/** A destination for a batch of messages. */
export interface Sink {
  /** Writes every entry it can before `deadline` (epoch ms); never rejects. */
  write(entries: readonly Entry[], deadline: number): Promise<SinkResult>;
}
