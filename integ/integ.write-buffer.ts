/**
 * Integ test: WriteBuffer with a DynamoDB sink.
 *
 * send an order to the buffer queue -> the bundled writer drains it in a batch -> the assertion
 * polls DynamoDB until the item is there, keyed by the message's orderId.
 *
 * Offline (`npx projen integ`) the committed snapshot is compared with a fresh synth (the
 * writer's code is the bundled asset: `npx projen bundle` first, which the integ task does).
 * Against a real account the stack deploys, the assertions run, and everything is destroyed.
 *
 * Not asserted here: a poison message reaching the dead-letter queue (the writer dead-letters
 * it itself, but proving it needs a second wait of a batching window plus a receive); the
 * writer's unit tests and the local-AWS e2e suite cover it, with counts.
 */
import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { WriteBuffer, WriteBufferSink } from '../src';

const app = new App();
const stack = new Stack(app, 'IntegWriteBuffer');

const table = new dynamodb.TableV2(stack, 'Orders', {
  partitionKey: { name: 'orderId', type: dynamodb.AttributeType.STRING },
  pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
  removalPolicy: RemovalPolicy.DESTROY, // a test run leaves nothing behind
});
const buffer = new WriteBuffer(stack, 'OrderBuffer', {
  sink: WriteBufferSink.dynamoDb({ table }),
});

const integ = new IntegTest(app, 'WriteBufferTest', {
  testCases: [stack],
  // The writer is bundled code: a change to it must show up as a snapshot change.
  diffAssets: true,
});

// A constant order (a new table every run, so "first write wins" never meets an older one).
const order = { orderId: 'integ-write-buffer-0001', customerId: 'integ-customer-1', amount: 42 };
const send = integ.assertions.awsApiCall('SQS', 'sendMessage', {
  QueueUrl: buffer.queue.queueUrl,
  MessageBody: JSON.stringify(order),
});
send.expect(ExpectedResult.objectLike({ MessageId: Match.stringLikeRegexp('.+') }));
const queueKey = buffer.queue.encryptionMasterKey;
if (queueKey) {
  send.provider.addToRolePolicy({ Effect: 'Allow', Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Resource: [queueKey.keyArn] });
}

const written = integ.assertions.awsApiCall('DynamoDB', 'getItem', {
  TableName: table.tableName,
  Key: { orderId: { S: order.orderId } },
  ConsistentRead: true,
});
written.expect(ExpectedResult.objectLike({
  Item: Match.objectLike({
    orderId: { S: order.orderId },
    customerId: { S: order.customerId },
    amount: { N: String(order.amount) },
  }),
}));
// Queue -> batching window -> writer: seconds when warm; the first poll of a fresh event source
// mapping and a cold start can take a minute or two.
written.waitForAssertions({ totalTimeout: Duration.minutes(5), interval: Duration.seconds(10) });

send.next(written);

app.synth();
