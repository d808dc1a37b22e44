import { CfnOutput, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { LIVE_ORDERS_SCHEMA } from './live-orders-schema';
import { SecureTopic } from '../core/secure-topic';
import { RealtimeApi, RealtimeSchema } from '../patterns/realtime-api';

/**
 * Properties of the {@link LiveOrdersStack} reference architecture.
 */
export interface LiveOrdersStackProps extends StackProps {
  /**
   * The bus the order and shipping services put their events on.
   *
   * @default - a new event bus
   */
  readonly existingEventBus?: events.IEventBus;

  /**
   * Deliver the bus's order and shipping events to subscribers (four rules calling
   * `publishOrderStatus`). Off only where AppSync rule targets cannot be deployed (the local
   * emulator lacks the API's `GraphQLEndpointArn`).
   *
   * @default true
   */
  readonly deliverBusEvents?: boolean;

  /**
   * Protect the API with a regional AWS WAF web ACL (AWS's common rule set, known bad inputs, and
   * a rate limit of 1,000 requests per 5 minutes per IP). Off only where WAF cannot be associated
   * (the local emulator).
   *
   * @default true
   */
  readonly webAclEnabled?: boolean;

  /**
   * Create the API's alarms (and the event routes' dead-letter alarms).
   *
   * @default true
   */
  readonly alarmsEnabled?: boolean;

  /**
   * What happens to the orders table when the stack is deleted.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** Backend events pushed to the subscribers of `onOrderStatus`: event → status. */
const STATUS_EVENTS: ReadonlyArray<{ id: string; source: string; detailType: string; status: string }> = [
  { id: 'OrderConfirmed', source: 'orders', detailType: 'OrderConfirmed', status: 'CONFIRMED' },
  { id: 'OrderCancelled', source: 'orders', detailType: 'OrderCancelled', status: 'CANCELLED' },
  { id: 'OrderShipped', source: 'shipping', detailType: 'OrderShipped', status: 'SHIPPED' },
  { id: 'OrderDelivered', source: 'shipping', detailType: 'OrderDelivered', status: 'DELIVERED' },
];

/**
 * Reference architecture: live order status for web and mobile clients.
 *
 * ```
 * client ── order(id) / ordersChangedSince(since) ──▶ AppSync ──▶ DynamoDB orders (+ change-feed index)
 * client ── updateOrderStatus(id, status, expectedVersion) ──▶ conditional write, ConflictError when stale
 * orders / shipping services ──▶ EventBridge bus ──▶ rule ──▶ publishOrderStatus (None) ──▶ onOrderStatus(id) subscribers
 * ```
 */
export class LiveOrdersStack extends Stack {
  /**
   * The GraphQL schema of the live orders API (orders, versioned status updates, the delta query
   * and the `onOrderStatus(id)` subscription), for your own `RealtimeApi` in any language.
   */
  public static readonly SCHEMA: string = LIVE_ORDERS_SCHEMA;

  /** The GraphQL API. */
  public readonly realtimeApi: RealtimeApi;
  /** Order status, keyed by `id`, with the `byUpdatedAt` change-feed index. */
  public readonly ordersTable: dynamodb.TableV2;
  /** The bus whose order and shipping events reach subscribers. */
  public readonly eventBus: events.IEventBus;
  /** Topic every alarm of the stack notifies. */
  public readonly alarmTopic: SecureTopic;
  /** The regional web ACL in front of the API (undefined when `webAclEnabled` is false). */
  public readonly webAcl?: wafv2.CfnWebACL;

  constructor(scope: Construct, id: string, props: LiveOrdersStackProps = {}) {
    super(scope, id, props);
    this.alarmTopic = new SecureTopic(this, 'Alarms', { alarmsEnabled: true });
    this.alarmTopic.allowServicePublisher(new iam.ServicePrincipal('cloudwatch.amazonaws.com'));

    this.ordersTable = new dynamodb.TableV2(this, 'OrdersTable', {
      partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      globalSecondaryIndexes: [{
        indexName: 'byUpdatedAt',
        partitionKey: { name: 'changeFeed', type: dynamodb.AttributeType.STRING },
        sortKey: { name: 'updatedAt', type: dynamodb.AttributeType.STRING },
      }],
    });
    this.eventBus = props.existingEventBus ?? new events.EventBus(this, 'Bus', { description: 'Order and shipping events (cdk-integration-patterns live orders)' });

    this.webAcl = props.webAclEnabled === false ? undefined : liveOrdersWebAcl(this);
    this.realtimeApi = new RealtimeApi(this, 'Api', {
      webAclArn: this.webAcl?.attrArn,
      schema: RealtimeSchema.fromString(LIVE_ORDERS_SCHEMA),
      apiName: 'live-orders',
      alarmTopic: this.alarmTopic.topic,
      alarmsEnabled: props.alarmsEnabled,
    });
    const orders = this.realtimeApi.addTable('Orders', {
      existingTable: this.ordersTable,
      versionAttribute: 'version',
      changeFeed: { indexName: 'byUpdatedAt', feedValue: 'orders' },
    });
    orders.resolveGetItem('Query', 'order');
    orders.resolveChangesSince('Query', 'ordersChangedSince');
    orders.resolveVersionedUpdate('Mutation', 'updateOrderStatus', { updatableArguments: ['status', 'note'] });
    this.realtimeApi.addPublishMutation('publishOrderStatus');
    for (const e of props.deliverBusEvents === false ? [] : STATUS_EVENTS) {
      this.realtimeApi.routeEventsToSubscribers(e.id, {
        eventBus: this.eventBus,
        eventPattern: { source: [e.source], detailType: [e.detailType] },
        mutationField: 'publishOrderStatus',
        variables: { id: '$.detail.orderId', status: e.status, source: '$.source' },
      });
    }

    new CfnOutput(this, 'GraphqlUrl', { value: this.realtimeApi.api.graphqlUrl });
    new CfnOutput(this, 'ApiId', { value: this.realtimeApi.api.apiId });
    new CfnOutput(this, 'OrdersTableName', { value: this.ordersTable.tableName });
    new CfnOutput(this, 'EventBusName', { value: this.eventBus.eventBusName });
  }
}

/** AWS managed rules for common web exploits and known bad inputs, and a per-IP rate limit. */
function liveOrdersWebAcl(scope: Construct): wafv2.CfnWebACL {
  const visibility = (metricName: string) => ({ cloudWatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName });
  const managed = (name: string, priority: number) => ({
    name,
    priority,
    overrideAction: { none: {} },
    statement: { managedRuleGroupStatement: { vendorName: 'AWS', name } },
    visibilityConfig: visibility(name),
  });
  return new wafv2.CfnWebACL(scope, 'WebAcl', {
    scope: 'REGIONAL',
    defaultAction: { allow: {} },
    visibilityConfig: visibility('live-orders-api'),
    rules: [
      managed('AWSManagedRulesCommonRuleSet', 1),
      managed('AWSManagedRulesKnownBadInputsRuleSet', 2),
      {
        name: 'RateLimitPerIp',
        priority: 3,
        action: { block: {} },
        statement: { rateBasedStatement: { limit: 1000, aggregateKeyType: 'IP' } },
        visibilityConfig: visibility('RateLimitPerIp'),
      },
    ],
  });
}
