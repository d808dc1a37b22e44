import { Duration, SecretValue, Stack, Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { checkApiDestinationLimits, checkDeadLetterQueue } from './route-target-rules';
import { checkTargetInput, EVENT_ROUTER_LIMITS, RenderedTargetInput } from './rules';
import { checkConsumerCode, consumerFunction } from '../../core/consumer/consumer-defaults';
import { ConsumerCodeOptions } from '../../core/consumer/consumer-options';
import { secondsOf, Violations } from '../../core/validation';

/**
 * Delivery settings every route target shares: a dead-letter queue and a retry policy by default.
 */
export interface RouteTargetOptions {
  /**
   * How long EventBridge keeps retrying an event it cannot deliver. Range: 60 seconds to 24 hours.
   *
   * @default Duration.hours(24) (AWS's maximum, stated so it is visible in the template)
   */
  readonly maxEventAge?: Duration;

  /**
   * Retries after the first failed delivery. Range: 0 to 185.
   *
   * @default 185 (AWS's maximum, stated so it is visible in the template)
   */
  readonly retryAttempts?: number;

  /**
   * Where events go that could not be delivered after the retries.
   *
   * @default - the route's dead-letter queue (one per route, SQS-managed encryption so
   * EventBridge can write to it, 14 days retention, alarmed when not empty)
   */
  readonly deadLetterQueue?: sqs.IQueue;

  /**
   * What the target receives instead of the whole event (an input transformer), e.g.
   * `events.RuleTargetInput.fromObject({ symbol: events.EventField.fromPath('$.detail.symbol') })`.
   *
   * @default - the whole event
   */
  readonly input?: events.RuleTargetInput;
}

/** Options of a queue target. */
export interface QueueTargetOptions extends RouteTargetOptions {
  /**
   * Message group id for a FIFO queue (required there, not allowed on a standard queue), e.g.
   * a literal or `events.EventField.fromPath('$.detail.symbol')`.
   *
   * @default - none (standard queues)
   */
  readonly messageGroupId?: string;
}

/** Options of a target bus. */
export interface EventBusTargetOptions extends RouteTargetOptions {
  /**
   * State that the receiving bus's resource policy lets this account put events on it. Required
   * (true) when the bus is in another account: EventBridge's delivery fails otherwise, and only
   * the receiving account can grant it (e.g. with its own `EventRouter`'s `publisherAccounts`).
   *
   * @default false
   */
  readonly receiverAllowsPutEvents?: boolean;
}

/** Options of an HTTPS API destination target. */
export interface ApiDestinationTargetOptions extends RouteTargetOptions {
  /** The HTTPS endpoint, e.g. `https://api.example.com/orders/*` (`*` = a path parameter). */
  readonly endpoint: string;

  /**
   * The connection (authorization) to use.
   *
   * @default - a new connection with `apiKeyName` and `apiKeyValue`
   */
  readonly connection?: events.IConnection;

  /**
   * Header name of the API key of a new connection, e.g. `X-Api-Key`.
   *
   * @default - none; required without `connection`
   */
  readonly apiKeyName?: string;

  /**
   * The API key of a new connection, e.g. `SecretValue.secretsManager('partner-api-key')`.
   * EventBridge keeps it in a Secrets Manager secret it owns.
   *
   * @default - none; required without `connection`
   */
  readonly apiKeyValue?: SecretValue;

  /**
   * Most invocations per second EventBridge sends to the endpoint. Range: 1 to 300.
   *
   * @default 10
   */
  readonly rateLimitPerSecond?: number;

  /**
   * HTTP method.
   *
   * @default events.HttpMethod.POST
   */
  readonly httpMethod?: events.HttpMethod;

  /**
   * Values of the `*` path parameters of the endpoint, in order.
   *
   * @default - none
   */
  readonly pathParameterValues?: string[];

  /**
   * Headers to add (values may be `events.EventField` paths).
   *
   * @default - none
   */
  readonly headerParameters?: { [name: string]: string };
}

/**
 * A target input as PutTargets receives it, bound to a rule of a scratch stack (nothing is added
 * to the user's app); undefined when aws-cdk-lib cannot render it without the real rule.
 */
function renderInput(input: events.RuleTargetInput): RenderedTargetInput | undefined {
  try {
    const scratch = new Stack();
    const rule = new events.Rule(scratch, 'Scratch', { eventPattern: { source: ['scratch'] } });
    return scratch.resolve(input.bind(rule)) as RenderedTargetInput;
  } catch {
    return undefined;
  }
}

/**
 * What a target needs from its route when it binds.
 *
 * @internal
 */
export interface RouteTargetBinding {
  readonly scope: Construct;
  /** Prop path of this target in errors, e.g. `routes.Prices.targets[2]`. */
  readonly prop: string;
  readonly deadLetterQueue: sqs.IQueue;
  readonly id: string;
}

/**
 * A target of a route: where matching events go. Create with the static methods; each target
 * gets a dead-letter queue and a retry policy by default.
 */
export abstract class RouteTarget {
  /** An SQS queue (a `SecureQueue`'s `queue`, or yours). FIFO queues need `messageGroupId`. */
  public static queue(queue: sqs.IQueue, options: QueueTargetOptions = {}): RouteTarget {
    return new QueueRouteTarget(queue, options);
  }

  /** A Lambda consumer: your code built with the library's consumer defaults, or your function. */
  public static lambda(consumer: ConsumerCodeOptions, options: RouteTargetOptions = {}): RouteTarget {
    return new LambdaRouteTarget(consumer, options);
  }

  /** An SNS topic. */
  public static topic(topic: sns.ITopic, options: RouteTargetOptions = {}): RouteTarget {
    return new TopicRouteTarget(topic, options);
  }

  /** A Step Functions state machine (one execution per event). */
  public static stateMachine(stateMachine: sfn.IStateMachine, options: RouteTargetOptions = {}): RouteTarget {
    return new StateMachineRouteTarget(stateMachine, options);
  }

  /** Another event bus, in this or another account or region. */
  public static eventBus(eventBus: events.IEventBus, options: EventBusTargetOptions = {}): RouteTarget {
    return new EventBusRouteTarget(eventBus, options);
  }

  /** An HTTPS endpoint (API destination), with a connection and an invocation rate limit. */
  public static apiDestination(options: ApiDestinationTargetOptions): RouteTarget {
    return new ApiDestinationRouteTarget(options);
  }

  /** The delivery settings given. */
  public readonly options: RouteTargetOptions;

  /** What kind of target this is (`queue`, `lambda`, ...), for messages and dashboards. */
  public readonly kind: string;

  protected constructor(kind: string, options: RouteTargetOptions) {
    this.kind = kind;
    this.options = options;
  }

  /**
   * Records what is wrong with this target's settings (all of them, never the first only).
   *
   * @internal
   */
  public _validate(b: RouteTargetBinding, v: Violations): void {
    const o = this.options;
    v.durationInRange('EVENT_ROUTER_MAX_EVENT_AGE', `${b.prop}.maxEventAge`, o.maxEventAge, {
      min: EVENT_ROUTER_LIMITS.minEventAge, max: EVENT_ROUTER_LIMITS.maxEventAge,
    });
    const age = o.maxEventAge;
    // PutTargets RetryPolicy.MaximumEventAgeInSeconds is a whole number of seconds (aws-cdk-lib throws otherwise).
    const ageSeconds = secondsOf(age);
    if (ageSeconds !== undefined && !Number.isInteger(ageSeconds)) {
      v.add({
        code: 'EVENT_ROUTER_MAX_EVENT_AGE',
        prop: `${b.prop}.maxEventAge`,
        value: `${Math.round(ageSeconds * 1000)} ms`,
        allowed: 'whole seconds (RetryPolicy.MaximumEventAgeInSeconds)',
        fix: `give ${b.prop}.maxEventAge in whole seconds, e.g. Duration.seconds(90)`,
      });
    }
    v.numberInRange('EVENT_ROUTER_RETRY_ATTEMPTS', `${b.prop}.retryAttempts`, o.retryAttempts, { min: 0, max: EVENT_ROUTER_LIMITS.maxRetryAttempts });
    if (o.deadLetterQueue) checkDeadLetterQueue(b, o.deadLetterQueue, v);
    if (o.input) {
      const rendered = renderInput(o.input);
      if (rendered) checkTargetInput(b.prop, rendered, v);
    }
    this._validateTarget(b, v);
  }

  /**
   * Builds the aws-cdk-lib target with the delivery defaults (called after `_validate` passed).
   *
   * @internal
   */
  public _bind(b: RouteTargetBinding): events.IRuleTarget {
    const o = this.options;
    if (!this.retryDefaults()) return this._bindTarget(b, { deadLetterQueue: o.deadLetterQueue ?? b.deadLetterQueue });
    return this._bindTarget(b, {
      deadLetterQueue: o.deadLetterQueue ?? b.deadLetterQueue,
      maxEventAge: o.maxEventAge ?? EVENT_ROUTER_LIMITS.maxEventAge,
      retryAttempts: o.retryAttempts ?? EVENT_ROUTER_LIMITS.maxRetryAttempts,
    });
  }

  /** Whether the target takes a RetryPolicy (all but bus targets). */
  protected retryDefaults(): boolean {
    return true;
  }

  /**
   * Target-specific checks.
   *
   * @internal
   */
  protected abstract _validateTarget(b: RouteTargetBinding, v: Violations): void;

  /**
   * Builds the aws-cdk-lib target with the resolved delivery settings.
   *
   * @internal
   */
  protected abstract _bindTarget(b: RouteTargetBinding, delivery: targets.TargetBaseProps): events.IRuleTarget;
}

class QueueRouteTarget extends RouteTarget {
  constructor(private readonly queue: sqs.IQueue, private readonly queueOptions: QueueTargetOptions) {
    super('queue', queueOptions);
  }
  protected _validateTarget(b: RouteTargetBinding, v: Violations): void {
    const fifo = this.queue.fifo;
    v.check('EVENT_ROUTER_FIFO_GROUP_ID', !fifo || this.queueOptions.messageGroupId !== undefined, {
      prop: `${b.prop}.messageGroupId`,
      value: 'undefined (the queue is FIFO)',
      allowed: 'a message group id for a FIFO queue (EventBridge refuses a FIFO target without one)',
      fix: `set ${b.prop}.messageGroupId, e.g. events.EventField.fromPath('$.detail.symbol') to keep order per symbol`,
    });
    v.check('EVENT_ROUTER_GROUP_ID_ON_STANDARD', fifo || this.queueOptions.messageGroupId === undefined, {
      prop: `${b.prop}.messageGroupId`,
      value: `"${this.queueOptions.messageGroupId}" (the queue is standard)`,
      allowed: 'no message group id on a standard queue',
      fix: `remove ${b.prop}.messageGroupId, or target a FIFO queue`,
    });
    const group = this.queueOptions.messageGroupId;
    // SQS: a message group id is 1 to 128 characters (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html).
    if (fifo && group !== undefined && !Token.isUnresolved(group)) {
      v.check('EVENT_ROUTER_GROUP_ID_LENGTH', group.length >= 1 && group.length <= 128, {
        prop: `${b.prop}.messageGroupId`,
        value: `"${group.length > 40 ? `${group.slice(0, 40)}…` : group}" (${group.length} characters)`,
        allowed: '1 to 128 characters (SQS MessageGroupId), or an events.EventField path',
        fix: `set ${b.prop}.messageGroupId to a short literal, or events.EventField.fromPath('$.detail.<field>')`,
      });
    }
  }
  protected _bindTarget(_b: RouteTargetBinding, delivery: targets.TargetBaseProps): events.IRuleTarget {
    return new targets.SqsQueue(this.queue, { ...delivery, messageGroupId: this.queueOptions.messageGroupId, message: this.options.input });
  }
}

class LambdaRouteTarget extends RouteTarget {
  constructor(private readonly consumer: ConsumerCodeOptions, options: RouteTargetOptions) {
    super('lambda', options);
  }
  protected _validateTarget(b: RouteTargetBinding, _v: Violations): void {
    // The consumer module's own check (it throws with the same message format).
    checkConsumerCode(b.scope, `${b.prop}.consumer`, this.consumer);
  }
  protected _bindTarget(b: RouteTargetBinding, delivery: targets.TargetBaseProps): events.IRuleTarget {
    const fn: lambda.IFunction = consumerFunction(b.scope, `${b.id}Function`, this.consumer, `Consumer of ${b.prop} (${b.scope.node.path})`);
    return new targets.LambdaFunction(fn, { ...delivery, event: this.options.input });
  }
}

class TopicRouteTarget extends RouteTarget {
  constructor(private readonly topic: sns.ITopic, options: RouteTargetOptions) {
    super('topic', options);
  }
  protected _validateTarget(): void { /* nothing beyond the shared delivery settings */ }
  protected _bindTarget(_b: RouteTargetBinding, delivery: targets.TargetBaseProps): events.IRuleTarget {
    return new targets.SnsTopic(this.topic, { ...delivery, message: this.options.input });
  }
}

class StateMachineRouteTarget extends RouteTarget {
  constructor(private readonly stateMachine: sfn.IStateMachine, options: RouteTargetOptions) {
    super('stateMachine', options);
  }
  protected _validateTarget(): void { /* nothing beyond the shared delivery settings */ }
  protected _bindTarget(_b: RouteTargetBinding, delivery: targets.TargetBaseProps): events.IRuleTarget {
    return new targets.SfnStateMachine(this.stateMachine, { ...delivery, input: this.options.input });
  }
}

class EventBusRouteTarget extends RouteTarget {
  constructor(private readonly eventBus: events.IEventBus, private readonly busOptions: EventBusTargetOptions) {
    super('eventBus', busOptions);
  }
  protected _validateTarget(b: RouteTargetBinding, v: Violations): void {
    const here = Stack.of(b.scope).account;
    const there = this.eventBus.env.account;
    const crossAccount = !Token.isUnresolved(here) && !Token.isUnresolved(there) && here !== there;
    v.check('EVENT_ROUTER_CROSS_ACCOUNT_GRANT', !crossAccount || this.busOptions.receiverAllowsPutEvents === true, {
      prop: `${b.prop}.receiverAllowsPutEvents`,
      value: `${this.busOptions.receiverAllowsPutEvents ?? 'undefined'} (the bus ${this.eventBus.eventBusArn} is in account ${there}, this stack in ${here})`,
      allowed: 'true for a bus in another account, once its owner lets this account put events on it',
      fix: `ask the owner of account ${there} to allow events:PutEvents from ${here} on that bus (e.g. EventRouter publisherAccounts: ['${here}']), then set ${b.prop}.receiverAllowsPutEvents: true`,
    });
    v.check('EVENT_ROUTER_BUS_TARGET_INPUT', this.options.input === undefined, {
      prop: `${b.prop}.input`,
      value: 'an input transformer',
      allowed: 'no input transformer on an event bus target (EventBridge forwards the event as it is)',
      fix: `remove ${b.prop}.input, and transform on the receiving bus's rules instead`,
    });
    v.check('EVENT_ROUTER_BUS_TARGET_RETRY', this.options.maxEventAge === undefined && this.options.retryAttempts === undefined, {
      prop: `${b.prop}.retryAttempts`,
      value: `${this.options.retryAttempts ?? ''}${this.options.maxEventAge ? ' / maxEventAge set' : ''}`,
      allowed: 'no retry policy on an event bus target (EventBridge retries bus-to-bus delivery itself; only a dead-letter queue applies)',
      fix: `remove ${b.prop}.retryAttempts and ${b.prop}.maxEventAge`,
    });
  }
  protected _bindTarget(_b: RouteTargetBinding, delivery: targets.TargetBaseProps): events.IRuleTarget {
    // Bus targets take a dead-letter queue but no RetryPolicy: the retry defaults are not passed.
    return new targets.EventBus(this.eventBus, { deadLetterQueue: delivery.deadLetterQueue });
  }
  protected override retryDefaults(): boolean {
    return false;
  }
}

class ApiDestinationRouteTarget extends RouteTarget {
  constructor(private readonly api: ApiDestinationTargetOptions) {
    super('apiDestination', api);
  }
  protected _validateTarget(b: RouteTargetBinding, v: Violations): void {
    const a = this.api;
    v.check('EVENT_ROUTER_API_ENDPOINT', Token.isUnresolved(a.endpoint) || /^https:\/\/[^\s/$.?#][^\s]*$/i.test(a.endpoint), {
      prop: `${b.prop}.endpoint`,
      value: `"${a.endpoint}"`,
      allowed: 'an https:// URL (EventBridge API destinations call HTTPS endpoints only)',
      fix: `set ${b.prop}.endpoint to the https:// URL of the API`,
    });
    v.check('EVENT_ROUTER_API_CONNECTION', a.connection !== undefined || (a.apiKeyName !== undefined && a.apiKeyValue !== undefined), {
      prop: `${b.prop}.connection`,
      value: 'undefined, and apiKeyName / apiKeyValue incomplete',
      allowed: 'a connection, or apiKeyName and apiKeyValue for a new one',
      fix: `give ${b.prop}.connection, or ${b.prop}.apiKeyName with ${b.prop}.apiKeyValue (e.g. SecretValue.secretsManager('name'))`,
    });
    checkApiDestinationLimits(b, a, v);
    v.numberInRange('EVENT_ROUTER_API_RATE_LIMIT', `${b.prop}.rateLimitPerSecond`, a.rateLimitPerSecond, { min: 1, max: 300, unit: 'invocations per second' });
  }
  protected _bindTarget(b: RouteTargetBinding, delivery: targets.TargetBaseProps): events.IRuleTarget {
    const a = this.api;
    const connection = a.connection ?? new events.Connection(b.scope, `${b.id}Connection`, {
      authorization: events.Authorization.apiKey(a.apiKeyName!, a.apiKeyValue!),
      description: `Connection of ${b.prop} (${b.scope.node.path})`,
    });
    const destination = new events.ApiDestination(b.scope, `${b.id}Destination`, {
      connection,
      endpoint: a.endpoint,
      httpMethod: a.httpMethod ?? events.HttpMethod.POST,
      rateLimitPerSecond: a.rateLimitPerSecond ?? 10,
      description: `API destination of ${b.prop} (${b.scope.node.path})`,
    });
    return new targets.ApiDestination(destination, {
      ...delivery,
      event: this.options.input,
      pathParameterValues: a.pathParameterValues,
      headerParameters: a.headerParameters,
    });
  }
}
