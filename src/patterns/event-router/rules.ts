import { Duration, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { check } from '../../core/validation';

/** AWS's limits on what EventRouter emits. */
export const EVENT_ROUTER_LIMITS = {
  /** Targets per rule. */
  targetsPerRule: 5,
  /** Characters of a rule's event pattern: 2,048 by default (a quota AWS raises to 4,096 on request). */
  defaultPatternSize: 2048,
  maxPatternSize: 4096,
  /** Custom bus names: 1-256 of `[/.\-_A-Za-z0-9]`, not `default`, no `/` (that is for partner buses). */
  busName: /^[.\-_A-Za-z0-9]{1,256}$/,
  /** Archive names: 1-48 of `[.\-_A-Za-z0-9]`. */
  archiveName: /^[.\-_A-Za-z0-9]{1,48}$/,
  /** Rule names: 1-64 of `[.\-_A-Za-z0-9]`. */
  ruleName: /^[.\-_A-Za-z0-9]{1,64}$/,
};

/** Comparison operators event-ruler accepts inside a field's array (EventBridge content filtering). */
const MATCHERS = new Set(['prefix', 'suffix', 'anything-but', 'numeric', 'exists', 'cidr', 'equals-ignore-case', 'wildcard']);

/**
 * Structural check of a rendered event pattern, the way EventBridge reads it: every leaf is a
 * non-empty array of strings, numbers, booleans, null or one-key matcher objects; `$or` holds
 * objects; the top level is a non-empty object. Returns the first problem with its JSON path.
 * The golden tests run every pattern our constructs emit through AWS's event-ruler, so this
 * check and the real engine are compared on the same inputs.
 */
export function eventPatternProblem(pattern: unknown, path = '$'): string | undefined {
  if (typeof pattern !== 'object' || pattern === null || Array.isArray(pattern)) return `${path} must be an object`;
  const entries = Object.entries(pattern as Record<string, unknown>);
  if (entries.length === 0) return `${path} is empty (a pattern must name at least one field)`;
  for (const [key, value] of entries) {
    const at = `${path}.${key}`;
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

function matcherProblem(item: unknown, at: string): string | undefined {
  if (item === null || ['string', 'number', 'boolean'].includes(typeof item)) return undefined;
  if (typeof item !== 'object' || Array.isArray(item)) return `${at} must be a value or a matcher object`;
  const keys = Object.keys(item as object);
  if (keys.length !== 1 || !MATCHERS.has(keys[0])) {
    return `${at} ${JSON.stringify(item)} is not a matcher (one of: ${[...MATCHERS].join(', ')})`;
  }
  const [key] = keys;
  const v = (item as Record<string, unknown>)[key];
  if (key === 'exists' && typeof v !== 'boolean') return `${at}.exists must be true or false`;
  if (key === 'numeric') {
    if (!Array.isArray(v) || v.length === 0 || v.length > 4) return `${at}.numeric must be [op, n] or [op, n, op, n]`;
    for (let i = 0; i < v.length; i += 2) {
      if (!['<', '<=', '=', '>', '>='].includes(v[i] as string)) return `${at}.numeric[${i}] ${JSON.stringify(v[i])} is not one of <, <=, =, >, >=`;
      if (typeof v[i + 1] !== 'number' || !Number.isFinite(v[i + 1])) return `${at}.numeric[${i + 1}] must be a finite number`;
    }
  }
  return undefined;
}

/** Checks a rendered pattern's structure and size; skips patterns with tokens. */
export function checkEventPattern(scope: IConstruct, prop: string, rendered: unknown, sizeQuota: number): void {
  const json = JSON.stringify(rendered);
  if (Token.isUnresolved(json)) return;
  const problem = eventPatternProblem(rendered);
  check(scope, problem === undefined, {
    prop,
    value: problem ?? '',
    allowed: 'an EventBridge event pattern: fields with arrays of values or matchers (aws-cdk-lib events.Match helpers write them)',
    fix: `write ${prop} with events.Match helpers, e.g. { detail: { symbol: events.Match.prefix('AM') } }`,
  });
  if (Token.isUnresolved(sizeQuota)) return;
  check(scope, json.length <= sizeQuota, {
    prop,
    value: `${json.length.toLocaleString('en-US')} characters`,
    allowed: `at most ${sizeQuota.toLocaleString('en-US')} characters (the account's event pattern size quota; AWS's default is 2,048, raisable to 4,096)`,
    fix: `shorten ${prop} (split it into two routes, or match on a shorter field), or raise the quota and set eventPatternSizeQuota`,
  });
}

/** Checks a custom event bus name. */
export function checkBusName(scope: IConstruct, prop: string, name: string | undefined): void {
  if (name === undefined || Token.isUnresolved(name)) return;
  check(scope, name !== 'default' && !name.startsWith('aws.') && EVENT_ROUTER_LIMITS.busName.test(name), {
    prop,
    value: `"${name}"`,
    allowed: '1 to 256 characters of letters, digits, . - _; not "default" (give existingEventBus for the default bus), no "/" and no "aws." prefix (partner event sources)',
    fix: `rename ${prop}, e.g. "orders-prod"`,
  });
}

/** Checks an archive name and retention. */
export function checkArchive(scope: IConstruct, prop: string, name: string | undefined, retention: Duration | undefined): void {
  if (name !== undefined && !Token.isUnresolved(name)) {
    check(scope, EVENT_ROUTER_LIMITS.archiveName.test(name), {
      prop: `${prop}.archiveName`,
      value: `"${name}"`,
      allowed: '1 to 48 characters of letters, digits, . - _',
      fix: `shorten or rename ${prop}.archiveName, or leave it unset for a generated name`,
    });
  }
  if (retention !== undefined && !retention.isUnresolved()) {
    const days = retention.toDays({ integral: false });
    check(scope, Number.isInteger(days) && days >= 1, {
      prop: `${prop}.retention`,
      value: retention.toHumanString(),
      allowed: 'whole days, at least 1 (archives keep events per day; aws-cdk-lib turns 0 into "keep forever")',
      fix: `set ${prop}.retention to Duration.days(n) with n >= 1, or leave it unset for 90 days`,
    });
  }
}

/** Checks a route name (it becomes part of construct ids and of the prop path in messages). */
export function checkRouteName(scope: IConstruct, name: string, existing: readonly string[]): void {
  check(scope, /^[A-Za-z0-9][A-Za-z0-9-_]{0,63}$/.test(name), {
    prop: 'addRoute(name)',
    value: `"${name}"`,
    allowed: '1 to 64 letters, digits, - or _, starting with a letter or digit',
    fix: 'name the route for what it routes, e.g. "PriceAlerts"',
  });
  check(scope, !existing.includes(name), {
    prop: 'addRoute(name)',
    value: `"${name}" (already used)`,
    allowed: 'a name not used by another route of this router',
    fix: 'give each route its own name',
  });
}
