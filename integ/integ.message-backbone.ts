/**
 * Integ test: the MessageBackboneStack reference architecture, end to end.
 *
 * publish an order to the topic -> it crosses the queue -> the bundled recorder writes it ->
 * the assertion polls DynamoDB until the item is there.
 *
 * Offline (`npx projen integ`) the committed snapshot is compared with a fresh synth (run
 * `npx projen bundle` first: the recorder's code is the bundled asset). Against a real account
 * the stack deploys, the assertions run, and everything is destroyed (the table too: see below).
 *
 * Not asserted here: a poison message (not JSON) reaching the dead-letter queue. The recorder
 * reports it as a batch item failure, and SQS moves it to the DLQ only after maxReceiveCount (3)
 * receives, each one after the visibility timeout (6 x 30 s + 1 s = 181 s) has expired: about
 * 9 minutes of waiting for one assertion, longer than the rest of the test together. That path
 * is covered by the handler unit tests and by the local-AWS tests in e2e/.
 */
import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, RemovalPolicy } from 'aws-cdk-lib';
import { MessageBackboneStack } from '../src';

const app = new App();
const stack = new MessageBackboneStack(app, 'IntegMessageBackbone', {
  // The architecture retains the orders table by default; a test run must leave nothing behind.
  removalPolicy: RemovalPolicy.DESTROY,
});

const integ = new IntegTest(app, 'MessageBackboneTest', {
  testCases: [stack],
  // Compare asset hashes too: the recorder is bundled code, and a change to it (or to the
  // SDK it bundles) must show up as a snapshot change. The bundle is deterministic.
  diffAssets: true,
});

// A constant order, so the snapshot does not change between runs. Each run deploys a new
// table, so the recorder's "first write wins" never meets an order from an earlier run.
const order = { orderId: 'integ-order-0001', customerId: 'integ-customer-1', amount: 42, currency: 'EUR' };

const publish = integ.assertions.awsApiCall('SNS', 'publish', {
  TopicArn: stack.ordersTopic.topic.topicArn,
  Message: JSON.stringify(order),
});
publish.expect(ExpectedResult.objectLike({
  MessageId: Match.stringLikeRegexp('.+'),
}));
// The topic is encrypted with a customer-managed key: publishers need to use it.
publish.provider.addToRolePolicy({
  Effect: 'Allow',
  Action: ['kms:GenerateDataKey*', 'kms:Decrypt'],
  Resource: [stack.ordersTopic.encryptionKey!.keyArn],
});

const recorded = integ.assertions.awsApiCall('DynamoDB', 'getItem', {
  TableName: stack.ordersTable.tableName,
  Key: { orderId: { S: order.orderId } },
  ConsistentRead: true,
});
recorded.expect(ExpectedResult.objectLike({
  Item: {
    orderId: { S: order.orderId },
    payload: { S: Match.serializedJson(order) },
    sqsMessageId: { S: Match.stringLikeRegexp('.+') },
    recordedAt: { S: Match.stringLikeRegexp('^\\d{4}-\\d{2}-\\d{2}T') },
  },
}));
// Topic -> queue -> batching window (1 s) -> recorder: seconds when warm; a cold start and
// the event source mapping's first poll can take a minute or two after a fresh deploy.
recorded.waitForAssertions({ totalTimeout: Duration.minutes(5), interval: Duration.seconds(10) });

publish.next(recorded);

app.synth();
