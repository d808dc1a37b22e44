/**
 * NOT THE EMULATOR: a model of the AWS Lambda Kinesis event source mapping's failure handling,
 * used because MiniStack 1.5.33's Kinesis poller has none of it (it ignores
 * BisectBatchOnFunctionError, MaximumRetryAttempts, MaximumRecordAgeInSeconds, DestinationConfig
 * and partial batch responses: a failed batch is retried forever; a partial failure advances past
 * the whole batch). See docs/local-aws-fidelity.md.
 *
 * It reads a shard of a real (emulated) stream with GetRecords, calls the consumer code with the
 * event Lambda would build, and applies the mapping's settings as AWS documents them
 * (https://docs.aws.amazon.com/lambda/latest/dg/services-kinesis-batchfailurereporting.html):
 * - success (no batchItemFailures): checkpoint after the batch;
 * - partial failure: checkpoint before the lowest failed sequence number and retry from there;
 * - a batch that makes no progress (function error, or the first record failed): with bisect,
 *   split it in two and process each half in order; without, retry it;
 * - after MaximumRetryAttempts retries of a batch, send its coordinates (KinesisBatchInfo, the
 *   same JSON AWS sends) to the on-failure queue, and go on with the next records.
 * The settings come from the deployed mapping (ListEventSourceMappings), so the model runs what
 * the stack configured.
 */
import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand, _Record } from '@aws-sdk/client-kinesis';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { KinesisStreamBatchResponse, KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import { LocalClients } from './clients';
import { LOCAL_REGION } from './deploy';

export interface EsmSettings {
  readonly batchSize: number;
  readonly bisectBatchOnFunctionError: boolean;
  readonly reportBatchItemFailures: boolean;
  readonly maximumRetryAttempts: number;
  readonly onFailureQueueUrl: string;
  readonly functionArn: string;
}

export interface EsmModelReport {
  readonly invocations: number;
  /** Sizes of the batches that were split in two. */
  readonly bisections: number[];
  /** The on-failure messages sent. */
  readonly onFailure: Array<{ startSequenceNumber: string; endSequenceNumber: string; batchSize: number; approximateInvokeCount: number }>;
  readonly recordsRead: number;
}

type Consumer = (event: KinesisStreamEvent) => Promise<KinesisStreamBatchResponse | void>;

/** Every record of every shard of a stream, from the oldest (TRIM_HORIZON), by shard. */
export async function readStream(clients: LocalClients, streamName: string): Promise<Map<string, _Record[]>> {
  const shards = await clients.kinesis.send(new ListShardsCommand({ StreamName: streamName }));
  const byShard = new Map<string, _Record[]>();
  for (const shard of shards.Shards ?? []) {
    const records: _Record[] = [];
    let iterator = (await clients.kinesis.send(new GetShardIteratorCommand({
      StreamName: streamName, ShardId: shard.ShardId!, ShardIteratorType: 'TRIM_HORIZON',
    }))).ShardIterator;
    for (;;) {
      const res = await clients.kinesis.send(new GetRecordsCommand({ ShardIterator: iterator!, Limit: 10_000 }));
      records.push(...(res.Records ?? []));
      if ((res.Records ?? []).length === 0 || !res.NextShardIterator) break;
      iterator = res.NextShardIterator;
    }
    byShard.set(shard.ShardId!, records);
  }
  return byShard;
}

function toEvent(shardId: string, streamArn: string, records: readonly _Record[]): KinesisStreamRecord[] {
  return records.map(r => ({
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey: r.PartitionKey!,
      sequenceNumber: r.SequenceNumber!,
      data: Buffer.from(r.Data!).toString('base64'),
      approximateArrivalTimestamp: (r.ApproximateArrivalTimestamp?.getTime() ?? Date.now()) / 1000,
    },
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventID: `${shardId}:${r.SequenceNumber}`,
    eventName: 'aws:kinesis:record',
    invokeIdentityArn: 'arn:aws:iam::000000000000:role/consumer',
    awsRegion: LOCAL_REGION,
    eventSourceARN: streamArn,
  }));
}

/** Runs the consumer over every record of the stream with the mapping's failure handling. */
export async function runEsmModel(
  clients: LocalClients, stream: { name: string; arn: string }, settings: EsmSettings, consumer: Consumer,
): Promise<EsmModelReport> {
  const report: EsmModelReport = { invocations: 0, bisections: [], onFailure: [], recordsRead: 0 };
  const shards = await readStream(clients, stream.name);

  for (const [shardId, records] of shards) {
    (report as { recordsRead: number }).recordsRead += records.length;
    const invoke = async (batch: KinesisStreamRecord[]): Promise<number | 'error' | undefined> => {
      (report as { invocations: number }).invocations++;
      try {
        const res = await consumer({ Records: batch });
        const failures = settings.reportBatchItemFailures ? (res?.batchItemFailures ?? []) : [];
        if (failures.length === 0) return undefined;
        const ids = failures.map(f => f.itemIdentifier);
        const at = batch.findIndex(r => ids.includes(r.kinesis.sequenceNumber));
        return at < 0 ? 'error' : at; // an unknown identifier fails the whole batch
      } catch {
        return 'error';
      }
    };
    const sendOnFailure = async (batch: KinesisStreamRecord[], invokeCount: number) => {
      const first = batch[0];
      const last = batch[batch.length - 1];
      const iso = (r: KinesisStreamRecord) => new Date(r.kinesis.approximateArrivalTimestamp * 1000).toISOString();
      const info = {
        shardId,
        startSequenceNumber: first.kinesis.sequenceNumber,
        endSequenceNumber: last.kinesis.sequenceNumber,
        approximateArrivalOfFirstRecord: iso(first),
        approximateArrivalOfLastRecord: iso(last),
        batchSize: batch.length,
        streamArn: stream.arn,
      };
      await clients.sqs.send(new SendMessageCommand({
        QueueUrl: settings.onFailureQueueUrl,
        MessageBody: JSON.stringify({
          requestContext: { requestId: `model-${Date.now()}`, functionArn: settings.functionArn, condition: 'RetryAttemptsExhausted', approximateInvokeCount: invokeCount },
          responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
          version: '1.0',
          timestamp: new Date().toISOString(),
          KinesisBatchInfo: info,
        }),
      }));
      report.onFailure.push({
        startSequenceNumber: info.startSequenceNumber,
        endSequenceNumber: info.endSequenceNumber,
        batchSize: batch.length,
        approximateInvokeCount: invokeCount,
      });
    };
    /** Processes `batch` until every record succeeded or was sent to the on-failure queue. */
    const process = async (batch: KinesisStreamRecord[]): Promise<void> => {
      let current = batch;
      let invokes = 0;
      while (current.length > 0) {
        const outcome = await invoke(current);
        invokes++;
        if (outcome === undefined) return;
        if (typeof outcome === 'number' && outcome > 0) {
          current = current.slice(outcome); // checkpoint before the failed record
          invokes = 0;
          continue;
        }
        if (settings.bisectBatchOnFunctionError && current.length > 1) {
          report.bisections.push(current.length);
          const mid = Math.ceil(current.length / 2);
          await process(current.slice(0, mid));
          await process(current.slice(mid));
          return;
        }
        if (invokes > settings.maximumRetryAttempts) {
          await sendOnFailure(current, invokes);
          return;
        }
      }
    };
    const events = toEvent(shardId, stream.arn, records);
    for (let i = 0; i < events.length; i += settings.batchSize) {
      await process(events.slice(i, i + settings.batchSize));
    }
  }
  return report;
}
