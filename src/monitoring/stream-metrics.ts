import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import * as lambda from 'aws-cdk-lib/aws-lambda';

/**
 * Metric definitions for Kinesis streams, stream consumers and Firehose delivery streams.
 *
 * Every metric comes from the resource's L2 metric methods, so it carries the dimension that
 * names the resource (`StreamName`, `FunctionName`, `DeliveryStreamName`): a Kinesis alarm
 * without `StreamName` matches no data and can never fire.
 */
export class StreamMetrics {
  /** Age of the oldest record read by GetRecords, in ms (Maximum over 1 minute): how far consumers lag. */
  public static iteratorAge(stream: kinesis.IStream): cloudwatch.Metric {
    return stream.metricGetRecordsIteratorAgeMilliseconds({ statistic: cloudwatch.Stats.MAXIMUM, period: Duration.minutes(1) });
  }

  /** Reads throttled for exceeding a shard's 2 MB/s or 5 reads/s (Sum over 1 minute). */
  public static readThroughputExceeded(stream: kinesis.IStream): cloudwatch.Metric {
    return stream.metricReadProvisionedThroughputExceeded({ statistic: cloudwatch.Stats.SUM, period: Duration.minutes(1) });
  }

  /** Writes throttled for exceeding a shard's 1 MB/s or 1,000 records/s (Sum over 1 minute). */
  public static writeThroughputExceeded(stream: kinesis.IStream): cloudwatch.Metric {
    return stream.metricWriteProvisionedThroughputExceeded({ statistic: cloudwatch.Stats.SUM, period: Duration.minutes(1) });
  }

  /** Records put per minute (Sum). */
  public static incomingRecords(stream: kinesis.IStream): cloudwatch.Metric {
    return stream.metricIncomingRecords({ statistic: cloudwatch.Stats.SUM, period: Duration.minutes(1) });
  }

  /** Bytes put per minute (Sum). */
  public static incomingBytes(stream: kinesis.IStream): cloudwatch.Metric {
    return stream.metricIncomingBytes({ statistic: cloudwatch.Stats.SUM, period: Duration.minutes(1) });
  }

  /** The Lambda consumer's lag behind the stream, in ms (Maximum over 1 minute; dimension `FunctionName`). */
  public static consumerIteratorAge(fn: lambda.IFunction): cloudwatch.Metric {
    return fn.metric('IteratorAge', { statistic: cloudwatch.Stats.MAXIMUM, period: Duration.minutes(1) });
  }

  /** Age of the oldest record not yet delivered to S3, in seconds (Maximum over 5 minutes; dimension `DeliveryStreamName`). */
  public static deliveryFreshness(deliveryStream: firehose.IDeliveryStream): cloudwatch.Metric {
    return deliveryStream.metric('DeliveryToS3.DataFreshness', { statistic: cloudwatch.Stats.MAXIMUM, period: Duration.minutes(5) });
  }

  /** Records delivered to S3 per 5 minutes (Sum). */
  public static deliveredRecords(deliveryStream: firehose.IDeliveryStream): cloudwatch.Metric {
    return deliveryStream.metric('DeliveryToS3.Records', { statistic: cloudwatch.Stats.SUM, period: Duration.minutes(5) });
  }
}
