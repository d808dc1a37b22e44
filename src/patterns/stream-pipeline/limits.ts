import { Duration } from 'aws-cdk-lib';

/** Kinesis and Lambda limits the pattern checks at synth time. */
export const LIMITS = {
  /** Per shard (provisioned): https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html */
  shardWriteBytesPerSecond: 1024 * 1024,
  shardWriteRecordsPerSecond: 1000,
  maxEnhancedFanOutConsumers: 20,
  maxBatchSize: 10_000,
  minRetention: Duration.hours(24),
  maxRetention: Duration.days(365),
  /** Lambda's MaximumRecordAgeInSeconds: 60 s to 7 days. */
  maxRecordAge: Duration.days(7),
};
