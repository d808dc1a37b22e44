import type { Validator } from './schema';
import type { PoisonCode } from './types';

/** The outcome of parsing one SQS message body. */
export type Parsed =
  | { readonly ok: true; readonly value: Record<string, unknown> }
  | { readonly ok: false; readonly code: PoisonCode; readonly detail: string };

/** Longest error detail kept (SQS message attribute values are short by design). */
export const MAX_DETAIL = 256;

export function truncate(text: string, max = MAX_DETAIL): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * Parses a message body: it must be a JSON object and, when a schema is given, valid against it.
 * Anything else is poison with a code and a short reason.
 */
export function parseBody(body: string, validate?: Validator): Parsed {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (e) {
    return { ok: false, code: 'InvalidJson', detail: truncate(`body is not valid JSON: ${(e as Error).message}`) };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, code: 'NotAnObject', detail: `body is JSON but not an object (${value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value})` };
  }
  if (validate) {
    const error = validate(value);
    if (error) return { ok: false, code: 'SchemaViolation', detail: truncate(error) };
  }
  return { ok: true, value: value as Record<string, unknown> };
}

/** Reads a top-level or dotted-path field (`customer.id`) from a parsed body. */
export function getField(value: Record<string, unknown>, path: readonly string[]): unknown {
  let current: unknown = value;
  for (const part of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}
