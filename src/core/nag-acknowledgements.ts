import { Stack, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Acknowledges cdk-nag's AwsSolutions-IAM5 finding for one wildcard resource on `scope`, with a
 * reason. cdk-nag reports one finding per wildcard resource, identified by the resource as it
 * appears in the template with references flattened (`Ref: X` → `<X>`, `Fn::GetAtt` →
 * `<X.Attr>`, `Fn::Join` concatenated); this renders the same string so only that exact
 * permission is acknowledged. The test suite runs cdk-nag over every stack, so a drift in
 * that format fails loudly rather than silently un-acknowledging.
 *
 * Internal to the library.
 */
export function acknowledgeWildcardResource(scope: IConstruct, resource: string, reason: string): void {
  const flat = flattenReference(Stack.of(scope).resolve(resource));
  // `Validations.acknowledge()` rejects ids containing '::' before aws-cdk-lib 2.262 (our floor
  // is 2.257), so the acknowledgement is written as the same metadata entry it would record.
  scope.node.addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, { [`AwsSolutions-IAM5[Resource::${flat}]`]: reason });
}

function flattenReference(node: unknown): string {
  if (node === undefined) return '';
  if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/}/g, '>');
  const n = node as Record<string, unknown>;
  if (Array.isArray(n['Fn::Join'])) {
    const [delimiter, items] = n['Fn::Join'] as [string, unknown[]];
    return items.map(flattenReference).join(delimiter);
  }
  if (Array.isArray(n['Fn::GetAtt'])) {
    const [resource, attribute] = n['Fn::GetAtt'] as [unknown, unknown];
    return `<${flattenReference(resource)}.${flattenReference(attribute)}>`;
  }
  if (n.Ref !== undefined) return `<${flattenReference(n.Ref)}>`;
  return JSON.stringify(node);
}

/**
 * aws-cdk-lib's bucket-notifications handler (a custom resource, one per stack, deploy time only)
 * uses the AWSLambdaBasicExecutionRole managed policy: acknowledged on its role, if the stack has one.
 */
export function acknowledgeBucketNotificationsHandler(stack: Stack): void {
  const role = stack.node.tryFindChild('BucketNotificationsHandler050a0587b7544547bf325f094a3db834')?.node.tryFindChild('Role');
  // Written as the metadata entry Validations.acknowledge() records: ids with '::' are rejected by it
  // before aws-cdk-lib 2.262 (see acknowledgeWildcardResource).
  role?.node.addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, {
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]':
      'aws-cdk-lib\'s bucket-notifications handler (a custom resource that runs only at deploy time, one per stack) ' +
      'uses the AWSLambdaBasicExecutionRole managed policy; its role is not ours to change.',
  });
}
