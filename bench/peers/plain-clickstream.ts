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
import * as path from 'path';
import { CfnOutput, Duration, Names, RemovalPolicy, Size, Stack, StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { KinesisEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** The same bundle the library ships (`npx projen bundle` writes it). */
const AGGREGATOR_ASSET = path.join(__dirname, '..', '..', 'assets', 'lambda', 'clickstream-aggregator.lambda');

export class PlainClickstreamStack extends Stack {
  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, props);
    // Server access logs through a bucket policy (not the LogDeliveryWrite ACL, which
    // BUCKET_OWNER_ENFORCED forbids). A user would set this in cdk.json.
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);
    const oneMinute = Duration.minutes(1);
    const p = this.node.path;
    const fromThisAccount = { StringEquals: { 'aws:SourceAccount': this.account } };

    // Alarm topic: encrypted, TLS only, CloudWatch may publish (and use the key).
    const alarmKey = new kms.Key(this, 'AlarmsKey', {
      enableKeyRotation: true, removalPolicy: RemovalPolicy.DESTROY, description: `Encrypts the messages of ${p}/Alarms`,
    });
    const alarmTopic = new sns.Topic(this, 'AlarmsTopic', { masterKey: alarmKey, enforceSSL: true });
    const cloudwatchPrincipal = new iam.ServicePrincipal('cloudwatch.amazonaws.com');
    alarmTopic.addToResourcePolicy(new iam.PolicyStatement({
      actions: ['sns:Publish'], principals: [cloudwatchPrincipal], resources: [alarmTopic.topicArn], conditions: fromThisAccount,
    }));
    alarmKey.addToResourcePolicy(new iam.PolicyStatement({
      actions: ['kms:GenerateDataKey*', 'kms:Decrypt'], principals: [cloudwatchPrincipal], resources: ['*'], conditions: fromThisAccount,
    }));
    const alarmAction = new actions.SnsAction(alarmTopic);
    const alarm = (metric: cloudwatch.IMetric, alarmId: string, options: Partial<cloudwatch.CreateAlarmOptions>, notify = true) => {
      const a = new cloudwatch.Alarm(this, alarmId, {
        metric,
        threshold: 0,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        ...options,
      });
      if (notify) {
        a.addAlarmAction(alarmAction);
        a.addOkAction(alarmAction);
      }
      return a;
    };
    alarm(alarmTopic.metricNumberOfNotificationsFailed({ statistic: 'Sum', period: oneMinute }), 'AlarmsTopicFailedAlarm',
      { alarmDescription: `${p}/Alarms: SNS failed to deliver notifications; check subscriber endpoints, their policies and KMS grants.` }, false);

    const table = new dynamodb.TableV2(this, 'CountsTable', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: 'expiresAt',
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // The aggregator: its own log group and an execution role scoped to it.
    const logGroup = new logs.LogGroup(this, 'AggregatorLogGroup', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
    const role = new iam.Role(this, 'AggregatorRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${p}/Aggregator`,
    });
    logGroup.grant(role, 'logs:CreateLogStream', 'logs:PutLogEvents');
    const aggregator = new lambda.Function(this, 'Aggregator', {
      role,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(AGGREGATOR_ASSET),
      memorySize: 256,
      timeout: Duration.seconds(30),
      description: 'Aggregates click events into per-minute page counts and per-session progress',
      environment: { TABLE_NAME: table.tableName, AWS_NODEJS_CONNECTION_REUSE_ENABLED: '1' },
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
    });
    aggregator.addToRolePolicy(new iam.PolicyStatement({ actions: ['dynamodb:UpdateItem', 'dynamodb:PutItem'], resources: [table.tableArn] }));

    // Archive buckets: access logs into a second bucket.
    const bucketProps: s3.BucketProps = {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN,
    };
    const accessLogs = new s3.Bucket(this, 'AccessLogsBucket', bucketProps);
    const archiveBucket = new s3.Bucket(this, 'ArchiveBucket', { ...bucketProps, serverAccessLogsBucket: accessLogs, serverAccessLogsPrefix: 'archive/' });

    // The stream, the consumer's on-failure queue (with its dead-letter queue) and the event source.
    const stream = new kinesis.Stream(this, 'ClicksStream', {
      streamMode: kinesis.StreamMode.ON_DEMAND,
      encryption: kinesis.StreamEncryption.MANAGED,
      retentionPeriod: Duration.hours(24),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const queueName = `${Names.uniqueResourceName(this, { maxLength: 40 })}-Clicks-OnFailure`;
    const queueDefaults = {
      retentionPeriod: Duration.days(14),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      receiveMessageWaitTime: Duration.seconds(20),
      removalPolicy: RemovalPolicy.DESTROY,
    };
    const deadLetterQueue = new sqs.Queue(this, 'OnFailureDeadLetterQueue', {
      ...queueDefaults,
      queueName: `${queueName}-dlq`,
      redriveAllowPolicy: {
        redrivePermission: sqs.RedrivePermission.BY_QUEUE,
        sourceQueues: [sqs.Queue.fromQueueArn(this, 'OnFailureQueueByArn', this.formatArn({ service: 'sqs', resource: queueName }))],
      },
    });
    const onFailure = new sqs.Queue(this, 'OnFailureQueue', { ...queueDefaults, queueName, deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: 5 } });
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
    const kinesisMetric = (metricName: string, statistic: string) => stream.metric(metricName, { statistic, period: oneMinute });
    const iteratorAge = kinesisMetric('GetRecords.IteratorAgeMilliseconds', 'Maximum');
    const writeThrottled = kinesisMetric('WriteProvisionedThroughputExceeded', 'Sum');
    const readThrottled = kinesisMetric('ReadProvisionedThroughputExceeded', 'Sum');
    const failedVisible = onFailure.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: oneMinute });
    const errors = aggregator.metricErrors({ statistic: 'Sum', period: oneMinute });
    const consumerLag = aggregator.metric('IteratorAge', { statistic: 'Maximum', period: oneMinute });
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
      alarm(onFailure.metricApproximateAgeOfOldestMessage({ statistic: 'Maximum', period: oneMinute }), 'OnFailureAgeAlarm', {
        threshold: 900,
        evaluationPeriods: 3,
        alarmDescription: `${c}/OnFailure: the oldest message has waited more than 15 minutes (900 s); consumers are down or too slow.`,
      }),
      alarm(deadLetterQueue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: oneMinute }), 'OnFailureDeadLetterAlarm', {
        alarmDescription: `${c}/OnFailure: messages are in the dead-letter queue; they failed 5 receives. Inspect and redrive them.`,
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
      new cloudwatch.TextWidget({ markdown: '## Stream pipeline', width: 24, height: 1 }),
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
        left: [aggregator.metricInvocations({ statistic: 'Sum', period: oneMinute }), errors],
        right: [aggregator.metricDuration({ statistic: 'p99', period: oneMinute })],
      }),
      new cloudwatch.GraphWidget({ title: 'Consumer: lag (ms) and failed batches', width: 12, left: [consumerLag], right: [failedVisible] }),
      new cloudwatch.GraphWidget({
        title: 'Archive: freshness (s) and records delivered',
        width: 24,
        left: [freshness],
        right: [archive.metric('DeliveryToS3.Records', { statistic: 'Sum' })],
      }),
      new cloudwatch.AlarmStatusWidget({ title: 'Stream pipeline: alarms', alarms, width: 24, height: 2 }),
    );

    new CfnOutput(this, 'StreamName', { value: stream.streamName });
    new CfnOutput(this, 'StreamArn', { value: stream.streamArn });
    new CfnOutput(this, 'TableName', { value: table.tableName });
    new CfnOutput(this, 'OnFailureQueueUrl', { value: onFailure.queueUrl });
    new CfnOutput(this, 'ArchiveBucketName', { value: archiveBucket.bucketName });
    new CfnOutput(this, 'AggregatorFunctionName', { value: aggregator.functionName });
  }
}
