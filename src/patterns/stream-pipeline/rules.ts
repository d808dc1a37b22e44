import { Duration, SizeRoundingBehavior, Token } from 'aws-cdk-lib';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { LIMITS } from './limits';
import { StreamArchiveOptions, StreamEventSourceOptions, StreamPipelineProps } from './props';
import { consumerCodeRules } from '../../core/consumer/consumer-rules';
import { queueIsFifo, secureQueueRules } from '../../core/secure-queue-rules';
import { NAME_RULES, Rule, Violations, describeDuration, groupThousands, nested, secondsOf, usable } from '../../core/validation';
import { alarmTopicRule } from '../../monitoring/alarm-topic';

/** The name of the enhanced fan-out consumer the Lambda consumer reads through. */
export function lambdaStreamConsumerName(id: string): string {
  return `${id}-lambda`.slice(0, 128);
}

/** The retention the stream will have (undefined for an existing stream: unknown here). */
function retentionOf(p: StreamPipelineProps): Duration | undefined {
  return p.retentionPeriod ?? (p.existingStream ? undefined : Duration.hours(24));
}

/** The event source mapping's limits on a Kinesis consumer, under `prefix` (`consumer.`). */
export function streamEventSourceRules(prefix: string, retention: Duration | undefined): Rule<StreamEventSourceOptions>[] {
  const p = (name: string) => `${prefix}${name}`;
  return [
    (c, v) => v.numberInRange('STREAM_CONSUMER_BATCH_SIZE', p('batchSize'), c.batchSize, { min: 1, max: LIMITS.maxBatchSize }),
    (c, v) => v.durationInRange('STREAM_CONSUMER_BATCHING_WINDOW', p('maxBatchingWindow'), c.maxBatchingWindow, { min: Duration.seconds(0), max: Duration.minutes(5), wholeSeconds: true }),
    (c, v) => v.numberInRange('STREAM_CONSUMER_PARALLELIZATION', p('parallelizationFactor'), c.parallelizationFactor, { min: 1, max: 10 }),
    (c, v) => v.numberInRange('STREAM_CONSUMER_RETRY_ATTEMPTS', p('retryAttempts'), c.retryAttempts, { min: 0, max: 10_000 }),
    (c, v) => v.durationInRange('STREAM_CONSUMER_MAX_RECORD_AGE', p('maxRecordAge'), c.maxRecordAge, { min: Duration.seconds(60), max: LIMITS.maxRecordAge, wholeSeconds: true }),
    (c, v) => {
      const age = secondsOf(c.maxRecordAge);
      const kept = secondsOf(retention);
      if (age === undefined || kept === undefined) return;
      v.check('STREAM_CONSUMER_RECORD_AGE_RETENTION', age <= kept, {
        prop: p('maxRecordAge'),
        value: describeDuration(c.maxRecordAge!),
        allowed: `at most the retention period, ${describeDuration(retention!)} (older records are gone from the stream)`,
        fix: `lower ${p('maxRecordAge')}, or raise retentionPeriod`,
      });
    },
    (c, v) => v.check('STREAM_CONSUMER_STARTING_POSITION', c.startingPosition !== lambda.StartingPosition.AT_TIMESTAMP, {
      prop: p('startingPosition'), value: 'AT_TIMESTAMP', allowed: 'TRIM_HORIZON or LATEST', fix: 'use TRIM_HORIZON (everything kept) or LATEST (only new records)',
    }),
  ];
}

