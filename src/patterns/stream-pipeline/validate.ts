import { Duration } from 'aws-cdk-lib';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { LIMITS } from './limits';
import { StreamArchiveOptions, StreamConsumerOptions, StreamPipelineProps } from './props';
import { checkConsumerCode } from '../../core/consumer/consumer-defaults';
import { check, checkDurationInRange, checkNoSettingsWithExisting, checkNotSetWith, checkNumberInRange, describeDuration } from '../../core/validation';

export function validateStreamPipeline(scope: Construct, props: StreamPipelineProps): void {
  if (props.existingStream) {
    checkNoSettingsWithExisting(scope, 'existingStream', {
      streamName: props.streamName,
      streamMode: props.streamMode,
      shardCount: props.shardCount,
      retentionPeriod: props.retentionPeriod,
      encryptionKey: props.encryptionKey,
    });
  }
  const provisioned = props.streamMode === kinesis.StreamMode.PROVISIONED;
  if (!provisioned) {
    checkNotSetWith(scope, 'shardCount', props.shardCount, 'with an on-demand stream (Kinesis sizes its shards itself)',
      'remove shardCount, or set streamMode: kinesis.StreamMode.PROVISIONED');
  }
  checkNumberInRange(scope, 'shardCount', props.shardCount, { min: 1, max: 10_000 });
  checkDurationInRange(scope, 'retentionPeriod', props.retentionPeriod, { min: LIMITS.minRetention, max: LIMITS.maxRetention });
  if (props.retentionPeriod && !props.retentionPeriod.isUnresolved()) {
    check(scope, props.retentionPeriod.toMilliseconds() % 3_600_000 === 0, {
      prop: 'retentionPeriod', value: describeDuration(props.retentionPeriod), allowed: 'whole hours', fix: 'use Duration.hours(...) or Duration.days(...)',
    });
  }
  checkWriteRate(scope, props, provisioned);

  const efoCount = (props.enhancedFanOutConsumers ?? []).length + (props.consumer?.enhancedFanOut ? 1 : 0);
  check(scope, efoCount <= LIMITS.maxEnhancedFanOutConsumers, {
    prop: 'enhancedFanOutConsumers',
    value: `${efoCount} enhanced fan-out consumers${props.consumer?.enhancedFanOut ? ' (the Lambda consumer\'s included)' : ''}`,
    allowed: `at most ${LIMITS.maxEnhancedFanOutConsumers} per stream (Kinesis limit)`,
    fix: 'share reads: let readers that tolerate 200 ms latency use the shared throughput (GetRecords) instead of a dedicated consumer',
  });
  const names = props.enhancedFanOutConsumers ?? [];
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  check(scope, duplicate === undefined, {
    prop: 'enhancedFanOutConsumers', value: `"${duplicate}" given twice`, allowed: 'unique names', fix: 'give each consumer its own name',
  });

  if (props.consumer) validateConsumer(scope, props.consumer, props.retentionPeriod ?? (props.existingStream ? undefined : Duration.hours(24)));
  if (props.archive) validateArchive(scope, props.archive);
}

/** A provisioned stream must take the write rate the user expects; says how many shards would. */
function checkWriteRate(scope: Construct, props: StreamPipelineProps, provisioned: boolean): void {
  checkNumberInRange(scope, 'expectedWriteBytesPerSecond', props.expectedWriteBytesPerSecond, { min: 0, max: Number.MAX_SAFE_INTEGER });
  checkNumberInRange(scope, 'expectedWriteRecordsPerSecond', props.expectedWriteRecordsPerSecond, { min: 0, max: Number.MAX_SAFE_INTEGER });
  if (!provisioned || props.existingStream) return;
  const shards = props.shardCount ?? 1;
  const bytes = props.expectedWriteBytesPerSecond ?? 0;
  const records = props.expectedWriteRecordsPerSecond ?? 0;
  const needed = Math.max(Math.ceil(bytes / LIMITS.shardWriteBytesPerSecond), Math.ceil(records / LIMITS.shardWriteRecordsPerSecond), 1);
  const prop = Math.ceil(bytes / LIMITS.shardWriteBytesPerSecond) >= Math.ceil(records / LIMITS.shardWriteRecordsPerSecond)
    ? 'expectedWriteBytesPerSecond' : 'expectedWriteRecordsPerSecond';
  check(scope, needed <= shards, {
    prop,
    value: `${bytes.toLocaleString('en-US')} bytes/s and ${records.toLocaleString('en-US')} records/s on ${shards} shard${shards === 1 ? '' : 's'}`,
    allowed: `at most ${(shards * LIMITS.shardWriteBytesPerSecond).toLocaleString('en-US')} bytes/s and ${(shards * LIMITS.shardWriteRecordsPerSecond).toLocaleString('en-US')} records/s ` +
      '(each shard takes 1 MiB/s or 1,000 records/s of writes)',
    fix: `set shardCount to at least ${needed} (more if partition keys are uneven: a hot key is limited to its one shard), or use streamMode ON_DEMAND`,
  });
}

