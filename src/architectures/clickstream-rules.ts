import { Duration } from 'aws-cdk-lib';
import { ClickstreamStackProps } from './clickstream-stack';
import { consumerFunctionRules } from '../core/consumer/consumer-rules';
import { Rule, nested } from '../core/validation';
import { streamEventSourceRules } from '../patterns/stream-pipeline/rules';

// In its own module (not ./rules) so that the queue architectures do not load the stream
// pipeline's rules (and aws-kinesis) when they synthesize: issue 11, synth memory.

/** The rule table of {@link ClickstreamStack}'s props. */
export function clickstreamRules(): Rule<ClickstreamStackProps>[] {
  return [
    nested(p => p.consumer, consumerFunctionRules('consumer.')),
    nested(p => p.consumer, streamEventSourceRules('consumer.', Duration.hours(24))),
    (p, v) => v.durationInRange('CLICKSTREAM_ARCHIVE_BUFFERING_INTERVAL', 'archiveBufferingInterval', p.archiveBufferingInterval, { min: Duration.seconds(0), max: Duration.seconds(900), wholeSeconds: true }),
  ];
}
