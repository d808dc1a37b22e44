import { App, CfnParameter, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { ClickstreamStack, DailyPriceStack, MessageBackboneStack, OrderSagaStack, VideoProcessingStack } from '../../src';
import { expectBadInput, newStack } from '../support';

// Issue #11, held-out style probes of the reference architectures' own props.
const env = { account: '111111111111', region: 'us-east-1' };
const appOf = (s: Stack) => s.node.scope as App;
const quoteEndpoint = 'https://quotes.example.com/v1/quote';
const daily = (props: object) => (s: Stack) => { new DailyPriceStack(appOf(s), 'Arch', { env, quoteEndpoint, ...props }); };
const saga = (props: object) => (s: Stack) => { new OrderSagaStack(appOf(s), 'Arch', { env, ...props }); };
const backbone = (props: object) => (s: Stack) => { new MessageBackboneStack(appOf(s), 'Arch', { env, ...props }); };
const clicks = (props: object) => (s: Stack) => { new ClickstreamStack(appOf(s), 'Arch', { env, ...props }); };

// [name, build, code, prop, value, allowed, fix]
const cases: Array<[string, (s: Stack) => void, string, string, string, string, string]> = [
  ['daily price: quote endpoint empty', daily({ quoteEndpoint: '' }), 'DAILY_PRICE_QUOTE_ENDPOINT', 'quoteEndpoint', '""', 'an absolute http(s) URL', 'give the full URL'],
  ['daily price: quote endpoint without a scheme', daily({ quoteEndpoint: 'quotes.example.com/v1' }), 'DAILY_PRICE_QUOTE_ENDPOINT', 'quoteEndpoint', '"quotes.example.com/v1"', 'an absolute http(s) URL', 'give the full URL'],
  ['daily price: no symbols', daily({ symbols: [] }), 'DAILY_PRICE_SYMBOLS', 'symbols', 'an empty list', 'at least one element', 'name at least one symbol'],
  ['daily price: a blank symbol', daily({ symbols: ['AMZN', ' '] }), 'DAILY_PRICE_SYMBOL', 'symbols[1]', '" "', '1 to 16 characters without commas', 'one ticker per element'],
  ['daily price: two symbols in one element', daily({ symbols: ['AMZN,MSFT'] }), 'DAILY_PRICE_SYMBOL', 'symbols[0]', '"AMZN,MSFT"', 'without commas', 'one ticker per element'],
  ['daily price: a symbol longer than the schema allows', daily({ symbols: ['S'.repeat(17)] }), 'DAILY_PRICE_SYMBOL', 'symbols[0]', `"${'S'.repeat(17)}"`, '1 to 16 characters', 'one ticker per element'],
  ['daily price: fetcher memory named as written', daily({ fetcher: { memorySize: 100 } }), 'CONSUMER_MEMORY_SIZE', 'fetcher.memorySize', '100 MB', 'from 128 to 10,240 MB', 'set fetcher.memorySize'],
  ['daily price: fetcher timeout in millis', daily({ fetcher: { timeout: Duration.millis(1500) } }), 'CONSUMER_TIMEOUT', 'fetcher.timeout', '1 second 500 millis', 'a whole number of seconds', 'in whole seconds'],
  ['order saga: settlement wait leaving no time in a Standard execution\'s year', saga({ settlementWait: Duration.days(365) }), 'ORDER_SAGA_SETTLEMENT_WAIT', 'settlementWait', '365 days', 'from 0 seconds to', 'a Standard execution lasts at most a year, and the saga needs 5 minutes'],
  ['order saga: settlement wait in millis', saga({ settlementWait: Duration.millis(1500) }), 'ORDER_SAGA_SETTLEMENT_WAIT', 'settlementWait', '1 second 500 millis', 'a whole number of seconds', 'set settlementWait to whole seconds'],
  ['order saga: settlement wait beyond an Express execution\'s 5 minutes', saga({ stateMachineType: sfn.StateMachineType.EXPRESS, settlementWait: Duration.minutes(5) }), 'ORDER_SAGA_SETTLEMENT_WAIT_EXPRESS', 'settlementWait',
    '5 minutes (300 s) with stateMachineType EXPRESS', 'less than 5 minutes', 'or use the STANDARD state machine type'],
  ['order saga: fraud threshold NaN', saga({ fraudCheckThreshold: NaN }), 'ORDER_SAGA_FRAUD_THRESHOLD', 'fraudCheckThreshold', 'NaN', 'a finite number of cents', 'e.g. 100000'],
  ['backbone: consumer batch above 10 with a 0-second window', backbone({ consumer: { batchSize: 50, maxBatchingWindow: Duration.seconds(0) } }), 'CONSUMER_BATCH_SIZE_WINDOW', 'consumer.maxBatchingWindow',
    '0 seconds with consumer.batchSize 50', 'at least 1 second', 'set consumer.maxBatchingWindow to Duration.seconds(1) or more'],
  ['clickstream: archive buffering interval in millis', clicks({ archiveBufferingInterval: Duration.millis(61_500) }), 'CLICKSTREAM_ARCHIVE_BUFFERING_INTERVAL', 'archiveBufferingInterval', '(61.5 s)', 'a whole number of seconds', 'in whole seconds'],
  ['video processing: front-end memory named as written', s => { new VideoProcessingStack(appOf(s), 'Arch', { env, frontEnd: { memorySize: 64 } }); }, 'CONSUMER_MEMORY_SIZE', 'frontEnd.memorySize', '64 MB', 'from 128 to 10,240 MB', 'set frontEnd.memorySize'],
  ['clickstream: consumer window in millis', clicks({ consumer: { maxBatchingWindow: Duration.millis(1500) } }), 'STREAM_CONSUMER_BATCHING_WINDOW', 'consumer.maxBatchingWindow', '1 second 500 millis', 'a whole number of seconds', 'in whole seconds'],
];

describe('reference architectures: limits of their own props', () => {
  test.each(cases)('%s', (_name, build, code, prop, value, allowed, fix) => {
    expectBadInput({ build, path: 'Arch', code, prop, value, allowed, fix });
  });

  test.each<[string, (s: Stack) => void]>([
    ['daily price: an http URL and 16-character symbols', daily({ quoteEndpoint: 'http://localhost:8080/quote', symbols: ['S'.repeat(16), 'AMZN'] })],
    ['order saga: a 4-minute wait on Express', saga({ stateMachineType: sfn.StateMachineType.EXPRESS, settlementWait: Duration.minutes(4) })],
    ['order saga: a wait of a year less 5 minutes on Standard', saga({ settlementWait: Duration.seconds(365 * 86400 - 300) })],
  ])('accepted: %s', (_name, build) => {
    expect(() => build(newStack())).not.toThrow();
  });
});

describe('tokens are never checked by these rules', () => {
  test.each<[string, (s: Stack) => void]>([
    ['daily price: a token quote endpoint and symbol', s => {
      const text = new CfnParameter(s, 'Text', { default: 'https://q.example.com' }).valueAsString;
      daily({ quoteEndpoint: text, symbols: [text] })(s);
    }],
    ['order saga: a token settlement wait (seconds) on Express', s => {
      const n = new CfnParameter(s, 'Wait', { type: 'Number', default: 60 }).valueAsNumber;
      saga({ stateMachineType: sfn.StateMachineType.EXPRESS, settlementWait: Duration.seconds(n), fraudCheckThreshold: n })(s);
    }],
  ])('%s', (_name, build) => {
    expect(() => build(newStack())).not.toThrow();
  });
});

describe('OrderSagaStack: a Standard execution outlasts its settlement wait', () => {
  const timeoutOf = (stack: Stack) => {
    const [sm] = Object.values(Template.fromStack(stack).findResources('AWS::StepFunctions::StateMachine'));
    return JSON.stringify(sm.Properties.DefinitionString).match(/\\"TimeoutSeconds\\":(\d+)/)?.[1];
  };
  test.each<[string, Duration | undefined, string]>([
    ['the default 1-minute wait keeps 15 minutes', undefined, '900'],
    ['a 2-hour wait gets 2 hours 5 minutes', Duration.hours(2), String(2 * 3600 + 300)],
  ])('%s', (_name, settlementWait, seconds) => {
    const s = newStack();
    saga({ settlementWait })(s);
    const stack = s.node.root.node.findAll().find((c): c is Stack => Stack.isStack(c) && c.node.id === 'Arch')!;
    expect(timeoutOf(stack)).toBe(seconds);
  });
});
