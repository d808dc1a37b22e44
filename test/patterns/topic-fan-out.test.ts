import { App, CfnElement, CfnResource, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { IConstruct } from 'constructs';
import { FanOutSubscriberOptions, PatternDashboard, QueueEncryption, TopicFanOut, TopicFanOutProps } from '../../src';
import { expectBadInput, expectNumberTokenAccepted, newStack, templateOf } from '../support';

const code = lambda.Code.fromInline('exports.handler = async () => ({ batchItemFailures: [] });');
const highTier = { tier: sns.SubscriptionFilter.stringFilter({ allowlist: ['high'] }) };
const ref = (c: IConstruct) => ({ Ref: Stack.of(c).getLogicalId(c.node.defaultChild as CfnElement) });
const arnOf = (c: IConstruct) => ({ 'Fn::GetAtt': [Stack.of(c).getLogicalId(c.node.defaultChild as CfnElement), 'Arn'] });

/** A bucket cdk-nag accepts (access logs to a second bucket, whose own logging is acknowledged by the user). */
function bucket(stack: Stack, id = 'Uploads'): s3.Bucket {
  return new s3.Bucket(stack, id, { enforceSSL: true, versioned: true, serverAccessLogsPrefix: 'logs/' });
}

describe('TopicFanOut defaults', () => {
  const stack = newStack();
  const fanOut = new TopicFanOut(stack, 'Orders', { subscribers: [{ name: 'Shipping' }, { name: 'Fraud' }] });
  const template = templateOf(stack);
  const [shipping, fraud] = fanOut.subscribers;

  test('a standard, KMS-encrypted topic and one queue + DLQ per subscriber', () => {
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue(), FifoTopic: Match.absent() });
    template.resourceCountIs('AWS::SQS::Queue', 4);
    template.resourceCountIs('AWS::SNS::Subscription', 2);
    expect(fanOut.topic.fifo).toBe(false);
    expect(fanOut.subscribers.map(s => s.node.id)).toEqual(['Shipping', 'Fraud']);
    expect(shipping.deadLetterQueue).toBeDefined();
    expect(shipping.consumer).toBeUndefined();
  });

  test('subscription: SQS protocol, envelope kept, no filter, redrive to the subscriber\'s own DLQ', () => {
    for (const s of [shipping, fraud]) {
      template.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'sqs',
        TopicArn: ref(fanOut.topic),
        Endpoint: arnOf(s.queue),
        RawMessageDelivery: Match.absent(),
        FilterPolicy: Match.absent(),
        FilterPolicyScope: Match.absent(),
        Region: Match.absent(),
        RedrivePolicy: { deadLetterTargetArn: arnOf(s.deadLetterQueue!) },
      });
      expect(s.subscriptionDeadLetterQueue).toBe(s.deadLetterQueue);
    }
  });

  test('only this topic may send to each queue and its DLQ (aws:SourceArn), TLS only', () => {
    for (const q of [shipping.queue, shipping.deadLetterQueue!]) {
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [ref(q)],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
            Match.objectLike({
              Effect: 'Allow',
              Action: 'sqs:SendMessage',
              Principal: { Service: 'sns.amazonaws.com' },
              Resource: arnOf(q),
              Condition: { ArnEquals: { 'aws:SourceArn': ref(fanOut.topic) } },
            }),
          ]),
        },
      });
    }
  });

  test('the subscription waits for the queue policy', () => {
    const subs = template.findResources('AWS::SNS::Subscription');
    const policyId = Stack.of(stack).getLogicalId(shipping.queue.node.findChild('Policy').node.defaultChild as CfnElement);
    const queueId = Stack.of(stack).getLogicalId(shipping.queue.node.defaultChild as CfnElement);
    const sub = Object.values(subs).find(s => JSON.stringify(s.Properties.Endpoint).includes(queueId))!;
    expect(sub.DependsOn).toContain(policyId);
  });

  test('alarms: failed notifications on the topic; oldest message age and DLQ depth per subscriber, with dimensions', () => {
    template.resourceCountIs('AWS::CloudWatch::Alarm', 5);
    expect(fanOut.alarms).toHaveLength(5);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SNS',
      MetricName: 'NumberOfNotificationsFailed',
      Dimensions: [{ Name: 'TopicName', Value: { 'Fn::GetAtt': [Stack.of(stack).getLogicalId(fanOut.topic.node.defaultChild as CfnElement), 'TopicName'] } }],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateAgeOfOldestMessage',
      Threshold: 900,
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [Stack.of(stack).getLogicalId(fraud.queue.node.defaultChild as CfnElement), 'QueueName'] } }],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Threshold: 0,
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [Stack.of(stack).getLogicalId(fraud.deadLetterQueue!.node.defaultChild as CfnElement), 'QueueName'] } }],
    });
  });

  test('one dashboard with a section for the topic and one per subscriber', () => {
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    const body = JSON.stringify(Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0].Properties.DashboardBody);
    for (const heading of ['## Topic', '## Subscriber: Shipping', '## Subscriber: Fraud', 'Shipping: lag', 'Fraud: dead letters']) {
      expect(body).toContain(heading);
    }
  });
});

