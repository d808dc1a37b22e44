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
  if (isIntrinsic(v) || (typeof v === 'string' && Token.isUnresolved(v))) return undefined; // a token is never checked
  if (key === 'exists' && typeof v !== 'boolean') return `${at}.exists must be true or false`;
  if (key === 'prefix' || key === 'suffix') return ignoreCaseOrString(v, `${at}.${key}`);
  if (key === 'equals-ignore-case' && typeof v !== 'string') return `${at}.equals-ignore-case must be a string`;
  if (key === 'wildcard') return wildcardProblem(v, `${at}.wildcard`);
  if (key === 'cidr') return cidrProblem(v, `${at}.cidr`);
  if (key === 'anything-but') return anythingButProblem(v, `${at}.anything-but`);
  if (key === 'numeric') {
    if (!Array.isArray(v) || v.length === 0 || v.length > 4 || v.length % 2 !== 0) return `${at}.numeric must be [op, n] or [op, n, op, n]`;
    let tokens = false;
    for (let i = 0; i < v.length; i += 2) {
      if (!['<', '<=', '=', '>', '>='].includes(v[i] as string)) return `${at}.numeric[${i}] ${JSON.stringify(v[i])} is not one of <, <=, =, >, >=`;
      if (isIntrinsic(v[i + 1]) || (typeof v[i + 1] === 'number' && Token.isUnresolved(v[i + 1]))) { tokens = true; continue; } // a token is never checked
      if (typeof v[i + 1] !== 'number' || !Number.isFinite(v[i + 1])) return `${at}.numeric[${i + 1}] must be a finite number`;
    }
    // A range is a lower bound (> or >=) then an upper bound (< or <=), lower below upper (event-ruler: "Bottom must be less than top").
    if (v.length === 4) {
      if (!['>', '>='].includes(v[0]) || !['<', '<='].includes(v[2])) return `${at}.numeric ${JSON.stringify(v)} must be a lower bound (> or >=) then an upper bound (< or <=)`;
      if (!tokens && (v[1] as number) >= (v[3] as number)) return `${at}.numeric ${JSON.stringify(v)} is an empty range: its lower bound must be below its upper bound`;
    }
  }
  return undefined;
}

/*
 * Matcher values as event-ruler parses them (every refusal below is confirmed by event-ruler in
 * test/patterns/event-router.golden.test.ts). Operators and their value types:
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/content-filtering-with-event-patterns.html
 * An empty prefix/suffix/wildcard/equals-ignore-case is accepted by event-ruler (and so here).
 */

function isToken(v: unknown): boolean {
  return isIntrinsic(v) || (typeof v === 'string' && Token.isUnresolved(v));
}

/** `prefix`/`suffix`: a string, or `{ "equals-ignore-case": string }`. */
function ignoreCaseOrString(v: unknown, at: string): string | undefined {
  if (typeof v === 'string') return undefined;
  if (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 1 && 'equals-ignore-case' in v) {
    const inner = (v as Record<string, unknown>)['equals-ignore-case'];
    return typeof inner === 'string' || isToken(inner) ? undefined : `${at}.equals-ignore-case must be a string`;
  }
  return `${at} ${JSON.stringify(v)} must be a string or { "equals-ignore-case": string }`;
}

/** `wildcard`: a string with no two consecutive `*` and no `\` except before `*` or `\`. */
function wildcardProblem(v: unknown, at: string): string | undefined {
  if (typeof v !== 'string') return `${at} ${JSON.stringify(v)} must be a string`;
  for (let i = 0; i < v.length; i++) {
    if (v[i] === '\\') {
      if (v[i + 1] !== '*' && v[i + 1] !== '\\') return `${at} ${JSON.stringify(v)} has "\\" at position ${i} not followed by * or \\ (escape only * and \\)`;
      i++;
    } else if (v[i] === '*' && v[i + 1] === '*') {
      return `${at} ${JSON.stringify(v)} has two consecutive * at position ${i} (use one *)`;
    }
  }
  return undefined;
}

/** `cidr`: an IPv4 a.b.c.d/0-31 or IPv6 address/0-127 (event-ruler refuses /32 and /128: use the address itself). */
function cidrProblem(v: unknown, at: string): string | undefined {
  if (typeof v !== 'string') return `${at} ${JSON.stringify(v)} must be a string like "10.0.0.0/24"`;
  const m = /^([^/]+)\/(\d{1,3})$/.exec(v);
  const bad = `${at} ${JSON.stringify(v)} is not a CIDR block (IPv4 a.b.c.d/0-31 or IPv6 address/0-127; for one address give the address as a value)`;
  if (!m) return bad;
  const bits = Number(m[2]);
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(m[1])) {
    return m[1].split('.').every(o => Number(o) <= 255) && bits <= 31 ? undefined : bad;
  }
  return isIPv6(m[1]) && bits <= 127 ? undefined : bad;
}

function isIPv6(a: string): boolean {
  if (!/^[0-9A-Fa-f:]+$/.test(a) || (a.match(/::/g) ?? []).length > 1) return false;
  const groups = a.split(':').filter(g => g !== '');
  if (groups.some(g => g.length > 4)) return false;
  return a.includes('::') ? groups.length < 8 : groups.length === 8;
}

/**
 * `anything-but`: a string, a number, a non-empty list of only strings or only numbers, or one of
 * `{ prefix | suffix: non-empty string(s) }`, `{ "equals-ignore-case": string(s) }`, `{ wildcard: string(s) }`.
 */
function anythingButProblem(v: unknown, at: string): string | undefined {
  if (typeof v === 'string' || typeof v === 'number') return undefined;
  if (Array.isArray(v)) {
    const items = v.filter(x => !isToken(x) && !(typeof x === 'number' && Token.isUnresolved(x)));
    if (v.length === 0) return `${at} is an empty list (give at least one value)`;
    const strings = items.every(x => typeof x === 'string');
    const numbers = items.every(x => typeof x === 'number' && Number.isFinite(x));
    return strings || numbers ? undefined : `${at} ${JSON.stringify(v)} must list only strings or only numbers`;
  }
  if (typeof v !== 'object' || v === null) return `${at} ${JSON.stringify(v)} must be a string, a number, a list, or a prefix/suffix/equals-ignore-case/wildcard matcher`;
  const keys = Object.keys(v);
  const allowed = ['prefix', 'suffix', 'equals-ignore-case', 'wildcard'];
  if (keys.length !== 1 || !allowed.includes(keys[0])) {
    return `${at} ${JSON.stringify(v)} is not supported inside anything-but (one of: ${allowed.join(', ')})`;
  }
  const [key] = keys;
  const inner = (v as Record<string, unknown>)[key];
  if (isToken(inner)) return undefined;
  const values = Array.isArray(inner) ? inner : [inner];
  if (values.length === 0) return `${at}.${key} is an empty list (give at least one value)`;
  for (const x of values) {
    if (isToken(x)) continue;
    if (typeof x !== 'string') return `${at}.${key} ${JSON.stringify(inner)} must be a string or a list of strings`;
    if ((key === 'prefix' || key === 'suffix') && x === '') return `${at}.${key} is empty (event-ruler refuses an empty ${key} inside anything-but)`;
    if (key === 'wildcard') {
      const p = wildcardProblem(x, `${at}.${key}`);
      if (p) return p;
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
