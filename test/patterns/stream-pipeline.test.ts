import { Duration, Size, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { StreamPipeline, StreamPipelineProps } from '../../src';
import { expectBadInput, expectNumberTokenAccepted, newStack, templateOf } from '../support';

const code = lambda.Code.fromInline('exports.handler = async () => ({ batchItemFailures: [] });');
const consumer = { code, handler: 'index.handler' };

function build(props: StreamPipelineProps = {}) {
  const stack = newStack();
  const pipeline = new StreamPipeline(stack, 'Clicks', props);
  return { stack, pipeline, template: templateOf(stack) };
}

function clickTable(stack: Stack): glue.CfnTable {
  const db = new glue.CfnDatabase(stack, 'Db', { catalogId: stack.account, databaseInput: { name: 'clicks' } });
  const table = new glue.CfnTable(stack, 'ClickTable', {
    catalogId: stack.account,
    databaseName: 'clicks',
    tableInput: {
      name: 'raw',
      storageDescriptor: {
        columns: [{ name: 'sessionid', type: 'string' }, { name: 'seq', type: 'int' }, { name: 'page', type: 'string' }, { name: 'ts', type: 'bigint' }],
      },
    },
  });
  table.addDependency(db);
  return table;
}

describe('StreamPipeline defaults', () => {
  const { pipeline, template } = build({ consumer });

  test('an on-demand stream, 24 h retention, KMS-encrypted with the AWS-managed key', () => {
    template.hasResourceProperties('AWS::Kinesis::Stream', {
      StreamModeDetails: { StreamMode: 'ON_DEMAND' },
      ShardCount: Match.absent(),
      RetentionPeriodHours: 24,
      StreamEncryption: { EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' },
    });
    template.resourceCountIs('AWS::KMS::Key', 0);
    expect(pipeline.encryptionKey).toBeUndefined();
    expect(pipeline.retentionPeriod?.toHours()).toBe(24);
  });

  test('the consumer mapping: bisect, partial batch responses, 3 retries, 12 h max record age, on-failure queue, TRIM_HORIZON, 100 per batch, factor 1', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: Match.anyValue(),
      BatchSize: 100,
      StartingPosition: 'TRIM_HORIZON',
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumRetryAttempts: 3,
      MaximumRecordAgeInSeconds: 12 * 3600,
      ParallelizationFactor: 1,
      MaximumBatchingWindowInSeconds: Match.absent(),
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('ClicksOnFailureQueue'), 'Arn'] } } },
    });
  });

  test('the on-failure queue is a SecureQueue (its own DLQ, SSE) keeping failures 14 days', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      MessageRetentionPeriod: 14 * 24 * 3600,
      SqsManagedSseEnabled: true,
      RedrivePolicy: Match.objectLike({ maxReceiveCount: 5 }),
    });
    expect(pipeline.onFailureQueue?.deadLetterQueue).toBeDefined();
  });

  test('the consumer runs with the library defaults and may send to the on-failure queue', () => {
    template.hasResourceProperties('AWS::Lambda::Function', { Runtime: 'nodejs24.x', Architectures: ['arm64'], MemorySize: 256, Timeout: 30 });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: Match.arrayWith(['sqs:SendMessage']) })]) },
    });
  });

  test('no archive, no enhanced fan-out unless asked', () => {
    template.resourceCountIs('AWS::KinesisFirehose::DeliveryStream', 0);
    template.resourceCountIs('AWS::Kinesis::StreamConsumer', 0);
  });
});