describe('TopicFanOut options', () => {
  test('attribute filter policy', () => {
    const stack = newStack();
    new TopicFanOut(stack, 'Orders', {
      subscribers: [{
        name: 'Fraud',
        filterPolicy: {
          tier: sns.SubscriptionFilter.stringFilter({ allowlist: ['high'] }),
          amount: sns.SubscriptionFilter.numericFilter({ greaterThanOrEqualTo: 1000 }),
        },
      }],
    });
    templateOf(stack).hasResourceProperties('AWS::SNS::Subscription', {
      FilterPolicy: { tier: ['high'], amount: [{ numeric: ['>=', 1000] }] },
      FilterPolicyScope: Match.absent(),
    });
  });

  test('body filter policy (scope MessageBody, nested keys)', () => {
    const stack = newStack();
    new TopicFanOut(stack, 'Orders', {
      subscribers: [{
        name: 'Fraud',
        filterPolicyWithMessageBody: {
          order: sns.FilterOrPolicy.policy({
            amount: sns.FilterOrPolicy.filter(sns.SubscriptionFilter.numericFilter({ greaterThanOrEqualTo: 1000 })),
          }),
        },
      }],
    });
    templateOf(stack).hasResourceProperties('AWS::SNS::Subscription', {
      FilterPolicy: { order: { amount: [{ numeric: ['>=', 1000] }] } },
      FilterPolicyScope: 'MessageBody',
    });
  });

  test('raw message delivery', () => {
    const stack = newStack();
    new TopicFanOut(stack, 'Orders', { subscribers: [{ name: 'Analytics', rawMessageDelivery: true }] });
    templateOf(stack).hasResourceProperties('AWS::SNS::Subscription', { RawMessageDelivery: true });
  });

  test('FIFO topic with content-based deduplication delivers to FIFO queues and FIFO DLQs', () => {
    const stack = newStack();
    const fanOut = new TopicFanOut(stack, 'Orders', { topicProps: { fifo: true }, subscribers: [{ name: 'Shipping' }] });
    const template = templateOf(stack);
    template.hasResourceProperties('AWS::SNS::Topic', { FifoTopic: true, ContentBasedDeduplication: true });
    const queues = Object.values(template.findResources('AWS::SQS::Queue'));
    expect(queues).toHaveLength(2);
    for (const q of queues) {
      expect(q.Properties.FifoQueue).toBe(true);
      expect(q.Properties.QueueName).toMatch(/\.fifo$/);
    }
    expect(fanOut.subscribers[0].queue.fifo).toBe(true);
    expect(fanOut.subscribers[0].subscriptionDeadLetterQueue.fifo).toBe(true);
  });

  test('queue settings pass through to SecureQueue', () => {
    const stack = newStack();
    new TopicFanOut(stack, 'Orders', { subscribers: [{ name: 'Shipping', queueProps: { maxReceiveCount: 3, retentionPeriod: Duration.days(7) } }] });
    templateOf(stack).hasResourceProperties('AWS::SQS::Queue', {
      MessageRetentionPeriod: 604800,
      RedrivePolicy: Match.objectLike({ maxReceiveCount: 3 }),
    });
  });

  test('a queue with a customer-managed key: the key policy lets SNS use it, limited to this topic', () => {
    const stack = newStack();
    const fanOut = new TopicFanOut(stack, 'Orders', { subscribers: [{ name: 'Shipping', queueProps: { encryption: QueueEncryption.KMS } }] });
    const template = templateOf(stack);
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([Match.objectLike({
          Action: ['kms:GenerateDataKey*', 'kms:Decrypt'],
          Principal: { Service: 'sns.amazonaws.com' },
          Resource: '*',
          Condition: { ArnEquals: { 'aws:SourceArn': ref(fanOut.topic) } },
        })]),
      },
    });
  });

  test('consumer: core defaults, SQS event source with partial batch responses, visibility 6 x timeout, error and throttle alarms', () => {
    const stack = newStack();
    const fanOut = new TopicFanOut(stack, 'Orders', {
      subscribers: [{ name: 'Shipping', consumer: { code, handler: 'index.handler', timeout: Duration.seconds(20), batchSize: 5, maxConcurrency: 3, environment: { MODE: 'ship' } } }],
    });
    const template = templateOf(stack);
    const shipping = fanOut.subscribers[0];
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Handler: 'index.handler',
      Architectures: ['arm64'],
      MemorySize: 256,
      Timeout: 20,
      LoggingConfig: Match.objectLike({ LogFormat: 'JSON' }),
      Environment: { Variables: { MODE: 'ship' } },
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: arnOf(shipping.queue),
      BatchSize: 5,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 3 },
    });
    template.hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 120, RedrivePolicy: Match.anyValue() });
    for (const metric of ['Errors', 'Throttles']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/Lambda',
        MetricName: metric,
        Dimensions: [{ Name: 'FunctionName', Value: ref(shipping.consumer!) }],
      });
    }
    expect(fanOut.alarms).toHaveLength(5);
  });

  test('consumer defaults: batch of 10, 5 concurrent, visibility 180 s', () => {
    const stack = newStack();
    new TopicFanOut(stack, 'Orders', { subscribers: [{ name: 'Shipping', consumer: { code, handler: 'index.handler' } }] });
    const template = templateOf(stack);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { BatchSize: 10, ScalingConfig: { MaximumConcurrency: 5 } });
    template.hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 180, RedrivePolicy: Match.anyValue() });
  });

  test('consumer: your own function', () => {
    const stack = newStack();
    const fn = new lambda.Function(stack, 'Mine', { code, handler: 'index.handler', runtime: lambda.Runtime.NODEJS_24_X, timeout: Duration.seconds(10) });
    const fanOut = new TopicFanOut(stack, 'Orders', { subscribers: [{ name: 'Shipping', consumer: { function: fn, maxBatchingWindow: Duration.seconds(2), batchSize: 100 } }] });
    const template = Template.fromStack(stack);
    expect(fanOut.subscribers[0].consumer).toBe(fn);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { FunctionName: ref(fn), BatchSize: 100, MaximumBatchingWindowInSeconds: 2 });
    template.hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 62, RedrivePolicy: Match.anyValue() });
  });

  test('an existing queue in this account: subscribed, policy left to its owner (warning), redrive to the shared DLQ', () => {
    const stack = newStack();
    const legacy = sqs.Queue.fromQueueArn(stack, 'Legacy', 'arn:aws:sqs:us-east-1:111111111111:legacy');
    const fanOut = new TopicFanOut(stack, 'Orders', { subscribers: [{ name: 'Legacy', queueProps: { existingQueue: legacy } }] });
    const template = templateOf(stack);
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Endpoint: 'arn:aws:sqs:us-east-1:111111111111:legacy',
      Region: Match.absent(),
      RedrivePolicy: { deadLetterTargetArn: arnOf(fanOut.subscribers[0].subscriptionDeadLetterQueue) },
    });
    expect(fanOut.subscribers[0].subscriptionDeadLetterQueue.node.id).toBe('SharedDeadLetterQueue');
    template.resourceCountIs('AWS::SQS::Queue', 1);
    Annotations.fromStack(stack).hasWarning('/TestStack/Orders/Legacy', Match.stringLikeRegexp('not owned by this stack.*sqs:SendMessage.*aws:SourceArn'));
  });

  test('a queue in another account and region by ARN: subscription names the region; warning says what the owner must add', () => {
    const stack = newStack();
    const remote = sqs.Queue.fromQueueArn(stack, 'Remote', 'arn:aws:sqs:eu-west-1:222222222222:billing');
    new TopicFanOut(stack, 'Orders', { subscribers: [{ name: 'Billing', queueProps: { existingQueue: remote } }] });
    templateOf(stack).hasResourceProperties('AWS::SNS::Subscription', { Endpoint: 'arn:aws:sqs:eu-west-1:222222222222:billing', Region: 'eu-west-1' });
    Annotations.fromStack(stack).hasWarning('/TestStack/Orders/Billing', Match.stringLikeRegexp('confirm the subscription'));
  });

  test('an existing queue of this stack gets the policy (no warning)', () => {
    const stack = newStack();
    const mine = new sqs.Queue(stack, 'Mine', { enforceSSL: true, encryption: sqs.QueueEncryption.SQS_MANAGED });
    new TopicFanOut(stack, 'Orders', { subscribers: [{ name: 'Mine', queueProps: { existingQueue: mine }, subscriptionDeadLetterQueue: new sqs.Queue(stack, 'SnsDlq', { enforceSSL: true }) }] });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [ref(mine)],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'sqs:SendMessage', Principal: { Service: 'sns.amazonaws.com' } })]) },
    });
    Annotations.fromStack(stack).hasNoWarning('/TestStack/Orders/Mine', Match.anyValue());
  });

  test('shareDeadLetterQueue: one DLQ for all, 4 resources per subscriber', () => {
    const stack = newStack();
    const fanOut = new TopicFanOut(stack, 'Orders', { shareDeadLetterQueue: true, subscribers: [{ name: 'A' }, { name: 'B' }] });
    const template = templateOf(stack);
    template.resourceCountIs('AWS::SQS::Queue', 3);
    const dlq = fanOut.subscribers[0].deadLetterQueue!;
    expect(fanOut.subscribers[1].deadLetterQueue).toBe(dlq);
    template.hasResourceProperties('AWS::SQS::Queue', { RedrivePolicy: { deadLetterTargetArn: arnOf(dlq), maxReceiveCount: 5 } });
    template.hasResourceProperties('AWS::SNS::Subscription', { RedrivePolicy: { deadLetterTargetArn: arnOf(dlq) } });
    // topic failures + one shared-DLQ alarm + one age alarm per subscriber
    template.resourceCountIs('AWS::CloudWatch::Alarm', 4);
    for (const s of fanOut.subscribers) {
      expect(s.node.findAll().filter(c => CfnResource.isCfnResource(c)).length).toBe(4);
    }
  });

  test('S3 source: bucket notification with prefix/suffix, topic policy and key policy for s3.amazonaws.com limited to the bucket', () => {
    const stack = newStack();
    const uploads = bucket(stack);
    const fanOut = new TopicFanOut(stack, 'Orders', { subscribers: [{ name: 'Shipping' }] });
    fanOut.addS3Source(uploads, { prefix: 'incoming/', suffix: '.json' });
    const template = templateOf(stack);
    template.hasResourceProperties('Custom::S3BucketNotifications', {
      NotificationConfiguration: {
        TopicConfigurations: [{
          Events: ['s3:ObjectCreated:*'],
          TopicArn: ref(fanOut.topic),
          Filter: { Key: { FilterRules: [{ Name: 'suffix', Value: '.json' }, { Name: 'prefix', Value: 'incoming/' }] } },
        }],
      },
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Action: 'sns:Publish',
          Principal: { Service: 's3.amazonaws.com' },
          Condition: { ArnLike: { 'aws:SourceArn': arnOf(uploads) } },
        })]),
      },
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([Match.objectLike({
          Action: ['kms:GenerateDataKey*', 'kms:Decrypt'],
          Principal: { Service: 's3.amazonaws.com' },
          Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' }, ArnLike: { 'aws:SourceArn': arnOf(uploads) } },
        })]),
      },
    });
  });

  test('S3 sources in props, several event types', () => {
    const stack = newStack();
    const uploads = bucket(stack);
    new TopicFanOut(stack, 'Orders', { s3Sources: [{ bucket: uploads, events: [s3.EventType.OBJECT_CREATED, s3.EventType.OBJECT_REMOVED] }] });
    templateOf(stack).hasResourceProperties('Custom::S3BucketNotifications', {
      NotificationConfiguration: { TopicConfigurations: [Match.objectLike({ Events: ['s3:ObjectCreated:*'] }), Match.objectLike({ Events: ['s3:ObjectRemoved:*'] })] },
    });
  });

  test('addSubscriber returns what it built and adds it to subscribers, alarms and the dashboard', () => {
    const stack = newStack();
    const fanOut = new TopicFanOut(stack, 'Orders');
    const late = fanOut.addSubscriber('Late', { filterPolicy: highTier });
    expect(fanOut.subscribers).toEqual([late]);
    expect(late.subscription).toBeInstanceOf(sns.Subscription);
    expect(fanOut.alarms).toHaveLength(3);
    const body = JSON.stringify(templateOf(stack).toJSON());
    expect(body).toContain('Subscriber: Late');
  });

  test('alarm topic on every alarm; alarmsEnabled: false creates none', () => {
    const stack = newStack();
    const alarmTopic = new sns.Topic(stack, 'Alarms', { enforceSSL: true, masterKey: new kms.Key(stack, 'AlarmKey', { enableKeyRotation: true }) });
    new TopicFanOut(stack, 'Orders', { alarmTopic, subscribers: [{ name: 'A', consumer: { code, handler: 'index.handler' } }] });
    const alarms = Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm'));
    expect(alarms).toHaveLength(5);
    for (const a of alarms) expect(a.Properties.AlarmActions).toEqual([ref(alarmTopic)]);

    const quiet = newStack();
    const fanOut = new TopicFanOut(quiet, 'Orders', { alarmsEnabled: false, subscribers: [{ name: 'A', consumer: { code, handler: 'index.handler' } }] });
    Template.fromStack(quiet).resourceCountIs('AWS::CloudWatch::Alarm', 0);
    expect(fanOut.alarms).toEqual([]);
  });

  test('an existing topic', () => {
    const stack = newStack();
    const existing = sns.Topic.fromTopicArn(stack, 'Existing', 'arn:aws:sns:us-east-1:111111111111:orders');
    const fanOut = new TopicFanOut(stack, 'Orders', { topicProps: { existingTopic: existing }, subscribers: [{ name: 'A' }] });
    const template = templateOf(stack);
    template.resourceCountIs('AWS::SNS::Topic', 0);
    template.hasResourceProperties('AWS::SNS::Subscription', { TopicArn: 'arn:aws:sns:us-east-1:111111111111:orders' });
    expect(fanOut.topic).toBe(existing);
  });
});

