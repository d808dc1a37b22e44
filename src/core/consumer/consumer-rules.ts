import { Duration, Token } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { ConsumerCodeOptions, ConsumerFunctionOptions, QueueConsumerOptions } from './consumer-options';
import { Rule, Violations, describeDuration, groupThousands, secondsOf, usable } from '../validation';

/**
 * The rule tables of the consumer module: every pattern that runs a function checks its
 * settings with these, under the prop path the user wrote (`prefix`, e.g. `subscribers[2].consumer.`).
 */

/** Lambda's limits on the function settings every consumer takes. */
export function consumerFunctionRules<P extends ConsumerFunctionOptions>(prefix: string): Rule<P>[] {
  return [
    (c, v) => v.numberInRange('CONSUMER_MEMORY_SIZE', `${prefix}memorySize`, c.memorySize, { min: 128, max: 10_240, unit: 'MB' }),
    (c, v) => v.durationInRange('CONSUMER_TIMEOUT', `${prefix}timeout`, c.timeout, { min: Duration.seconds(1), max: Duration.minutes(15), wholeSeconds: true }),
  ];
}

/** Code + handler (a new function) or a function of yours, never both, and no settings next to yours. */
export function consumerCodeRules(prefix: string): Rule<ConsumerCodeOptions>[] {
  const at = prefix.replace(/\.$/, '');
  return [
    (c, v) => {
      if (!c.function) {
        v.check('CONSUMER_CODE', c.code !== undefined && c.handler !== undefined, {
          prop: at,
          value: `code ${c.code ? 'given' : 'missing'}, handler ${c.handler ? `"${c.handler}"` : 'missing'}`,
          allowed: 'code and handler together (a new function), or function (an existing one)',
          fix: `give ${prefix}code (e.g. lambda.Code.fromAsset(...)) and ${prefix}handler (e.g. "index.handler"), or ${prefix}function`,
        });
        return;
      }
      v.notSetWith('CONSUMER_CODE_WITH_FUNCTION', `${prefix}code`, c.code, `together with ${prefix}function`,
        'give either code + handler (a new function) or function (yours)');
      const options: Array<[string, unknown]> = [
        ['handler', c.handler], ['runtime', c.runtime], ['environment', c.environment],
        ['memorySize', c.memorySize], ['timeout', c.timeout], ['architecture', c.architecture],
        ['logRetention', c.logRetention], ['applicationLogLevel', c.applicationLogLevel],
        ['tracing', c.tracing], ['environmentEncryption', c.environmentEncryption],
      ];
      for (const [option, value] of options) {
        v.notSetWith('CONSUMER_SETTING_WITH_FUNCTION', `${prefix}${option}`, value, `when ${prefix}function is given (your function is not reconfigured)`,
          `set ${option} on your function, or give code + handler instead of function`);
      }
    },
    (c, v) => { if (!c.function) for (const rule of consumerFunctionRules(prefix)) rule(c, v); },
    (c, v) => { if (!c.function) handlerRule(v, `${prefix}handler`, c.handler); },
    (c, v) => { if (!c.function) environmentRules(v, `${prefix}environment`, c.environment); },
  ];
}

/**
 * Lambda's `Handler`: at most 128 characters, no whitespace
 * (https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html#lambda-CreateFunction-request-Handler).
 */
function handlerRule(v: Violations, prop: string, handler: string | undefined): void {
  if (handler === undefined || Token.isUnresolved(handler)) return;
  v.check('CONSUMER_HANDLER', handler.length >= 1 && handler.length <= 128 && /^[^\s]+$/.test(handler), {
    prop,
    value: `"${handler.length > 40 ? `${handler.slice(0, 40)}..."` : `${handler}"`} (${handler.length} characters)`,
    allowed: 'a handler name of 1 to 128 characters without whitespace, e.g. "index.handler" (Lambda limit)',
    fix: `set ${prop} to <file>.<exported function>, e.g. "index.handler"`,
  });
}

/** Keys Lambda sets itself (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime). */
const RESERVED_ENVIRONMENT = [
  '_HANDLER', '_X_AMZN_TRACE_ID', 'AWS_DEFAULT_REGION', 'AWS_REGION', 'AWS_EXECUTION_ENV', 'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE', 'AWS_LAMBDA_FUNCTION_VERSION', 'AWS_LAMBDA_INITIALIZATION_TYPE', 'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME', 'AWS_ACCESS_KEY', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_RUNTIME_API', 'LAMBDA_TASK_ROOT', 'LAMBDA_RUNTIME_DIR',
];

