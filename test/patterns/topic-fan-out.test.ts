import { App, CfnElement, CfnResource, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { IConstruct } from 'constructs';
import { FanOutSubscriberOptions, QueueEncryption, TopicFanOut, TopicFanOutProps } from '../../src';
import { errorMessageOf, expectFragmentsInOrder, newStack, templateOf } from '../support';

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

  test('sharedDeadLetterQueue: one DLQ for all, 4 resources per subscriber', () => {
    const stack = newStack();
    const fanOut = new TopicFanOut(stack, 'Orders', { sharedDeadLetterQueue: true, subscribers: [{ name: 'A' }, { name: 'B' }] });
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

/** Bad input: each a synth-time error naming path, prop, value, what is allowed, and the fix. */
interface BadInputCase {
  readonly name: string;
  readonly build: (stack: Stack) => void;
  readonly message: readonly string[];
}

const fanOut = (props: TopicFanOutProps) => (stack: Stack) => { new TopicFanOut(stack, 'Orders', props); };
const one = (options: FanOutSubscriberOptions, topicProps?: TopicFanOutProps['topicProps']) => fanOut({ topicProps, subscribers: [{ name: 'Fraud', ...options }] });
const values = (n: number) => sns.SubscriptionFilter.stringFilter({ allowlist: Array.from({ length: n }, (_, i) => `v${i}`) });
const leaf = (n: number) => sns.FilterOrPolicy.filter(values(n));

const cases: BadInputCase[] = [
  {
    name: 'FIFO topic with a standard queue',
    build: (stack) => one({ queueProps: { existingQueue: sqs.Queue.fromQueueArn(stack, 'Std', 'arn:aws:sqs:us-east-1:111111111111:std') } }, { fifo: true })(stack),
    message: ['[TestStack/Orders/Fraud]', 'invalid queueProps: a standard queue on a FIFO topic', 'Allowed: FIFO queues only', 'Fix: leave queueProps.fifo unset'],
  },
  {
    name: 'FIFO topic with fifo: false asked for the queue',
    build: one({ queueProps: { fifo: false } }, { fifo: true }),
    message: ['[TestStack/Orders/Fraud]', 'invalid queueProps: a standard queue on a FIFO topic'],
  },
  {
    name: 'standard topic with a FIFO queue',
    build: one({ queueProps: { fifo: true } }),
    message: ['[TestStack/Orders/Fraud]', 'invalid queueProps: a FIFO queue on a standard topic', 'Allowed: standard queues only', 'Fix: use a FIFO topic (topicProps.fifo: true)'],
  },
  {
    name: 'more than 5 attribute keys',
    build: one({ filterPolicy: { a: values(1), b: values(1), c: values(1), d: values(1), e: values(1), f: values(1) } }),
    message: ['[TestStack/Orders/Fraud]', 'invalid filterPolicy: 6 keys (a, b, c, d, e, f)', 'Allowed: at most 5 keys per filter policy', 'Fix: filter on fewer keys'],
  },
  {
    name: 'more than 150 attribute value combinations',
    build: one({ filterPolicy: { a: values(10), b: values(4), c: values(4) } }),
    message: ['invalid filterPolicy: 160 value combinations (a: 10 x b: 4 x c: 4)', 'Allowed: at most 150 combinations, the product of the number of values of every key', 'Fix: use fewer values per key'],
  },
  {
    name: 'more than 5 body keys, nested ones counted',
    build: one({
      filterPolicyWithMessageBody: {
        order: sns.FilterOrPolicy.policy({ a: leaf(1), b: leaf(1), c: leaf(1) }),
        customer: sns.FilterOrPolicy.policy({ d: leaf(1), e: leaf(1), f: leaf(1) }),
      },
    }),
    message: ['invalid filterPolicyWithMessageBody: 6 keys (order.a, order.b, order.c, customer.d, customer.e, customer.f)', 'nested keys of a body policy count one each'],
  },
  {
    name: 'more than 150 body value combinations',
    build: one({ filterPolicyWithMessageBody: { order: sns.FilterOrPolicy.policy({ a: leaf(20), b: leaf(8) }) } }),
    message: ['invalid filterPolicyWithMessageBody: 160 value combinations (order.a: 20 x order.b: 8)'],
  },
  {
    name: 'a key without conditions',
    build: one({ filterPolicy: { tier: sns.SubscriptionFilter.stringFilter({}) } }),
    message: ['invalid filterPolicy: "tier" has no condition', 'Allowed: one or more keys, each with at least one condition', 'Fix: remove the empty keys'],
  },
  {
    name: 'an empty body policy',
    build: one({ filterPolicyWithMessageBody: { order: sns.FilterOrPolicy.policy({}) } }),
    message: ['invalid filterPolicyWithMessageBody: "order" is an empty nested policy'],
  },
  {
    name: 'an empty attribute policy',
    build: one({ filterPolicy: {} }),
    message: ['invalid filterPolicy: the policy has no keys'],
  },
  {
    name: 'attribute and body filters together',
    build: one({ filterPolicy: highTier, filterPolicyWithMessageBody: { tier: sns.FilterOrPolicy.filter(values(1)) } }),
    message: ['invalid filterPolicyWithMessageBody', 'Allowed: no value together with filterPolicy', 'Fix: keep one of filterPolicy'],
  },
  {
    name: 'two subscribers with the same name',
    build: fanOut({ subscribers: [{ name: 'Shipping' }, { name: 'Shipping' }] }),
    message: ['[TestStack/Orders]', 'invalid subscribers[1].name: "Shipping"', 'taken: "Shipping"', 'Fix: give each subscriber its own name'],
  },
  {
    name: 'addSubscriber with a name already taken',
    build: (stack) => { new TopicFanOut(stack, 'Orders', { subscribers: [{ name: 'Shipping' }] }).addSubscriber('Shipping'); },
    message: ['[TestStack/Orders]', 'invalid addSubscriber.name: "Shipping"'],
  },
  {
    name: 'more filter policies than the topic allows',
    build: fanOut({ maxFilterPolicies: 2, subscribers: [{ name: 'A', filterPolicy: highTier }, { name: 'B', filterPolicy: highTier }, { name: 'C', filterPolicy: highTier }] }),
    message: ['[TestStack/Orders]', 'invalid subscribers[2].filterPolicy: filter policy number 3 on this topic (subscriber "C")', 'Allowed: at most 2 filter policies per topic', 'raise the SNS quota'],
  },
  {
    name: 'consumer without handler',
    build: one({ consumer: { code } }),
    message: ['invalid consumer: code given, handler missing', 'Allowed: code and handler together'],
  },
  {
    name: 'consumer batch above 10 without a batching window',
    build: one({ consumer: { code, handler: 'index.handler', batchSize: 50 } }),
    message: ['invalid consumer.batchSize: 50', 'Allowed: a whole number from 1 to 10', 'or set consumer.maxBatchingWindow'],
  },
  {
    name: 'consumer batching window on a FIFO queue',
    build: one({ consumer: { code, handler: 'index.handler', maxBatchingWindow: Duration.seconds(5) } }, { fifo: true }),
    message: ['invalid consumer.maxBatchingWindow: 5 seconds', 'on a FIFO queue', 'Fix: remove consumer.maxBatchingWindow'],
  },
  {
    name: 'consumer concurrency below 2',
    build: one({ consumer: { code, handler: 'index.handler', maxConcurrency: 1 } }),
    message: ['invalid consumer.maxConcurrency: 1', 'from 2 to 1,000'],
  },
  {
    name: 'S3 events into a FIFO topic',
    build: (stack) => new TopicFanOut(stack, 'Orders', { topicProps: { fifo: true } }).addS3Source(new s3.Bucket(stack, 'B')),
    message: ['[TestStack/Orders]', 'invalid s3Sources: bucket TestStack/B on a FIFO topic', 'S3 event notifications cannot be published to FIFO topics'],
  },
];

describe('TopicFanOut bad input', () => {
  test.each(cases.map(c => [c.name, c] as const))('%s', (_name, c) => {
    const message = errorMessageOf(() => c.build(newStack()));
    expect(message).toMatch(/^\[TestStack[^\]]*\] invalid .+: .+\. Allowed: .+\. Fix: .+/s);
    expectFragmentsInOrder(message, c.message);
  });

  test('more than 200 filter policies on one topic (the default quota)', () => {
    const stack = newStack();
    const topic = new TopicFanOut(stack, 'Orders', { sharedDeadLetterQueue: true, alarmsEnabled: false });
    const queue = sqs.Queue.fromQueueArn(stack, 'Q', 'arn:aws:sqs:us-east-1:111111111111:q');
    for (let i = 0; i < 200; i++) topic.addSubscriber(`S${i}`, { queueProps: { existingQueue: queue }, filterPolicy: highTier });
    expect(() => topic.addSubscriber('S200', { queueProps: { existingQueue: queue }, filterPolicy: highTier }))
      .toThrow(/\[TestStack\/Orders\] invalid addSubscriber\.filterPolicy: filter policy number 201 on this topic \(subscriber "S200"\)\. Allowed: at most 200 filter policies per topic/);
  });

  test('a stack over 500 resources: says how many subscribers fit and how to split', () => {
    const app = new App();
    const stack = new Stack(app, 'Big', { env: { account: '111111111111', region: 'us-east-1' } });
    const big = new TopicFanOut(stack, 'Orders');
    for (let i = 0; i < 75; i++) big.addSubscriber(`S${i}`);
    expect(() => app.synth()).toThrow(/\[Big\/Orders\] invalid subscribers: 75 subscribers \(about 7\.0 resources each\), making 530 resources in stack Big\. Allowed: at most 500 resources per CloudFormation stack: 70 such subscribers fit beside the stack's other 5 resources\. Fix: keep 70 subscribers in this stack and move the rest to another stack .*sharedDeadLetterQueue: true/s);
  });

  test('70 subscribers fit', () => {
    const app = new App();
    const stack = new Stack(app, 'Fits', { env: { account: '111111111111', region: 'us-east-1' } });
    const fits = new TopicFanOut(stack, 'Orders');
    for (let i = 0; i < 70; i++) fits.addSubscriber(`S${i}`);
    expect(() => app.synth()).not.toThrow();
  });
});
