import * as sns from 'aws-cdk-lib/aws-sns';
import { IConstruct } from 'constructs';
import { SNS_LIMITS } from './limits';
import { check } from '../../core/validation';

/** A filter policy reduced to what SNS limits: its key paths and the number of values of each. */
interface FilterPolicyShape {
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

export function checkFilterPolicy(scope: IConstruct, prop: string, shape: FilterPolicyShape): void {
  check(scope, shape.problems.length === 0, {
    prop,
    value: shape.problems.join('; '),
    allowed: 'one or more keys, each with at least one condition (sns.SubscriptionFilter), nested policies not empty',
    fix: 'remove the empty keys or give them conditions, e.g. sns.SubscriptionFilter.stringFilter({ allowlist: [...] })',
  });
  const paths = shape.keys.map(k => k.path);
  check(scope, shape.keys.length <= SNS_LIMITS.filterPolicyKeys, {
    prop,
    value: `${shape.keys.length} keys (${paths.join(', ')})`,
    allowed: `at most ${SNS_LIMITS.filterPolicyKeys} keys per filter policy (SNS limit; nested keys of a body policy count one each)`,
    fix: 'filter on fewer keys here and check the rest in the consumer, or split the subscriber',
  });
  const combinations = shape.keys.reduce((product, k) => product * Math.max(k.values, 1), 1);
  check(scope, combinations <= SNS_LIMITS.filterPolicyCombinations, {
    prop,
    value: `${combinations} value combinations (${shape.keys.map(k => `${k.path}: ${k.values}`).join(' x ')})`,
    allowed: `at most ${SNS_LIMITS.filterPolicyCombinations} combinations, the product of the number of values of every key (SNS limit)`,
    fix: 'use fewer values per key (a prefix or numeric range matches many values with one condition), or split the subscriber',
  });
}