/** Lambda's total size of a function's environment variables (keys + values). */
const ENVIRONMENT_MAX_BYTES = 4 * 1024;

/**
 * Lambda's rules on environment variables: keys match `[a-zA-Z]([a-zA-Z0-9_])+`
 * (https://docs.aws.amazon.com/lambda/latest/api/API_Environment.html), reserved keys cannot be
 * set, and all of them together take at most 4 KB
 * (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html).
 */
function environmentRules(v: Violations, prop: string, environment: { [key: string]: string } | undefined): void {
  if (environment === undefined) return;
  let bytes = 0;
  let measurable = true;
  for (const [key, value] of Object.entries(environment)) {
    if (Token.isUnresolved(key)) { measurable = false; continue; }
    v.check('CONSUMER_ENVIRONMENT_KEY', /^[a-zA-Z][a-zA-Z0-9_]+$/.test(key), {
      prop: `${prop}.${key}`,
      value: `key "${key}"`,
      allowed: 'a key of at least 2 characters: a letter, then letters, digits and _ (Lambda\'s pattern [a-zA-Z]([a-zA-Z0-9_])+)',
      fix: `rename the variable, e.g. "${key.replace(/[^a-zA-Z0-9_]/g, '_').replace(/^[^a-zA-Z]*/, '') || 'MY_SETTING'}"`,
    });
    v.check('CONSUMER_ENVIRONMENT_RESERVED', !RESERVED_ENVIRONMENT.includes(key), {
      prop: `${prop}.${key}`,
      value: `reserved key "${key}"`,
      allowed: `a key Lambda does not set itself (reserved: ${RESERVED_ENVIRONMENT.join(', ')})`,
      fix: `rename the variable (the runtime sets ${key} itself), e.g. "APP_${key.replace(/^_+/, '')}"`,
    });
    if (typeof value !== 'string' || Token.isUnresolved(value)) { measurable = false; continue; }
    bytes += Buffer.byteLength(key, 'utf8') + Buffer.byteLength(value, 'utf8');
  }
  // A token's size is unknown here and never guessed; what is known is a lower bound (a token only adds).
  v.check('CONSUMER_ENVIRONMENT_SIZE', bytes <= ENVIRONMENT_MAX_BYTES, {
    prop,
    value: `${measurable ? '' : 'at least '}${groupThousands(bytes)} bytes of keys and values`,
    allowed: `at most ${groupThousands(ENVIRONMENT_MAX_BYTES)} bytes (4 KB) in all (Lambda limit)`,
    fix: 'keep large settings in SSM Parameter Store, Secrets Manager or S3 and put only their names in the environment',
  });
}

/** The SQS event source's limits (batch size, batching window, maximum concurrency). */
export function queueConsumerRules(prefix: string, fifo: boolean): Rule<QueueConsumerOptions>[] {
  return [
    (c, v) => v.numberInRange('CONSUMER_MAX_CONCURRENCY', `${prefix}maxConcurrency`, c.maxConcurrency, {
      min: 2, max: 1000, fix: `set ${prefix}maxConcurrency from 2 to 1,000 (the SQS event source's maximum concurrency); size it from what the function writes to`,
    }),
    (c, v) => v.durationInRange('CONSUMER_BATCHING_WINDOW', `${prefix}maxBatchingWindow`, c.maxBatchingWindow, { min: Duration.seconds(0), max: Duration.minutes(5), wholeSeconds: true }),
    (c, v) => {
      if (fifo) {
        v.notSetWith('CONSUMER_BATCHING_WINDOW_FIFO', `${prefix}maxBatchingWindow`, c.maxBatchingWindow,
          'on a FIFO queue (the SQS event source does not batch FIFO queues by time)', `remove ${prefix}maxBatchingWindow, or use a standard queue`);
      }
    },
    // Lambda: "when you set BatchSize to a value greater than 10, you must set MaximumBatchingWindowInSeconds to at least 1"
    // (https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html#lambda-CreateEventSourceMapping-request-MaximumBatchingWindowInSeconds).
    (c, v) => {
      const window = secondsOf(c.maxBatchingWindow);
      if (fifo || !usable(c.batchSize) || c.batchSize <= 10 || c.batchSize > 10_000 || window === undefined || window >= 1) return;
      v.check('CONSUMER_BATCH_SIZE_WINDOW', false, {
        prop: `${prefix}maxBatchingWindow`,
        value: `${describeDuration(c.maxBatchingWindow!)} with ${prefix}batchSize ${c.batchSize}`,
        allowed: `at least 1 second when ${prefix}batchSize is above 10 (Lambda's rule for SQS event sources)`,
        fix: `set ${prefix}maxBatchingWindow to Duration.seconds(1) or more, or ${prefix}batchSize to 10 or less`,
      });
    },
    (c, v) => {
      const maxBatch = c.maxBatchingWindow !== undefined && !fifo ? 10_000 : 10;
      v.numberInRange('CONSUMER_BATCH_SIZE', `${prefix}batchSize`, c.batchSize, {
        min: 1,
        max: maxBatch,
        fix: fifo
          ? `set ${prefix}batchSize from 1 to 10 (FIFO queues)`
          : maxBatch === 10
            ? `set ${prefix}batchSize from 1 to 10, or set ${prefix}maxBatchingWindow to allow up to 10,000`
            : `set ${prefix}batchSize from 1 to 10,000`,
      });
    },
  ];
}