/** A provisioned stream must take the write rate the user expects; says how many shards would. */
function writeRateRule(p: StreamPipelineProps, v: Violations): void {
  v.numberInRange('STREAM_PIPELINE_EXPECTED_BYTES', 'expectedWriteBytesPerSecond', p.expectedWriteBytesPerSecond, { min: 0, max: Number.MAX_SAFE_INTEGER });
  v.numberInRange('STREAM_PIPELINE_EXPECTED_RECORDS', 'expectedWriteRecordsPerSecond', p.expectedWriteRecordsPerSecond, { min: 0, max: Number.MAX_SAFE_INTEGER });
  if (p.streamMode !== kinesis.StreamMode.PROVISIONED || p.existingStream) return;
  const shards = p.shardCount ?? 1;
  const bytes = p.expectedWriteBytesPerSecond ?? 0;
  const records = p.expectedWriteRecordsPerSecond ?? 0;
  if (!usable(shards) || !usable(bytes) || !usable(records) || bytes < 0 || records < 0) return;
  const byBytes = Math.ceil(bytes / LIMITS.shardWriteBytesPerSecond);
  const byRecords = Math.ceil(records / LIMITS.shardWriteRecordsPerSecond);
  const needed = Math.max(byBytes, byRecords, 1);
  v.check('STREAM_PIPELINE_SHARDS_FOR_RATE', needed <= shards, {
    prop: byBytes >= byRecords ? 'expectedWriteBytesPerSecond' : 'expectedWriteRecordsPerSecond',
    value: `${groupThousands(bytes)} bytes/s and ${groupThousands(records)} records/s on ${shards} shard${shards === 1 ? '' : 's'}`,
    allowed: `at most ${groupThousands(shards * LIMITS.shardWriteBytesPerSecond)} bytes/s and ${groupThousands(shards * LIMITS.shardWriteRecordsPerSecond)} records/s ` +
      '(each shard takes 1 MiB/s or 1,000 records/s of writes)',
    fix: `set shardCount to at least ${needed} (more if partition keys are uneven: a hot key is limited to its one shard), or use streamMode ON_DEMAND`,
  });
}

/** Firehose's prefix length limit (Prefix, ErrorOutputPrefix: https://docs.aws.amazon.com/firehose/latest/APIReference/API_ExtendedS3DestinationConfiguration.html). */
const PREFIX_MAX_LENGTH = 1024;
/** The archive's default prefixes (stream-pipeline.ts uses them when unset). */
export const DEFAULT_DATA_PREFIX = 'raw/!{timestamp:yyyy/MM/dd/HH}/';
export const DEFAULT_ERROR_PREFIX = 'errors/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/';

/**
 * What Firehose refuses in an S3 prefix (https://docs.aws.amazon.com/firehose/latest/dev/s3-prefixes.html):
 * expressions other than `!{timestamp:<format>}`, `!{firehose:random-string}` and (error prefix only)
 * `!{firehose:error-output-type}`; `partitionKeyFrom*` needs dynamic partitioning, which the archive does not use.
 */
function prefixProblems(prefix: string, error: boolean): string[] {
  const problems: string[] = [];
  if (prefix.length > PREFIX_MAX_LENGTH) problems.push(`${prefix.length} characters (at most ${PREFIX_MAX_LENGTH})`);
  const rest = prefix.replace(/!\{([^{}:]*):([^{}]*)\}/g, (whole, ns: string, value: string) => {
    if (ns === 'timestamp' && value.length > 0) return '';
    if (ns === 'firehose' && (value === 'random-string' || (error && value === 'error-output-type'))) return '';
    if (ns === 'firehose' && value === 'error-output-type') problems.push(`${whole} (only the error prefix may name the error type)`);
    else if (ns.startsWith('partitionKeyFrom')) problems.push(`${whole} (needs dynamic partitioning, which the archive does not use)`);
    else problems.push(`${whole} (not an expression Firehose knows)`);
    return '';
  });
  const at = rest.indexOf('!{');
  if (at >= 0) problems.push(`"${rest.slice(at, at + 30)}" is not an expression of the form !{namespace:value}`);
  return problems;
}

