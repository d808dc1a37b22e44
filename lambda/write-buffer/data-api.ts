/**
 * Aurora (PostgreSQL or MySQL) sink through the RDS Data API: one BatchExecuteStatement per
 * chunk of messages, one parameter set per message, built from a user-given SQL statement and
 * a parameter mapping. Make the statement idempotent (e.g. `ON CONFLICT (id) DO NOTHING`) so
 * a redelivered message changes nothing. Throttling and a resuming database are retried with
 * full-jitter backoff within the time budget; a chunk that still fails maps to its message ids.
 */
import type { AwsError, AwsJsonClient } from './aws';
import { backoffWithinBudget, type Clock, SYSTEM_CLOCK } from './backoff';
import { forEachLimited } from './chunk';
import { getField, truncate } from './parse';
import type { Entry, Poison, Sink, SinkResult } from './types';

/** Parameter types of the mapping. */
export type ParameterType = 'string' | 'long' | 'double' | 'boolean' | 'json' | 'timestamp';
const PARAMETER_TYPES: readonly ParameterType[] = ['string', 'long', 'double', 'boolean', 'json', 'timestamp'];

/** One `:name` placeholder of the statement and the body field that fills it. */
export interface ParameterMapping {
  readonly name: string;
  /** Top-level or dotted path in the body. */
  readonly field: string;
  readonly type: ParameterType;
}

/** A Data API SqlParameter (wire format). */
export interface SqlParameter {
  readonly name: string;
  readonly value: { stringValue?: string; longValue?: number; doubleValue?: number; booleanValue?: boolean; isNull?: boolean };
  readonly typeHint?: 'JSON' | 'TIMESTAMP';
}

/** The BatchExecuteStatement input the sink sends (and the PostgreSQL test adapter runs). */
export interface BatchExecuteStatementInput {
  readonly resourceArn: string;
  readonly secretArn: string;
  readonly database: string;
  readonly sql: string;
  readonly parameterSets: SqlParameter[][];
}

/** Parses and checks PARAMETER_MAPPING (fails loudly at init). */
export function parseParameterMapping(json: string, sql: string): ParameterMapping[] {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (e) {
    throw new Error(`PARAMETER_MAPPING is not valid JSON: ${(e as Error).message}`);
  }
  if (!Array.isArray(raw) || raw.length === 0) throw new Error('PARAMETER_MAPPING must be a non-empty JSON array of { name, field, type }');
  const names = new Set<string>();
  return raw.map((m: unknown, i) => {
    const p = m as Partial<ParameterMapping>;
    if (typeof p?.name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(p.name)) throw new Error(`PARAMETER_MAPPING[${i}].name must be an identifier, got ${JSON.stringify(p?.name)}`);
    if (typeof p.field !== 'string' || p.field.length === 0) throw new Error(`PARAMETER_MAPPING[${i}].field must be a field name or dotted path`);
    if (!PARAMETER_TYPES.includes(p.type as ParameterType)) throw new Error(`PARAMETER_MAPPING[${i}].type must be one of ${PARAMETER_TYPES.join(', ')}, got ${JSON.stringify(p.type)}`);
    if (names.has(p.name)) throw new Error(`PARAMETER_MAPPING: parameter "${p.name}" is mapped twice`);
    if (!new RegExp(`:${p.name}(?![A-Za-z0-9_])`).test(sql)) throw new Error(`PARAMETER_MAPPING[${i}]: SQL_STATEMENT has no placeholder :${p.name}`);
    names.add(p.name);
    return { name: p.name, field: p.field, type: p.type as ParameterType };
  });
}

/** Formats a date as the Data API's TIMESTAMP literal (UTC, `YYYY-MM-DD HH:MM:SS.sss`). */
export function toTimestamp(date: Date): string {
  return date.toISOString().replace('T', ' ').replace('Z', '');
}

