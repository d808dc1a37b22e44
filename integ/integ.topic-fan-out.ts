/**
 * Integ test: TopicFanOut, one topic -> two subscriber queues, one of them filtered.
 *
 * publish an order with tier=high -> it arrives in BOTH queues (in its SNS envelope: the
 * default); the subscriptions carry their redrive policy and (Fraud only) the filter policy.
 *
 * Offline (`npx projen integ`) the committed snapshot is compared with a fresh synth. Against a
 * real account the stack deploys, the assertions run, and everything is destroyed.
 *
 * Not asserted here: that a tier=low message does NOT reach Fraud (proving an absence means
 * waiting out a window on every run); the filter's matching is covered by the unit tests and the
 * local-AWS e2e suite, which counts what arrived where.
 */
import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import { TopicFanOut } from '../src';

const app = new App();
const stack = new Stack(app, 'IntegTopicFanOut');

const fanOut = new TopicFanOut(stack, 'Orders', {
  subscribers: [
    { name: 'Shipping' },
    { name: 'Fraud', filterPolicy: { tier: sns.SubscriptionFilter.stringFilter({ allowlist: ['high'] }) } },
  ],
});
const [shipping, fraud] = fanOut.subscribers;

const integ = new IntegTest(app, 'TopicFanOutTest', { testCases: [stack] });
const wait = { totalTimeout: Duration.minutes(3), interval: Duration.seconds(10) };

// The subscriptions as deployed: the filter on Fraud only, a redrive policy on both.
integ.assertions.awsApiCall('SNS', 'getSubscriptionAttributes', {
  // The Ref of AWS::SNS::Subscription is its ARN.
  SubscriptionArn: (fraud.subscription.node.defaultChild as sns.CfnSubscription).ref,
}).expect(ExpectedResult.objectLike({
  Attributes: {
    FilterPolicy: Match.serializedJson({ tier: ['high'] }),
    RedrivePolicy: Match.serializedJson({ deadLetterTargetArn: fraud.subscriptionDeadLetterQueue.queueArn }),
    RawMessageDelivery: 'false',
  },
}));

// A constant message, so the snapshot does not change between runs (new queues every run).
const order = JSON.stringify({ orderId: 'integ-fan-out-0001', amount: 1500 });
const publish = integ.assertions.awsApiCall('SNS', 'publish', {
  TopicArn: fanOut.topic.topicArn,
  Message: order,
  MessageAttributes: { tier: { DataType: 'String', StringValue: 'high' } },
});
publish.expect(ExpectedResult.objectLike({ MessageId: Match.stringLikeRegexp('.+') }));
// The topic is encrypted with its own customer-managed key: the publisher needs to use it.
publish.provider.addToRolePolicy({
  Effect: 'Allow',
  Action: ['kms:GenerateDataKey*', 'kms:Decrypt'],
  Resource: [fanOut.secureTopic.encryptionKey!.keyArn],
});

// One copy in each queue, in the SNS envelope (Message = what was published, with its attributes).
const arrived = (queueUrl: string) => integ.assertions.awsApiCall('SQS', 'receiveMessage', {
  QueueUrl: queueUrl,
  MaxNumberOfMessages: 1,
  WaitTimeSeconds: 20,
}).expect(ExpectedResult.objectLike({
  Messages: Match.arrayWith([Match.objectLike({
    Body: Match.serializedJson(Match.objectLike({
      Type: 'Notification',
      Message: order,
      MessageAttributes: { tier: { Type: 'String', Value: 'high' } },
    })),
  })]),
})).waitForAssertions(wait);

publish.next(arrived(shipping.queue.queueUrl)).next(arrived(fraud.queue.queueUrl));

app.synth();
