import { Stack, Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { SCHEDULED_JOB_LIMITS } from './rules';
import { checkConsumerCode, consumerFunction } from '../../core/consumer/consumer-defaults';
import { ConsumerCodeOptions } from '../../core/consumer/consumer-options';
import { groupThousands, Violations } from '../../core/validation';

/**
 * How the function a Lambda target builds handles a run that FAILED inside it. Scheduler invokes
 * Lambda asynchronously: its retry policy and dead-letter queue cover only invocations Scheduler
 * could not make; a run whose code throws is retried by Lambda and then, without an on-failure
 * destination, dropped. Applies to a function the job builds from `code` + `handler`; configure
 * your own function's asynchronous failure handling yourself.
 */
export interface ScheduledLambdaOptions {
  /**
   * On-failure destination of the function's asynchronous invocations: a run that still fails
   * after Lambda's retries lands here as a record with the request, the error and the response.
   *
   * @default - the job's dead-letter queue (alarmed when not empty), so one queue holds every failed run
   */
  readonly deadLetterQueue?: sqs.IQueue;

  /**
   * Lambda's own retries of a failed run, before the on-failure destination. Range: 0 to 2.
   *
   * @default 2 (Lambda's default, stated so it is visible in the template)
   */
  readonly retryAttempts?: number;
}

/**
 * A Scheduler input as the template will hold it, rendered in a scratch stack; undefined when it
 * is not a plain string at synth (a token: a reference to a resource or a parameter).
 */
function renderScheduleInput(input: scheduler.ScheduleTargetInput): string | undefined {
  try {
    const scratch = new Stack();
    const rendered: unknown = scratch.resolve(input.bind(scratch as unknown as scheduler.ISchedule));
    return typeof rendered === 'string' && !Token.isUnresolved(rendered) ? rendered : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A Lambda or Step Functions target takes JSON: Lambda refuses an invocation whose payload is not
 * JSON (InvalidRequestContentException) and StartExecution an input that is not (InvalidExecutionInput),
 * so every run would fail. A token input is not checked.
 */
function checkJsonInput(v: Violations, prop: string, input: scheduler.ScheduleTargetInput | undefined, target: string): void {
  if (input === undefined) return;
  const rendered = renderScheduleInput(input);
  if (rendered === undefined) return;
  let ok = true;
  try { JSON.parse(rendered); } catch { ok = false; }
  v.check('SCHEDULED_JOB_TARGET_INPUT_JSON', ok, {
    prop,
    value: `${JSON.stringify(rendered.length > 40 ? `${rendered.slice(0, 40)}…` : rendered)} (not JSON)`,
    allowed: `a JSON document (${target} refuses other input on every run)`,
    fix: 'give the input as scheduler.ScheduleTargetInput.fromObject({ ... })',
  });
}

/** Options of a queue target. */
export interface ScheduledQueueOptions {
  /**
   * What the queue receives.
   *
   * @default - Scheduler's default input (none)
   */
  readonly input?: scheduler.ScheduleTargetInput;

  /**
   * Message group id, required for a FIFO queue.
   *
   * @default - none (standard queues)
   */
  readonly messageGroupId?: string;
}

/** The event a PutEvents target puts on the bus. */
export interface ScheduledPutEventsOptions {
  /** `source` of the event, e.g. `prices.scheduler`. */
  readonly source: string;
  /** `detail-type` of the event, e.g. `FetchPrices`. */
  readonly detailType: string;
  /**
   * The detail.
   *
   * @default - `{}`
   */
  readonly detail?: scheduler.ScheduleTargetInput;
}

/**
 * What a {@link ScheduledJob} runs. Create with the static methods; the job gives each a
 * least-privilege role (aws-cdk-lib's scheduler targets: one action on one resource, trusted only
 * by this account's schedules), a dead-letter queue and a retry policy.
 */
export abstract class ScheduledJobTarget {
  /**
   * A Lambda consumer: your code with the library's consumer defaults, or your function. A
   * function built from code gets an on-failure destination (default: the job's dead-letter
   * queue) and 2 Lambda retries for runs that fail inside it; see {@link ScheduledLambdaOptions}.
   */
  public static lambda(consumer: ConsumerCodeOptions, input?: scheduler.ScheduleTargetInput,
    options: ScheduledLambdaOptions = {}): ScheduledJobTarget {
    return new LambdaJobTarget(consumer, input, options);
  }

  /** An SQS queue (FIFO queues need `messageGroupId`). */
  public static queue(queue: sqs.IQueue, options: ScheduledQueueOptions = {}): ScheduledJobTarget {
    return new QueueJobTarget(queue, options);
  }

  /** A Step Functions state machine (one execution per run). */
  public static stateMachine(stateMachine: sfn.IStateMachine, input?: scheduler.ScheduleTargetInput): ScheduledJobTarget {
    return new StateMachineJobTarget(stateMachine, input);
  }

  /** PutEvents onto a bus, e.g. an `EventRouter`'s `eventBus`. */
  public static putEvents(eventBus: events.IEventBus, options: ScheduledPutEventsOptions): ScheduledJobTarget {
    return new PutEventsJobTarget(eventBus, options);
  }

  /** The function the job runs, for a Lambda target (after the job is built). */
  public function?: lambda.IFunction;

  /** The on-failure destination of a function the job built (after the job is built). */
  public functionDeadLetterQueue?: sqs.IQueue;

  /** What kind of target this is. */
  public readonly kind: string;

  protected constructor(kind: string) {
    this.kind = kind;
  }

  /** @internal */
  public _validate(_scope: Construct, _v: Violations): void {
    // Most targets have nothing to check beyond the job's delivery settings.
  }

  /** @internal */
  public abstract _bind(scope: Construct, delivery: targets.ScheduleTargetBaseProps): scheduler.IScheduleTarget;
}

class LambdaJobTarget extends ScheduledJobTarget {
  constructor(private readonly consumer: ConsumerCodeOptions, private readonly input: scheduler.ScheduleTargetInput | undefined,
    private readonly options: ScheduledLambdaOptions) {
    super('lambda');
  }
  public _validate(scope: Construct, v: Violations): void {
    checkConsumerCode(scope, 'target.consumer', this.consumer);
    if (this.consumer.function) {
      for (const [prop, value] of Object.entries({ deadLetterQueue: this.options.deadLetterQueue, retryAttempts: this.options.retryAttempts })) {
        v.notSetWith('SCHEDULED_JOB_LAMBDA_FAILURE_WITH_FUNCTION', `target.${prop}`, value,
          'when target.consumer.function is given (your function is not reconfigured)',
          'configure your function\'s asynchronous failure handling (e.g. lambda.Function onFailure / retryAttempts), or give code + handler');
      }
    }
    v.numberInRange('SCHEDULED_JOB_LAMBDA_RETRY_ATTEMPTS', 'target.retryAttempts', this.options.retryAttempts, { min: 0, max: SCHEDULED_JOB_LIMITS.maxLambdaRetryAttempts });
    checkJsonInput(v, 'target.input', this.input, 'Lambda');
  }
  public _bind(scope: Construct, delivery: targets.ScheduleTargetBaseProps): scheduler.IScheduleTarget {
    this.function = consumerFunction(scope, 'Function', this.consumer, `Job of ${scope.node.path}`);
    if (!this.consumer.function) {
      // Scheduler invokes asynchronously: a run that throws is retried by Lambda, then sent here.
      this.functionDeadLetterQueue = this.options.deadLetterQueue ?? delivery.deadLetterQueue!;
      const retryAttempts = this.options.retryAttempts ?? SCHEDULED_JOB_LIMITS.maxLambdaRetryAttempts;
      // aws-cdk-lib compares retryAttempts without a token check: a token goes in as an override.
      this.function.configureAsyncInvoke({
        onFailure: new destinations.SqsDestination(this.functionDeadLetterQueue),
        retryAttempts: Token.isUnresolved(retryAttempts) ? undefined : retryAttempts,
      });
      if (Token.isUnresolved(retryAttempts)) {
        (this.function.node.findChild('EventInvokeConfig').node.defaultChild as lambda.CfnEventInvokeConfig).addPropertyOverride('MaximumRetryAttempts', retryAttempts);
      }
    }
    return new targets.LambdaInvoke(this.function, { ...delivery, input: this.input });
  }
}

class QueueJobTarget extends ScheduledJobTarget {
  constructor(private readonly queue: sqs.IQueue, private readonly options: ScheduledQueueOptions) {
    super('queue');
  }
  public _validate(_scope: Construct, v: Violations): void {
    v.check('SCHEDULED_JOB_FIFO_GROUP_ID', !this.queue.fifo || this.options.messageGroupId !== undefined, {
      prop: 'target.messageGroupId',
      value: 'undefined (the queue is FIFO)',
      allowed: 'a message group id for a FIFO queue',
      fix: 'set messageGroupId in ScheduledJobTarget.queue(queue, { messageGroupId })',
    });
    const group = this.options.messageGroupId;
    // aws-cdk-lib's SqsSendMessage refuses these with messages that name no prop: SQS takes a
    // MessageGroupId of 1 to 128 characters, on FIFO queues only.
    v.check('SCHEDULED_JOB_GROUP_ID_ON_STANDARD', this.queue.fifo || group === undefined, {
      prop: 'target.messageGroupId',
      value: `"${group}" (the queue is standard)`,
      allowed: 'no message group id on a standard queue',
      fix: 'remove messageGroupId from ScheduledJobTarget.queue(queue, { ... }), or target a FIFO queue',
    });
    if (this.queue.fifo && group !== undefined && !Token.isUnresolved(group)) {
      v.check('SCHEDULED_JOB_GROUP_ID_LENGTH', group.length >= 1 && group.length <= 128, {
        prop: 'target.messageGroupId',
        value: `"${group.length > 40 ? `${group.slice(0, 40)}…` : group}" (${group.length} characters)`,
        allowed: '1 to 128 characters (SQS MessageGroupId)',
        fix: 'set a message group id of 1 to 128 characters, e.g. "prices"',
      });
    }
    // Scheduler's Target.Input is at least 1 character (https://docs.aws.amazon.com/scheduler/latest/APIReference/API_Target.html,
    // Input: minimum length 1 in AWS's service model): CreateSchedule refuses an empty input. A token input is not checked.
    const rendered = this.options.input === undefined ? undefined : renderScheduleInput(this.options.input);
    v.check('SCHEDULED_JOB_TARGET_INPUT_EMPTY', rendered !== '', {
      prop: 'target.input',
      value: '"" (empty)',
      allowed: 'text of at least 1 character (Scheduler\'s Target.Input)',
      fix: 'give the message body, e.g. scheduler.ScheduleTargetInput.fromObject({ job: "daily" }), or leave input unset for Scheduler\'s default notification',
    });
    // Scheduler sends no deduplication id, so a FIFO target must deduplicate by content.
    const cfn = this.queue.node.defaultChild;
    if (this.queue.fifo && cfn instanceof sqs.CfnQueue) {
      v.check('SCHEDULED_JOB_FIFO_DEDUPLICATION', cfn.contentBasedDeduplication === true, {
        prop: 'target (queue)',
        value: `${this.queue.node.path}: FIFO without content-based deduplication`,
        allowed: 'a FIFO queue with contentBasedDeduplication: true (Scheduler sends no deduplication id)',
        fix: 'create the queue with contentBasedDeduplication: true',
      });
    }
  }
  public _bind(_scope: Construct, delivery: targets.ScheduleTargetBaseProps): scheduler.IScheduleTarget {
    return new targets.SqsSendMessage(this.queue, { ...delivery, input: this.options.input, messageGroupId: this.options.messageGroupId });
  }
}

/** Step Functions StartExecution input, UTF-8 bytes. */
const STATE_MACHINE_INPUT_MAX_BYTES = 262_144;

class StateMachineJobTarget extends ScheduledJobTarget {
  constructor(private readonly stateMachine: sfn.IStateMachine, private readonly input?: scheduler.ScheduleTargetInput) {
    super('stateMachine');
  }
  public _validate(_scope: Construct, v: Violations): void {
    checkJsonInput(v, 'target.input', this.input, 'Step Functions StartExecution');
    // StartExecution's input is at most 262,144 bytes of UTF-8 (https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html,
    // input: "Length constraints apply to the payload size, and are expressed as bytes in UTF-8 encoding"; Maximum length of 262144):
    // every scheduled run would fail. A token input is not checked.
    const rendered = this.input === undefined ? undefined : renderScheduleInput(this.input);
    const bytes = rendered === undefined ? 0 : Buffer.byteLength(rendered, 'utf8');
    v.check('SCHEDULED_JOB_TARGET_INPUT_SIZE', bytes <= STATE_MACHINE_INPUT_MAX_BYTES, {
      prop: 'target.input',
      value: `${groupThousands(bytes)} bytes (UTF-8)`,
      allowed: `at most ${groupThousands(STATE_MACHINE_INPUT_MAX_BYTES)} bytes (256 KiB, Step Functions StartExecution input)`,
      fix: 'pass a reference (e.g. an S3 key) instead of the data, and let the workflow fetch it',
    });
  }
  public _bind(_scope: Construct, delivery: targets.ScheduleTargetBaseProps): scheduler.IScheduleTarget {
    return new targets.StepFunctionsStartExecution(this.stateMachine, { ...delivery, input: this.input });
  }
}

class PutEventsJobTarget extends ScheduledJobTarget {
  constructor(private readonly eventBus: events.IEventBus, private readonly options: ScheduledPutEventsOptions) {
    super('putEvents');
  }
  public _validate(_scope: Construct, v: Violations): void {
    const { source, detailType } = this.options;
    const L = SCHEDULED_JOB_LIMITS;
    if (!Token.isUnresolved(source)) {
      const n = [...source].length;
      v.check('SCHEDULED_JOB_PUT_EVENTS_SOURCE', n >= 1 && n <= L.maxSourceLength && !source.startsWith('aws.'), {
        prop: 'target.source',
        value: `"${n > 40 ? `${source.slice(0, 40)}…` : source}" (${n} characters)`,
        allowed: `1 to ${L.maxSourceLength} characters, not starting with "aws." (reserved for AWS services)`,
        fix: 'name the source for your application, e.g. "prices.scheduler"',
      });
    }
    if (!Token.isUnresolved(detailType)) {
      const n = [...detailType].length;
      v.check('SCHEDULED_JOB_PUT_EVENTS_DETAIL_TYPE', n >= 1 && n <= L.maxDetailTypeLength, {
        prop: 'target.detailType',
        value: `${n} characters`,
        allowed: `1 to ${L.maxDetailTypeLength} characters`,
        fix: 'shorten the detail-type, e.g. "FetchPrices"',
      });
    }
    const detail = renderScheduleInput(this.options.detail ?? scheduler.ScheduleTargetInput.fromObject({}));
    if (detail === undefined) return;
    let isObject = false;
    try {
      const parsed: unknown = JSON.parse(detail);
      isObject = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed);
    } catch { /* not JSON */ }
    v.check('SCHEDULED_JOB_PUT_EVENTS_DETAIL_JSON', isObject, {
      prop: 'target.detail',
      value: `${JSON.stringify(detail.length > 40 ? `${detail.slice(0, 40)}…` : detail)} (not a JSON object)`,
      allowed: 'a JSON object (PutEvents Detail)',
      fix: 'give detail as scheduler.ScheduleTargetInput.fromObject({ ... })',
    });
    if (Token.isUnresolved(source) || Token.isUnresolved(detailType)) return;
    const bytes = Buffer.byteLength(source, 'utf8') + Buffer.byteLength(detailType, 'utf8') + Buffer.byteLength(detail, 'utf8');
    v.check('SCHEDULED_JOB_PUT_EVENTS_SIZE', bytes <= L.maxPutEventsEntryBytes, {
      prop: 'target.detail',
      value: `${groupThousands(bytes)} bytes (Source + DetailType + Detail, UTF-8)`,
      allowed: `a PutEvents entry of at most ${groupThousands(L.maxPutEventsEntryBytes)} bytes (256 KB, EventBridge's limit per entry)`,
      fix: 'put the large part in S3 (or a table) and send its key in the detail',
    });
  }
  public _bind(_scope: Construct, delivery: targets.ScheduleTargetBaseProps): scheduler.IScheduleTarget {
    return new targets.EventBridgePutEvents({
      eventBus: this.eventBus,
      source: this.options.source,
      detailType: this.options.detailType,
      detail: this.options.detail ?? scheduler.ScheduleTargetInput.fromObject({}),
    }, delivery);
  }
}
