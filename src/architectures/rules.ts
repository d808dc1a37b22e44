import { Duration } from 'aws-cdk-lib';
import { MessageBackboneStackProps } from './message-backbone-stack';
import { OrderFanOutStackProps } from './order-fan-out-stack';
import { OrderIntakeStackProps } from './order-intake-stack';
import { VideoProcessingStackProps } from './video-processing-stack';
import { QueueConsumerFunctionOptions } from '../core/consumer/consumer-options';
import { consumerFunctionRules, queueConsumerRules } from '../core/consumer/consumer-rules';
import { Rule, nested } from '../core/validation';

/** The bundled queue consumer of an architecture (`consumer`): function settings and event source. */
function queueConsumer<P extends { readonly consumer?: QueueConsumerFunctionOptions }>(): Rule<P>[] {
  return [
    nested(p => p.consumer, consumerFunctionRules<QueueConsumerFunctionOptions>('consumer.')),
    nested(p => p.consumer, queueConsumerRules('consumer.', false)),
  ];
}

function maxReceiveCount<P extends { readonly maxReceiveCount?: number }>(): Rule<P> {
  return (p, v) => v.numberInRange('ARCHITECTURE_MAX_RECEIVE_COUNT', 'maxReceiveCount', p.maxReceiveCount, { min: 1, max: 1000 });
}

/** The rule table of {@link MessageBackboneStack}'s props. */
export function messageBackboneRules(): Rule<MessageBackboneStackProps>[] {
  return [...queueConsumer<MessageBackboneStackProps>(), maxReceiveCount()];
}

/** The rule table of {@link OrderFanOutStack}'s props. */
export function orderFanOutRules(): Rule<OrderFanOutStackProps>[] {
  return [
    ...queueConsumer<OrderFanOutStackProps>(),
    maxReceiveCount(),
    (p, v) => v.numberInRange('ORDER_FAN_OUT_FRAUD_THRESHOLD', 'fraudThreshold', p.fraudThreshold, {
      min: -1e9, max: 1e9, integer: false, fix: 'set fraudThreshold within -1,000,000,000 and 1,000,000,000 (SNS numeric filters compare only within that range)',
    }),
  ];
}

/** The rule table of {@link OrderIntakeStack}'s props. */
export function orderIntakeRules(): Rule<OrderIntakeStackProps>[] {
  return [...queueConsumer<OrderIntakeStackProps>(), maxReceiveCount()];
}

// clickstreamRules lives in ./clickstream-rules (it needs the stream pipeline's rules).

/** The rule table of {@link VideoProcessingStack}'s own props (the fleet's are QueueWorkerService's and BacklogScaling's). */
export function videoProcessingRules(): Rule<VideoProcessingStackProps>[] {
  return [
    (p, v) => v.numberInRange('VIDEO_PROCESSING_OUTPUT_WIDTH', 'outputWidth', p.outputWidth, { min: 16, max: 7680 }),
    // Without the fleet, QueueWorkerService (which checks it when deployed) is not there to.
    (p, v) => { if (p.deployWorkers === false) v.durationInRange('VIDEO_PROCESSING_VISIBILITY_TIMEOUT', 'visibilityTimeout', p.visibilityTimeout, { min: Duration.seconds(10), max: Duration.hours(12) }); },
  ];
}