describe('StreamPipeline alarms carry their dimensions', () => {
  const { pipeline, template } = build({ consumer, archive: {} });
  const streamRef = { Ref: Match.stringLikeRegexp('ClicksStream') };

  test.each([
    ['GetRecords.IteratorAgeMilliseconds', 6 * 3600 * 1000],
    ['WriteProvisionedThroughputExceeded', 0],
    ['ReadProvisionedThroughputExceeded', 0],
  ])('Kinesis %s alarm has the StreamName dimension (threshold %d)', (metric, threshold) => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Kinesis',
      MetricName: metric,
      Threshold: threshold,
      Dimensions: [{ Name: 'StreamName', Value: streamRef }],
    });
  });

  test('every Kinesis alarm names its stream (a peer\'s alarms without it can never fire)', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    const kinesisAlarms = alarms.filter(a => a.Properties.Namespace === 'AWS/Kinesis');
    expect(kinesisAlarms.length).toBe(3);
    for (const a of kinesisAlarms) expect(a.Properties.Dimensions.map((d: { Name: string }) => d.Name)).toEqual(['StreamName']);
    // Every alarm of the pattern has a dimension.
    for (const a of alarms) expect(a.Properties.Dimensions?.length ?? a.Properties.Metrics?.length).toBeGreaterThan(0);
  });

  test('consumer errors and consumer iterator age alarms have the FunctionName dimension', () => {
    for (const metric of ['Errors', 'IteratorAge']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/Lambda', MetricName: metric, Dimensions: [{ Name: 'FunctionName', Value: { Ref: Match.stringLikeRegexp('ClicksConsumerFunction') } }],
      });
    }
  });

  test('the on-failure queue alarms as soon as it holds a message', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Threshold: 0,
      EvaluationPeriods: 1,
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('ClicksOnFailureQueue'), 'QueueName'] } }],
    });
  });

  test('Firehose data freshness alarm has the DeliveryStreamName dimension; threshold 2 x buffering + 5 min', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Firehose',
      MetricName: 'DeliveryToS3.DataFreshness',
      Threshold: 900,
      Dimensions: [{ Name: 'DeliveryStreamName', Value: { Ref: Match.stringLikeRegexp('ClicksArchive') } }],
    });
  });

  test('one dashboard', () => {
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    expect(pipeline.alarms.length).toBeGreaterThanOrEqual(9);
  });
});

describe('StreamPipeline options', () => {
  test('provisioned with shards, 7-day retention, your key; iterator alarm follows max record age', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    new StreamPipeline(stack, 'Clicks', {
      encryptionKey: key,
      streamMode: kinesis.StreamMode.PROVISIONED,
      shardCount: 4,
      retentionPeriod: Duration.days(7),
      consumer: {
        ...consumer,
        maxRecordAge: Duration.hours(2),
        retryAttempts: 10,
        batchSize: 10_000,
        maxBatchingWindow: Duration.seconds(5),
        parallelizationFactor: 10,
        startingPosition: lambda.StartingPosition.LATEST,
        bisectBatchOnError: false,
        reportBatchItemFailures: false,
      },
    });
    const template = templateOf(stack);
    template.hasResourceProperties('AWS::Kinesis::Stream', {
      StreamModeDetails: { StreamMode: 'PROVISIONED' },
      ShardCount: 4,
      RetentionPeriodHours: 168,
      StreamEncryption: { EncryptionType: 'KMS', KeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('Key'), 'Arn'] } },
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 10_000,
      MaximumBatchingWindowInSeconds: 5,
      ParallelizationFactor: 10,
      StartingPosition: 'LATEST',
      MaximumRetryAttempts: 10,
      MaximumRecordAgeInSeconds: 7200,
      BisectBatchOnFunctionError: false,
      FunctionResponseTypes: Match.absent(),
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'GetRecords.IteratorAgeMilliseconds', Threshold: 3600 * 1000 });
  });

  test('default max record age is half the retention, capped at 7 days', () => {
    const { template } = build({ retentionPeriod: Duration.days(30), consumer });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { MaximumRecordAgeInSeconds: 7 * 24 * 3600 });
    template.hasResourceProperties('AWS::Kinesis::Stream', { RetentionPeriodHours: 720 });
  });

  test('enhanced fan-out: the Lambda reads through its own consumer; named consumers registered', () => {
    const { pipeline, template } = build({ consumer: { ...consumer, enhancedFanOut: true }, enhancedFanOutConsumers: ['flink', 'kcl-app'] });
    template.resourceCountIs('AWS::Kinesis::StreamConsumer', 3);
    template.hasResourceProperties('AWS::Kinesis::StreamConsumer', { ConsumerName: 'flink' });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('ClicksLambdaStreamConsumer'), 'ConsumerARN'] },
    });
    expect(pipeline.enhancedFanOutConsumers.map(c => c.node.id)).toEqual(['Consumer-flink', 'Consumer-kcl-app']);
    expect(pipeline.consumerStreamConsumer).toBeDefined();
  });

  test('archive defaults: GZIP, 5 MiB / 300 s, dated prefixes, error prefix, reads the stream', () => {
    const { template } = build({ archive: {} });
    template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      DeliveryStreamType: 'KinesisStreamAsSource',
      KinesisStreamSourceConfiguration: Match.objectLike({ KinesisStreamARN: { 'Fn::GetAtt': [Match.stringLikeRegexp('ClicksStream'), 'Arn'] } }),
      ExtendedS3DestinationConfiguration: Match.objectLike({
        CompressionFormat: 'GZIP',
        BufferingHints: { IntervalInSeconds: 300, SizeInMBs: 5 },
        Prefix: 'raw/!{timestamp:yyyy/MM/dd/HH}/',
        ErrorOutputPrefix: 'errors/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/',
      }),
    });
    template.hasResourceProperties('AWS::S3::Bucket', { VersioningConfiguration: { Status: 'Enabled' } });
  });

  test('archive options: Snappy, buffering, transform Lambda', () => {
    const stack = newStack();
    const role = new iam.Role(stack, 'TransformRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    const transform = new lambda.Function(stack, 'Transform', { code, handler: 'index.handler', runtime: lambda.Runtime.NODEJS_24_X, role });
    new StreamPipeline(stack, 'Clicks', { archive: { compression: firehose.Compression.SNAPPY, bufferingInterval: Duration.seconds(60), bufferingSize: Size.mebibytes(64), transform } });
    const template = templateOf(stack);
    template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      ExtendedS3DestinationConfiguration: Match.objectLike({
        CompressionFormat: 'Snappy',
        BufferingHints: { IntervalInSeconds: 60, SizeInMBs: 64 },
        ProcessingConfiguration: Match.objectLike({ Enabled: true, Processors: [Match.objectLike({ Type: 'Lambda' })] }),
      }),
    });
  });

  test('Parquet conversion with a Glue table: UNCOMPRESSED objects, 128 MiB buffer, schema from the table', () => {
    const stack = newStack();
    new StreamPipeline(stack, 'Clicks', { archive: { convertToParquet: true, parquetSchema: clickTable(stack) } });
    const template = templateOf(stack);
    template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      ExtendedS3DestinationConfiguration: Match.objectLike({
        CompressionFormat: Match.absent(),
        BufferingHints: { IntervalInSeconds: 300, SizeInMBs: 128 },
        DataFormatConversionConfiguration: Match.objectLike({
          Enabled: true,
          SchemaConfiguration: Match.objectLike({ DatabaseName: 'clicks', TableName: Match.anyValue() }),
          OutputFormatConfiguration: { Serializer: { ParquetSerDe: Match.anyValue() } },
        }),
      }),
    });
  });

  test('an existing stream is used as it is', () => {
    const stack = newStack();
    const existing = new kinesis.Stream(stack, 'Existing', { encryption: kinesis.StreamEncryption.MANAGED });
    const pipeline = new StreamPipeline(stack, 'Clicks', { existingStream: existing, consumer });
    const template = templateOf(stack);
    template.resourceCountIs('AWS::Kinesis::Stream', 1);
    expect(pipeline.stream).toBe(existing);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { MaximumRecordAgeInSeconds: 12 * 3600 });
  });

  test('alarmsEnabled: false makes no alarms', () => {
    const { template } = build({ consumer, archive: {}, alarmsEnabled: false });
    template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
  });
});

