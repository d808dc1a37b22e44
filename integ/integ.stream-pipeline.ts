/**
 * Integ test: StreamPipeline with its Firehose archive to S3.
 *
 * put a click on the stream -> Firehose reads it (the stream is its source) and writes it,
 * GZIP-compressed, under raw/ in the archive bucket -> the assertion polls the bucket until an
 * object is there. The delivery stream is ACTIVE and reads this stream.
 *
 * Offline (`npx projen integ`) the committed snapshot is compared with a fresh synth. Against a
 * real account the stack deploys, the assertions run, and everything is destroyed (the archive
 * bucket is given here, emptied and deleted with the stack; the pattern's own bucket is retained).
 *
 * The buffering interval is 0 s (Firehose writes as records arrive) so the test takes
 * minutes, not the default 300 s per buffer.
 */
import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { StreamPipeline } from '../src';

const app = new App();
const stack = new Stack(app, 'IntegStreamPipeline');

const archive = new s3.Bucket(stack, 'Archive', {
  encryption: s3.BucketEncryption.S3_MANAGED,
  enforceSSL: true,
  blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
  removalPolicy: RemovalPolicy.DESTROY,
  autoDeleteObjects: true,
});
const pipeline = new StreamPipeline(stack, 'Clicks', {
  archive: { bucket: archive, bufferingInterval: Duration.seconds(0) },
});

const integ = new IntegTest(app, 'StreamPipelineTest', { testCases: [stack] });

integ.assertions.awsApiCall('Firehose', 'describeDeliveryStream', {
  DeliveryStreamName: pipeline.deliveryStream!.deliveryStreamName,
}).expect(ExpectedResult.objectLike({
  DeliveryStreamDescription: Match.objectLike({
    DeliveryStreamStatus: 'ACTIVE',
    DeliveryStreamType: 'KinesisStreamAsSource',
    Source: { KinesisStreamSourceDescription: Match.objectLike({ KinesisStreamARN: pipeline.stream.streamArn }) },
  }),
}));

// A constant click, so the snapshot does not change between runs.
const put = integ.assertions.awsApiCall('Kinesis', 'putRecord', {
  StreamName: pipeline.stream.streamName,
  PartitionKey: 'integ-session-1',
  Data: JSON.stringify({ sessionId: 'integ-session-1', seq: 1, page: '/integ' }),
});
put.expect(ExpectedResult.objectLike({ ShardId: Match.stringLikeRegexp('^shardId-'), SequenceNumber: Match.stringLikeRegexp('^[0-9]+$') }));

const archived = integ.assertions.awsApiCall('S3', 'listObjectsV2', {
  Bucket: archive.bucketName,
  Prefix: 'raw/',
});
archived.expect(ExpectedResult.objectLike({
  Contents: Match.arrayWith([Match.objectLike({ Key: Match.stringLikeRegexp('^raw/\\d{4}/\\d{2}/\\d{2}/\\d{2}/.+\\.gz$') })]),
}));
// Firehose polls its source stream about once a second, then writes; allow for a fresh stream.
archived.waitForAssertions({ totalTimeout: Duration.minutes(10), interval: Duration.seconds(30) });

put.next(archived);

app.synth();
