

/** SNS quotas the pattern checks at synth time (https://docs.aws.amazon.com/sns/latest/dg/subscription-filter-policy-constraints.html). */
export const SNS_LIMITS = {
  /** Keys in one filter policy (for body policies: leaf keys, nested ones included). */
  filterPolicyKeys: 5,
  /** Product of the number of values of every key. */
  filterPolicyCombinations: 150,
  /** Filter policies per topic (default quota; raise it with Service Quotas, then pass `maxFilterPolicies`). */
  filterPoliciesPerTopic: 200,
};
/** CloudFormation's limit of resources in one template. */
export const CLOUDFORMATION_MAX_RESOURCES = 500;
