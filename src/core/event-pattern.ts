import { Stack, Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';

/*
 * EventBridge event patterns as event-ruler reads them, shared by EventRouter, the Workflow event
 * starter and RealtimeApi's event routes.
 */

/** Comparison operators event-ruler accepts inside a field's array (EventBridge content filtering). */
const MATCHERS = new Set(['prefix', 'suffix', 'anything-but', 'numeric', 'exists', 'cidr', 'equals-ignore-case', 'wildcard']);

/**
 * Structural check of a rendered event pattern, the way EventBridge reads it: every leaf is a
 * non-empty array of strings, numbers, booleans, null or one-key matcher objects; `$or` holds
 * objects; the top level is a non-empty object. Returns the first problem with its JSON path.
 * The golden tests run the same inputs through AWS's event-ruler and require agreement.
 */
export function eventPatternProblem(pattern: unknown, path = '$'): string | undefined {
  if (typeof pattern !== 'object' || pattern === null || Array.isArray(pattern)) return `${path} must be an object`;
  const entries = Object.entries(pattern as Record<string, unknown>);
  if (entries.length === 0) return `${path} is empty (a pattern must name at least one field)`;
  for (const [key, value] of entries) {
    const at = `${path}.${key}`;
    if (isIntrinsic(value)) continue; // a token (e.g. a CfnParameter list), resolved: never checked
    if (key === '$or') {
      if (!Array.isArray(value) || value.length < 2) return `${at} must be an array of at least two patterns`;
      for (const [i, alternative] of value.entries()) {
        const p = eventPatternProblem(alternative, `${at}[${i}]`);
        if (p) return p;
      }
      continue;
    }
    if (Array.isArray(value)) {
      if (value.length === 0) return `${at} is an empty array (it would match nothing)`;
      for (const [i, item] of value.entries()) {
        const p = matcherProblem(item, `${at}[${i}]`);
        if (p) return p;
      }
      continue;
    }
    if (typeof value === 'object' && value !== null) {
      const p = eventPatternProblem(value, at);
      if (p) return p;
      continue;
    }
    return `${at} is ${JSON.stringify(value)}: a field's values must be in an array, e.g. [${JSON.stringify(value)}]`;
  }
  return undefined;
}

/** A CloudFormation intrinsic (`{ Ref }`, `{ 'Fn::…' }`): a token, resolved; never checked. */
function isIntrinsic(item: unknown): boolean {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return false;
  const keys = Object.keys(item);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'));
}

function matcherProblem(item: unknown, at: string): string | undefined {
  if (item === null || ['string', 'number', 'boolean'].includes(typeof item) || isIntrinsic(item)) return undefined;
  if (typeof item !== 'object' || Array.isArray(item)) return `${at} must be a value or a matcher object`;
  const keys = Object.keys(item as object);
  if (keys.length !== 1 || !MATCHERS.has(keys[0])) {
    return `${at} ${JSON.stringify(item)} is not a matcher (one of: ${[...MATCHERS].join(', ')})`;
  }
  const [key] = keys;
  const v = (item as Record<string, unknown>)[key];
  if (key === 'exists' && typeof v !== 'boolean') return `${at}.exists must be true or false`;
  if (key === 'numeric') {
    if (!Array.isArray(v) || v.length === 0 || v.length > 4 || v.length % 2 !== 0) return `${at}.numeric must be [op, n] or [op, n, op, n]`;
    for (let i = 0; i < v.length; i += 2) {
      if (!['<', '<=', '=', '>', '>='].includes(v[i] as string)) return `${at}.numeric[${i}] ${JSON.stringify(v[i])} is not one of <, <=, =, >, >=`;
      if (isIntrinsic(v[i + 1]) || (typeof v[i + 1] === 'number' && Token.isUnresolved(v[i + 1]))) continue; // a token is never checked
      if (typeof v[i + 1] !== 'number' || !Number.isFinite(v[i + 1])) return `${at}.numeric[${i + 1}] must be a finite number`;
    }
  }
  return undefined;
}

/** A pattern as a rule renders it (events.Match helpers become JSON), or undefined when it renders to nothing. */
export function renderEventPattern(pattern: events.EventPattern): unknown {
  const scratch = new Stack();
  const rule = new events.Rule(scratch, 'Scratch', { eventPattern: pattern });
  return scratch.resolve((rule.node.defaultChild as events.CfnRule).eventPattern);
}

/**
 * The first problem of a pattern as EventBridge would read it, or undefined. A pattern aws-cdk-lib
 * cannot even render (e.g. a top-level field that is not an array) is reported with its reason.
 */
export function eventPatternProblemOf(pattern: events.EventPattern): string | undefined {
  let rendered: unknown;
  try {
    rendered = renderEventPattern(pattern);
  } catch (e) {
    return (e as Error).message.replace(/^Invalid event pattern field /, '').replace(/\. All fields must be arrays$/, ': a field\'s values must be in an array');
  }
  return eventPatternProblem(rendered ?? {});
}