describe('StreamPipeline bad input', () => {
  const sp = (props: StreamPipelineProps | ((s: Stack) => StreamPipelineProps)) => (s: Stack) => {
    new StreamPipeline(s, 'Clicks', typeof props === 'function' ? props(s) : props);
  };
  const names = Array.from({ length: 20 }, (_, i) => `reader-${i}`);
  // [name, build, code, prop, value, allowed, fix]
  const cases: Array<[string, (s: Stack) => void, string, string, string, string, string]> = [
    ['retention below 1 day', sp({ retentionPeriod: Duration.hours(12) }), 'STREAM_PIPELINE_RETENTION', 'retentionPeriod', '12 hours (43,200 s)',
      '1 day (86,400 s) to 365 days (31,536,000 s)', 'set retentionPeriod between 1 day (86,400 s) and 365 days (31,536,000 s), or leave it unset for the default'],
    ['retention above 365 days', sp({ retentionPeriod: Duration.days(400) }), 'STREAM_PIPELINE_RETENTION', 'retentionPeriod', '400 days (34,560,000 s)',
      '1 day (86,400 s) to 365 days', 'set retentionPeriod between'],
    ['shard count with on-demand mode', sp({ shardCount: 4 }), 'STREAM_PIPELINE_SHARDS_ON_DEMAND', 'shardCount', '4',
      'no value with an on-demand stream (Kinesis sizes its shards itself)', 'remove shardCount, or set streamMode: kinesis.StreamMode.PROVISIONED'],
    ['parallelization factor above 10', sp({ consumer: { ...consumer, parallelizationFactor: 11 } }), 'STREAM_CONSUMER_PARALLELIZATION', 'consumer.parallelizationFactor', '11',
      'a whole number from 1 to 10', 'set consumer.parallelizationFactor to a whole number from 1 to 10'],
    ['parallelization factor 0', sp({ consumer: { ...consumer, parallelizationFactor: 0 } }), 'STREAM_CONSUMER_PARALLELIZATION', 'consumer.parallelizationFactor', '0',
      'a whole number from 1 to 10', 'set consumer.parallelizationFactor'],
    ['more than 20 enhanced fan-out consumers (the Lambda one counts)', sp({ enhancedFanOutConsumers: names, consumer: { ...consumer, enhancedFanOut: true } }),
      'STREAM_PIPELINE_EFO_COUNT', 'enhancedFanOutConsumers', '21 enhanced fan-out consumers (the Lambda consumer\'s included)', 'at most 20 per stream (Kinesis limit)',
      'share reads: let readers that tolerate 200 ms latency use the shared throughput (GetRecords)'],
    ['batch size above 10,000', sp({ consumer: { ...consumer, batchSize: 10_001 } }), 'STREAM_CONSUMER_BATCH_SIZE', 'consumer.batchSize', '10001',
      'a whole number from 1 to 10,000', 'set consumer.batchSize to a whole number from 1 to 10,000'],
    ['Firehose buffering interval above 900 s', sp({ archive: { bufferingInterval: Duration.seconds(901) } }), 'STREAM_ARCHIVE_BUFFERING_INTERVAL', 'archive.bufferingInterval',
      '15 minutes 1 second (901 s)', '0 seconds to 15 minutes (900 s)', 'set archive.bufferingInterval between 0 seconds and 15 minutes (900 s)'],
    ['Firehose buffering size above 128 MiB', sp({ archive: { bufferingSize: Size.mebibytes(129) } }), 'STREAM_ARCHIVE_BUFFERING_SIZE', 'archive.bufferingSize', '129 MiB',
      'a whole number from 1 to 128 MiB', 'set archive.bufferingSize to a whole number from 1 to 128 MiB'],
    ['Parquet conversion without a schema', sp({ archive: { convertToParquet: true } }), 'STREAM_ARCHIVE_PARQUET_SCHEMA', 'archive.parquetSchema', 'none, with convertToParquet: true',
      'a Glue table (glue.CfnTable) whose columns the Parquet files get', 'give archive.parquetSchema (a glue.CfnTable with the columns of your records), or remove convertToParquet'],
    ['Parquet with a buffer below 64 MiB', sp(s => ({ archive: { convertToParquet: true, parquetSchema: clickTable(s), bufferingSize: Size.mebibytes(5) } })),
      'STREAM_ARCHIVE_BUFFERING_SIZE', 'archive.bufferingSize', '5 MiB', 'a whole number from 64 to 128 MiB', 'set archive.bufferingSize from 64 to 128 MiB (Firehose requires 64 MiB or more with Parquet conversion)'],
    ['Parquet with compression', sp(s => ({ archive: { convertToParquet: true, parquetSchema: clickTable(s), compression: firehose.Compression.GZIP } })),
      'STREAM_ARCHIVE_PARQUET_COMPRESSION', 'archive.compression', 'GZIP', 'UNCOMPRESSED', 'remove archive.compression'],
    ['expected bytes above what the shards take: says how many shards are needed',
      sp({ streamMode: kinesis.StreamMode.PROVISIONED, shardCount: 2, expectedWriteBytesPerSecond: 5 * 1024 * 1024 }), 'STREAM_PIPELINE_SHARDS_FOR_RATE', 'expectedWriteBytesPerSecond',
      '5,242,880 bytes/s and 0 records/s on 2 shards', 'at most 2,097,152 bytes/s and 2,000 records/s (each shard takes 1 MiB/s or 1,000 records/s of writes)',
      'set shardCount to at least 5 (more if partition keys are uneven: a hot key is limited to its one shard), or use streamMode ON_DEMAND'],
    ['expected records above what one shard takes', sp({ streamMode: kinesis.StreamMode.PROVISIONED, expectedWriteRecordsPerSecond: 3500 }), 'STREAM_PIPELINE_SHARDS_FOR_RATE',
      'expectedWriteRecordsPerSecond', '0 bytes/s and 3,500 records/s on 1 shard', 'at most 1,048,576 bytes/s and 1,000 records/s', 'set shardCount to at least 4'],
    ['max record age beyond the retention', sp({ consumer: { ...consumer, maxRecordAge: Duration.hours(30) } }), 'STREAM_CONSUMER_RECORD_AGE_RETENTION', 'consumer.maxRecordAge',
      '1 day 6 hours (108,000 s)', 'at most the retention period, 1 day (86,400 s) (older records are gone from the stream)', 'lower consumer.maxRecordAge, or raise retentionPeriod'],
    ['max record age beyond Lambda\'s 7 days', sp({ retentionPeriod: Duration.days(30), consumer: { ...consumer, maxRecordAge: Duration.days(8) } }), 'STREAM_CONSUMER_MAX_RECORD_AGE',
      'consumer.maxRecordAge', '8 days (691,200 s)', '1 minute (60 s) to 7 days (604,800 s)', 'set consumer.maxRecordAge between 1 minute (60 s) and 7 days (604,800 s)'],
    ['stream settings with an existing stream', sp(s => ({ existingStream: new kinesis.Stream(s, 'Existing'), retentionPeriod: Duration.days(2) })),
      'STREAM_PIPELINE_SETTING_WITH_EXISTING', 'retentionPeriod', '2 days (172,800 s)', 'no value when existingStream is given (an imported resource cannot be reconfigured)',
      'remove retentionPeriod, or drop existingStream so the block creates and configures the stream'],
    ['function options next to your function', sp(s => ({ consumer: { function: new lambda.Function(s, 'Fn', { code, handler: 'index.handler', runtime: lambda.Runtime.NODEJS_24_X }), memorySize: 512 } })),
      'CONSUMER_SETTING_WITH_FUNCTION', 'consumer.memorySize', '512', 'no value when consumer.function is given (your function is not reconfigured)',
      'set memorySize on your function, or give code + handler instead of function'],
    ['code without a handler', sp({ consumer: { code } }), 'CONSUMER_CODE', 'consumer', 'code given, handler missing',
      'code and handler together (a new function), or function (an existing one)', 'give consumer.code (e.g. lambda.Code.fromAsset(...)) and consumer.handler (e.g. "index.handler"), or consumer.function'],
  ];
  test.each(cases)('%s', (_name, make, code_, prop, value, allowed, fix) => {
    expectBadInput({ build: make, path: 'TestStack/Clicks', code: code_, prop, value, allowed, fix });
  });

  test('the limits are inclusive: 20 enhanced fan-out consumers, 4 shards for 4,000 records/s', () => {
    expect(() => new StreamPipeline(newStack(), 'Clicks', { enhancedFanOutConsumers: names })).not.toThrow();
    expect(() => new StreamPipeline(newStack(), 'Clicks', { streamMode: kinesis.StreamMode.PROVISIONED, shardCount: 4, expectedWriteRecordsPerSecond: 4000 })).not.toThrow();
  });
});

