import { Duration, Token } from 'aws-cdk-lib';
import { DailyPriceStackProps } from './daily-price-stack';
import { MessageBackboneStackProps } from './message-backbone-stack';
import { OrderFanOutStackProps } from './order-fan-out-stack';
import { OrderIntakeStackProps } from './order-intake-stack';
import { OrderSagaStackProps } from './order-saga-stack';
import { VideoProcessingStackProps } from './video-processing-stack';
import { QueueConsumerFunctionOptions } from '../core/consumer/consumer-options';
import { consumerFunctionRules, queueConsumerRules } from '../core/consumer/consumer-rules';
import { Rule, describeDuration, nested, secondsOf } from '../core/validation';

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

/** PRICE_SCHEMA's `symbol.maxLength`: a longer symbol fails the history writer's validation. */
const SYMBOL_MAX_LENGTH = 16;

/** The rule table of {@link DailyPriceStack}'s own props (the schedule's are ScheduledJob's). */
export function dailyPriceRules(): Rule<DailyPriceStackProps>[] {
  return [
    (p, v) => {
      const threshold = p.alertThresholdPercent ?? 5;
      if (Token.isUnresolved(threshold)) return;
      v.check('DAILY_PRICE_THRESHOLD', Number.isFinite(threshold) && threshold > 0 && threshold <= 1000, {
        prop: 'alertThresholdPercent', value: String(threshold), allowed: 'more than 0, at most 1,000 (percent)', fix: 'set alertThresholdPercent to e.g. 5',
      });
    },
    // The fetcher GETs `<quoteEndpoint>?symbol=...`: anything but an absolute http(s) URL fails every run.
    (p, v) => {
      const url = p.quoteEndpoint;
      if (Token.isUnresolved(url)) return;
      let ok = false;
      try {
        const parsed = new URL(url);
        ok = (parsed.protocol === 'https:' || parsed.protocol === 'http:') && parsed.hostname.length > 0;
      } catch {
        ok = false;
      }
      v.check('DAILY_PRICE_QUOTE_ENDPOINT', ok, {
        prop: 'quoteEndpoint', value: `"${url}"`, allowed: 'an absolute http(s) URL the fetcher can GET, e.g. "https://quotes.example.com/v1/quote"', fix: 'give the full URL of the quote service',
      });
    },
    (p, v) => {
      v.nonEmpty('DAILY_PRICE_SYMBOLS', 'symbols', p.symbols, 'name at least one symbol, e.g. ["AMZN"], or leave symbols unset');
      for (const [i, symbol] of (p.symbols ?? []).entries()) {
        if (Token.isUnresolved(symbol)) continue;
        v.check('DAILY_PRICE_SYMBOL', symbol.trim().length > 0 && symbol.length <= SYMBOL_MAX_LENGTH && !symbol.includes(','), {
          prop: `symbols[${i}]`,
          value: `"${symbol}"`,
          allowed: `1 to ${SYMBOL_MAX_LENGTH} characters without commas (the fetcher splits SYMBOLS on ",", and PRICE_SCHEMA's symbol is at most ${SYMBOL_MAX_LENGTH} characters)`,
          fix: 'give one ticker per element, e.g. ["AMZN", "MSFT"]',
        });
      }
    },
    nested(p => p.fetcher, consumerFunctionRules('fetcher.')),
  ];
}

/** Step Functions: a Standard execution lasts at most a year, an Express one at most 5 minutes (https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html). */
const STANDARD_MAX_SECONDS = 365 * 24 * 3600;
const EXPRESS_MAX_SECONDS = 5 * 60;

/** The rule table of {@link OrderSagaStack}'s own props (the starter's are QueueStarter's). */
export function orderSagaRules(): Rule<OrderSagaStackProps>[] {
  return [
    // A Standard execution lasts at most a year; the saga's timeout is the wait plus 5 minutes for its other steps.
    (p, v) => v.durationInRange('ORDER_SAGA_SETTLEMENT_WAIT', 'settlementWait', p.settlementWait, {
      min: Duration.seconds(0),
      max: Duration.seconds(STANDARD_MAX_SECONDS - 5 * 60),
      wholeSeconds: true,
      fix: 'set settlementWait to whole seconds from 0 to 364 days 23 hours 55 minutes (a Standard execution lasts at most a year, and the saga needs 5 minutes for its other steps)',
    }),
    // The Wait state is one step of the execution: it must leave the rest of the saga time to finish.
    (p, v) => {
      const wait = secondsOf(p.settlementWait);
      if (wait === undefined || String(p.stateMachineType) !== 'EXPRESS' || wait > STANDARD_MAX_SECONDS) return;
      v.check('ORDER_SAGA_SETTLEMENT_WAIT_EXPRESS', wait < EXPRESS_MAX_SECONDS, {
        prop: 'settlementWait',
        value: `${describeDuration(p.settlementWait!)} with stateMachineType EXPRESS`,
        allowed: 'less than 5 minutes: an Express execution ends after 5 minutes, so the saga would time out in the wait',
        fix: 'shorten settlementWait (e.g. Duration.minutes(1)), or use the STANDARD state machine type',
      });
    },
    (p, v) => {
      const t = p.fraudCheckThreshold;
      if (t === undefined || Token.isUnresolved(t)) return;
      v.check('ORDER_SAGA_FRAUD_THRESHOLD', Number.isFinite(t), {
        prop: 'fraudCheckThreshold', value: String(t), allowed: 'a finite number of cents (the Choice state compares $.amount with it)', fix: 'e.g. 100000 for 1,000.00',
      });
    },
  ];
}
