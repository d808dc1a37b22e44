import * as fs from 'fs';
import { Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as appsync from 'aws-cdk-lib/aws-appsync';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { EventsToSubscribers, EventsToSubscribersOptions } from './events-to-subscribers';
import { RealtimeApiMetrics } from './metrics';
import { tableDataSourceName } from './names';
import { RealtimeApiProps } from './props';
import { RealtimeTable, RealtimeTableProps } from './realtime-table';
import { checkField, codeSizeRule, fieldRule, httpEndpointRule, REALTIME_API_RULES } from './rules';
import { RealtimeSchema } from './schema';
import { shippedResolverCode } from './shipped-resolvers';
import { checkConsumerCode, consumerFunction } from '../../core/consumer/consumer-defaults';
import { ConsumerCodeOptions } from '../../core/consumer/consumer-options';
import { acknowledgeWildcardResource } from '../../core/nag-acknowledgements';
import { NAME_RULES, validateProps, Violations } from '../../core/validation';
import { createAlarm } from '../../monitoring/alarm-factory';
import { patternDashboard } from '../../monitoring/dashboard-factory';
import { IMonitoredBlock } from '../../monitoring/monitored-block';
import { PatternDashboard } from '../../monitoring/pattern-dashboard';

/**
 * A GraphQL API on AWS AppSync for real-time and offline-capable applications: a schema checked
 * at synth time, APPSYNC_JS resolvers the library ships (conflict-safe versioned writes, a delta
 * query for clients that reconnect, a publish mutation for backend events) next to your own,
 * subscriptions pushed over WebSocket, IAM by default, logs in a log group it owns, alarms with
 * the `GraphQLAPIId` dimension and one dashboard.
 *
 * @example
 * const api = new RealtimeApi(this, 'Api', { schema: RealtimeSchema.fromFile('schema.graphql') });
 * const orders = api.addTable('Orders', { table, versionAttribute: 'version', changeFeed: { indexName: 'byUpdatedAt' } });
 * orders.resolveGetItem('Query', 'order');
 * orders.resolveVersionedUpdate('Mutation', 'updateOrderStatus', { updatableArguments: ['status'] });
 * orders.resolveChangesSince('Query', 'ordersChangedSince');
 */
export class RealtimeApi extends Construct implements IMonitoredBlock {
  /** The AppSync GraphQL API. */
  public readonly api: appsync.GraphqlApi;
  /** The checked schema the API was built from. */
  public readonly schema: RealtimeSchema;
  /** The API's log group (`/aws/appsync/apis/<apiId>`), owned by this construct. */
  public readonly logGroup: logs.LogGroup;
  /** The API's metrics (namespace AWS/AppSync, dimension GraphQLAPIId). */
  public readonly metrics: RealtimeApiMetrics;
  /** The alarms this construct created (and those of its event routes). */
  public readonly alarms: cloudwatch.IAlarm[] = [];
  /** The real-time WebSocket endpoint subscribers connect to (wss://…/graphql). */
  public readonly realtimeUrl: string;
  /** The dashboard the API's section is on (its own, or the shared one handed in); undefined when `dashboardEnabled` is false. */
  public readonly dashboard?: PatternDashboard;

  private readonly props: RealtimeApiProps;
  private readonly resolvedFields = new Set<string>();
  private noneDataSource?: appsync.NoneDataSource;

  constructor(scope: Construct, id: string, props: RealtimeApiProps) {
    super(scope, id);
    validateProps(this, props, [...REALTIME_API_RULES, (p, v) => {
      // Without apiName the construct id names the API: AppSync's naming rule applies to it too.
      if (p.apiName !== undefined || NAME_RULES.graphqlApi.pattern.test(id)) return;
      v.add({
        code: 'REALTIME_API_NAME',
        prop: 'apiName',
        value: `unset, so the construct id "${id}" names the API (characters outside the allowed set)`,
        allowed: `an ${NAME_RULES.graphqlApi.what} of ${NAME_RULES.graphqlApi.characters}`,
        fix: 'set apiName, or give the construct an id of those characters',
      });
    }]);
    this.props = props;
    this.schema = props.schema;

    // AppSync writes to /aws/appsync/apis/<apiId>; owning that group (instead of logConfig's
    // retention, which adds a Custom::LogRetention Lambda) keeps retention in the template.
    const logRole = new iam.Role(this, 'LogRole', {
      assumedBy: new iam.ServicePrincipal('appsync.amazonaws.com'),
      description: `AppSync logging of ${this.node.path}`,
    });
    const definition = props.schema.definition;
    this.api = new appsync.GraphqlApi(this, 'Api', {
      name: props.apiName ?? id,
      definition: appsync.Definition.fromSchema({
        bind: (api) => ({ apiId: (api as unknown as appsync.IGraphqlApi).apiId, definition }),
      }),
      authorizationConfig: props.authorizationConfig ?? { defaultAuthorization: { authorizationType: appsync.AuthorizationType.IAM } },
      xrayEnabled: props.xrayEnabled ?? false,
    });
    // Set on the L1: the L2's logConfig adds a Custom::LogRetention Lambda for the group we own.
    const excludeVerboseContent = props.excludeVerboseContent ?? false;
    (this.api.node.defaultChild as appsync.CfnGraphQLApi).logConfig = {
      cloudWatchLogsRoleArn: logRole.roleArn,
      fieldLogLevel: props.fieldLogLevel ?? appsync.FieldLogLevel.ERROR,
      excludeVerboseContent,
    };
    if (excludeVerboseContent) {
      Validations.of(this.api).acknowledge({ id: 'AwsSolutions-ASC3', reason: 'Verbose request logging was turned off on purpose (excludeVerboseContent: true).' });
    }
    this.realtimeUrl = (this.api.node.defaultChild as appsync.CfnGraphQLApi).attrRealtimeUrl;
    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      logGroupName: `/aws/appsync/apis/${this.api.apiId}`,
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    logRole.addToPolicy(new iam.PolicyStatement({
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [this.logGroup.logGroupArn, `${this.logGroup.logGroupArn}:log-stream:*`],
    }));
    acknowledgeWildcardResource(logRole.node.tryFindChild('DefaultPolicy')!, `${this.logGroup.logGroupArn}:log-stream:*`,
      'AppSync names its log streams itself (one per request batch): the role may write any stream of this API\'s own log group, nothing else.');
    if (props.webAclArn) {
      new wafv2.CfnWebACLAssociation(this, 'WebAclAssociation', { resourceArn: this.api.arn, webAclArn: props.webAclArn });
    }

    this.metrics = new RealtimeApiMetrics(this.api.apiId);
    if (props.alarmsEnabled ?? true) this.createAlarms();
    this.dashboard = patternDashboard(this, props, 'GraphQL requests (errors, latency) and real-time connections, subscriptions and deliveries.');
    this.dashboard?.addBlock(`GraphQL API ${this.node.path}`, this);
  }

  /** Widgets for a pattern dashboard: requests and errors, latency, real-time traffic. */
  public dashboardWidgets(): cloudwatch.IWidget[] {
    const m = this.metrics;
    return [
      new cloudwatch.GraphWidget({ title: 'Requests and errors', left: [m.requests(), m.clientErrors(), m.serverErrors()], width: 8 }),
      new cloudwatch.GraphWidget({ title: 'Latency p99 (ms)', left: [m.latencyP99()], width: 8 }),
      new cloudwatch.GraphWidget({ title: 'Real-time', left: [m.activeConnections(), m.activeSubscriptions()], right: [m.publishedMessages()], width: 8 }),
      new cloudwatch.GraphWidget({ title: 'Real-time server errors', left: [m.connectServerErrors(), m.subscribeServerErrors(), m.publishServerErrors()], width: 24 }),
    ];
  }

  /**
   * Binds a DynamoDB table: the shipped resolvers for it (get, conflict-safe update, delta query)
   * are added with the returned object's `resolve*` methods.
   */
  public addTable(id: string, props: RealtimeTableProps): RealtimeTable {
    this.checkIdFree('addTable', id, this, id);
    this.checkDataSourceName('addTable', id, tableDataSourceName(id));
    return new RealtimeTable(this, id, props);
  }

  /** A Lambda data source; `code` + `handler` get the library's consumer defaults, or pass `function`. */
  public addLambdaDataSource(id: string, consumer: ConsumerCodeOptions): appsync.LambdaDataSource {
    this.checkDataSourceId('addLambdaDataSource', id, `${id}Function`);
    checkConsumerCode(this, `addLambdaDataSource("${id}")`, consumer);
    const fn = consumerFunction(this, `${id}Function`, consumer, `AppSync data source ${id} of ${this.node.path}`);
    return this.api.addLambdaDataSource(id, fn);
  }

  /** An HTTP data source (e.g. an existing REST API). */
  public addHttpDataSource(id: string, endpoint: string, options?: appsync.HttpDataSourceOptions): appsync.HttpDataSource {
    this.checkDataSourceId('addHttpDataSource', id);
    const v = new Violations(this);
    httpEndpointRule(v, `addHttpDataSource("${id}") endpoint`, endpoint);
    v.throwIfAny();
    return this.api.addHttpDataSource(id, endpoint, options);
  }

  /** A None data source, for resolvers that compute or publish without a store. */
  public addNoneDataSource(id: string): appsync.NoneDataSource {
    this.checkDataSourceId('addNoneDataSource', id);
    return this.api.addNoneDataSource(id);
  }

  /**
   * Your APPSYNC_JS resolver on `typeName.fieldName`: the field must exist in the schema, be
   * resolved once, and the code fit AppSync's 32 KB limit.
   */
  public addResolver(typeName: string, fieldName: string, dataSource: appsync.BaseDataSource, code: appsync.Code): appsync.Resolver {
    const method = `addResolver("${typeName}", "${fieldName}")`;
    const v = new Violations(this);
    fieldRule(v, method, this.schema, typeName, fieldName);
    codeSizeRule(v, `${method} code`, codeBytes(this, code));
    v.throwIfAny();
    return this.resolve(typeName, fieldName, dataSource, code);
  }

  /**
   * Makes `Mutation.fieldName` a publish mutation: a None data source and the shipped publish
   * resolver, so calling it pushes its arguments to the subscriptions that name it in
   * `@aws_subscribe` (clients select what they need), without storing anything.
   */
  public addPublishMutation(fieldName: string): appsync.Resolver {
    const mutationType = this.schema._rootTypeName('mutation') ?? 'Mutation';
    checkField(this, `addPublishMutation("${fieldName}")`, this.schema, mutationType, fieldName);
    if (!this.noneDataSource) this.checkDataSourceId(`addPublishMutation("${fieldName}")`, 'Publish');
    this.noneDataSource ??= this.api.addNoneDataSource('Publish', { description: 'Publishes mutation arguments to subscribers (no store)' });
    return this.resolve(mutationType, fieldName, this.noneDataSource, appsync.Code.fromInline(shippedResolverCode('publish', {})));
  }

  /**
   * Routes events from an EventBridge bus to subscribers: a rule whose target calls a publish
   * mutation (signed with IAM by EventBridge), with retries and a dead-letter queue.
   */
  public routeEventsToSubscribers(id: string, options: EventsToSubscribersOptions): EventsToSubscribers {
    this.checkIdFree('routeEventsToSubscribers', id, this, id);
    const route = new EventsToSubscribers(this, id, options);
    this.alarms.push(...route.alarms);
    this.dashboard?.addBlock(`Events to subscribers: ${route.node.path}`, route);
    return route;
  }

  /** Allows `grantee` to run the named queries (all queries when none are named) with IAM. */
  public grantQuery(grantee: iam.IGrantable, ...fields: string[]): iam.Grant {
    this.checkGrantFields('grantQuery', 'query', fields);
    return this.api.grantQuery(grantee, ...fields);
  }

  /** Allows `grantee` to run the named mutations (all when none are named) with IAM. */
  public grantMutation(grantee: iam.IGrantable, ...fields: string[]): iam.Grant {
    this.checkGrantFields('grantMutation', 'mutation', fields);
    return this.api.grantMutation(grantee, ...fields);
  }

  /** Allows `grantee` to subscribe to the named subscriptions (all when none are named) with IAM. */
  public grantSubscription(grantee: iam.IGrantable, ...fields: string[]): iam.Grant {
    this.checkGrantFields('grantSubscription', 'subscription', fields);
    return this.api.grantSubscription(grantee, ...fields);
  }

  /** @internal wires one resolver and remembers the field (a field has one resolver). */
  public _resolve(typeName: string, fieldName: string, dataSource: appsync.BaseDataSource, code: appsync.Code): appsync.Resolver {
    return this.resolve(typeName, fieldName, dataSource, code);
  }

  /** @internal where the API's alarms go, for the blocks it adds */
  public _alarmSettings(): { alarmTopic?: sns.ITopic; alarmsEnabled: boolean } {
    return { alarmTopic: this.props.alarmTopic, alarmsEnabled: this.props.alarmsEnabled ?? true };
  }

  /** @internal */
  public _modes(): appsync.AuthorizationType[] {
    return this.api.modes;
  }

  /**
   * A data source's id names a construct of the GraphQL API and, without its non-word characters,
   * the AppSync data source, whose name is unique in an API (AppSync refuses a second one; CDK
   * refuses a repeated construct id with its own message).
   * https://docs.aws.amazon.com/appsync/latest/APIReference/API_CreateDataSource.html
   */
  private checkDataSourceId(method: string, id: string, functionId?: string): void {
    this.checkIdFree(method, id, this.api, id);
    if (functionId) this.checkIdFree(method, id, this, functionId);
    this.checkDataSourceName(method, id, Token.isUnresolved(id) ? undefined : id.replace(/[\W]+/g, ''));
  }

  /** AppSync data source names are unique per API: a second one of the same name is refused at deploy. */
  private checkDataSourceName(method: string, id: string, name: string | undefined): void {
    const taken = this.node.findAll().find(c => c instanceof appsync.BaseDataSource && c.name === name);
    const v = new Violations(this);
    v.check('REALTIME_API_DATA_SOURCE_NAME_TAKEN', name === undefined || taken === undefined, {
      prop: `${method} id`,
      value: `"${id}" (AppSync data source name "${name}", already the name of ${taken?.node.id})`,
      allowed: 'a data source name not yet used in this API (non-word characters are dropped from the id)',
      fix: 'give each data source an id that differs in its letters, digits or _',
    });
    v.throwIfAny();
  }

  /** A repeated id gets our message naming the method, not CDK's construct-id error. */
  private checkIdFree(method: string, id: string, scope: Construct, childId: string): void {
    const existing = scope.node.tryFindChild(childId);
    const v = new Violations(this);
    v.check(method === 'addTable' ? 'REALTIME_API_TABLE_ID_TAKEN' : method === 'routeEventsToSubscribers' ? 'REALTIME_API_ROUTE_ID_TAKEN' : 'REALTIME_API_DATA_SOURCE_ID_TAKEN', existing === undefined, {
      prop: `${method} id`,
      value: `"${id}" (${scope.node.path}/${childId} already exists${existing ? `: a ${existing.constructor.name}` : ''})`,
      allowed: `an id not yet used under ${scope.node.path}`,
      fix: `give each ${method === 'addTable' ? 'table' : method === 'routeEventsToSubscribers' ? 'route' : 'data source'} its own id, or reuse the object the first call returned`,
    });
    v.throwIfAny();
  }

  private resolve(typeName: string, fieldName: string, dataSource: appsync.BaseDataSource, code: appsync.Code): appsync.Resolver {
    const key = `${typeName}.${fieldName}`;
    const v = new Violations(this);
    v.check('REALTIME_API_FIELD_RESOLVED_TWICE', !this.resolvedFields.has(key), {
      prop: `resolver for ${key}`,
      value: 'a second resolver (the field already has one)',
      allowed: 'one resolver per field',
      fix: `remove the second resolver for ${key}, or resolve another field`,
    });
    v.throwIfAny();
    this.resolvedFields.add(key);
    return dataSource.createResolver(`${typeName}${fieldName}Resolver`, {
      typeName,
      fieldName,
      runtime: appsync.FunctionRuntime.JS_1_0_0,
      code,
    });
  }

  private checkGrantFields(method: string, operation: string, fields: string[]): void {
    const typeName = this.schema._rootTypeName(operation);
    for (const field of fields) checkField(this, `${method}("${field}")`, this.schema, typeName ?? operation, field);
  }

  private createAlarms(): void {
    const m = this.metrics;
    const topic = this.props.alarmTopic;
    const latency = this.props.latencyThreshold ?? Duration.seconds(1);
    const rate = this.props.clientErrorRateThreshold ?? 5;
    const fatal = (id: string, metric: cloudwatch.IMetric, what: string) => this.alarms.push(createAlarm(this, id, {
      metric,
      threshold: 0,
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
      alarmTopic: topic,
      description: `${this.node.path}: ${what} in 3 of the last 5 minutes. AppSync failed on its side: check the API's log group (/aws/appsync/apis/<apiId>) for the failing fields and the data source behind them.`,
    }));
    fatal('ServerErrorsAlarm', m.serverErrors(), 'requests failed with a server error (5XX)');
    this.alarms.push(createAlarm(this, 'ClientErrorRateAlarm', {
      metric: m.clientErrorRate(),
      threshold: rate,
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
      alarmTopic: topic,
      description: `${this.node.path}: more than ${rate} % of requests failed with a client error (4XX: invalid queries, unauthorized callers, throttling) in 3 of the last 5 minutes. A new client release or a revoked permission is the usual cause.`,
    }));
    this.alarms.push(createAlarm(this, 'LatencyAlarm', {
      metric: m.latencyP99(),
      threshold: latency.toMilliseconds(),
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
      alarmTopic: topic,
      description: `${this.node.path}: p99 latency above ${latency.toMilliseconds()} ms in 3 of the last 5 minutes. Look for a slow data source (DynamoDB throttling, a cold Lambda, a slow HTTP endpoint).`,
    }));
    fatal('ConnectServerErrorsAlarm', m.connectServerErrors(), 'real-time WebSocket connections failed with a server error');
    fatal('SubscribeServerErrorsAlarm', m.subscribeServerErrors(), 'subscriptions failed with a server error');
    fatal('PublishServerErrorsAlarm', m.publishServerErrors(), 'messages could not be published to subscribers because of a server error');
  }
}

/** Size of resolver code: inline code directly, asset code from its file; undefined for code we cannot measure. */
function codeBytes(scope: Construct, code: appsync.Code): number | undefined {
  if (code instanceof appsync.InlineCode) {
    const inline = code.bind(scope).inlineCode;
    return inline === undefined || Stack.of(scope).resolve(inline) !== inline ? undefined : Buffer.byteLength(inline);
  }
  if (code instanceof appsync.AssetCode) {
    return fs.statSync(code.path).isFile() ? fs.statSync(code.path).size : undefined;
  }
  return undefined;
}