/** The timeout of a consumer: given, the default 30 s of a new one, or that of your `lambda.Function`; undefined when unknown. */
export function consumerTimeout(consumer: ConsumerCodeOptions | undefined): Duration | undefined {
  if (!consumer) return undefined;
  if (consumer.function) return consumer.function instanceof lambda.Function ? (consumer.function.timeout ?? Duration.seconds(3)) : undefined;
  return consumer.timeout ?? Duration.seconds(30);
}

/**
 * AWS's rule for a queue that feeds a Lambda function: visibility timeout >= 6 x the function
 * timeout + the batching window. Undefined when an input is a token or not finite (never checked then).
 */
export function requiredVisibilityTimeout(timeout: Duration | undefined, window: Duration | undefined): Duration | undefined {
  const t = secondsOf(timeout);
  const w = window === undefined ? 0 : secondsOf(window);
  if (t === undefined || w === undefined) return undefined;
  return Duration.seconds(Math.ceil(6 * t + w));
}

/** What {@link checkVisibilityTimeout} needs to know. */
export interface VisibilityRuleInput {
  /** The prop of the queue's visibility timeout, as the user wrote it, e.g. `queueProps.visibilityTimeout`. */
  readonly prop: string;
  /** The hand-set visibility timeout, if any. */
  readonly given?: Duration;
  /** The consumer's timeout (undefined when unknown). */
  readonly timeout?: Duration;
  /** The prop of the consumer's timeout, e.g. `consumer.timeout`. */
  readonly timeoutProp: string;
  /** The batching window (undefined: none). */
  readonly window?: Duration;
  /** The prop of the batching window, e.g. `consumer.maxBatchingWindow`. */
  readonly windowProp: string;
  /** Overrides the fix text (e.g. for an existing queue, whose visibility is set where it is defined). */
  readonly fix?: string;
}

/**
 * The visibility timeout of an existing queue that this app defines (its `AWS::SQS::Queue` is
 * readable here; SQS's default is 30 s); undefined for an imported queue or a token.
 */
export function appQueueVisibility(queue: sqs.IQueue): Duration | undefined {
  const cfn = queue.node.defaultChild;
  if (!(cfn instanceof sqs.CfnQueue)) return undefined;
  const seconds = cfn.visibilityTimeout ?? 30;
  return typeof seconds === 'number' && !Token.isUnresolved(seconds) ? Duration.seconds(seconds) : undefined;
}

/** The one visibility rule: a hand-set visibility timeout below 6 x consumer timeout + window is refused (code CONSUMER_VISIBILITY_TIMEOUT). */
export function checkVisibilityTimeout(v: Violations, input: VisibilityRuleInput): void {
  const required = requiredVisibilityTimeout(input.timeout, input.window);
  const given = secondsOf(input.given);
  if (required === undefined || given === undefined) return;
  v.check('CONSUMER_VISIBILITY_TIMEOUT', given >= required.toSeconds(), {
    prop: input.prop,
    value: describeDuration(input.given!),
    allowed: `at least ${describeDuration(required)}: 6 x ${input.timeoutProp} (${describeDuration(input.timeout!)}) + ${input.windowProp} ` +
      `(${input.window ? describeDuration(input.window) : '0 seconds'}), AWS's rule for queues that feed Lambda (else messages are processed twice)`,
    fix: input.fix ?? `raise ${input.prop} to ${describeDuration(required)} or more, or leave it unset to derive it`,
  });
}
