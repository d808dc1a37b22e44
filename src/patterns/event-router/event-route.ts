import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { EventRouteMetrics } from './metrics';
import { RouteProps } from './props';
import { ROUTE_RULES } from './rules';
import { eventPatternProblemOf } from '../../core/event-pattern';
import { Violations } from '../../core/validation';
import { createAlarm } from '../../monitoring/alarm-factory';
import { IMonitoredBlock } from '../../monitoring/monitored-block';
import { QueueMetrics } from '../../monitoring/queue-metrics';

/** What a route needs from its router. Internal. */
export interface EventRouteContext {
  /** `routes[i]`: how messages name this route. */
  readonly prop: string;
  /** Names of the router's other routes. */
  readonly existingNames: string[];
  readonly eventBus: events.IEventBus;
  readonly eventBusName: string;
  readonly patternSizeQuota: number;
  readonly alarmsEnabled: boolean;
  readonly alarmTopic?: sns.ITopic;
}

/** The pattern as a rule renders it (events.Match helpers become JSON), without building a rule. */
function renderPattern(pattern: events.EventPattern): unknown {
  const scratch = new Stack();
  const rule = new events.Rule(scratch, 'Scratch', { eventPattern: pattern });
  return scratch.resolve((rule.node.defaultChild as events.CfnRule).eventPattern);
}

/**
 * One route of an {@link EventRouter}: a rule, its targets with retry policies, a dead-letter
 * queue, and alarms on the rule's `AWS/Events` metrics (dimensions `EventBusName`, `RuleName`).
 */
export class EventRoute extends Construct implements IMonitoredBlock {
  /** The EventBridge rule. */
  public readonly rule: events.Rule;
  /** The route's dead-letter queue (targets without their own DLQ use it). */
  public readonly deadLetterQueue: sqs.Queue;
  /** The alarms of the route. */
  public readonly alarms: cloudwatch.IAlarm[] = [];
  /** The route's name as given to `addRoute`. */
  public readonly routeName: string;

  private readonly eventBusName: string;

  constructor(scope: Construct, id: string, name: string, props: RouteProps, context: EventRouteContext) {
    super(scope, id);
    this.routeName = name;
    this.eventBusName = context.eventBusName;
    const prop = context.prop;
    const targets = props.targets ?? [];

    // Validate what CloudFormation will receive (the rendered pattern, events.Match helpers
    // resolved), and every target, then report all violations in one error on the router.
    let renderedPattern: unknown;
    let renderError: string | undefined;
    try {
      renderedPattern = Stack.of(scope).resolve(renderPattern(props.pattern));
    } catch {
      renderError = eventPatternProblemOf(props.pattern); // aws-cdk-lib cannot render it: say why, with the prop
    }
    const v = new Violations(scope);
    for (const rule of ROUTE_RULES) {
      rule(props, { prop, name, existingNames: context.existingNames, patternSizeQuota: context.patternSizeQuota, renderedPattern, renderError }, v);
    }
    const bindings = targets.map((_t, i) => ({ scope: this, prop: `${prop}.targets[${i}]`, deadLetterQueue: undefined as unknown as sqs.IQueue, id: `Target${i}` }));
    targets.forEach((t, i) => t._validate(bindings[i], v));
    v.throwIfAny();

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      // SQS-managed keys: EventBridge cannot write to a queue encrypted with the AWS-managed
      // alias/aws/sqs key, and a customer key would need a key policy per route.
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: props.deadLetterRetention ?? Duration.days(14),
    });
    // cdk-nag knows DLQs only from redrive policies; this one is the targets' DeadLetterConfig.
    this.deadLetterQueue.node.defaultChild!.node.addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, {
      'AwsSolutions-SQS3': 'This queue IS a dead-letter queue: the DeadLetterConfig of the route\'s EventBridge targets.',
    });

    this.rule = new events.Rule(this, 'Rule', {
      eventBus: context.eventBus,
      eventPattern: props.pattern,
      enabled: props.enabled ?? true,
      description: props.description ?? `Route ${name} of ${scope.node.path}`,
    });
    targets.forEach((target, i) => {
      this.rule.addTarget(target._bind({ ...bindings[i], deadLetterQueue: this.deadLetterQueue }));
    });

    if (context.alarmsEnabled) this.createAlarms(context.alarmTopic);
  }

  /** Widgets for a dashboard: the rule's traffic and failures, and the dead letters. */
  public dashboardWidgets(): cloudwatch.IWidget[] {
    const r = this.rule.ruleName;
    const b = this.eventBusName;
    return [
      new cloudwatch.GraphWidget({
        title: `${this.routeName}: traffic`,
        left: [EventRouteMetrics.matchedEvents(r, b), EventRouteMetrics.invocations(r, b)],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: `${this.routeName}: failures`,
        left: [
          EventRouteMetrics.failedInvocations(r, b), EventRouteMetrics.throttledRules(r, b),
          EventRouteMetrics.invocationsSentToDlq(r, b), EventRouteMetrics.invocationsFailedToBeSentToDlq(r, b),
        ],
        width: 10,
      }),
      new cloudwatch.SingleValueWidget({
        title: `${this.routeName}: dead letters`,
        metrics: [QueueMetrics.visibleMessages(this.deadLetterQueue)],
        width: 6,
      }),
    ];
  }

  private createAlarms(alarmTopic?: sns.ITopic): void {
    const r = this.rule.ruleName;
    const b = this.eventBusName;
    const what = `route ${this.routeName} (${this.node.path})`;
    const specs: Array<[string, cloudwatch.Metric, string]> = [
      ['FailedInvocationsAlarm', EventRouteMetrics.failedInvocations(r, b),
        `Targets of ${what} failed after their retries. Check the targets' permissions and health; the events are in the route's dead-letter queue.`],
      ['SentToDlqAlarm', EventRouteMetrics.invocationsSentToDlq(r, b),
        `Events of ${what} went to a dead-letter queue. Inspect the DLQ messages' attributes (ERROR_CODE, ERROR_MESSAGE) and redrive once fixed.`],
      ['FailedToDlqAlarm', EventRouteMetrics.invocationsFailedToBeSentToDlq(r, b),
        `Events of ${what} could not be put on the dead-letter queue: they are LOST. Check the DLQ's resource policy and encryption key.`],
      ['ThrottledAlarm', EventRouteMetrics.throttledRules(r, b),
        `Invocations of ${what} are throttled. Raise the target's limit (Lambda concurrency, API destination rate) or the EventBridge invocation quota.`],
    ];
    for (const [id, metric, description] of specs) {
      this.alarms.push(createAlarm(this, id, { metric, threshold: 0, evaluationPeriods: 1, description, alarmTopic }));
    }
    this.alarms.push(createAlarm(this, 'DeadLettersAlarm', {
      metric: QueueMetrics.visibleMessages(this.deadLetterQueue),
      threshold: 0,
      evaluationPeriods: 1,
      description: `The dead-letter queue of ${what} holds events EventBridge could not deliver. Fix the cause, then redrive them.`,
      alarmTopic,
    }));
  }
}