/** The archive's prefixes, as Firehose checks them. */
function prefixRule(a: StreamArchiveOptions, v: Violations): void {
  const data = a.dataOutputPrefix ?? DEFAULT_DATA_PREFIX;
  const errors = a.errorOutputPrefix ?? DEFAULT_ERROR_PREFIX;
  const dataToken = Token.isUnresolved(data);
  const errorToken = Token.isUnresolved(errors);
  const allowed = 'at most 1,024 characters; expressions !{timestamp:<Java DateTimeFormatter pattern>} and !{firehose:random-string}, ' +
    'and in the error prefix also !{firehose:error-output-type}';
  for (const [prop, value, error, token] of [['archive.dataOutputPrefix', a.dataOutputPrefix, false, dataToken], ['archive.errorOutputPrefix', a.errorOutputPrefix, true, errorToken]] as const) {
    if (value === undefined || token) continue;
    const problems = prefixProblems(value, error);
    v.check('STREAM_ARCHIVE_PREFIX', problems.length === 0, {
      prop, value: `"${value.length > 60 ? `${value.slice(0, 60)}...` : value}": ${problems.join('; ')}`, allowed, fix: `rewrite ${prop} within those rules, e.g. "${error ? DEFAULT_ERROR_PREFIX : DEFAULT_DATA_PREFIX}"`,
    });
  }
  if (dataToken || errorToken) return;
  v.check('STREAM_ARCHIVE_ERROR_PREFIX_REQUIRED', !data.includes('!{') || errors.length > 0, {
    prop: 'archive.errorOutputPrefix',
    value: '"" with expressions in archive.dataOutputPrefix',
    allowed: 'an error prefix whenever the data prefix has expressions (Firehose rule)',
    fix: `leave archive.errorOutputPrefix unset for "${DEFAULT_ERROR_PREFIX}", or give one`,
  });
  v.check('STREAM_ARCHIVE_ERROR_PREFIX_TYPE', !errors.includes('!{') || errors.includes('!{firehose:error-output-type}'), {
    prop: 'archive.errorOutputPrefix',
    value: `"${errors}" (expressions without !{firehose:error-output-type})`,
    allowed: 'an error prefix with expressions names !{firehose:error-output-type} at least once (Firehose rule), or has no expressions',
    fix: `add !{firehose:error-output-type}, e.g. "${DEFAULT_ERROR_PREFIX}"`,
  });
}

/** Firehose's limits on the archive, under `archive.`. */
function archiveRules(): Rule<StreamArchiveOptions>[] {
  return [
    prefixRule,
    (a, v) => v.durationInRange('STREAM_ARCHIVE_BUFFERING_INTERVAL', 'archive.bufferingInterval', a.bufferingInterval, { min: Duration.seconds(0), max: Duration.seconds(900), wholeSeconds: true }),
    (a, v) => {
      if (!a.bufferingSize || a.bufferingSize.isUnresolved()) return;
      const parquet = a.convertToParquet ?? false;
      v.numberInRange('STREAM_ARCHIVE_BUFFERING_SIZE', 'archive.bufferingSize', a.bufferingSize.toMebibytes({ rounding: SizeRoundingBehavior.NONE }), {
        min: parquet ? 64 : 1,
        max: 128,
        unit: 'MiB',
        fix: parquet ? 'set archive.bufferingSize from 64 to 128 MiB (Firehose requires 64 MiB or more with Parquet conversion)' : undefined,
      });
    },
    (a, v) => {
      if (a.convertToParquet) {
        v.check('STREAM_ARCHIVE_PARQUET_SCHEMA', a.parquetSchema !== undefined, {
          prop: 'archive.parquetSchema',
          value: 'none, with convertToParquet: true',
          allowed: 'a Glue table (glue.CfnTable) whose columns the Parquet files get',
          fix: 'give archive.parquetSchema (a glue.CfnTable with the columns of your records), or remove convertToParquet',
        });
        v.notSetWith('STREAM_ARCHIVE_PARQUET_COMPRESSION', 'archive.compression', a.compression?.value,
          'with Parquet conversion (Parquet compresses inside the file; Firehose requires the object compression to be UNCOMPRESSED)',
          'remove archive.compression');
      } else {
        v.notSetWith('STREAM_ARCHIVE_PARQUET_SCHEMA', 'archive.parquetSchema', a.parquetSchema, 'without convertToParquet: true', 'set archive.convertToParquet: true, or remove parquetSchema');
      }
    },
  ];
}

