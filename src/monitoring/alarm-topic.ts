import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AlarmOptions } from './alarm-options';
import { Rule } from '../core/validation';

/** Keys CloudWatch may already use (SecureTopic.allowServicePublisher, or an earlier grant). */
const granted = new WeakSet<kms.IKey>();

/** Records that CloudWatch may use this key (called by SecureTopic.allowServicePublisher). */
export function markCloudWatchKeyGrant(key: kms.IKey): void {
  granted.add(key);
}

/**
 * An alarm topic's KMS key must let CloudWatch encrypt, or every alarm notification is dropped
 * silently. A key of this app is granted (once); any other key (imported, or the AWS-managed
 * `alias/aws/sns`, whose policy CloudWatch cannot be added to) is refused by {@link alarmTopicRule}.
 */
export function grantCloudWatchOnAlarmTopicKey(topic: sns.ITopic): void {
  const key = topic.masterKey;
  if (!(key instanceof kms.Key) || granted.has(key)) return;
  granted.add(key);
  key.addToResourcePolicy(new iam.PolicyStatement({
    actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
    principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
    resources: ['*'], // in a key policy, '*' means this key
    conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(key).account } },
  }));
}

/** The rule: an alarm topic encrypted with a key CloudWatch cannot be granted is refused (code ALARM_TOPIC_KEY). */
export function alarmTopicRule<P extends AlarmOptions>(prefix = ''): Rule<P> {
  return (p, v) => {
    const key = p.alarmTopic?.masterKey;
    if (!key || key instanceof kms.Key || (p.alarmsEnabled === false)) return;
    v.check('ALARM_TOPIC_KEY', false, {
      prop: `${prefix}alarmTopic`,
      value: `a topic encrypted with key ${key.node.path} that this app cannot grant to CloudWatch (imported, or the AWS-managed alias/aws/sns)`,
      allowed: 'an unencrypted topic, or one whose KMS key this app defines (it is granted to cloudwatch.amazonaws.com), so alarm notifications are delivered',
      fix: 'pass a SecureTopic (its key is granted), or add kms:GenerateDataKey* and kms:Decrypt for cloudwatch.amazonaws.com to the key policy and import the topic without its key',
    });
  };
}