describe('StreamPipeline rule table (expectBadInput)', () => {
  const sp = (props: StreamPipelineProps | ((s: Stack) => StreamPipelineProps)) => (s: Stack) => {
    new StreamPipeline(s, 'Clicks', typeof props === 'function' ? props(s) : props);
  };
  const fn = (s: Stack) => new lambda.Function(s, 'Mine', { runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code });
  // [name, build, code, prop, value, allowed, fix]
  const cases: Array<[string, (s: Stack) => void, string, string, string, string, string]> = [
    ['stream name with a space', sp({ streamName: 'my clicks' }), 'STREAM_PIPELINE_STREAM_NAME', 'streamName', '"my clicks" (characters outside the allowed set)', 'Kinesis stream name of 1 to 128 characters', 'rename it'],
    ['stream name over 128 characters', sp({ streamName: 's'.repeat(129) }), 'STREAM_PIPELINE_STREAM_NAME', 'streamName', '129 characters', 'Kinesis stream name of 1 to 128', 'rename it'],
    ['empty stream name', sp({ streamName: '' }), 'STREAM_PIPELINE_STREAM_NAME', 'streamName', '0 characters', 'of 1 to 128 characters', 'rename it'],
    ['enhanced fan-out consumer name with a slash', sp({ enhancedFanOutConsumers: ['kcl/app'] }), 'STREAM_PIPELINE_EFO_NAME', 'enhancedFanOutConsumers[0]', '"kcl/app"', 'Kinesis stream consumer name', 'rename it'],
    ['enhanced fan-out consumer name over 128 characters', sp({ enhancedFanOutConsumers: ['ok', 'c'.repeat(129)] }), 'STREAM_PIPELINE_EFO_NAME', 'enhancedFanOutConsumers[1]', '129 characters', 'of 1 to 128 characters', 'rename it'],
    ['enhanced fan-out consumer named twice', sp({ enhancedFanOutConsumers: ['a', 'a'] }), 'STREAM_PIPELINE_EFO_UNIQUE', 'enhancedFanOutConsumers[1]', '"a" given twice', 'unique names per stream', 'give each consumer its own name'],
    ['enhanced fan-out consumer named like the Lambda one', sp({ enhancedFanOutConsumers: ['Clicks-lambda'], consumer: { ...consumer, enhancedFanOut: true } }), 'STREAM_PIPELINE_EFO_UNIQUE', 'enhancedFanOutConsumers[0]', '"Clicks-lambda"', 'unique names per stream', 'give each consumer its own name'],
    ['21 enhanced fan-out consumers', sp({ enhancedFanOutConsumers: Array.from({ length: 21 }, (_, i) => `c${i}`) }), 'STREAM_PIPELINE_EFO_COUNT', 'enhancedFanOutConsumers', '21 enhanced fan-out consumers', 'at most 20 per stream', 'share reads'],
    ['shardCount on an on-demand stream', sp({ shardCount: 2 }), 'STREAM_PIPELINE_SHARDS_ON_DEMAND', 'shardCount', '2', 'no value with an on-demand stream', 'remove shardCount'],
    ['shardCount 0', sp({ streamMode: kinesis.StreamMode.PROVISIONED, shardCount: 0 }), 'STREAM_PIPELINE_SHARD_COUNT', 'shardCount', '0', 'from 1 to 10,000', 'set shardCount'],
    ['shardCount NaN', sp({ streamMode: kinesis.StreamMode.PROVISIONED, shardCount: NaN }), 'STREAM_PIPELINE_SHARD_COUNT', 'shardCount', 'NaN', 'from 1 to 10,000', 'set shardCount'],
    ['retention below 24 hours', sp({ retentionPeriod: Duration.hours(12) }), 'STREAM_PIPELINE_RETENTION', 'retentionPeriod', '12 hours', '1 day', 'set retentionPeriod'],
    ['retention not in whole hours', sp({ retentionPeriod: Duration.minutes(1530) }), 'STREAM_PIPELINE_RETENTION_HOURS', 'retentionPeriod', '(91,800 s)', 'whole hours', 'use Duration.hours'],
    ['retention NaN', sp({ retentionPeriod: Duration.hours(NaN) }), 'STREAM_PIPELINE_RETENTION', 'retentionPeriod', 'Duration.hours(NaN)', '1 day', 'set retentionPeriod'],
    ['expected write rate Infinity', sp({ expectedWriteBytesPerSecond: Infinity }), 'STREAM_PIPELINE_EXPECTED_BYTES', 'expectedWriteBytesPerSecond', 'Infinity', 'from 0 to', 'set expectedWriteBytesPerSecond'],
    ['expected records negative', sp({ expectedWriteRecordsPerSecond: -1 }), 'STREAM_PIPELINE_EXPECTED_RECORDS', 'expectedWriteRecordsPerSecond', '-1', 'from 0 to', 'set expectedWriteRecordsPerSecond'],
    ['more writes than the shards take', sp({ streamMode: kinesis.StreamMode.PROVISIONED, shardCount: 2, expectedWriteRecordsPerSecond: 5000 }), 'STREAM_PIPELINE_SHARDS_FOR_RATE', 'expectedWriteRecordsPerSecond', '5,000 records/s on 2 shards', 'at most 2,097,152 bytes/s and 2,000 records/s', 'set shardCount to at least 5'],
    ['consumer batch size 0', sp({ consumer: { ...consumer, batchSize: 0 } }), 'STREAM_CONSUMER_BATCH_SIZE', 'consumer.batchSize', '0', 'from 1 to 10,000', 'set consumer.batchSize'],
    ['consumer parallelization 11', sp({ consumer: { ...consumer, parallelizationFactor: 11 } }), 'STREAM_CONSUMER_PARALLELIZATION', 'consumer.parallelizationFactor', '11', 'from 1 to 10', 'set consumer.parallelizationFactor'],
    ['consumer retries above 10,000', sp({ consumer: { ...consumer, retryAttempts: 10_001 } }), 'STREAM_CONSUMER_RETRY_ATTEMPTS', 'consumer.retryAttempts', '10001', 'from 0 to 10,000', 'set consumer.retryAttempts'],
    ['consumer maxRecordAge below 60 s', sp({ consumer: { ...consumer, maxRecordAge: Duration.seconds(30) } }), 'STREAM_CONSUMER_MAX_RECORD_AGE', 'consumer.maxRecordAge', '30 seconds', '1 minute (60 s) to 7 days', 'set consumer.maxRecordAge'],
    ['consumer maxRecordAge beyond the retention', sp({ consumer: { ...consumer, maxRecordAge: Duration.days(2) } }), 'STREAM_CONSUMER_RECORD_AGE_RETENTION', 'consumer.maxRecordAge', '2 days', 'at most the retention period, 1 day', 'lower consumer.maxRecordAge'],
    ['consumer batching window NaN', sp({ consumer: { ...consumer, maxBatchingWindow: Duration.seconds(NaN) } }), 'STREAM_CONSUMER_BATCHING_WINDOW', 'consumer.maxBatchingWindow', 'Duration.seconds(NaN)', '0 seconds to 5 minutes', 'set consumer.maxBatchingWindow'],
    ['consumer memory NaN', sp({ consumer: { ...consumer, memorySize: NaN } }), 'CONSUMER_MEMORY_SIZE', 'consumer.memorySize', 'NaN MB', 'from 128 to 10,240 MB', 'set consumer.memorySize'],
    ['consumer timeout 0', sp({ consumer: { ...consumer, timeout: Duration.seconds(0) } }), 'CONSUMER_TIMEOUT', 'consumer.timeout', '0 seconds', '1 second to 15 minutes', 'set consumer.timeout'],
    ['consumer without code or function', sp({ consumer: {} }), 'CONSUMER_CODE', 'consumer', 'code missing, handler missing', 'code and handler together', 'give consumer.code'],
    ['consumer settings with your function', sp(s => ({ consumer: { function: fn(s), timeout: Duration.seconds(10) } })), 'CONSUMER_SETTING_WITH_FUNCTION', 'consumer.timeout', '10 seconds', 'no value when consumer.function is given', 'set timeout on your function'],
    ['consumer starting AT_TIMESTAMP', sp({ consumer: { ...consumer, startingPosition: lambda.StartingPosition.AT_TIMESTAMP } }), 'STREAM_CONSUMER_STARTING_POSITION', 'consumer.startingPosition', 'AT_TIMESTAMP', 'TRIM_HORIZON or LATEST', 'use TRIM_HORIZON'],
    ['iterator age alarm at the retention (could never fire)', sp({ maxIteratorAge: Duration.hours(24) }), 'STREAM_PIPELINE_ITERATOR_AGE_NEVER_FIRES', 'maxIteratorAge', '1 day', 'less than the retention period', 'lower maxIteratorAge'],
    ['iterator age alarm above the consumer\'s maxRecordAge (could never fire)', sp({ maxIteratorAge: Duration.hours(3), consumer: { ...consumer, maxRecordAge: Duration.hours(2) } }), 'STREAM_PIPELINE_ITERATOR_AGE_NEVER_FIRES', 'maxIteratorAge', '3 hours', 'less than consumer.maxRecordAge (2 hours', 'raise consumer.maxRecordAge'],
    ['iterator age NaN', sp({ maxIteratorAge: Duration.seconds(NaN) }), 'STREAM_PIPELINE_ITERATOR_AGE', 'maxIteratorAge', 'Duration.seconds(NaN)', 'a positive, finite duration', 'e.g. Duration.hours(6)'],
    ['on-failure queue retention too long (nested)', sp({ consumer, onFailureQueueProps: { retentionPeriod: Duration.days(20) } }), 'SECURE_QUEUE_RETENTION', 'onFailureQueueProps.retentionPeriod', '20 days', '1 minute (60 s) to 14 days', 'set onFailureQueueProps.retentionPeriod'],
    ['on-failure queue name with a dot (nested)', sp({ consumer, onFailureQueueProps: { queueName: 'a.b' } }), 'SECURE_QUEUE_NAME', 'onFailureQueueProps.queueName', '"a.b"', 'SQS queue name', 'rename it'],
    ['archive buffering interval above 900 s', sp({ archive: { bufferingInterval: Duration.seconds(901) } }), 'STREAM_ARCHIVE_BUFFERING_INTERVAL', 'archive.bufferingInterval', '15 minutes 1 second', '0 seconds to 15 minutes', 'set archive.bufferingInterval'],
    ['archive buffering size 200 MiB', sp({ archive: { bufferingSize: Size.mebibytes(200) } }), 'STREAM_ARCHIVE_BUFFERING_SIZE', 'archive.bufferingSize', '200 MiB', 'from 1 to 128 MiB', 'set archive.bufferingSize'],
    ['archive buffering size of a fraction of a MiB', sp({ archive: { bufferingSize: Size.kibibytes(1536) } }), 'STREAM_ARCHIVE_BUFFERING_SIZE', 'archive.bufferingSize', '1.5 MiB', 'a whole number from 1 to 128 MiB', 'set archive.bufferingSize'],
    ['archive Parquet without a schema', sp({ archive: { convertToParquet: true } }), 'STREAM_ARCHIVE_PARQUET_SCHEMA', 'archive.parquetSchema', 'none, with convertToParquet: true', 'a Glue table', 'give archive.parquetSchema'],
    ['dashboard name with a slash', sp({ dashboardName: 'a/b' }), 'STREAM_PIPELINE_DASHBOARD_NAME', 'dashboardName', '"a/b"', 'CloudWatch dashboard name', 'rename it'],
    ['alarm topic with an imported key', sp(s => ({ alarmTopic: new sns.Topic(s, 'Alarms', { masterKey: kms.Key.fromKeyArn(s, 'K', 'arn:aws:kms:us-east-1:111111111111:key/abc') }) })), 'ALARM_TOPIC_KEY', 'alarmTopic', 'that this app cannot grant to CloudWatch', 'one whose KMS key this app defines', 'pass a SecureTopic'],
    ['settings with an existing stream', sp(s => ({ existingStream: kinesis.Stream.fromStreamArn(s, 'S', 'arn:aws:kinesis:us-east-1:111111111111:stream/x'), streamName: 'y' })), 'STREAM_PIPELINE_SETTING_WITH_EXISTING', 'streamName', 'y', 'no value when existingStream is given', 'remove streamName'],
  ];
  test.each(cases)('%s', (_name, make, code_, prop, value, allowed, fix) => {
    expectBadInput({ build: make, path: 'TestStack/Clicks', code: code_, prop, value, allowed, fix });
  });
});