/** The rule table of a {@link StreamPipeline}; `id` is its construct id (it names the Lambda's enhanced fan-out consumer). */
export function streamPipelineRules(id: string): Rule<StreamPipelineProps>[] {
  return [
    (p, v) => {
      if (!p.existingStream) return;
      const settings: Record<string, unknown> = {
        streamName: p.streamName,
        streamMode: p.streamMode,
        shardCount: p.shardCount,
        retentionPeriod: p.retentionPeriod,
        encryptionKey: p.encryptionKey,
      };
      for (const [name, value] of Object.entries(settings)) {
        v.notSetWith('STREAM_PIPELINE_SETTING_WITH_EXISTING', name, value, 'when existingStream is given (an imported resource cannot be reconfigured)',
          `remove ${name}, or drop existingStream so the block creates and configures the stream`);
      }
    },
    (p, v) => v.name('STREAM_PIPELINE_STREAM_NAME', 'streamName', p.streamName, NAME_RULES.stream),
    (p, v) => {
      if (p.streamMode !== kinesis.StreamMode.PROVISIONED) {
        v.notSetWith('STREAM_PIPELINE_SHARDS_ON_DEMAND', 'shardCount', p.shardCount, 'with an on-demand stream (Kinesis sizes its shards itself)',
          'remove shardCount, or set streamMode: kinesis.StreamMode.PROVISIONED');
      }
    },
    (p, v) => v.numberInRange('STREAM_PIPELINE_SHARD_COUNT', 'shardCount', p.shardCount, { min: 1, max: 10_000 }),
    (p, v) => v.durationInRange('STREAM_PIPELINE_RETENTION', 'retentionPeriod', p.retentionPeriod, { min: LIMITS.minRetention, max: LIMITS.maxRetention }),
    (p, v) => {
      const s = secondsOf(p.retentionPeriod);
      if (s === undefined) return;
      v.check('STREAM_PIPELINE_RETENTION_HOURS', s % 3600 === 0, {
        prop: 'retentionPeriod', value: describeDuration(p.retentionPeriod!), allowed: 'whole hours', fix: 'use Duration.hours(...) or Duration.days(...)',
      });
    },
    writeRateRule,
    (p, v) => {
      const names = p.enhancedFanOutConsumers ?? [];
      const efoCount = names.length + (p.consumer?.enhancedFanOut ? 1 : 0);
      v.check('STREAM_PIPELINE_EFO_COUNT', efoCount <= LIMITS.maxEnhancedFanOutConsumers, {
        prop: 'enhancedFanOutConsumers',
        value: `${efoCount} enhanced fan-out consumers${p.consumer?.enhancedFanOut ? ' (the Lambda consumer\'s included)' : ''}`,
        allowed: `at most ${LIMITS.maxEnhancedFanOutConsumers} per stream (Kinesis limit)`,
        fix: 'share reads: let readers that tolerate 200 ms latency use the shared throughput (GetRecords) instead of a dedicated consumer',
      });
      const all = [...names, ...(p.consumer?.enhancedFanOut ? [lambdaStreamConsumerName(id)] : [])];
      for (const [i, name] of names.entries()) {
        v.name('STREAM_PIPELINE_EFO_NAME', `enhancedFanOutConsumers[${i}]`, name, NAME_RULES.streamConsumer);
        if (Token.isUnresolved(name)) continue;
        v.check('STREAM_PIPELINE_EFO_UNIQUE', all.filter(n => n === name).length === 1, {
          prop: `enhancedFanOutConsumers[${i}]`, value: `"${name}" given twice (or the Lambda consumer's name)`, allowed: 'unique names per stream', fix: 'give each consumer its own name',
        });
      }
      if (p.consumer?.enhancedFanOut) {
        v.name('STREAM_PIPELINE_EFO_NAME', 'consumer.enhancedFanOut (consumer name from the construct id)', lambdaStreamConsumerName(id), NAME_RULES.streamConsumer);
      }
    },
    nested(p => p.consumer, consumerCodeRules('consumer.')),
    (p, v) => { if (p.consumer) for (const rule of streamEventSourceRules('consumer.', retentionOf(p))) rule(p.consumer, v); },
    nested(p => p.onFailureQueueProps, secureQueueRules('onFailureQueueProps.')),
    (p, v) => {
      const q = p.onFailureQueueProps;
      if (!q) return;
      v.check('STREAM_PIPELINE_ON_FAILURE_WITHOUT_CONSUMER', p.consumer !== undefined, {
        prop: 'onFailureQueueProps',
        value: 'given without consumer',
        allowed: 'no value without consumer (the on-failure queue receives the Lambda consumer\'s failed batches; without a consumer it is not made)',
        fix: 'add consumer, or remove onFailureQueueProps',
      });
      // Lambda sends each failed batch's record with a plain SendMessage, without a MessageGroupId, which a FIFO queue requires
      // (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html#SQS-SendMessage-request-MessageGroupId;
      // on-failure destinations: https://docs.aws.amazon.com/lambda/latest/api/API_OnFailure.html): the records would be lost.
      const fifo = queueIsFifo(q);
      v.check('STREAM_PIPELINE_ON_FAILURE_FIFO', !fifo, {
        prop: q.existingQueue ? 'onFailureQueueProps.existingQueue' : (q.fifo ? 'onFailureQueueProps.fifo' : 'onFailureQueueProps.queueName'),
        value: 'a FIFO queue',
        allowed: 'a standard queue: Lambda sends failed-batch records without a message group id, which a FIFO queue refuses (the records would be lost)',
        fix: 'remove fifo (and the ".fifo" suffix), or pass a standard existingQueue',
      });
    },
    nested(p => p.archive, archiveRules()),
    // An iterator-age alarm at or above what the stream keeps (or the consumer skips) could never fire.
    (p, v) => {
      const age = secondsOf(p.maxIteratorAge);
      if (p.maxIteratorAge === undefined || p.maxIteratorAge.isUnresolved()) return;
      v.check('STREAM_PIPELINE_ITERATOR_AGE', age !== undefined && age > 0, {
        prop: 'maxIteratorAge', value: describeDuration(p.maxIteratorAge), allowed: 'a positive, finite duration', fix: 'e.g. Duration.hours(6), or leave it unset for the default',
      });
      if (age === undefined || p.alarmsEnabled === false) return;
      const retention = secondsOf(retentionOf(p));
      if (retention !== undefined) {
        v.check('STREAM_PIPELINE_ITERATOR_AGE_NEVER_FIRES', age < retention, {
          prop: 'maxIteratorAge',
          value: describeDuration(p.maxIteratorAge),
          allowed: `less than the retention period (${describeDuration(retentionOf(p)!)}): records expire before readers can lag that much, so the alarm could never fire`,
          fix: 'lower maxIteratorAge (half the retention is the default), or raise retentionPeriod',
        });
      }
      // The consumer's record age: given, or the default (half the retention, at most 7 days) when the retention is known.
      const keptSeconds = secondsOf(retentionOf(p));
      const recordAgeDuration = p.consumer?.maxRecordAge
        ?? (p.consumer && keptSeconds !== undefined
          ? Duration.seconds(Math.min(Math.floor(keptSeconds / 2), LIMITS.maxRecordAge.toSeconds()))
          : undefined);
      const recordAge = secondsOf(recordAgeDuration);
      if (recordAge !== undefined) {
        const byDefault = p.consumer?.maxRecordAge === undefined;
        v.check('STREAM_PIPELINE_ITERATOR_AGE_NEVER_FIRES', age < recordAge, {
          prop: 'maxIteratorAge',
          value: describeDuration(p.maxIteratorAge),
          allowed: `less than consumer.maxRecordAge (${describeDuration(recordAgeDuration!)}${byDefault ? ', the default: half the retention period' : ''}): the consumer skips older records, so its lag alarm could never fire`,
          fix: byDefault ? 'lower maxIteratorAge, or set consumer.maxRecordAge (up to the retention period, at most 7 days)' : 'lower maxIteratorAge, or raise consumer.maxRecordAge',
        });
      }
    },
    (p, v) => v.name('STREAM_PIPELINE_DASHBOARD_NAME', 'dashboardName', p.dashboardName, NAME_RULES.dashboard),
    (p, v) => {
      if (p.dashboard) {
        v.notSetWith('DASHBOARD_NAME_WITH_SHARED', 'dashboardName', p.dashboardName, 'together with dashboard (a shared dashboard has its own name)',
          'name the shared PatternDashboard where you create it, and remove dashboardName here');
      }
    },
    alarmTopicRule(),
  ];
}
