import { Token } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import { SNS_LIMITS } from './limits';
import { groupThousands, Violations } from '../../core/validation';

/** A filter policy reduced to what SNS limits: its key paths and the number of values of each. */
export interface FilterPolicyShape {
  readonly keys: Array<{ readonly path: string; readonly values: number }>;
  /** Problems of structure (empty keys, empty nested policies). */
  readonly problems: string[];
}

export function attributePolicyShape(policy: { [attribute: string]: sns.SubscriptionFilter }): FilterPolicyShape {
  const problems: string[] = [];
  const entries = Object.entries(policy);
  if (entries.length === 0) problems.push('the policy has no keys');
  const keys = entries.map(([key, filter]) => {
    if (key.length === 0) problems.push('a key is empty');
    if (!filter || !Array.isArray(filter.conditions) || filter.conditions.length === 0) problems.push(`"${key}" has no condition`);
    return { path: key, values: filter?.conditions?.length ?? 0 };
  });
  return { keys, problems };
}

export function bodyPolicyShape(policy: { [key: string]: sns.FilterOrPolicy }, prefix = ''): FilterPolicyShape {
  const problems: string[] = [];
  const keys: Array<{ path: string; values: number }> = [];
  const entries = Object.entries(policy);
  if (entries.length === 0) problems.push(prefix ? `"${prefix.slice(0, -1)}" is an empty nested policy` : 'the policy has no keys');
  for (const [key, node] of entries) {
    const path = `${prefix}${key}`;
    if (key.length === 0) problems.push(`a key under "${prefix || '(root)'}" is empty`);
    if (node instanceof sns.Policy || (node && node.type === sns.FilterOrPolicyType.POLICY)) {
      const inner = bodyPolicyShape((node as sns.Policy).policyDoc, `${path}.`);
      keys.push(...inner.keys);
      problems.push(...inner.problems);
    } else if (node instanceof sns.Filter || (node && node.type === sns.FilterOrPolicyType.FILTER)) {
      const conditions = (node as sns.Filter).filterDoc.conditions;
      if (!Array.isArray(conditions) || conditions.length === 0) problems.push(`"${path}" has no condition`);
      keys.push({ path, values: conditions?.length ?? 0 });
    } else {
      problems.push(`"${path}" is neither sns.FilterOrPolicy.filter(...) nor sns.FilterOrPolicy.policy(...)`);
    }
  }
  return { keys, problems };
}

/** The policy as SNS receives it (for its size). */
export function attributePolicyJson(policy: { [attribute: string]: sns.SubscriptionFilter }): unknown {
  return Object.fromEntries(Object.entries(policy).map(([k, f]) => [k, f?.conditions ?? []]));
}

/** The body policy as SNS receives it (for its size). */
export function bodyPolicyJson(policy: { [key: string]: sns.FilterOrPolicy }): unknown {
  return Object.fromEntries(Object.entries(policy).map(([k, node]) => {
    if (node instanceof sns.Policy || (node && node.type === sns.FilterOrPolicyType.POLICY)) {
      return [k, bodyPolicyJson((node as sns.Policy).policyDoc)];
    }
    return [k, (node as sns.Filter)?.filterDoc?.conditions ?? []];
  }));
}

/** Every number inside a `numeric` condition of the policy JSON, with the key it filters. */
function numericValues(json: unknown, path = ''): Array<{ path: string; value: number }> {
  const out: Array<{ path: string; value: number }> = [];
  const walk = (node: unknown, at: string, inNumeric: boolean) => {
    if (typeof node === 'number') {
      if (inNumeric && !Token.isUnresolved(node)) out.push({ path: at, value: node });
    } else if (Array.isArray(node)) {
      for (const item of node) walk(item, at, inNumeric);
    } else if (node && typeof node === 'object') {
      for (const [k, child] of Object.entries(node)) walk(child, k === 'numeric' ? at : (inNumeric ? at : (at ? `${at}.${k}` : k)), inNumeric || k === 'numeric');
    }
  };
  walk(json, path, false);
  return out;
}

