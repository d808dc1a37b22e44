import { Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { StreamPipeline } from '../../src';
import { newStack, templateOf } from '../support';

/** Every action granted to the Firehose S3 destination role, across its policies. */
function destinationRoleActions(stack: Stack): string[] {
  const template = Template.fromStack(stack);
  const roles = Object.entries(template.findResources('AWS::IAM::Role'))
    .filter(([, r]) => JSON.stringify(r.Properties.AssumeRolePolicyDocument).includes('firehose.amazonaws.com'))
    .map(([id]) => id)
    .filter(id => id.includes('S3DestinationRole'));
  expect(roles).toHaveLength(1);
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter(p => JSON.stringify(p.Properties.Roles).includes(roles[0]))
    .flatMap(p => p.Properties.PolicyDocument.Statement)
    .flatMap((s: { Action: string | string[] }) => ([] as string[]).concat(s.Action));
}

const FIREHOSE_S3 = ['s3:AbortMultipartUpload', 's3:GetBucketLocation', 's3:GetObject', 's3:ListBucket', 's3:ListBucketMultipartUploads', 's3:PutObject'];

describe('StreamPipeline archive: the Firehose delivery role has what Firehose uses, nothing more', () => {
  test('its own bucket: exactly the documented S3 actions, no delete, no action wildcard; cdk-nag clean without action acknowledgements', () => {
    const stack = newStack();
    new StreamPipeline(stack, 'Clicks', { archive: {} });
    templateOf(stack); // cdk-nag AwsSolutions: no unacknowledged finding
    const s3Actions = destinationRoleActions(stack).filter(a => a.startsWith('s3:'));
    expect([...new Set(s3Actions)].sort()).toEqual(FIREHOSE_S3);
    expect(destinationRoleActions(stack).filter(a => a.includes('*'))).toEqual([]);
    const acks = stack.node.findAll().flatMap(c => c.node.metadata)
      .filter(m => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .map(m => JSON.stringify(m.data));
    expect(acks.length).toBeGreaterThan(0); // the remaining acknowledgements are found ...
    expect(acks.filter(a => a.includes('Action::s3:'))).toEqual([]); // ... and none is for an S3 action
  });

  test('a bucket with a customer-managed key: kms:GenerateDataKey and kms:Decrypt on that key', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'ArchiveKey', { enableKeyRotation: true });
    const bucket = new s3.Bucket(stack, 'Archive', {
      encryptionKey: key, enforceSSL: true, versioned: true, serverAccessLogsPrefix: 'logs/',
    });
    new StreamPipeline(stack, 'Clicks', { archive: { bucket } });
    templateOf(stack);
    const actions = destinationRoleActions(stack);
    expect(actions.filter(a => a.startsWith('kms:')).sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
    expect(actions.filter(a => a.startsWith('s3:Delete'))).toEqual([]);
  });
});
