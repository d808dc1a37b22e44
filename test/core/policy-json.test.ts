import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { TopicFanOut } from '../../src';
import { readableValue, statementJson } from '../../src/core/policy-json';

/** The JSON object that starts at the first '{' after `marker` in a message, parsed. */
function jsonAfter(message: string, marker: string): any {
  const start = message.indexOf('{', message.indexOf(marker));
  let depth = 0;
  for (let i = start; i < message.length; i++) {
    if (message[i] === '{') depth++;
    if (message[i] === '}' && --depth === 0) return JSON.parse(message.slice(start, i + 1));
  }
  throw new Error(`no JSON object after "${marker}" in: ${message}`);
}

function warningsOf(stack: Stack): string[] {
  return Annotations.fromStack(stack).findWarning('*', Match.anyValue()).map(w => String(w.entry.data));
}

describe('statementJson: a statement an external owner can paste', () => {
  test('known values are written as they are: plain JSON, no note', () => {
    const stack = new Stack(new App(), 'Known', { env: { account: '111111111111', region: 'eu-west-1' } });
    const statement = new iam.PolicyStatement({
      actions: ['sqs:SendMessage'],
      principals: [new iam.ServicePrincipal('sns.amazonaws.com')],
      resources: ['arn:aws:sqs:eu-west-1:222222222222:legacy'],
      conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
    });
    const json = statementJson(stack, statement);
    expect(JSON.parse(json)).toEqual({
      Action: 'sqs:SendMessage',
      Effect: 'Allow',
      Principal: { Service: 'sns.amazonaws.com' },
      Resource: 'arn:aws:sqs:eu-west-1:222222222222:legacy',
      Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' } },
    });
  });

  test('deploy-time values become Fn::Sub placeholders with a note, never ${Token[...]}', () => {
    const stack = new Stack(new App(), 'Agnostic');
    const topic = new sns.Topic(stack, 'Orders');
    const bucket = new s3.Bucket(stack, 'Uploads');
    const statement = new iam.PolicyStatement({
      actions: ['kms:Decrypt'],
      principals: [new iam.ServicePrincipal('sns.amazonaws.com')],
      resources: ['*'],
      conditions: {
        StringEquals: { 'aws:SourceAccount': stack.account },
        ArnEquals: { 'aws:SourceArn': topic.topicArn },
        ArnLike: { 'aws:SourceArn': bucket.bucketArn, 'aws:PrincipalArn': `${bucket.bucketArn}/*` },
      },
    });
    const text = statementJson(stack, statement);
    expect(text).not.toContain('Token[');
    const topicId = stack.getLogicalId(topic.node.defaultChild as sns.CfnTopic);
    const bucketId = stack.getLogicalId(bucket.node.defaultChild as s3.CfnBucket);
    expect(jsonAfter(text, '').Condition).toEqual({
      StringEquals: { 'aws:SourceAccount': '${AWS::AccountId}' },
      ArnEquals: { 'aws:SourceArn': `\${${topicId}}` },
      ArnLike: { 'aws:SourceArn': `\${${bucketId}.Arn}`, 'aws:PrincipalArn': `\${${bucketId}.Arn}/*` },
    });
    expect(text).toContain('values of stack Agnostic once deployed');
  });

  test('readableValue: a known string is itself; a token is rendered, joins concatenated', () => {
    const stack = new Stack(new App(), 'Values');
    const key = new kms.Key(stack, 'Key');
    const keyId = stack.getLogicalId(key.node.defaultChild as kms.CfnKey);
    expect(readableValue(stack, 'arn:aws:kms:us-east-1:1:key/abc')).toBe('arn:aws:kms:us-east-1:1:key/abc');
    expect(readableValue(stack, key.keyArn)).toBe(`\${${keyId}.Arn}`);
    expect(readableValue(stack, `arn:${stack.partition}:s3:::${key.keyId}`)).toBe(`arn:\${AWS::Partition}:s3:::\${${keyId}}`);
  });
});

describe('TopicFanOut warnings for resources another owner controls', () => {
  test('an imported queue with an imported key in an env-agnostic stack: both statements parse, no tokens', () => {
    const stack = new Stack(new App(), 'FanOut');
    const key = kms.Key.fromKeyArn(stack, 'TheirKey', 'arn:aws:kms:us-east-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab');
    const legacy = sqs.Queue.fromQueueAttributes(stack, 'Legacy', { queueArn: 'arn:aws:sqs:us-east-1:222222222222:legacy', keyArn: key.keyArn });
    const fanOut = new TopicFanOut(stack, 'Orders', { subscribers: [{ name: 'Legacy', queueProps: { existingQueue: legacy } }] });
    const warnings = warningsOf(stack);
    const topicId = stack.getLogicalId(fanOut.topic.node.defaultChild as sns.CfnTopic);
    const queueWarning = warnings.find(w => w.includes('so its policy cannot be changed here'))!;
    const keyWarning = warnings.find(w => w.includes('its key policy needs'))!;
    for (const w of [queueWarning, keyWarning]) {
      expect(w).toBeDefined();
      expect(w).not.toMatch(/Token\[/);
    }
    expect(queueWarning).toContain('The queue arn:aws:sqs:us-east-1:222222222222:legacy is not owned');
    expect(jsonAfter(queueWarning, 'subscription dead-letter queue:')).toEqual({
      Action: 'sqs:SendMessage',
      Effect: 'Allow',
      Principal: { Service: 'sns.amazonaws.com' },
      Resource: 'arn:aws:sqs:us-east-1:222222222222:legacy',
      Condition: { ArnEquals: { 'aws:SourceArn': `\${${topicId}}` } },
    });
    expect(queueWarning).toContain('values of stack FanOut once deployed');
    expect(keyWarning).toContain('The KMS key arn:aws:kms:us-east-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab of the queue');
    expect(jsonAfter(keyWarning, 'its key policy needs:')).toMatchObject({
      Action: ['kms:GenerateDataKey*', 'kms:Decrypt'], Resource: '*', Condition: { ArnEquals: { 'aws:SourceArn': `\${${topicId}}` } },
    });
  });

  test('S3 events into a topic whose key this stack does not own: the key statement names the bucket readably', () => {
    const stack = new Stack(new App(), 'S3Events');
    const theirKey = kms.Key.fromKeyArn(stack, 'TheirKey', 'arn:aws:kms:us-east-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab');
    const uploads = new s3.Bucket(stack, 'Uploads');
    const fanOut = new TopicFanOut(stack, 'Orders', { topicProps: { encryptionKey: theirKey }, subscribers: [{ name: 'Shipping' }] });
    fanOut.addS3Source(uploads);
    const bucketId = stack.getLogicalId(uploads.node.defaultChild as s3.CfnBucket);
    const warning = warningsOf(stack).find(w => w.includes('for S3 events to arrive'))!;
    expect(warning).not.toMatch(/Token\[/);
    expect(jsonAfter(warning, 'its owner must add:').Condition).toEqual({
      StringEquals: { 'aws:SourceAccount': '${AWS::AccountId}' },
      ArnLike: { 'aws:SourceArn': `\${${bucketId}.Arn}` },
    });
  });
});