const fanOut = (props: TopicFanOutProps) => (stack: Stack) => { new TopicFanOut(stack, 'Orders', props); };
const one = (options: FanOutSubscriberOptions, topicProps?: TopicFanOutProps['topicProps']) => fanOut({ topicProps, subscribers: [{ name: 'Fraud', ...options }] });
const third = (options: FanOutSubscriberOptions) => fanOut({ subscribers: [{ name: 'A' }, { name: 'B' }, { name: 'Fraud', ...options }] });
const values = (n: number) => sns.SubscriptionFilter.stringFilter({ allowlist: Array.from({ length: n }, (_, i) => `v${i}`) });
const leaf = (n: number) => sns.FilterOrPolicy.filter(values(n));
const fn = (s: Stack, timeout?: Duration) => new lambda.Function(s, 'Mine', { runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code, timeout });
const P = 'TestStack/Orders';

// [name, build, code, prop, value, allowed, fix]
const cases: Array<[string, (s: Stack) => void, string, string, string, string, string]> = [
  ['FIFO topic with a standard queue', s => one({ queueProps: { existingQueue: sqs.Queue.fromQueueArn(s, 'Std', 'arn:aws:sqs:us-east-1:111111111111:std') } }, { fifo: true })(s),
    'FAN_OUT_QUEUE_TYPE', 'subscribers[0].queueProps.existingQueue', 'a standard queue on a FIFO topic', 'FIFO queues only', 'leave queueProps.fifo unset'],
  ['FIFO topic with fifo: false asked for the queue', one({ queueProps: { fifo: false } }, { fifo: true }), 'FAN_OUT_QUEUE_TYPE', 'subscribers[0].queueProps.fifo', 'a standard queue on a FIFO topic', 'FIFO queues only', 'leave queueProps.fifo unset'],
  ['standard topic with a FIFO queue', one({ queueProps: { fifo: true } }), 'FAN_OUT_QUEUE_TYPE', 'subscribers[0].queueProps.fifo', 'a FIFO queue on a standard topic', 'standard queues only', 'use a FIFO topic (topicProps.fifo: true)'],
  ['subscription DLQ of the wrong type', s => one({ subscriptionDeadLetterQueue: new sqs.Queue(s, 'D', { fifo: true }) })(s), 'FAN_OUT_SUBSCRIPTION_DLQ_TYPE', 'subscribers[0].subscriptionDeadLetterQueue', 'a FIFO queue on a standard topic', 'a dead-letter queue of the same type as the topic', 'pass a queue of the topic\'s type'],
  ['more than 5 attribute keys', one({ filterPolicy: { a: values(1), b: values(1), c: values(1), d: values(1), e: values(1), f: values(1) } }),
    'FAN_OUT_FILTER_POLICY_KEYS', 'subscribers[0].filterPolicy', '6 keys (a, b, c, d, e, f)', 'at most 5 keys per filter policy', 'filter on fewer keys'],
  ['more than 150 attribute value combinations', one({ filterPolicy: { a: values(10), b: values(4), c: values(4) } }),
    'FAN_OUT_FILTER_POLICY_COMBINATIONS', 'subscribers[0].filterPolicy', '160 value combinations (a: 10 x b: 4 x c: 4)', 'at most 150 combinations, the product of the number of values of every key', 'use fewer values per key'],
  ['more than 5 body keys, nested ones counted', one({ filterPolicyWithMessageBody: { order: sns.FilterOrPolicy.policy({ a: leaf(1), b: leaf(1), c: leaf(1) }), customer: sns.FilterOrPolicy.policy({ d: leaf(1), e: leaf(1), f: leaf(1) }) } }),
    'FAN_OUT_FILTER_POLICY_KEYS', 'subscribers[0].filterPolicyWithMessageBody', '6 keys (order.a, order.b, order.c, customer.d, customer.e, customer.f)', 'nested keys of a body policy count one each', 'split the subscriber'],
  ['more than 150 body value combinations', one({ filterPolicyWithMessageBody: { order: sns.FilterOrPolicy.policy({ a: leaf(20), b: leaf(8) }) } }),
    'FAN_OUT_FILTER_POLICY_COMBINATIONS', 'subscribers[0].filterPolicyWithMessageBody', '160 value combinations (order.a: 20 x order.b: 8)', 'at most 150 combinations', 'use fewer values per key'],
  ['a key without conditions', one({ filterPolicy: { tier: sns.SubscriptionFilter.stringFilter({}) } }), 'FAN_OUT_FILTER_POLICY_SHAPE', 'subscribers[0].filterPolicy', '"tier" has no condition', 'one or more keys, each with at least one condition', 'remove the empty keys'],
  ['an empty body policy', one({ filterPolicyWithMessageBody: { order: sns.FilterOrPolicy.policy({}) } }), 'FAN_OUT_FILTER_POLICY_SHAPE', 'subscribers[0].filterPolicyWithMessageBody', '"order" is an empty nested policy', 'nested policies not empty', 'remove the empty keys'],
  ['an empty attribute policy', one({ filterPolicy: {} }), 'FAN_OUT_FILTER_POLICY_SHAPE', 'subscribers[0].filterPolicy', 'the policy has no keys', 'one or more keys', 'remove the empty keys'],
  ['a filter policy over 256 KB', one({ filterPolicy: { tier: sns.SubscriptionFilter.stringFilter({ allowlist: ['x'.repeat(270_000)] }) } }),
    'FAN_OUT_FILTER_POLICY_SIZE', 'subscribers[0].filterPolicy', '270,', 'at most 262,144 bytes (256 KB, SNS limit)', 'match with prefixes or ranges'],
  ['a numeric filter above 1e9', one({ filterPolicy: { amount: sns.SubscriptionFilter.numericFilter({ greaterThan: 5e9 }) } }),
    'FAN_OUT_FILTER_POLICY_NUMBER', 'subscribers[0].filterPolicy.amount', '5000000000', 'a finite number from -1,000,000,000 to 1,000,000,000', 'compare with a value inside that range'],
  ['a numeric filter below -1e9', one({ filterPolicy: { amount: sns.SubscriptionFilter.numericFilter({ lessThan: -2e9 }) } }),
    'FAN_OUT_FILTER_POLICY_NUMBER', 'subscribers[0].filterPolicy.amount', '-2000000000', 'from -1,000,000,000 to 1,000,000,000', 'compare with a value inside that range'],
  ['a numeric body filter of Infinity', one({ filterPolicyWithMessageBody: { order: sns.FilterOrPolicy.policy({ amount: sns.FilterOrPolicy.filter(sns.SubscriptionFilter.numericFilter({ greaterThanOrEqualTo: Infinity })) }) } }),
    'FAN_OUT_FILTER_POLICY_NUMBER', 'subscribers[0].filterPolicyWithMessageBody.order.amount', 'Infinity', 'a finite number', 'compare with a value inside that range'],
  ['attribute and body filters together', one({ filterPolicy: highTier, filterPolicyWithMessageBody: { tier: sns.FilterOrPolicy.filter(values(1)) } }),
    'FAN_OUT_FILTER_POLICY_SCOPE', 'subscribers[0].filterPolicyWithMessageBody', '{"tier"', 'no value together with subscribers[0].filterPolicy', 'keep one of filterPolicy'],
  ['two subscribers with the same name', fanOut({ subscribers: [{ name: 'Shipping' }, { name: 'Shipping' }] }), 'FAN_OUT_SUBSCRIBER_NAME', 'subscribers[1].name', '"Shipping"', 'taken: "Shipping"', 'give each subscriber its own name'],
  ['a subscriber with an empty name', fanOut({ subscribers: [{ name: '' }] }), 'FAN_OUT_SUBSCRIBER_NAME', 'subscribers[0].name', '""', 'a non-empty name', 'give each subscriber its own name'],
  ['a subscriber named like a part of the pattern', fanOut({ subscribers: [{ name: 'Dashboard' }] }), 'FAN_OUT_SUBSCRIBER_NAME', 'subscribers[0].name', '"Dashboard"', 'reserved: "Topic", "Dashboard"', 'give each subscriber its own name'],
  ['a subscriber name with a slash', fanOut({ subscribers: [{ name: 'a/b' }] }), 'FAN_OUT_SUBSCRIBER_NAME', 'subscribers[0].name', '"a/b"', 'without "/"', 'give each subscriber its own name'],
  ['addSubscriber with a name already taken', s => { new TopicFanOut(s, 'Orders', { subscribers: [{ name: 'Shipping' }] }).addSubscriber('Shipping'); },
    'FAN_OUT_SUBSCRIBER_NAME', 'addSubscriber("Shipping").name', '"Shipping"', 'taken: "Shipping"', 'give each subscriber its own name'],
  ['addSubscriber with a bad consumer setting', s => { new TopicFanOut(s, 'Orders').addSubscriber('X', { consumer: { code, handler: 'index.handler', memorySize: 100 } }); },
    'CONSUMER_MEMORY_SIZE', 'addSubscriber("X").consumer.memorySize', '100 MB', 'from 128 to 10,240 MB', 'set addSubscriber("X").consumer.memorySize'],
  ['more filter policies than the topic allows', fanOut({ maxFilterPolicies: 2, subscribers: [{ name: 'A', filterPolicy: highTier }, { name: 'B', filterPolicy: highTier }, { name: 'C', filterPolicy: highTier }] }),
    'FAN_OUT_FILTER_POLICIES_PER_TOPIC', 'subscribers[2].filterPolicy', 'filter policy number 3 on this topic (subscriber "C"; 3 in all)', 'at most 2 filter policies per topic', 'raise the SNS quota'],
  ['maxFilterPolicies 0', fanOut({ maxFilterPolicies: 0 }), 'FAN_OUT_MAX_FILTER_POLICIES', 'maxFilterPolicies', '0', 'a whole number from 1 to 10,000', 'set maxFilterPolicies'],
  ['maxFilterPolicies NaN', fanOut({ maxFilterPolicies: NaN }), 'FAN_OUT_MAX_FILTER_POLICIES', 'maxFilterPolicies', 'NaN', 'a whole number from 1 to 10,000', 'set maxFilterPolicies'],
  ['consumer without handler', third({ consumer: { code } }), 'CONSUMER_CODE', 'subscribers[2].consumer', 'code given, handler missing', 'code and handler together', 'give subscribers[2].consumer.code'],
  ['consumer with code and function', s => third({ consumer: { code, function: fn(s) } })(s), 'CONSUMER_CODE_WITH_FUNCTION', 'subscribers[2].consumer.code', '{"code"', 'no value together with subscribers[2].consumer.function', 'give either code + handler'],
  ['consumer memory with your function', s => third({ consumer: { function: fn(s), memorySize: 512 } })(s), 'CONSUMER_SETTING_WITH_FUNCTION', 'subscribers[2].consumer.memorySize', '512', 'no value when subscribers[2].consumer.function is given', 'set memorySize on your function'],
  ['consumer memory below 128 MB (nested as written)', third({ consumer: { code, handler: 'index.handler', memorySize: 64 } }), 'CONSUMER_MEMORY_SIZE', 'subscribers[2].consumer.memorySize', '64 MB', 'from 128 to 10,240 MB', 'set subscribers[2].consumer.memorySize'],
  ['consumer memory above 10,240 MB', third({ consumer: { code, handler: 'index.handler', memorySize: 20_000 } }), 'CONSUMER_MEMORY_SIZE', 'subscribers[2].consumer.memorySize', '20000 MB', 'from 128 to 10,240 MB', 'set subscribers[2].consumer.memorySize'],
  ['consumer memory NaN', third({ consumer: { code, handler: 'index.handler', memorySize: NaN } }), 'CONSUMER_MEMORY_SIZE', 'subscribers[2].consumer.memorySize', 'NaN MB', 'from 128 to 10,240 MB', 'set subscribers[2].consumer.memorySize'],
  ['consumer timeout above 15 minutes', third({ consumer: { code, handler: 'index.handler', timeout: Duration.minutes(20) } }), 'CONSUMER_TIMEOUT', 'subscribers[2].consumer.timeout', '20 minutes', '1 second to 15 minutes', 'set subscribers[2].consumer.timeout'],
  ['consumer timeout NaN', third({ consumer: { code, handler: 'index.handler', timeout: Duration.seconds(NaN) } }), 'CONSUMER_TIMEOUT', 'subscribers[2].consumer.timeout', 'Duration.seconds(NaN)', '1 second to 15 minutes', 'set subscribers[2].consumer.timeout'],
  ['consumer batch above 10 without a batching window', one({ consumer: { code, handler: 'index.handler', batchSize: 50 } }), 'CONSUMER_BATCH_SIZE', 'subscribers[0].consumer.batchSize', '50', 'a whole number from 1 to 10', 'or set subscribers[0].consumer.maxBatchingWindow'],
  ['consumer batch 0', one({ consumer: { code, handler: 'index.handler', batchSize: 0 } }), 'CONSUMER_BATCH_SIZE', 'subscribers[0].consumer.batchSize', '0', 'a whole number from 1 to 10', 'set subscribers[0].consumer.batchSize'],
  ['consumer batch above 10 on FIFO, even with a window', one({ consumer: { code, handler: 'index.handler', batchSize: 11 } }, { fifo: true }), 'CONSUMER_BATCH_SIZE', 'subscribers[0].consumer.batchSize', '11', 'from 1 to 10', '(FIFO queues)'],
  ['consumer batching window on a FIFO queue', one({ consumer: { code, handler: 'index.handler', maxBatchingWindow: Duration.seconds(5) } }, { fifo: true }),
    'CONSUMER_BATCHING_WINDOW_FIFO', 'subscribers[0].consumer.maxBatchingWindow', '5 seconds', 'no value on a FIFO queue', 'remove subscribers[0].consumer.maxBatchingWindow'],
  ['consumer batching window above 5 minutes', one({ consumer: { code, handler: 'index.handler', maxBatchingWindow: Duration.minutes(10) } }), 'CONSUMER_BATCHING_WINDOW', 'subscribers[0].consumer.maxBatchingWindow', '10 minutes', '0 seconds to 5 minutes', 'set subscribers[0].consumer.maxBatchingWindow'],
  ['consumer concurrency below 2', one({ consumer: { code, handler: 'index.handler', maxConcurrency: 1 } }), 'CONSUMER_MAX_CONCURRENCY', 'subscribers[0].consumer.maxConcurrency', '1', 'from 2 to 1,000', 'set subscribers[0].consumer.maxConcurrency'],
  ['consumer concurrency Infinity', one({ consumer: { code, handler: 'index.handler', maxConcurrency: Infinity } }), 'CONSUMER_MAX_CONCURRENCY', 'subscribers[0].consumer.maxConcurrency', 'Infinity', 'from 2 to 1,000', 'set subscribers[0].consumer.maxConcurrency'],
  ['hand-set visibility below 6 x consumer timeout', one({ consumer: { code, handler: 'index.handler', timeout: Duration.seconds(60) }, queueProps: { visibilityTimeout: Duration.minutes(5) } }),
    'CONSUMER_VISIBILITY_TIMEOUT', 'subscribers[0].queueProps.visibilityTimeout', '5 minutes (300 s)', 'at least 6 minutes (360 s): 6 x subscribers[0].consumer.timeout (1 minute (60 s))', 'raise subscribers[0].queueProps.visibilityTimeout to 6 minutes (360 s)'],
  ['hand-set visibility below 6 x your function\'s timeout + window', s => one({ consumer: { function: fn(s, Duration.seconds(30)), maxBatchingWindow: Duration.seconds(20) }, queueProps: { visibilityTimeout: Duration.seconds(100) } })(s),
    'CONSUMER_VISIBILITY_TIMEOUT', 'subscribers[0].queueProps.visibilityTimeout', '1 minute 40 seconds (100 s)', 'at least 3 minutes 20 seconds (200 s)', 'raise subscribers[0].queueProps.visibilityTimeout'],
  ['hand-set visibility below the default consumer timeout rule', one({ consumer: { code, handler: 'index.handler' }, queueProps: { visibilityTimeout: Duration.seconds(30) } }),
    'CONSUMER_VISIBILITY_TIMEOUT', 'subscribers[0].queueProps.visibilityTimeout', '30 seconds', 'at least 3 minutes (180 s)', 'or leave it unset to derive it'],
  ['subscriber queue retention out of range (nested)', one({ queueProps: { retentionPeriod: Duration.seconds(30) } }), 'SECURE_QUEUE_RETENTION', 'subscribers[0].queueProps.retentionPeriod', '30 seconds', '1 minute (60 s) to 14 days', 'set subscribers[0].queueProps.retentionPeriod'],
  ['subscriber queue name too long (nested)', one({ queueProps: { queueName: 'q'.repeat(81) } }), 'SECURE_QUEUE_NAME', 'subscribers[0].queueProps.queueName', '81 characters', 'SQS queue name of 1 to 80 characters', 'rename it'],
  ['subscriber queue settings with an existing queue', s => one({ queueProps: { existingQueue: sqs.Queue.fromQueueArn(s, 'Q', 'arn:aws:sqs:us-east-1:111111111111:q'), maxReceiveCount: 3 } })(s),
    'SECURE_QUEUE_SETTING_WITH_EXISTING', 'subscribers[0].queueProps.maxReceiveCount', '3', 'no value when subscribers[0].queueProps.existingQueue is given', 'remove subscribers[0].queueProps.maxReceiveCount'],
  ['topic name with a space (nested)', fanOut({ topicProps: { topicName: 'my orders' } }), 'SECURE_TOPIC_NAME', 'topicProps.topicName', '"my orders" (characters outside the allowed set)', 'SNS topic name of 1 to 256 characters', 'rename it'],
  ['topic name over 256 characters', fanOut({ topicProps: { topicName: 't'.repeat(257) } }), 'SECURE_TOPIC_NAME', 'topicProps.topicName', '257 characters', 'SNS topic name of 1 to 256 characters', 'rename it'],
  ['FIFO topic name without .fifo', fanOut({ topicProps: { topicName: 'orders', fifo: true } }), 'SECURE_TOPIC_NAME_FIFO', 'topicProps.topicName', '"orders" with fifo: true', 'a name ending in ".fifo" for a FIFO topic', 'name the topic "orders.fifo"'],
  ['dashboard name over 255 characters', fanOut({ dashboardName: 'd'.repeat(256) }), 'FAN_OUT_DASHBOARD_NAME', 'dashboardName', '256 characters', 'CloudWatch dashboard name of 1 to 255 characters', 'rename it'],
  ['dashboard name with a shared dashboard', s => fanOut({ dashboard: new PatternDashboard(s, 'Shared'), dashboardName: 'x' })(s), 'DASHBOARD_NAME_WITH_SHARED', 'dashboardName', 'x', 'no value together with dashboard', 'name the shared PatternDashboard'],
  ['alarm topic encrypted with an imported key', s => fanOut({ alarmTopic: new sns.Topic(s, 'Alarms', { masterKey: kms.Key.fromKeyArn(s, 'K', 'arn:aws:kms:us-east-1:111111111111:key/abc') }) })(s),
    'ALARM_TOPIC_KEY', 'alarmTopic', 'that this app cannot grant to CloudWatch', 'an unencrypted topic, or one whose KMS key this app defines', 'pass a SecureTopic'],
  ['alarm topic encrypted with the AWS-managed key', s => fanOut({ alarmTopic: new sns.Topic(s, 'Alarms', { masterKey: kms.Alias.fromAliasName(s, 'A', 'alias/aws/sns') }) })(s),
    'ALARM_TOPIC_KEY', 'alarmTopic', 'alias/aws/sns', 'one whose KMS key this app defines', 'pass a SecureTopic'],
  ['S3 events into a FIFO topic', s => new TopicFanOut(s, 'Orders', { topicProps: { fifo: true } }).addS3Source(new s3.Bucket(s, 'B')),
    'FAN_OUT_S3_FIFO', 'addS3Source', 'bucket TestStack/B on a FIFO topic', 'S3 event notifications cannot be published to FIFO topics', 'use a standard topic for S3 events'],
  ['S3 source in the props on a FIFO topic', s => fanOut({ topicProps: { fifo: true }, s3Sources: [{ bucket: new s3.Bucket(s, 'B') }] })(s),
    'FAN_OUT_S3_FIFO', 's3Sources[0]', 'bucket TestStack/B on a FIFO topic', 'a standard topic', 'use a standard topic for S3 events'],
  ['S3 source without events', s => fanOut({ s3Sources: [{ bucket: new s3.Bucket(s, 'B'), events: [] }] })(s),
    'FAN_OUT_S3_EVENTS', 's3Sources[0].events', 'an empty list', 'at least one element', 'name the events'],
];

