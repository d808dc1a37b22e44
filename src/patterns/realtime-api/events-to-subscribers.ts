import { Duration, Token } from 'aws-cdk-lib';
import * as appsync from 'aws-cdk-lib/aws-appsync';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { RealtimeApi } from './realtime-api';
import { fieldRule } from './rules';
import { eventPatternProblemOf } from '../../core/event-pattern';
import { SecureQueue } from '../../core/secure-queue';
import { Violations } from '../../core/validation';
import { createAlarm } from '../../monitoring/alarm-factory';
import { IMonitoredBlock } from '../../monitoring/monitored-block';

/**
 * Events from an EventBridge bus delivered to subscribers through a publish mutation.
 */
export interface EventsToSubscribersOptions {
  /** The bus the events are put on (yours, or an EventRouter's). */
  readonly eventBus: events.IEventBus;

  /** Which events to deliver. */
  readonly eventPattern: events.EventPattern;

  /** The mutation EventBridge calls (usually one made with `addPublishMutation`). */
  readonly mutationField: string;

  /**
   * The mutation's arguments: a JSON path into the event (`$.detail.orderId`) or a literal
   * value. Every argument the mutation requires must be given.
   */
  readonly variables: { [argument: string]: string };

  /**
   * Retries of a failed call before the event goes to the dead-letter queue. Range: 0 to 185.
   *
   * @default 10
   */
  readonly retryAttempts?: number;

  /**
   * Oldest event still worth delivering to a live client. Range: 60 seconds to 24 hours.
   *
   * @default Duration.hours(1)
   */
  readonly maxEventAge?: Duration;

  /**
   * Where events that could not be delivered go.
   *
   * @default - a new encrypted queue (14 days retention) with an alarm on its depth
   */
  readonly deadLetterQueue?: sqs.IQueue;
}

/**
 * An EventBridge rule whose target calls a publish mutation of a RealtimeApi, signed with IAM by
 * a role that may call only that mutation; retries, then a dead-letter queue that is alarmed.
 */
export class EventsToSubscribers extends Construct implements IMonitoredBlock {
  /** The rule on the bus. */
  public readonly rule: events.Rule;
  /** Where undeliverable events go. */
  public readonly deadLetterQueue: sqs.IQueue;
  /** The role EventBridge uses to call the mutation. */
  public readonly role: iam.Role;
  /** The GraphQL operation the target sends. */
  public readonly graphqlOperation: string;
  /** The alarm on the dead-letter queue. */
  public readonly alarms: cloudwatch.IAlarm[] = [];