/** Every two-sided `numeric` range of the policy JSON (`['>=', low, '<', high]`), with the key it filters. */
function numericRanges(json: unknown, path = ''): Array<{ path: string; low: number; high: number }> {
  const out: Array<{ path: string; low: number; high: number }> = [];
  const walk = (node: unknown, at: string) => {
    if (Array.isArray(node)) {
      for (const item of node) walk(item, at);
    } else if (node && typeof node === 'object') {
      for (const [k, child] of Object.entries(node)) {
        if (k === 'numeric' && Array.isArray(child) && child.length === 4) {
          const [op1, low, op2, high] = child as unknown[];
          if (typeof op1 === 'string' && op1.startsWith('>') && typeof op2 === 'string' && op2.startsWith('<')
            && typeof low === 'number' && typeof high === 'number' && !Token.isUnresolved(low) && !Token.isUnresolved(high)) {
            out.push({ path: at, low, high });
          }
        } else {
          walk(child, at ? `${at}.${k}` : k);
        }
      }
    }
  };
  walk(json, path);
  return out;
}

/**
 * The rules SNS applies to one filter policy (https://docs.aws.amazon.com/sns/latest/dg/subscription-filter-policy-constraints.html):
 * structure, keys, combinations, size (256 KB) and numeric range (-1e9 to 1e9).
 */
export function filterPolicyRules(v: Violations, prop: string, shape: FilterPolicyShape, json: unknown): void {
  v.check('FAN_OUT_FILTER_POLICY_SHAPE', shape.problems.length === 0, {
    prop,
    value: shape.problems.join('; '),
    allowed: 'one or more keys, each with at least one condition (sns.SubscriptionFilter), nested policies not empty',
    fix: 'remove the empty keys or give them conditions, e.g. sns.SubscriptionFilter.stringFilter({ allowlist: [...] })',
  });
  const paths = shape.keys.map(k => k.path);
  v.check('FAN_OUT_FILTER_POLICY_KEYS', shape.keys.length <= SNS_LIMITS.filterPolicyKeys, {
    prop,
    value: `${shape.keys.length} keys (${paths.join(', ')})`,
    allowed: `at most ${SNS_LIMITS.filterPolicyKeys} keys per filter policy (SNS limit; nested keys of a body policy count one each)`,
    fix: 'filter on fewer keys here and check the rest in the consumer, or split the subscriber',
  });
  const combinations = shape.keys.reduce((product, k) => product * Math.max(k.values, 1), 1);
  v.check('FAN_OUT_FILTER_POLICY_COMBINATIONS', combinations <= SNS_LIMITS.filterPolicyCombinations, {
    prop,
    value: `${combinations} value combinations (${shape.keys.map(k => `${k.path}: ${k.values}`).join(' x ')})`,
    allowed: `at most ${SNS_LIMITS.filterPolicyCombinations} combinations, the product of the number of values of every key (SNS limit)`,
    fix: 'use fewer values per key (a prefix or numeric range matches many values with one condition), or split the subscriber',
  });
  let bytes = 0;
  try {
    bytes = Buffer.byteLength(JSON.stringify(json), 'utf8');
  } catch {
    bytes = 0; // tokens that cannot be rendered are never checked
  }
  v.check('FAN_OUT_FILTER_POLICY_SIZE', bytes <= SNS_LIMITS.filterPolicyBytes, {
    prop,
    value: `${groupThousands(bytes)} bytes of JSON`,
    allowed: `at most ${groupThousands(SNS_LIMITS.filterPolicyBytes)} bytes (256 KB, SNS limit)`,
    fix: 'match with prefixes or ranges instead of long lists of values, or filter the rest in the consumer',
  });
  // SNS refuses a range whose lower bound is not below its upper one ("FilterPolicy: Bottom must be less than top").
  for (const r of numericRanges(json)) {
    v.check('FAN_OUT_FILTER_POLICY_RANGE', !(Number.isFinite(r.low) && Number.isFinite(r.high)) || r.low < r.high, {
      prop: `${prop}.${r.path}`,
      value: `a numeric range from ${r.low} to ${r.high}`,
      allowed: 'a lower bound below the upper bound (SNS refuses the policy otherwise)',
      fix: `swap the bounds, e.g. numericFilter({ between: { start: ${Math.min(r.low, r.high)}, stop: ${Math.max(r.low, r.high)} } })`,
    });
  }
  for (const n of numericValues(json)) {
    const ok = Number.isFinite(n.value) && Math.abs(n.value) <= SNS_LIMITS.filterPolicyNumericMax;
    v.check('FAN_OUT_FILTER_POLICY_NUMBER', ok, {
      prop: `${prop}.${n.path}`,
      value: String(n.value),
      allowed: 'a finite number from -1,000,000,000 to 1,000,000,000 (SNS numeric matching limit, 5 decimal places)',
      fix: 'compare with a value inside that range (scale large values, e.g. cents to thousands), or filter in the consumer',
    });
  }
}