describe('TopicFanOut bad input', () => {
  test.each(cases)('%s', (_name, build, code_, prop, value, allowed, fix) => {
    expectBadInput({ build, path: P, code: code_, prop, value, allowed, fix });
  });

  test('every violation of the pattern in one error, nested as written', () => {
    const message = expectBadInput({
      build: fanOut({ maxFilterPolicies: 0, subscribers: [{ name: 'A', consumer: { code, handler: 'index.handler', memorySize: 1, batchSize: 0 } }] }),
      path: P,
      code: 'CONSUMER_MEMORY_SIZE',
      prop: 'subscribers[0].consumer.memorySize',
      value: '1 MB',
      allowed: 'from 128',
      fix: 'set subscribers[0].consumer.memorySize',
    });
    expect(message).toContain('3 invalid settings');
  });

  test('more than 200 filter policies on one topic (the default quota)', () => {
    let added = 0;
    expectBadInput({
      build: (stack) => {
        const topic = new TopicFanOut(stack, 'Orders', { shareDeadLetterQueue: true, alarmsEnabled: false });
        const queue = sqs.Queue.fromQueueArn(stack, 'Q', 'arn:aws:sqs:us-east-1:111111111111:q');
        for (let i = 0; i <= 200; i++, added++) topic.addSubscriber(`S${i}`, { queueProps: { existingQueue: queue }, filterPolicy: highTier });
      },
      path: 'TestStack/Orders',
      code: 'FAN_OUT_FILTER_POLICIES_PER_TOPIC',
      prop: 'addSubscriber("S200").filterPolicy',
      value: 'filter policy number 201 on this topic (subscriber "S200"; 201 in all)',
      allowed: 'at most 200 filter policies per topic (SNS quota; the default is 200)',
      fix: 'merge subscribers that filter alike, split the subscribers across topics, or raise the SNS quota "filter policies per topic" and set maxFilterPolicies',
    });
    expect(added).toBe(200); // the first 200 were accepted
  });

  test('a stack over 500 resources: says how many subscribers fit and how to split', () => {
    expectBadInput({
      build: () => {
        const app = new App();
        const stack = new Stack(app, 'Big', { env: { account: '111111111111', region: 'us-east-1' } });
        const big = new TopicFanOut(stack, 'Orders');
        for (let i = 0; i < 75; i++) big.addSubscriber(`S${i}`);
        app.synth();
      },
      path: 'Big/Orders',
      code: 'FAN_OUT_STACK_RESOURCES',
      prop: 'subscribers',
      value: '75 subscribers (about 7.0 resources each), making 530 resources in stack Big',
      allowed: 'at most 500 resources per CloudFormation stack: 70 such subscribers fit beside the stack\'s other 5 resources',
      fix: 'keep 70 subscribers in this stack and move the rest to another stack',
    });
  });

  test('70 subscribers fit', () => {
    const app = new App();
    const stack = new Stack(app, 'Fits', { env: { account: '111111111111', region: 'us-east-1' } });
    const fits = new TopicFanOut(stack, 'Orders');
    for (let i = 0; i < 70; i++) fits.addSubscriber(`S${i}`);
    expect(() => app.synth()).not.toThrow();
  });
});

