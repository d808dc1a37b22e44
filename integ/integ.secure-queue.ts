/**
 * Integ test: SecureQueue, standard (SSE-SQS) and FIFO (SSE-KMS).
 *
 * Offline (`npx projen integ`) the committed snapshot is compared with a fresh synth.
 * Against a real account (`integ-runner` without `--dry-run`) the stack deploys and the
 * assertions below send and receive real messages, then everything is destroyed.
 *
 * Message bodies are constants on purpose: the snapshot must not change between runs.
 * Every run creates new queues, so a constant body never meets SQS's 5-minute deduplication window.
 */
import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { QueueEncryption, SecureQueue } from '../src';

const app = new App();
const stack = new Stack(app, 'IntegSecureQueue');

const standard = new SecureQueue(stack, 'Standard', {
  maxReceiveCount: 3,
});
const fifo = new SecureQueue(stack, 'Fifo', {
  fifo: true,
  contentBasedDeduplication: true,
  encryption: QueueEncryption.KMS,
});

const integ = new IntegTest(app, 'SecureQueueTest', {
  testCases: [stack],
});

// Polls until the expected message is received (or the waiter gives up).
const wait = { totalTimeout: Duration.minutes(3), interval: Duration.seconds(10) };

// ---------------------------------------------------------------------------
// Standard queue: the redrive policy points at the DLQ, SSE-SQS is on, a message goes through.
// ---------------------------------------------------------------------------
integ.assertions.awsApiCall('SQS', 'getQueueAttributes', {
  QueueUrl: standard.queue.queueUrl,
  AttributeNames: ['RedrivePolicy', 'SqsManagedSseEnabled', 'ReceiveMessageWaitTimeSeconds'],
}).expect(ExpectedResult.objectLike({
  Attributes: {
    RedrivePolicy: Match.serializedJson({
      deadLetterTargetArn: standard.deadLetterQueue!.queueArn,
      maxReceiveCount: 3,
    }),
    SqsManagedSseEnabled: 'true',
    ReceiveMessageWaitTimeSeconds: '20',
  },
}));

// The DLQ accepts redrives from its own source queue only.
integ.assertions.awsApiCall('SQS', 'getQueueAttributes', {
  QueueUrl: standard.deadLetterQueue!.queueUrl,
  AttributeNames: ['RedriveAllowPolicy', 'MessageRetentionPeriod'],
}).expect(ExpectedResult.objectLike({
  Attributes: {
    RedriveAllowPolicy: Match.serializedJson({
      redrivePermission: 'byQueue',
      sourceQueueArns: [standard.queue.queueArn],
    }),
    MessageRetentionPeriod: String(Duration.days(14).toSeconds()),
  },
}));

const standardBody = JSON.stringify({ test: 'secure-queue', kind: 'standard' });
integ.assertions.awsApiCall('SQS', 'sendMessage', {
  QueueUrl: standard.queue.queueUrl,
  MessageBody: standardBody,
}).expect(ExpectedResult.objectLike({
  MessageId: Match.stringLikeRegexp('.+'),
})).next(integ.assertions.awsApiCall('SQS', 'receiveMessage', {
  QueueUrl: standard.queue.queueUrl,
  MaxNumberOfMessages: 1,
  WaitTimeSeconds: 20,
}).expect(ExpectedResult.objectLike({
  Messages: Match.arrayWith([Match.objectLike({ Body: standardBody })]),
})).waitForAssertions(wait));

// ---------------------------------------------------------------------------
// FIFO queue with a customer-managed key: the DLQ is FIFO too, a message keeps its group.
// ---------------------------------------------------------------------------
integ.assertions.awsApiCall('SQS', 'getQueueAttributes', {
  QueueUrl: fifo.queue.queueUrl,
  AttributeNames: ['RedrivePolicy', 'FifoQueue', 'ContentBasedDeduplication', 'KmsMasterKeyId'],
}).expect(ExpectedResult.objectLike({
  Attributes: {
    RedrivePolicy: Match.serializedJson({
      deadLetterTargetArn: fifo.deadLetterQueue!.queueArn,
      maxReceiveCount: 5,
    }),
    FifoQueue: 'true',
    ContentBasedDeduplication: 'true',
    KmsMasterKeyId: fifo.encryptionKey!.keyArn,
  },
}));

const fifoBody = JSON.stringify({ test: 'secure-queue', kind: 'fifo' });
const fifoSend = integ.assertions.awsApiCall('SQS', 'sendMessage', {
  QueueUrl: fifo.queue.queueUrl,
  MessageBody: fifoBody,
  MessageGroupId: 'integ-group-1',
  // No MessageDeduplicationId: contentBasedDeduplication derives it from the body.
});
fifoSend.expect(ExpectedResult.objectLike({
  MessageId: Match.stringLikeRegexp('.+'),
  SequenceNumber: Match.stringLikeRegexp('^[0-9]+$'),
}));

const fifoReceive = integ.assertions.awsApiCall('SQS', 'receiveMessage', {
  QueueUrl: fifo.queue.queueUrl,
  MaxNumberOfMessages: 1,
  WaitTimeSeconds: 20,
  MessageSystemAttributeNames: ['MessageGroupId'],
});
fifoReceive.expect(ExpectedResult.objectLike({
  Messages: Match.arrayWith([Match.objectLike({
    Body: fifoBody,
    Attributes: { MessageGroupId: 'integ-group-1' },
  })]),
}));
fifoReceive.waitForAssertions(wait);
fifoSend.next(fifoReceive);

// SSE-KMS: sending and receiving use the queue's key. The assertion providers' roles get
// the SQS actions automatically, the key actions only from here. (The providers are
// singletons per stack: the sender's role and the waiter's role, which does the receives.)
const useQueueKey = {
  Effect: 'Allow',
  Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
  Resource: [fifo.encryptionKey!.keyArn],
};
fifoSend.provider.addToRolePolicy(useQueueKey);
fifoReceive.waiterProvider!.addToRolePolicy(useQueueKey);

app.synth();
