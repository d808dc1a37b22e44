/**
 * The peer of `ClickstreamStack`: the same architecture written the way a careful user would
 * write it with plain aws-cdk-lib L2 constructs and no code from this library.
 *
 * Same resources (36) and, like for like, the same properties: an encrypted alarm topic that
 * CloudWatch may publish to; an on-demand Kinesis stream (AWS-managed encryption, 24 h); the
 * same bundled aggregator (arm64, JSON logs to its own log group, an execution role scoped to
 * it) reading the stream with bisect-on-error, partial batch responses and an on-failure queue
 * (named, with a named dead-letter queue whose redrive allow policy names it); a DynamoDB table
 * with TTL and point-in-time recovery; a Firehose delivery stream archiving the stream to an S3
 * bucket (gzip, dated prefixes, the six S3 actions Firehose needs — no delete) whose server access
 * logs go to a second bucket; nine alarms with descriptions and the same dashboard.
 */
import { CfnOutput, Duration, RemovalPolicy, Size, Stack, StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { KinesisEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { alarmRow, alarmTopic, bucketWithAccessLogs, bufferQueue, bundle, header, nodeFunction, ONE_MINUTE, queueAlarms } from './plain-parts';

export class PlainClickstreamStack extends Stack {
  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, props);
    // Server access logs through a bucket policy (not the LogDeliveryWrite ACL, which
    // BUCKET_OWNER_ENFORCED forbids). A user would set this in cdk.json.
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);
    const p = this.node.path;

    // Alarm topic: encrypted, TLS only, CloudWatch may publish (and use the key).
    const { alarm } = alarmTopic(this);

    const table = new dynamodb.TableV2(this, 'CountsTable', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: 'expiresAt',
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // The aggregator: its own log group and an execution role scoped to it.
    const aggregator = nodeFunction(this, 'Aggregator', {
      asset: bundle('clickstream-aggregator'),
      rolePath: 'Aggregator',
      description: 'Aggregates click events into per-minute page counts and per-session progress',
      environment: { TABLE_NAME: table.tableName },
    });
    aggregator.addToRolePolicy(new iam.PolicyStatement({ actions: ['dynamodb:UpdateItem', 'dynamodb:PutItem'], resources: [table.tableArn] }));

    // Archive buckets: access logs into a second bucket.
    const archiveBucket = bucketWithAccessLogs(this, 'ArchiveBucket', 'archive/');

    // The stream, the consumer's on-failure queue (with its dead-letter queue) and the event source.
    const stream = new kinesis.Stream(this, 'ClicksStream', {
      streamMode: kinesis.StreamMode.ON_DEMAND,
      encryption: kinesis.StreamEncryption.MANAGED,
      retentionPeriod: Duration.hours(24),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const onFailureBuffer = bufferQueue(this, 'OnFailure', 'Clicks-OnFailure', { retentionPeriod: Duration.days(14), maxReceiveCount: 5 });
    const onFailure = onFailureBuffer.queue;
    aggregator.addEventSource(new KinesisEventSource(stream, {
      startingPosition: lambda.StartingPosition.TRIM_HORIZON,
      batchSize: 500,
      bisectBatchOnError: true,
      reportBatchItemFailures: true,
      retryAttempts: 3,
      maxRecordAge: Duration.hours(12),
      parallelizationFactor: 1,
      onFailure: new SqsDlq(onFailure),
    }));

    // Firehose archive: the six S3 actions Firehose needs (no s3:DeleteObject*, which the L2's grantReadWrite would add).
    const firehoseBucket: s3.IBucket = Object.create(archiveBucket, {
      grantReadWrite: {
        value: (grantee: iam.IGrantable) => iam.Grant.addToPrincipal({
          grantee,
          actions: ['s3:AbortMultipartUpload', 's3:GetBucketLocation', 's3:GetObject', 's3:ListBucket', 's3:ListBucketMultipartUploads', 's3:PutObject'],
          resourceArns: [archiveBucket.bucketArn, archiveBucket.arnForObjects('*')],
        }),
      },
    });
    const archive = new firehose.DeliveryStream(this, 'ClicksArchive', {
      source: new firehose.KinesisStreamSource(stream),
      destination: new firehose.S3Bucket(firehoseBucket, {
        bufferingInterval: Duration.seconds(300),
        bufferingSize: Size.mebibytes(5),
        compression: firehose.Compression.GZIP,
        dataOutputPrefix: 'raw/!{timestamp:yyyy/MM/dd/HH}/',
        errorOutputPrefix: 'errors/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/',
      }),
    });

    // Alarms, each notifying the alarm topic.
    const c = `${p}/Clicks`;
    const kinesisMetric = (metricName: string, statistic: string) => stream.metric(metricName, { statistic, period: ONE_MINUTE });
    const iteratorAge = kinesisMetric('GetRecords.IteratorAgeMilliseconds', 'Maximum');
    const writeThrottled = kinesisMetric('WriteProvisionedThroughputExceeded', 'Sum');
    const readThrottled = kinesisMetric('ReadProvisionedThroughputExceeded', 'Sum');
    const failedVisible = onFailure.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: ONE_MINUTE });
    const errors = aggregator.metricErrors({ statistic: 'Sum', period: ONE_MINUTE });
    const consumerLag = aggregator.metric('IteratorAge', { statistic: 'Maximum', period: ONE_MINUTE });
    const freshness = archive.metric('DeliveryToS3.DataFreshness', { statistic: 'Maximum' });
    const alarms = [
      alarm(iteratorAge, 'StreamIteratorAgeAlarm', {
        threshold: 21_600_000,
        evaluationPeriods: 5,
        datapointsToAlarm: 3,
        alarmDescription: `${c}: readers of the stream lag more than 6 hours (21,600 s); records expire after the retention period.`,
      }),
      alarm(writeThrottled, 'StreamWriteThrottledAlarm', {
        evaluationPeriods: 5,
        datapointsToAlarm: 3,
        alarmDescription: `${c}: writes are throttled (each shard takes 1 MiB/s or 1,000 records/s); add shards, or spread partition keys.`,
      }),
      alarm(readThrottled, 'StreamReadThrottledAlarm', {
        evaluationPeriods: 5,
        datapointsToAlarm: 3,
        alarmDescription: `${c}: reads are throttled (2 MB/s and 5 GetRecords/s per shard shared by all readers); use enhanced fan-out for more readers.`,
      }),
      ...queueAlarms(alarm, onFailureBuffer, {
        queuePath: `${c}/OnFailure`, maxReceiveCount: 5, ageAlarmId: 'OnFailureAgeAlarm', deadLetterAlarmId: 'OnFailureDeadLetterAlarm',
      }),
      alarm(errors, 'ConsumerErrorsAlarm', {
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        alarmDescription: `${c}: the stream consumer is failing; its shard waits for retries, then failed batches go to the on-failure queue.`,
      }),
      alarm(consumerLag, 'ConsumerIteratorAgeAlarm', {
        threshold: 21_600_000,
        evaluationPeriods: 5,
        datapointsToAlarm: 3,
        alarmDescription: `${c}: the Lambda consumer lags more than 6 hours (21,600 s) behind the stream.`,
      }),
      alarm(failedVisible, 'OnFailureNotEmptyAlarm', {
        alarmDescription: `${c}: batches failed for good; each message names a shard and sequence numbers. Replay them from the stream before its retention ends.`,
      }),
      alarm(freshness, 'ArchiveFreshnessAlarm', {
        threshold: 900,
        evaluationPeriods: 3,
        alarmDescription: `${c}: the oldest record not yet in S3 is older than 900 s; look at errors/ in the bucket and the delivery stream's logs.`,
      }),
    ];

    const dashboard = new cloudwatch.Dashboard(this, 'Dashboard');
    dashboard.addWidgets(
      new cloudwatch.TextWidget({
        markdown: `# ${this.stackName}/Clicks\nStream pipeline: writes and throttling, consumer lag and errors, failed batches, archive freshness.`,
        width: 24,
        height: 2,
      }),
      header('Stream pipeline'),
      new cloudwatch.GraphWidget({
        title: 'Stream: writes',
        width: 8,
        left: [kinesisMetric('IncomingRecords', 'Sum')],
        right: [kinesisMetric('IncomingBytes', 'Sum')],
      }),
      new cloudwatch.GraphWidget({ title: 'Stream: throttled reads and writes', width: 8, left: [writeThrottled, readThrottled] }),
      new cloudwatch.GraphWidget({ title: 'Stream: iterator age (ms)', width: 8, left: [iteratorAge] }),
      new cloudwatch.GraphWidget({
        title: 'Consumer: invocations and errors',
        width: 12,
        left: [aggregator.metricInvocations({ statistic: 'Sum', period: ONE_MINUTE }), errors],
        right: [aggregator.metricDuration({ statistic: 'p99', period: ONE_MINUTE })],
      }),
      new cloudwatch.GraphWidget({ title: 'Consumer: lag (ms) and failed batches', width: 12, left: [consumerLag], right: [failedVisible] }),
      new cloudwatch.GraphWidget({
        title: 'Archive: freshness (s) and records delivered',
        width: 24,
        left: [freshness],
        right: [archive.metric('DeliveryToS3.Records', { statistic: 'Sum' })],
      }),
      alarmRow('Stream pipeline: alarms', alarms),
    );

    new CfnOutput(this, 'StreamName', { value: stream.streamName });
    new CfnOutput(this, 'StreamArn', { value: stream.streamArn });
    new CfnOutput(this, 'TableName', { value: table.tableName });
    new CfnOutput(this, 'OnFailureQueueUrl', { value: onFailure.queueUrl });
    new CfnOutput(this, 'ArchiveBucketName', { value: archiveBucket.bucketName });
    new CfnOutput(this, 'AggregatorFunctionName', { value: aggregator.functionName });
  }
}
