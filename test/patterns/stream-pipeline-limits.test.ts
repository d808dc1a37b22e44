import { CfnParameter, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { StreamPipeline, StreamPipelineProps } from '../../src';
import { expectBadInput, newStack } from '../support';

// Issue #11, held-out style probes of StreamPipeline: what Firehose, Lambda and SQS refuse at deploy (or
// what never works) is refused at synth with the prop as written; the boundary is accepted.

const code = lambda.Code.fromInline('exports.handler = async () => ({ batchItemFailures: [] });');
const consumer = { code, handler: 'index.handler' };
const pipeline = (props: StreamPipelineProps) => (stack: Stack) => { new StreamPipeline(stack, 'Clicks', props); };
const P = 'TestStack/Clicks';
const PREFIX_ALLOWED = 'expressions !{timestamp:<Java DateTimeFormatter pattern>} and !{firehose:random-string}';

// [name, build, code, prop, value, allowed, fix]
const cases: Array<[string, (s: Stack) => void, string, string, string, string, string]> = [
  ['archive prefix with an expression of no namespace', pipeline({ archive: { dataOutputPrefix: 'raw/!{foo}/' } }), 'STREAM_ARCHIVE_PREFIX', 'archive.dataOutputPrefix',
    '"raw/!{foo}/": "!{foo}/" is not an expression of the form !{namespace:value}', PREFIX_ALLOWED, 'rewrite archive.dataOutputPrefix within those rules'],
  ['archive prefix with an unknown firehose value', pipeline({ archive: { dataOutputPrefix: 'raw/!{firehose:foo}/' } }), 'STREAM_ARCHIVE_PREFIX', 'archive.dataOutputPrefix',
    '!{firehose:foo} (not an expression Firehose knows)', PREFIX_ALLOWED, 'rewrite archive.dataOutputPrefix'],
  ['archive data prefix naming the error type', pipeline({ archive: { dataOutputPrefix: 'raw/!{firehose:error-output-type}/' } }), 'STREAM_ARCHIVE_PREFIX', 'archive.dataOutputPrefix',
    '(only the error prefix may name the error type)', PREFIX_ALLOWED, 'rewrite archive.dataOutputPrefix'],
  ['archive prefix partitioning by query (no dynamic partitioning)', pipeline({ archive: { dataOutputPrefix: 'raw/!{partitionKeyFromQuery:id}/' } }), 'STREAM_ARCHIVE_PREFIX', 'archive.dataOutputPrefix',
    '(needs dynamic partitioning, which the archive does not use)', PREFIX_ALLOWED, 'rewrite archive.dataOutputPrefix'],
  ['archive prefix of 1,025 characters', pipeline({ archive: { dataOutputPrefix: 'r'.repeat(1025) } }), 'STREAM_ARCHIVE_PREFIX', 'archive.dataOutputPrefix',
    '1025 characters (at most 1024)', 'at most 1,024 characters', 'rewrite archive.dataOutputPrefix'],
  ['archive error prefix empty while the data prefix has expressions', pipeline({ archive: { errorOutputPrefix: '' } }), 'STREAM_ARCHIVE_ERROR_PREFIX_REQUIRED', 'archive.errorOutputPrefix',
    '"" with expressions in archive.dataOutputPrefix', 'an error prefix whenever the data prefix has expressions', 'leave archive.errorOutputPrefix unset'],
  ['archive error prefix with expressions but no error type', pipeline({ archive: { errorOutputPrefix: 'errors/!{timestamp:yyyy}/' } }), 'STREAM_ARCHIVE_ERROR_PREFIX_TYPE', 'archive.errorOutputPrefix',
    '"errors/!{timestamp:yyyy}/" (expressions without !{firehose:error-output-type})', 'names !{firehose:error-output-type} at least once', 'add !{firehose:error-output-type}'],
  ['archive buffering interval in millis', pipeline({ archive: { bufferingInterval: Duration.millis(1500) } }), 'STREAM_ARCHIVE_BUFFERING_INTERVAL', 'archive.bufferingInterval',
    '1 second 500 millis', 'a whole number of seconds from 0 seconds to 15 minutes', 'in whole seconds'],
  ['consumer batching window in millis', pipeline({ consumer: { ...consumer, maxBatchingWindow: Duration.millis(500) } }), 'STREAM_CONSUMER_BATCHING_WINDOW', 'consumer.maxBatchingWindow',
    '500 millis', 'a whole number of seconds from 0 seconds to 5 minutes', 'in whole seconds'],
  ['consumer maxRecordAge in millis', pipeline({ consumer: { ...consumer, maxRecordAge: Duration.millis(61_500) } }), 'STREAM_CONSUMER_MAX_RECORD_AGE', 'consumer.maxRecordAge',
    '(61.5 s)', 'a whole number of seconds from 1 minute (60 s) to 7 days', 'in whole seconds'],
  ['consumer timeout in millis', pipeline({ consumer: { ...consumer, timeout: Duration.millis(2500) } }), 'CONSUMER_TIMEOUT', 'consumer.timeout',
    '2 seconds 500 millis', 'a whole number of seconds from 1 second to 15 minutes', 'in whole seconds'],
  ['a FIFO on-failure queue', pipeline({ consumer, onFailureQueueProps: { fifo: true } }), 'STREAM_PIPELINE_ON_FAILURE_FIFO', 'onFailureQueueProps.fifo',
    'a FIFO queue', 'a standard queue: Lambda sends failed-batch records without a message group id', 'remove fifo'],
  ['an existing FIFO on-failure queue', s => pipeline({ consumer, onFailureQueueProps: { existingQueue: new sqs.Queue(s, 'Failed', { fifo: true }) } })(s), 'STREAM_PIPELINE_ON_FAILURE_FIFO', 'onFailureQueueProps.existingQueue',
    'a FIFO queue', 'a standard queue', 'pass a standard existingQueue'],
  ['on-failure queue settings without a consumer (silently unused before)', pipeline({ onFailureQueueProps: { maxReceiveCount: 3 } }), 'STREAM_PIPELINE_ON_FAILURE_WITHOUT_CONSUMER', 'onFailureQueueProps',
    'given without consumer', 'no value without consumer', 'add consumer, or remove onFailureQueueProps'],
];

describe('StreamPipeline: limits AWS enforces at deploy', () => {
  test.each(cases)('%s', (_name, build, code_, prop, value, allowed, fix) => {
    expectBadInput({ build, path: P, code: code_, prop, value, allowed, fix });
  });

  test.each<[string, StreamPipelineProps]>([
    ['static prefixes', { archive: { dataOutputPrefix: 'raw/', errorOutputPrefix: 'errors/' } }],
    ['an expression data prefix with a static error prefix', { archive: { dataOutputPrefix: 'raw/!{timestamp:yyyy}/', errorOutputPrefix: 'errors/' } }],
    ['random strings and timestamps', { archive: { dataOutputPrefix: 'raw/!{firehose:random-string}/!{timestamp:yyyy/MM}/' } }],
    ['a prefix of 1,024 characters', { archive: { dataOutputPrefix: 'r'.repeat(1024) } }],
    ['an empty data prefix', { archive: { dataOutputPrefix: '' } }],
    ['buffering interval in whole seconds given as millis', { archive: { bufferingInterval: Duration.millis(60_000) } }],
    ['a standard on-failure queue with a consumer', { consumer, onFailureQueueProps: { maxReceiveCount: 3 } }],
  ])('accepted: %s', (_name, props) => {
    expect(() => pipeline(props)(newStack())).not.toThrow();
  });
});

describe('StreamPipeline: a token maxIteratorAge is used in the unit it was made in', () => {
  const alarmsOf = (template: Template, metricName: string) => Object.values(template.findResources('AWS::CloudWatch::Alarm'))
    .filter(a => JSON.stringify(a).includes(`"${metricName}"`));

  test('Duration.minutes(token): both iterator-age alarms divide the metric by 60,000 ms and compare with the token', () => {
    const stack = newStack();
    const minutes = new CfnParameter(stack, 'LagMinutes', { type: 'Number', default: 30 }).valueAsNumber;
    new StreamPipeline(stack, 'Clicks', { consumer, maxIteratorAge: Duration.minutes(minutes) });
    const template = Template.fromStack(stack);
    for (const metricName of ['GetRecords.IteratorAgeMilliseconds', 'IteratorAge']) {
      const alarms = alarmsOf(template, metricName);
      expect(alarms).toHaveLength(1);
      expect(alarms[0].Properties.Threshold).toEqual({ Ref: 'LagMinutes' });
      expect(alarms[0].Properties.Metrics).toHaveLength(2);
      expect(alarms[0].Properties.Metrics[0]).toMatchObject({ Expression: 'age / 60000', ReturnData: true });
      expect(alarms[0].Properties.Metrics[1]).toMatchObject({ Id: 'age', MetricStat: { Metric: { MetricName: metricName }, Stat: 'Maximum', Period: 60 }, ReturnData: false });
    }
  });

  test('Duration.millis(token): the metric itself against the token (no math)', () => {
    const stack = newStack();
    const ms = new CfnParameter(stack, 'LagMs', { type: 'Number', default: 60_000 }).valueAsNumber;
    new StreamPipeline(stack, 'Clicks', { consumer, maxIteratorAge: Duration.millis(ms) });
    const alarms = alarmsOf(Template.fromStack(stack), 'IteratorAge');
    expect(alarms[0].Properties.Threshold).toEqual({ Ref: 'LagMs' });
    expect(alarms[0].Properties.MetricName).toBe('IteratorAge');
  });

  test('a number stays a threshold in milliseconds (unchanged template)', () => {
    const stack = newStack();
    new StreamPipeline(stack, 'Clicks', { consumer, maxIteratorAge: Duration.minutes(30) });
    const alarms = alarmsOf(Template.fromStack(stack), 'IteratorAge');
    expect(alarms[0].Properties.Threshold).toBe(1_800_000);
    expect(alarms[0].Properties.MetricName).toBe('IteratorAge');
  });
});

describe('StreamPipeline: an iterator-age alarm above the consumer\'s default record age could never fire', () => {
  test('13 hours against the default 12 hours (half the 24-hour retention)', () => {
    expectBadInput({
      build: pipeline({ consumer, maxIteratorAge: Duration.hours(13) }),
      path: P,
      code: 'STREAM_PIPELINE_ITERATOR_AGE_NEVER_FIRES',
      prop: 'maxIteratorAge',
      value: '13 hours',
      allowed: 'less than consumer.maxRecordAge (12 hours (43,200 s), the default: half the retention period)',
      fix: 'or set consumer.maxRecordAge',
    });
  });
  test('accepted: 11 hours; 13 hours with a 24-hour maxRecordAge on a 48-hour stream', () => {
    expect(() => pipeline({ consumer, maxIteratorAge: Duration.hours(11) })(newStack())).not.toThrow();
    const longer = {
      consumer: { ...consumer, maxRecordAge: Duration.hours(24) }, retentionPeriod: Duration.hours(48), maxIteratorAge: Duration.hours(13),
    };
    expect(() => pipeline(longer)(newStack())).not.toThrow();
  });
});

describe('StreamPipeline: token prefixes and durations are never checked', () => {
  test('a token data prefix, error prefix and buffering interval', () => {
    const stack = newStack();
    const text = new CfnParameter(stack, 'Prefix', { default: 'raw/' }).valueAsString;
    const n = new CfnParameter(stack, 'Seconds', { type: 'Number', default: 60 }).valueAsNumber;
    expect(() => new StreamPipeline(stack, 'Clicks', { archive: { dataOutputPrefix: text, errorOutputPrefix: text, bufferingInterval: Duration.seconds(n) } })).not.toThrow();
  });
});