describe('TopicFanOut numeric props accept CfnParameter tokens', () => {
  const withConsumer = (c: Partial<FanOutSubscriberOptions['consumer']>) => ({ subscribers: [{ name: 'A', consumer: { code, handler: 'index.handler', ...c } }] });
  const tokenCases: Array<[string, (n: number) => TopicFanOutProps]> = [
    ['maxFilterPolicies', n => ({ maxFilterPolicies: n, subscribers: [{ name: 'A', filterPolicy: highTier }] })],
    ['subscribers[].consumer.batchSize', n => withConsumer({ batchSize: n })],
    ['subscribers[].consumer.maxConcurrency', n => withConsumer({ maxConcurrency: n })],
    ['subscribers[].consumer.memorySize', n => withConsumer({ memorySize: n })],
    ['subscribers[].consumer.timeout (seconds), visibility derived from it', n => withConsumer({ timeout: Duration.seconds(n) })],
    ['subscribers[].consumer.timeout with a hand-set visibility', n => ({ subscribers: [{ name: 'A', queueProps: { visibilityTimeout: Duration.minutes(5) }, consumer: { code, handler: 'index.handler', timeout: Duration.seconds(n) } }] })],
    ['subscribers[].consumer.maxBatchingWindow (seconds)', n => withConsumer({ maxBatchingWindow: Duration.seconds(n) })],
    ['subscribers[].queueProps.maxReceiveCount', n => ({ subscribers: [{ name: 'A', queueProps: { maxReceiveCount: n } }] })],
    ['subscribers[].queueProps.maxMessageSizeBytes', n => ({ subscribers: [{ name: 'A', queueProps: { maxMessageSizeBytes: n } }] })],
    ['subscribers[].queueProps.visibilityTimeout (seconds) with a consumer', n => ({ subscribers: [{ name: 'A', queueProps: { visibilityTimeout: Duration.seconds(n) }, consumer: { code, handler: 'index.handler' } }] })],
    ['subscribers[].queueProps.retentionPeriod (seconds)', n => ({ subscribers: [{ name: 'A', queueProps: { retentionPeriod: Duration.seconds(n) } }] })],
    ['subscribers[].queueProps.maxMessageAge (seconds)', n => ({ subscribers: [{ name: 'A', queueProps: { maxMessageAge: Duration.seconds(n) } }] })],
    ['subscribers[].filterPolicy numeric value', n => ({ subscribers: [{ name: 'A', filterPolicy: { amount: sns.SubscriptionFilter.numericFilter({ greaterThan: n }) } }] })],
    ['topicProps.deliveryStatusLogging.successSampleRate', n => ({ topicProps: { deliveryStatusLogging: { protocols: [sns.LoggingProtocol.SQS], successSampleRate: n } } })],
  ];
  test.each(tokenCases)('%s', (_name, props) => {
    expectNumberTokenAccepted((s, n) => { new TopicFanOut(s, 'Orders', props(n)); });
  });
});