describe('StreamPipeline numeric props accept CfnParameter tokens', () => {
  const cases: Array<[string, (n: number) => StreamPipelineProps]> = [
    ['shardCount', n => ({ streamMode: kinesis.StreamMode.PROVISIONED, shardCount: n, expectedWriteRecordsPerSecond: 5000 })],
    ['expectedWriteBytesPerSecond', n => ({ streamMode: kinesis.StreamMode.PROVISIONED, expectedWriteBytesPerSecond: n })],
    ['expectedWriteRecordsPerSecond', n => ({ streamMode: kinesis.StreamMode.PROVISIONED, expectedWriteRecordsPerSecond: n })],
    ['retentionPeriod (hours)', n => ({ retentionPeriod: Duration.hours(n), consumer })],
    ['consumer.batchSize', n => ({ consumer: { ...consumer, batchSize: n } })],
    ['consumer.parallelizationFactor', n => ({ consumer: { ...consumer, parallelizationFactor: n } })],
    ['consumer.retryAttempts', n => ({ consumer: { ...consumer, retryAttempts: n } })],
    ['consumer.memorySize', n => ({ consumer: { ...consumer, memorySize: n } })],
    ['consumer.maxRecordAge (seconds)', n => ({ consumer: { ...consumer, maxRecordAge: Duration.seconds(n) } })],
    ['maxIteratorAge (seconds)', n => ({ maxIteratorAge: Duration.seconds(n), consumer: { ...consumer, maxRecordAge: Duration.hours(2) } })],
    ['archive.bufferingInterval (seconds)', n => ({ archive: { bufferingInterval: Duration.seconds(n) } })],
    ['onFailureQueueProps.maxReceiveCount', n => ({ consumer, onFailureQueueProps: { maxReceiveCount: n } })],
  ];
  test.each(cases)('%s', (_name, props) => {
    expectNumberTokenAccepted((s, n) => { new StreamPipeline(s, 'Clicks', props(n)); });
  });
});

describe('StreamPipeline dashboards and grants', () => {
  test('grantPutRecords lets a producer write; dashboardEnabled: false makes no dashboard', () => {
    const stack = newStack();
    const clicks = new StreamPipeline(stack, 'Clicks', { dashboardEnabled: false });
    expect(clicks.dashboard).toBeUndefined();
    const producer = new iam.Role(stack, 'Producer', { assumedBy: new iam.AccountRootPrincipal() });
    clicks.grantPutRecords(producer);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 0);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: Match.arrayWith(['kinesis:PutRecord', 'kinesis:PutRecords']) })]) },
    });
  });
});