function validateConsumer(scope: Construct, consumer: StreamConsumerOptions, retention: Duration | undefined): void {
  checkConsumerCode(scope, 'consumer', consumer);
  checkNumberInRange(scope, 'consumer.batchSize', consumer.batchSize, { min: 1, max: LIMITS.maxBatchSize });
  checkDurationInRange(scope, 'consumer.maxBatchingWindow', consumer.maxBatchingWindow, { min: Duration.seconds(0), max: Duration.minutes(5) });
  checkNumberInRange(scope, 'consumer.parallelizationFactor', consumer.parallelizationFactor, { min: 1, max: 10 });
  checkNumberInRange(scope, 'consumer.retryAttempts', consumer.retryAttempts, { min: 0, max: 10_000 });
  checkDurationInRange(scope, 'consumer.maxRecordAge', consumer.maxRecordAge, { min: Duration.seconds(60), max: LIMITS.maxRecordAge });
  if (consumer.maxRecordAge && retention && !consumer.maxRecordAge.isUnresolved() && !retention.isUnresolved()) {
    check(scope, consumer.maxRecordAge.toMilliseconds() <= retention.toMilliseconds(), {
      prop: 'consumer.maxRecordAge',
      value: describeDuration(consumer.maxRecordAge),
      allowed: `at most the retention period, ${describeDuration(retention)} (older records are gone from the stream)`,
      fix: 'lower consumer.maxRecordAge, or raise retentionPeriod',
    });
  }
  check(scope, consumer.startingPosition !== lambda.StartingPosition.AT_TIMESTAMP, {
    prop: 'consumer.startingPosition',
    value: 'AT_TIMESTAMP',
    allowed: 'TRIM_HORIZON or LATEST',
    fix: 'use TRIM_HORIZON (everything kept) or LATEST (only new records)',
  });
}

function validateArchive(scope: Construct, archive: StreamArchiveOptions): void {
  checkDurationInRange(scope, 'archive.bufferingInterval', archive.bufferingInterval, { min: Duration.seconds(0), max: Duration.seconds(900) });
  const parquet = archive.convertToParquet ?? false;
  const minMiB = parquet ? 64 : 1;
  if (archive.bufferingSize) {
    checkNumberInRange(scope, 'archive.bufferingSize', archive.bufferingSize.toMebibytes(), {
      min: minMiB,
      max: 128,
      unit: 'MiB',
      fix: parquet ? 'set archive.bufferingSize from 64 to 128 MiB (Firehose requires 64 MiB or more with Parquet conversion)' : undefined,
    });
  }
  if (parquet) {
    check(scope, archive.parquetSchema !== undefined, {
      prop: 'archive.parquetSchema',
      value: 'none, with convertToParquet: true',
      allowed: 'a Glue table (glue.CfnTable) whose columns the Parquet files get',
      fix: 'give archive.parquetSchema (a glue.CfnTable with the columns of your records), or remove convertToParquet',
    });
    checkNotSetWith(scope, 'archive.compression', archive.compression?.value,
      'with Parquet conversion (Parquet compresses inside the file; Firehose requires the object compression to be UNCOMPRESSED)',
      'remove archive.compression');
  } else {
    checkNotSetWith(scope, 'archive.parquetSchema', archive.parquetSchema, 'without convertToParquet: true', 'set archive.convertToParquet: true, or remove parquetSchema');
  }
}