describe('TopicFanOut dashboards and grants', () => {
  test('dashboardEnabled: false makes no dashboard; a shared PatternDashboard is filled by two patterns', () => {
    const stack = newStack();
    const off = new TopicFanOut(stack, 'Off', { dashboardEnabled: false, subscribers: [{ name: 'A' }] });
    expect(off.dashboard).toBeUndefined();
    const shared = new PatternDashboard(stack, 'Shared', { dashboardName: 'orders' });
    const a = new TopicFanOut(stack, 'OrdersA', { dashboard: shared, subscribers: [{ name: 'A' }] });
    const b = new TopicFanOut(stack, 'OrdersB', { dashboard: shared, subscribers: [{ name: 'B' }] });
    expect(a.dashboard).toBe(shared);
    expect(b.dashboard).toBe(shared);
    const template = templateOf(stack);
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    const body = JSON.stringify(Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0]);
    expect(body).toContain('OrdersA: Subscriber: A');
    expect(body).toContain('OrdersB: Subscriber: B');
  });

  test('grantPublish lets a producer publish (and use the topic key)', () => {
    const stack = newStack();
    const orders = new TopicFanOut(stack, 'Orders');
    const producer = new lambda.Function(stack, 'Producer', { runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code });
    orders.grantPublish(producer);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'sns:Publish' })]) },
    });
  });
});