/** Builds one parameter from a body value, or returns the reason it cannot. */
export function toParameter(mapping: ParameterMapping, value: unknown): SqlParameter | string {
  const { name } = mapping;
  if (value === undefined || value === null) return { name, value: { isNull: true } };
  switch (mapping.type) {
    case 'string':
      return typeof value === 'string' ? { name, value: { stringValue: value } } : `field "${mapping.field}" must be a string`;
    case 'long':
      return typeof value === 'number' && Number.isSafeInteger(value) ? { name, value: { longValue: value } } : `field "${mapping.field}" must be an integer`;
    case 'double':
      return typeof value === 'number' ? { name, value: { doubleValue: value } } : `field "${mapping.field}" must be a number`;
    case 'boolean':
      return typeof value === 'boolean' ? { name, value: { booleanValue: value } } : `field "${mapping.field}" must be a boolean`;
    case 'json':
      return { name, value: { stringValue: JSON.stringify(value) }, typeHint: 'JSON' };
    case 'timestamp': {
      if (typeof value !== 'string' && typeof value !== 'number') return `field "${mapping.field}" must be an ISO 8601 date-time or epoch milliseconds`;
      const date = new Date(value);
      return Number.isNaN(date.getTime()) ? `field "${mapping.field}" is not a valid date-time` : { name, value: { stringValue: toTimestamp(date) }, typeHint: 'TIMESTAMP' };
    }
  }
}

/** Data API sink settings. */
export interface DataApiSinkOptions {
  readonly resourceArn: string;
  readonly secretArn: string;
  readonly database: string;
  readonly sql: string;
  readonly mapping: readonly ParameterMapping[];
  /** Parameter sets per BatchExecuteStatement call. */
  readonly chunkSize?: number;
  /** Largest request body, in characters of message bodies per call (the Data API takes 4 MiB). */
  readonly maxChunkChars?: number;
  readonly maxParallelRequests?: number;
  readonly clock?: Clock;
}

interface Prepared {
  readonly messageIds: string[];
  readonly parameterSets: SqlParameter[][];
}

/** Builds the parameter sets and cuts them into chunks by count and size. */
export function prepareChunks(
  entries: readonly Entry[], mapping: readonly ParameterMapping[], chunkSize: number, maxChunkChars: number,
): { chunks: Prepared[]; poison: Poison[] } {
  const paths = mapping.map(m => m.field.split('.'));
  const chunks: Prepared[] = [];
  const poison: Poison[] = [];
  let current: Prepared = { messageIds: [], parameterSets: [] };
  let chars = 0;
  for (const entry of entries) {
    const set: SqlParameter[] = new Array(mapping.length);
    let error: string | undefined;
    for (let i = 0; i < mapping.length; i++) {
      const p = toParameter(mapping[i], getField(entry.value, paths[i]));
      if (typeof p === 'string') {
        error = p;
        break;
      }
      set[i] = p;
    }
    if (error) {
      poison.push({ messageId: entry.messageId, code: 'InvalidParameter', detail: truncate(error) });
      continue;
    }
    if (current.parameterSets.length > 0 && (current.parameterSets.length >= chunkSize || chars + entry.size > maxChunkChars)) {
      chunks.push(current);
      current = { messageIds: [], parameterSets: [] };
      chars = 0;
    }
    current.messageIds.push(entry.messageId);
    current.parameterSets.push(set);
    chars += entry.size;
  }
  if (current.parameterSets.length > 0) chunks.push(current);
  return { chunks, poison };
}

/** The Data API sink, on a client created once per container. */
export function dataApiSink(client: AwsJsonClient, options: DataApiSinkOptions): Sink {
  const clock = options.clock ?? SYSTEM_CLOCK;
  const chunkSize = options.chunkSize ?? 200;
  const maxChunkChars = options.maxChunkChars ?? 3 * 1024 * 1024;
  const parallel = options.maxParallelRequests ?? 4;
  return {
    async write(entries, deadline): Promise<SinkResult> {
      const { chunks, poison } = prepareChunks(entries, options.mapping, chunkSize, maxChunkChars);
      const failed: string[] = [];
      let requests = 0;
      let retries = 0;
      await forEachLimited(chunks, parallel, async c => {
        const input: BatchExecuteStatementInput = {
          resourceArn: options.resourceArn,
          secretArn: options.secretArn,
          database: options.database,
          sql: options.sql,
          parameterSets: c.parameterSets,
        };
        for (let attempt = 0; ; attempt++) {
          if (attempt > 0) retries++;
          requests++;
          try {
            await client.send('BatchExecuteStatement', input, deadline);
            return;
          } catch (e) {
            const err = e as AwsError;
            if (!err.retryable) {
              console.error(JSON.stringify({ level: 'ERROR', event: 'write-failed', sink: 'data-api', error: truncate(err.message ?? String(e)), messages: c.messageIds.length }));
              break;
            }
          }
          if (!(await backoffWithinBudget(attempt, deadline, clock))) break;
        }
        for (const id of c.messageIds) failed.push(id);
      });
      return { failed, poison, requests, retries };
    },
  };
}
