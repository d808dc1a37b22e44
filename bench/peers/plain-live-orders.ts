/**
 * The peer of `LiveOrdersStack`: the same architecture written the way a careful user would
 * write it with plain aws-cdk-lib L2 constructs and no code from this library.
 *
 * Same resources (60): an encrypted alarm topic that CloudWatch may publish to, a DynamoDB table
 * with a change-feed index, an event bus, a regional WAF web ACL, an AppSync GraphQL API (IAM,
 * logs in a log group it owns through a role scoped to it, web ACL association), a DynamoDB data
 * source whose role holds only what each resolver needs, APPSYNC_JS resolvers (get, delta query,
 * versioned update, publish through a None data source), four EventBridge rules that call the
 * publish mutation (a role per rule that may call only it, retries, a dead-letter queue with its
 * own dead-letter queue, an alarm on it), six API alarms and one dashboard.
 *
 * Like for like, property by property: the resolvers run the same APPSYNC_JS code (the bundles
 * the library ships in assets/appsync-resolvers, with the same one-line settings a user would
 * write for their own), and the same descriptions, queue names and dashboard widgets.
 * The bench checks every resource against ours in every run.
 */
import * as fs from 'fs';
import * as path from 'path';
import { CfnOutput, Duration, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as appsync from 'aws-cdk-lib/aws-appsync';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { alarmTopic, bufferQueue, dashboard, deadLetters, ONE_MINUTE, section } from './plain-parts';

const SCHEMA = `enum OrderStatus {
  PLACED
  CONFIRMED
  CANCELLED
  SHIPPED
  DELIVERED
}

"An order as the table holds it. version grows by one with every write."
type Order {
  id: ID!
  status: OrderStatus!
  version: Int!
  updatedAt: AWSDateTime!
  note: String
}

"One page of the delta query. Pass nextToken for the next page, and nextSince as since next time."
type OrderPage {
  items: [Order!]!
  nextToken: String
  nextSince: AWSDateTime!
}

"A status change pushed to subscribers (from the backend's events)."
type OrderStatusEvent {
  id: ID!
  status: OrderStatus!
  source: String
  publishedAt: AWSDateTime!
}

type Query {
  order(id: ID!): Order
  ordersChangedSince(since: AWSDateTime!, limit: Int, nextToken: String): OrderPage!
}

type Mutation {
  "Conflict-safe: fails with errorType ConflictError (and the current order in errors[].data) unless the order is still at expectedVersion. expectedVersion 0 creates it."
  updateOrderStatus(id: ID!, status: OrderStatus!, expectedVersion: Int!, note: String): Order
  "Pushes a status change to subscribers without storing it (called by EventBridge)."
  publishOrderStatus(id: ID!, status: OrderStatus!, source: String, publishedAt: AWSDateTime): OrderStatusEvent
}

type Subscription {
  "Status events from the backend; give id to follow one order."
  onOrderStatus(id: ID): OrderStatusEvent @aws_subscribe(mutations: ["publishOrderStatus"])
  "Orders changed by clients; give id to follow one order."
  onOrderUpdated(id: ID): Order @aws_subscribe(mutations: ["updateOrderStatus"])
}
`;

/** The operation EventBridge sends: every argument of publishOrderStatus, every field back. */
const PUBLISH_OPERATION = 'mutation Publish($id: ID!, $status: OrderStatus!, $source: String, $publishedAt: AWSDateTime) '
  + '{ publishOrderStatus(id: $id, status: $status, source: $source, publishedAt: $publishedAt) { id status source publishedAt } }';

/** Backend events pushed to the subscribers of `onOrderStatus`: event → status. */
const STATUS_EVENTS = [
  { id: 'OrderConfirmed', source: 'orders', detailType: 'OrderConfirmed', status: 'CONFIRMED' },
  { id: 'OrderCancelled', source: 'orders', detailType: 'OrderCancelled', status: 'CANCELLED' },
  { id: 'OrderShipped', source: 'shipping', detailType: 'OrderShipped', status: 'SHIPPED' },
  { id: 'OrderDelivered', source: 'shipping', detailType: 'OrderDelivered', status: 'DELIVERED' },
];

/** An APPSYNC_JS resolver bundle (assets/appsync-resolvers) with its settings on the first line. */
function resolverCode(name: string, config: object): appsync.Code {
  const file = path.join(__dirname, '..', '..', 'assets', 'appsync-resolvers', `${name}.js`);
  return appsync.Code.fromInline(`const __RESOLVER_CONFIG__ = ${JSON.stringify(config)};\n${fs.readFileSync(file, 'utf8')}`);
}

export class PlainLiveOrdersStack extends Stack {
  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, props);
    const p = this.node.path;
    const apiPath = `${p}/Api`;

    // Alarm topic: encrypted, TLS only, CloudWatch may publish (and use the key).
    const { alarm } = alarmTopic(this, 'AlarmsFailedNotificationsAlarm');

    const table = new dynamodb.TableV2(this, 'OrdersTable', {
      partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: RemovalPolicy.RETAIN,
      globalSecondaryIndexes: [{
        indexName: 'byUpdatedAt',
        partitionKey: { name: 'changeFeed', type: dynamodb.AttributeType.STRING },
        sortKey: { name: 'updatedAt', type: dynamodb.AttributeType.STRING },
      }],
    });
    const bus = new events.EventBus(this, 'Bus', { description: 'Order and shipping events (cdk-integration-patterns live orders)' });

    // Regional web ACL: AWS's common rule set, known bad inputs, 1,000 requests per 5 minutes per IP.
    const visibility = (metricName: string) => ({ cloudWatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName });
    const managed = (name: string, priority: number) => ({
      name, priority, overrideAction: { none: {} }, statement: { managedRuleGroupStatement: { vendorName: 'AWS', name } }, visibilityConfig: visibility(name),
    });
    const webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
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

    // The API: IAM auth, logs in a group the stack owns (no Custom::LogRetention), behind the web ACL.
    const logRole = new iam.Role(this, 'ApiLogRole', {
      assumedBy: new iam.ServicePrincipal('appsync.amazonaws.com'),
      description: `AppSync logging of ${apiPath}`,
    });
    const api = new appsync.GraphqlApi(this, 'Api', {
      name: 'live-orders',
      definition: appsync.Definition.fromSchema({ bind: (a) => ({ apiId: (a as unknown as appsync.IGraphqlApi).apiId, definition: SCHEMA }) }),
      authorizationConfig: { defaultAuthorization: { authorizationType: appsync.AuthorizationType.IAM } },
      xrayEnabled: false,
    });
    (api.node.defaultChild as appsync.CfnGraphQLApi).logConfig = {
      cloudWatchLogsRoleArn: logRole.roleArn,
      fieldLogLevel: appsync.FieldLogLevel.ERROR,
      excludeVerboseContent: false,
    };
    const logGroup = new logs.LogGroup(this, 'ApiLogGroup', {
      logGroupName: `/aws/appsync/apis/${api.apiId}`,
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    logRole.addToPolicy(new iam.PolicyStatement({
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [logGroup.logGroupArn, `${logGroup.logGroupArn}:log-stream:*`],
    }));
    new wafv2.CfnWebACLAssociation(this, 'ApiWebAclAssociation', { resourceArn: api.arn, webAclArn: webAcl.attrArn });

    // API metrics (namespace AWS/AppSync, dimension GraphQLAPIId) and alarms.
    const metric = (metricName: string, statistic: string) => new cloudwatch.Metric({
      namespace: 'AWS/AppSync', metricName, dimensionsMap: { GraphQLAPIId: api.apiId }, statistic, period: ONE_MINUTE,
    });
    const serverErrorHelp = 'in 3 of the last 5 minutes. AppSync failed on its side: check the API\'s log group (/aws/appsync/apis/<apiId>) for the failing fields and the data source behind them.';
    const threeOfFive = { evaluationPeriods: 5, datapointsToAlarm: 3 };
    const alarms: cloudwatch.IAlarm[] = [
      alarm(metric('5XXError', 'Sum'), 'ApiServerErrorsAlarm', {
        ...threeOfFive, alarmDescription: `${apiPath}: requests failed with a server error (5XX) ${serverErrorHelp}`,
      }),
      alarm(new cloudwatch.MathExpression({
        expression: 'IF(requests > 0, 100 * clientErrors / requests, 0)',
        usingMetrics: { clientErrors: metric('4XXError', 'Sum'), requests: metric('Requests', 'Sum') },
        label: '4XX error rate (%)',
        period: ONE_MINUTE,
      }), 'ApiClientErrorRateAlarm', {
        ...threeOfFive,
        threshold: 5,
        alarmDescription: `${apiPath}: more than 5 % of requests failed with a client error (4XX: invalid queries, unauthorized callers, throttling) in 3 of the last 5 minutes. A new client release or a revoked permission is the usual cause.`,
      }),
      alarm(metric('Latency', 'p99'), 'ApiLatencyAlarm', {
        ...threeOfFive,
        threshold: 1000,
        alarmDescription: `${apiPath}: p99 latency above 1000 ms in 3 of the last 5 minutes. Look for a slow data source (DynamoDB throttling, a cold Lambda, a slow HTTP endpoint).`,
      }),
      alarm(metric('ConnectServerError', 'Sum'), 'ApiConnectServerErrorsAlarm', {
        ...threeOfFive, alarmDescription: `${apiPath}: real-time WebSocket connections failed with a server error ${serverErrorHelp}`,
      }),
      alarm(metric('SubscribeServerError', 'Sum'), 'ApiSubscribeServerErrorsAlarm', {
        ...threeOfFive, alarmDescription: `${apiPath}: subscriptions failed with a server error ${serverErrorHelp}`,
      }),
      alarm(metric('PublishDataMessageServerError', 'Sum'), 'ApiPublishServerErrorsAlarm', {
        ...threeOfFive, alarmDescription: `${apiPath}: messages could not be published to subscribers because of a server error ${serverErrorHelp}`,
      }),
    ];

    // The orders data source: its role holds only what each resolver needs (not the L2's read/write grant).
    const ordersRole = new iam.Role(this, 'ApiOrdersRole', {
      assumedBy: new iam.ServicePrincipal('appsync.amazonaws.com'),
      description: `AppSync data source ${apiPath}/Orders`,
    });
    const orders = new appsync.DynamoDbDataSource(this, 'ApiOrdersDataSource', {
      api,
      table,
      name: 'OrdersTable',
      serviceRole: iam.Role.fromRoleArn(this, 'ApiOrdersRoleView', ordersRole.roleArn, { mutable: false }),
    });
    const resolve = (dataSource: appsync.BaseDataSource, typeName: string, fieldName: string, code: appsync.Code) =>
      dataSource.createResolver(`${typeName}${fieldName}Resolver`, { typeName, fieldName, runtime: appsync.FunctionRuntime.JS_1_0_0, code });
    const feed = {
      updatedAtAttribute: 'updatedAt', feedAttribute: 'changeFeed', feedValue: 'orders', deltaIndexName: 'byUpdatedAt', maxPageSize: 100, overlapSeconds: 5,
    };
    ordersRole.addToPolicy(new iam.PolicyStatement({ actions: ['dynamodb:GetItem'], resources: [table.tableArn] }));
    resolve(orders, 'Query', 'order', resolverCode('get-item', { keyAttribute: 'id', keyArgument: 'id' }));
    ordersRole.addToPolicy(new iam.PolicyStatement({ actions: ['dynamodb:Query'], resources: [`${table.tableArn}/index/byUpdatedAt`] }));
    resolve(orders, 'Query', 'ordersChangedSince', resolverCode('changes-since', feed));
    ordersRole.addToPolicy(new iam.PolicyStatement({ actions: ['dynamodb:UpdateItem', 'dynamodb:GetItem'], resources: [table.tableArn] }));
    resolve(orders, 'Mutation', 'updateOrderStatus', resolverCode('versioned-update', {
      ...feed, keyAttribute: 'id', keyArgument: 'id', versionAttribute: 'version', expectedVersionArgument: 'expectedVersion', updatableArguments: ['status', 'note'],
    }));
    const publish = api.addNoneDataSource('Publish', { description: 'Publishes mutation arguments to subscribers (no store)' });
    resolve(publish, 'Mutation', 'publishOrderStatus', resolverCode('publish', {}));

    // Bus events -> publishOrderStatus: a rule per event, retries, then a dead-letter queue (alarmed).
    const routes = STATUS_EVENTS.map(e => {
      const routePath = `${apiPath}/${e.id}`;
      const dlq = bufferQueue(this, `Api${e.id}DeadLetter`, `${e.id}-DeadLetterQueue`, { maxReceiveCount: 5, retentionPeriod: Duration.days(14) });
      const deadLetterAlarm = alarm(deadLetters(dlq.queue), `Api${e.id}DeadLetterAlarm`, {
        alarmDescription: `${routePath}: events could not be delivered to subscribers after all retries and wait in the dead-letter queue. `
          + 'Check the API\'s 4XX/5XX errors and the mutation\'s arguments; redrive them with the SQS console once fixed.',
      });
      alarms.push(deadLetterAlarm);
      const role = new iam.Role(this, `Api${e.id}Role`, {
        assumedBy: new iam.ServicePrincipal('events.amazonaws.com'),
        description: `EventBridge calls Mutation.publishOrderStatus of ${apiPath}`,
      });
      api.grantMutation(role, 'publishOrderStatus');
      const rule = new events.Rule(this, `Api${e.id}Rule`, {
        eventBus: bus,
        eventPattern: { source: [e.source], detailType: [e.detailType] },
        description: `Delivers matching events to subscribers of Mutation.publishOrderStatus (${apiPath})`,
      });
      rule.addTarget(new targets.AppSync(api, {
        graphQLOperation: PUBLISH_OPERATION,
        variables: events.RuleTargetInput.fromObject({
          id: events.EventField.fromPath('$.detail.orderId'), status: e.status, source: events.EventField.fromPath('$.source'),
        }),
        eventRole: role,
        deadLetterQueue: dlq.queue,
        retryAttempts: 10,
        maxEventAge: Duration.hours(1),
      }));
      return { id: e.id, routePath, queue: dlq.queue, deadLetterAlarm };
    });

    const d = dashboard(this, 'ApiDashboard', `# ${apiPath}\nGraphQL requests (errors, latency) and real-time connections, subscriptions and deliveries.`);
    section(d, `GraphQL API ${apiPath}`, [
      new cloudwatch.GraphWidget({ title: 'Requests and errors', left: [metric('Requests', 'Sum'), metric('4XXError', 'Sum'), metric('5XXError', 'Sum')], width: 8 }),
      new cloudwatch.GraphWidget({ title: 'Latency p99 (ms)', left: [metric('Latency', 'p99')], width: 8 }),
      new cloudwatch.GraphWidget({
        title: 'Real-time', left: [metric('ActiveConnections', 'Sum'), metric('ActiveSubscriptions', 'Sum')], right: [metric('PublishDataMessageSuccess', 'Sum')], width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Real-time server errors',
        left: [metric('ConnectServerError', 'Sum'), metric('SubscribeServerError', 'Sum'), metric('PublishDataMessageServerError', 'Sum')],
        width: 24,
      }),
    ], alarms);
    for (const r of routes) {
      section(d, `Events to subscribers: ${r.routePath}`, [
        new cloudwatch.GraphWidget({ title: `${r.id}: undeliverable events`, left: [deadLetters(r.queue)], width: 24 }),
      ], [r.deadLetterAlarm]);
    }

    new CfnOutput(this, 'GraphqlUrl', { value: api.graphqlUrl });
    new CfnOutput(this, 'ApiId', { value: api.apiId });
    new CfnOutput(this, 'OrdersTableName', { value: table.tableName });
    new CfnOutput(this, 'EventBusName', { value: bus.eventBusName });
  }
}