  /** Use {@link RealtimeApi.routeEventsToSubscribers}. */
  constructor(scope: RealtimeApi, id: string, props: EventsToSubscribersOptions) {
    super(scope, id);
    const api = scope;
    const { alarmTopic, alarmsEnabled } = api._alarmSettings();
    const mutationType = api.schema._rootTypeName('mutation') ?? 'Mutation';
    const v = new Violations(this);
    fieldRule(v, `routeEventsToSubscribers("${id}") mutationField`, api.schema, mutationType, props.mutationField, Object.keys(props.variables));
    for (const required of api.schema._requiredArguments(mutationType, props.mutationField)) {
      v.check('REALTIME_ROUTE_VARIABLE_MISSING', props.variables[required] !== undefined, {
        prop: `variables.${required}`,
        value: 'not given',
        allowed: `a JSON path into the event (e.g. "$.detail.${required}") or a literal: ${mutationType}.${props.mutationField} requires ${required}`,
        fix: `add ${required} to variables`,
      });
    }
    v.check('REALTIME_ROUTE_IAM_MODE', api._modes().includes(appsync.AuthorizationType.IAM), {
      prop: 'authorizationConfig',
      value: `modes ${api._modes().join(', ')} (no AWS_IAM)`,
      allowed: 'an API with an AWS_IAM mode: EventBridge signs its calls with IAM',
      fix: 'keep IAM as the default mode (the default) or add it to additionalAuthorizationModes',
    });
    if (!Token.isUnresolved(JSON.stringify(props.eventPattern))) {
      const problem = eventPatternProblemOf(props.eventPattern);
      v.check('REALTIME_ROUTE_EVENT_PATTERN', problem === undefined, {
        prop: 'eventPattern',
        value: problem ?? '',
        allowed: 'an EventBridge event pattern: fields with arrays of values or matchers (aws-cdk-lib events.Match helpers write them)',
        fix: 'write eventPattern with events.Match helpers, e.g. { source: [\'orders\'], detailType: [\'OrderStatusChanged\'] }',
      });
    }
    for (const [name, value] of Object.entries(props.variables)) {
      // A value starting with $ is meant as a path into the event; only "$.a.b" is one (else it is sent as a literal).
      if (typeof value !== 'string' || Token.isUnresolved(value) || !value.startsWith('$')) continue;
      v.check('REALTIME_ROUTE_VARIABLE_PATH', /^\$(\.[A-Za-z0-9_-]+)+$/.test(value), {
        prop: `variables.${name}`,
        value: `"${value}"`,
        allowed: 'a JSON path into the event, "$." then field names separated by . (e.g. "$.detail.id"), or a literal not starting with $',
        fix: `write variables.${name} as e.g. "$.detail.${name}"`,
      });
    }
    v.numberInRange('REALTIME_ROUTE_RETRY_ATTEMPTS', 'retryAttempts', props.retryAttempts, { min: 0, max: 185 });
    v.durationInRange('REALTIME_ROUTE_MAX_EVENT_AGE', 'maxEventAge', props.maxEventAge, { min: Duration.seconds(60), max: Duration.hours(24) });
    v.throwIfAny();

    this.graphqlOperation = api.schema._operationFor(mutationType, props.mutationField);
    this.deadLetterQueue = props.deadLetterQueue ?? this.newDeadLetterQueue(alarmTopic, alarmsEnabled);
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com'),
      description: `EventBridge calls ${mutationType}.${props.mutationField} of ${api.node.path}`,
    });
    api.api.grantMutation(this.role, props.mutationField);

    const variables: Record<string, string> = {};
    for (const [name, value] of Object.entries(props.variables)) {
      variables[name] = value.startsWith('$.') ? events.EventField.fromPath(value) : value;
    }
    this.rule = new events.Rule(this, 'Rule', {
      eventBus: props.eventBus,
      eventPattern: props.eventPattern,
      description: `Delivers matching events to subscribers of ${mutationType}.${props.mutationField} (${api.node.path})`,
    });
    this.rule.addTarget(new targets.AppSync(api.api, {
      graphQLOperation: this.graphqlOperation,
      variables: events.RuleTargetInput.fromObject(variables),
      eventRole: this.role,
      deadLetterQueue: this.deadLetterQueue,
      retryAttempts: props.retryAttempts ?? 10,
      maxEventAge: props.maxEventAge ?? Duration.hours(1),
    }));
  }

  /** Depth of the dead-letter queue. */
  public dashboardWidgets(): cloudwatch.IWidget[] {
    return [new cloudwatch.GraphWidget({
      title: `${this.node.id}: undeliverable events`,
      left: [this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' })],
      width: 24,
    })];
  }

  private newDeadLetterQueue(alarmTopic: sns.ITopic | undefined, alarmsEnabled: boolean): sqs.IQueue {
    // The library's SecureQueue (SSE, TLS-only, 14 days): EventBridge puts undeliverable events here.
    const secure = new SecureQueue(this, 'DeadLetterQueue', { retentionPeriod: Duration.days(14), alarmsEnabled: false });
    const queue = secure.queue;
    if (!alarmsEnabled) return queue;
    this.alarms.push(createAlarm(this, 'DeadLetterAlarm', {
      alarmTopic,
      metric: queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
      threshold: 0,
      evaluationPeriods: 1,
      description: `${this.node.path}: events could not be delivered to subscribers after all retries and wait in the dead-letter queue. `
        + 'Check the API\'s 4XX/5XX errors and the mutation\'s arguments; redrive them with the SQS console once fixed.',
    }));
    return queue;
  }
}
