import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CfnParameter, Duration, Expiration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as appsync from 'aws-cdk-lib/aws-appsync';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { PatternDashboard } from '../../src/monitoring';
import { RealtimeApi, RealtimeApiProps, RealtimeSchema } from '../../src/patterns/realtime-api';
import { BadInputCase, expectBadInput, expectNumberTokenAccepted, newStack, templateOf } from '../support';

export const SCHEMA = `
type Order { id: ID! status: String! version: Int! updatedAt: AWSDateTime note: String }
type OrderPage { items: [Order!]! nextToken: String nextSince: AWSDateTime! }
type OrderStatusEvent { id: ID! status: String! publishedAt: AWSDateTime }
type Query {
  order(id: ID!): Order
  ordersChangedSince(since: AWSDateTime!, limit: Int, nextToken: String): OrderPage!
  other: String
}
type Mutation {
  updateOrderStatus(id: ID!, status: String!, note: String, expectedVersion: Int!): Order
  publishOrderStatus(id: ID!, status: String!, publishedAt: AWSDateTime): OrderStatusEvent
}
type Subscription {
  onOrderStatus(id: ID): OrderStatusEvent @aws_subscribe(mutations: ["publishOrderStatus"])
}
`;

export function ordersTable(stack: Stack, indexName = 'byUpdatedAt'): dynamodb.Table {
  const table = new dynamodb.Table(stack, 'Orders', {
    partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
  });
  table.addGlobalSecondaryIndex({
    indexName,
    partitionKey: { name: 'changeFeed', type: dynamodb.AttributeType.STRING },
    sortKey: { name: 'updatedAt', type: dynamodb.AttributeType.STRING },
  });
  return table;
}

function build(props: Partial<RealtimeApiProps> = {}, stack = newStack()) {
  const api = new RealtimeApi(stack, 'Live', { schema: RealtimeSchema.fromString(SCHEMA), ...props });
  return { stack, api };
}

describe('defaults', () => {
  const { stack, api } = build();
  const table = api.addTable('Orders', { existingTable: ordersTable(stack), versionAttribute: 'version', changeFeed: { indexName: 'byUpdatedAt' } });
  table.resolveGetItem('Query', 'order');
  table.resolveVersionedUpdate('Mutation', 'updateOrderStatus', { updatableArguments: ['status', 'note'] });
  table.resolveChangesSince('Query', 'ordersChangedSince');
  api.addPublishMutation('publishOrderStatus');
  const t = templateOf(stack);

  test('IAM is the only authorization mode; field logs at ERROR with request details (cdk-nag ASC3); no X-Ray', () => {
    t.hasResourceProperties('AWS::AppSync::GraphQLApi', {
      AuthenticationType: 'AWS_IAM',
      AdditionalAuthenticationProviders: Match.absent(),
      LogConfig: { FieldLogLevel: 'ERROR', ExcludeVerboseContent: false, CloudWatchLogsRoleArn: Match.anyValue() },
      XrayEnabled: false,
    });
    t.resourceCountIs('AWS::AppSync::ApiKey', 0);
  });

  test('the schema is deployed as written', () => {
    t.hasResourceProperties('AWS::AppSync::GraphQLSchema', { Definition: SCHEMA });
  });

  test('the log group is owned: /aws/appsync/apis/<apiId>, one month, no Custom::LogRetention', () => {
    t.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: { 'Fn::Join': ['', ['/aws/appsync/apis/', { 'Fn::GetAtt': [Match.stringLikeRegexp('LiveApi'), 'ApiId'] }]] },
      RetentionInDays: 30,
    });
    t.resourceCountIs('Custom::LogRetention', 0);
    const roles = t.findResources('AWS::IAM::Policy', { Properties: { PolicyName: Match.stringLikeRegexp('LiveLogRole') } });
    expect(JSON.stringify(roles)).toContain('logs:PutLogEvents');
    expect(JSON.stringify(roles)).not.toContain('"logs:*"');
  });

  test('shipped resolvers run on APPSYNC_JS 1.0.0 with their settings line', () => {
    const resolvers = t.findResources('AWS::AppSync::Resolver');
    const byField = Object.fromEntries(Object.values(resolvers).map((r: any) => [`${r.Properties.TypeName}.${r.Properties.FieldName}`, r.Properties]));
    expect(Object.keys(byField).sort()).toEqual(['Mutation.publishOrderStatus', 'Mutation.updateOrderStatus', 'Query.order', 'Query.ordersChangedSince']);
    for (const p of Object.values<any>(byField)) expect(p.Runtime).toEqual({ Name: 'APPSYNC_JS', RuntimeVersion: '1.0.0' });
    expect(byField['Query.order'].Code).toMatch(/^const __RESOLVER_CONFIG__ = \{"keyAttribute":"id","keyArgument":"id"\};\n/);
    const update = JSON.parse(byField['Mutation.updateOrderStatus'].Code.split('\n')[0].replace(/^const __RESOLVER_CONFIG__ = /, '').replace(/;$/, ''));
    expect(update).toEqual({
      updatedAtAttribute: 'updatedAt',
      feedAttribute: 'changeFeed',
      feedValue: 'all',
      deltaIndexName: 'byUpdatedAt',
      maxPageSize: 100,
      overlapSeconds: 5,
      keyAttribute: 'id',
      keyArgument: 'id',
      versionAttribute: 'version',
      expectedVersionArgument: 'expectedVersion',
      updatableArguments: ['status', 'note'],
    });
    expect(byField['Query.ordersChangedSince'].Code).toContain('"deltaIndexName":"byUpdatedAt"');
  });

  test('the table\'s data source role may only GetItem/UpdateItem the table and Query the change-feed index', () => {
    const policies = t.findResources('AWS::IAM::Policy', { Properties: { PolicyName: Match.stringLikeRegexp('LiveOrdersRole') } });
    const statements = Object.values<any>(policies).flatMap(p => p.Properties.PolicyDocument.Statement);
    const actions = statements.flatMap(s => [].concat(s.Action)).sort();
    expect(actions).toEqual(['dynamodb:GetItem', 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem']);
    const query = statements.find(s => s.Action === 'dynamodb:Query');
    expect(JSON.stringify(query.Resource)).toContain('/index/byUpdatedAt');
  });

  test('the publish mutation runs on a None data source', () => {
    t.hasResourceProperties('AWS::AppSync::DataSource', { Type: 'NONE', Name: 'Publish' });
  });

  test('alarms carry the GraphQLAPIId dimension: 5XX, 4XX rate, p99 latency, connect/subscribe/publish server errors', () => {
    const alarms = Object.values<any>(t.findResources('AWS::CloudWatch::Alarm'));
    const names = alarms.map(a => a.Properties.MetricName ?? a.Properties.Metrics?.map((m: any) => m.MetricStat?.Metric.MetricName).filter(Boolean).join('/')).sort();
    expect(names).toEqual(['4XXError/Requests', '5XXError', 'ConnectServerError', 'Latency', 'PublishDataMessageServerError', 'SubscribeServerError']);
    for (const a of alarms) {
      const dims = a.Properties.Dimensions
        ?? a.Properties.Metrics.filter((m: any) => m.MetricStat).map((m: any) => m.MetricStat.Metric.Dimensions).flat();
      expect(dims).toEqual(expect.arrayContaining([{ Name: 'GraphQLAPIId', Value: { 'Fn::GetAtt': [expect.stringMatching(/^LiveApi/), 'ApiId'] } }]));
    }
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'Latency', ExtendedStatistic: 'p99', Threshold: 1000, EvaluationPeriods: 5, DatapointsToAlarm: 3 });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { Metrics: Match.arrayWith([Match.objectLike({ Expression: 'IF(requests > 0, 100 * clientErrors / requests, 0)' })]), Threshold: 5 });
  });

  test('one dashboard; the real-time endpoint is exposed', () => {
    t.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    expect(Stack.of(api).resolve(api.realtimeUrl)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^LiveApi/), 'RealtimeUrl'] });
    expect(api.alarms).toHaveLength(6);
    expect(api.dashboardWidgets().length).toBeGreaterThan(0);
  });

  test('no WAF association and no API key unless asked', () => {
    t.resourceCountIs('AWS::WAFv2::WebACLAssociation', 0);
  });
});

describe('options', () => {
  test('Cognito, OIDC and an API key next to IAM; X-Ray; ALL field logs; a year of logs; WAF; thresholds; alarm topic', () => {
    const stack = newStack();
    const pool = new cognito.UserPool(stack, 'Pool');
    const topic = new sns.Topic(stack, 'Alarms');
    build({
      authorizationConfig: {
        defaultAuthorization: { authorizationType: appsync.AuthorizationType.IAM },
        additionalAuthorizationModes: [
          { authorizationType: appsync.AuthorizationType.USER_POOL, userPoolConfig: { userPool: pool } },
          { authorizationType: appsync.AuthorizationType.OIDC, openIdConnectConfig: { oidcProvider: 'https://issuer.example.com' } },
          { authorizationType: appsync.AuthorizationType.API_KEY, apiKeyConfig: { expires: Expiration.after(Duration.days(30)) } },
        ],
      },
      xrayEnabled: true,
      fieldLogLevel: appsync.FieldLogLevel.ALL,
      logRetention: logs.RetentionDays.ONE_YEAR,
      webAclArn: 'arn:aws:wafv2:us-east-1:111111111111:regional/webacl/api/abc-123',
      latencyThreshold: Duration.millis(300),
      clientErrorRateThreshold: 2.5,
      alarmTopic: topic,
      dashboardName: 'live-orders',
    }, stack);
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::AppSync::GraphQLApi', {
      AuthenticationType: 'AWS_IAM',
      AdditionalAuthenticationProviders: [
        Match.objectLike({ AuthenticationType: 'AMAZON_COGNITO_USER_POOLS' }),
        Match.objectLike({ AuthenticationType: 'OPENID_CONNECT' }),
        Match.objectLike({ AuthenticationType: 'API_KEY' }),
      ],
      XrayEnabled: true,
      LogConfig: Match.objectLike({ FieldLogLevel: 'ALL' }),
    });
    t.resourceCountIs('AWS::AppSync::ApiKey', 1);
    t.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
    t.hasResourceProperties('AWS::WAFv2::WebACLAssociation', { WebACLArn: 'arn:aws:wafv2:us-east-1:111111111111:regional/webacl/api/abc-123' });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'Latency', Threshold: 300, AlarmActions: [{ Ref: Match.stringLikeRegexp('Alarms') }], OKActions: [{ Ref: Match.stringLikeRegexp('Alarms') }] });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { Threshold: 2.5, Metrics: Match.anyValue() });
    t.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'live-orders' });
  });

  test('alarms and dashboard can be turned off', () => {
    const { stack, api } = build({ alarmsEnabled: false, dashboardEnabled: false });
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::CloudWatch::Alarm', 0);
    t.resourceCountIs('AWS::CloudWatch::Dashboard', 0);
    expect(api.dashboard).toBeUndefined();
  });

  test('a schema from a file', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'schema-')), 'schema.graphql');
    fs.writeFileSync(file, SCHEMA);
    const { stack } = build({ schema: RealtimeSchema.fromFile(file) });
    Template.fromStack(stack).hasResourceProperties('AWS::AppSync::GraphQLSchema', { Definition: SCHEMA });
  });

  test('your resolvers and data sources: Lambda (consumer defaults), HTTP, None', () => {
    const { stack, api } = build();
    const fn = api.addLambdaDataSource('Pricing', { code: lambda.Code.fromInline('exports.handler = async () => "x"'), handler: 'index.handler' });
    api.addResolver('Query', 'other', fn, appsync.Code.fromInline('export function request(ctx) { return { operation: "Invoke", payload: ctx.args }; }\nexport function response(ctx) { return ctx.result; }'));
    api.addHttpDataSource('Legacy', 'https://legacy.example.com');
    api.addNoneDataSource('Local');
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::AppSync::DataSource', { Type: 'AWS_LAMBDA' });
    t.hasResourceProperties('AWS::AppSync::DataSource', { Type: 'HTTP', HttpConfig: { Endpoint: 'https://legacy.example.com' } });
    t.hasResourceProperties('AWS::AppSync::DataSource', { Type: 'NONE', Name: 'Local' });
    t.hasResourceProperties('AWS::Lambda::Function', { Runtime: 'nodejs24.x', Architectures: ['arm64'], MemorySize: 256, LoggingConfig: Match.objectLike({ LogFormat: 'JSON' }) });
    t.hasResourceProperties('AWS::AppSync::Resolver', { FieldName: 'other', Runtime: { Name: 'APPSYNC_JS', RuntimeVersion: '1.0.0' } });
  });

  test('grants: per field with IAM', () => {
    const { stack, api } = build();
    const role = new iam.Role(stack, 'Client', { assumedBy: new iam.AccountRootPrincipal() });
    api.grantQuery(role, 'order');
    api.grantMutation(role, 'updateOrderStatus');
    api.grantSubscription(role, 'onOrderStatus');
    const doc = JSON.stringify(Template.fromStack(stack).findResources('AWS::IAM::Policy', { Properties: { PolicyName: Match.stringLikeRegexp('Client') } }));
    for (const f of ['types/Query/fields/order', 'types/Mutation/fields/updateOrderStatus', 'types/Subscription/fields/onOrderStatus']) expect(doc).toContain(f);
    expect(doc).toContain('appsync:GraphQL');
  });
});

describe('events from a bus to subscribers', () => {
  const { stack, api } = build();
  api.addPublishMutation('publishOrderStatus');
  const bus = new events.EventBus(stack, 'Bus');
  const route = api.routeEventsToSubscribers('Shipping', {
    eventBus: bus,
    eventPattern: { source: ['shipping'], detailType: ['OrderShipped'] },
    mutationField: 'publishOrderStatus',
    variables: { id: '$.detail.orderId', status: 'SHIPPED' },
  });
  const t = templateOf(stack);

  test('the rule calls the publish mutation with IAM, retries 10 times within an hour, then a DLQ', () => {
    t.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: Match.stringLikeRegexp('Bus') },
      EventPattern: { 'source': ['shipping'], 'detail-type': ['OrderShipped'] },
      Targets: [Match.objectLike({
        Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('LiveApi'), 'GraphQLEndpointArn'] },
        AppSyncParameters: { GraphQLOperation: 'mutation Publish($id: ID!, $status: String!, $publishedAt: AWSDateTime) { publishOrderStatus(id: $id, status: $status, publishedAt: $publishedAt) { id status publishedAt } }' },
        InputTransformer: { InputPathsMap: { 'detail-orderId': '$.detail.orderId' }, InputTemplate: '{"id":<detail-orderId>,"status":"SHIPPED"}' },
        RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 3600 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('DeadLetterQueue'), 'Arn'] } },
      })],
    });
  });

  test('the role may call only that mutation; the DLQ is encrypted, TLS-only and alarmed', () => {
    const doc = JSON.stringify(t.findResources('AWS::IAM::Policy', { Properties: { PolicyName: Match.stringLikeRegexp('ShippingRole') } }));
    expect(doc).toContain('types/Mutation/fields/publishOrderStatus');
    expect(doc).not.toContain('fields/*');
    t.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 1209600 });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ApproximateNumberOfMessagesVisible', Threshold: 0 });
    expect(api.alarms).toContain(route.alarms[0]);
  });
});

describe('bad input', () => {
  const apiKeyMode = (after: Duration): appsync.AuthorizationMode => ({
    authorizationType: appsync.AuthorizationType.API_KEY,
    apiKeyConfig: { expires: Expiration.after(after) },
  });
  const iamMode: appsync.AuthorizationMode = { authorizationType: appsync.AuthorizationType.IAM };
  const api = (stack: Stack, props: Partial<RealtimeApiProps> = {}) => new RealtimeApi(stack, 'Live', { schema: RealtimeSchema.fromString(SCHEMA), ...props });
  const cases: Array<[string, BadInputCase]> = [
    ['a schema that does not parse', {
      build: s => api(s, { schema: RealtimeSchema.fromString('type Query { order(id: ID!): Order') }),
      path: 'TestStack/Live',
      code: 'REALTIME_API_SCHEMA_INVALID',
      prop: 'schema',
      value: 'schema (inline) does not parse: Syntax Error: Expected Name, found <EOF> (line 1, column 35)',
      allowed: 'a GraphQL schema (SDL) that parses',
      fix: 'correct the schema at the line named',
    }],
    ['a schema that does not build (unknown type)', {
      build: s => api(s, { schema: RealtimeSchema.fromString('type Query { order: Missing }') }),
      path: 'TestStack/Live',
      code: 'REALTIME_API_SCHEMA_INVALID',
      prop: 'schema',
      value: 'does not build: Unknown type "Missing" (line 1, column 21)',
      allowed: 'builds with AppSync\'s scalars',
      fix: 'correct the schema',
    }],
    ['a schema without a Query type', {
      build: s => api(s, { schema: RealtimeSchema.fromString('type Mutation { a: String }') }),
      path: 'TestStack/Live',
      code: 'REALTIME_API_SCHEMA_INVALID',
      prop: 'schema',
      value: 'does not build: Query root type must be provided',
      allowed: 'GraphQL schema',
      fix: 'correct the schema',
    }],
    ['a schema file that cannot be read', {
      build: s => api(s, { schema: RealtimeSchema.fromFile('/nope/schema.graphql') }),
      path: 'TestStack/Live',
      code: 'REALTIME_API_SCHEMA_INVALID',
      prop: 'schema',
      value: 'schema file /nope/schema.graphql cannot be read',
      allowed: 'GraphQL schema',
      fix: 'correct the schema',
    }],
    ['a subscription whose mutation does not exist', {
      build: s => api(s, { schema: RealtimeSchema.fromString(SCHEMA.replace('mutations: ["publishOrderStatus"]', 'mutations: ["publishOrderStatuz"]')) }),
      path: 'TestStack/Live',
      code: 'REALTIME_API_SUBSCRIPTION_MUTATION',
      prop: 'schema',
      value: 'Subscription.onOrderStatus @aws_subscribe(mutations: [..."publishOrderStatuz"...]) names a mutation the schema lacks',
      allowed: 'mutations of the schema (Mutation fields)',
      fix: 'add publishOrderStatuz to the Mutation type',
    }],
    ['an API key expiring after 365 days', {
      build: s => api(s, { authorizationConfig: { defaultAuthorization: apiKeyMode(Duration.days(400)) } }),
      path: 'TestStack/Live',
      code: 'REALTIME_API_API_KEY_EXPIRY',
      prop: 'authorizationConfig.defaultAuthorization.apiKeyConfig.expires',
      value: '(400.0 days from now)',
      allowed: '1 to 365 days from now',
      fix: 'Expiration.after(Duration.days(n)) with n from 1 to 365',
    }],
    ['an API key expiring within a day', {
      build: s => api(s, { authorizationConfig: { defaultAuthorization: iamMode, additionalAuthorizationModes: [apiKeyMode(Duration.hours(2))] } }),
      path: 'TestStack/Live',
      code: 'REALTIME_API_API_KEY_EXPIRY',
      prop: 'authorizationConfig.additionalAuthorizationModes[0].apiKeyConfig.expires',
      value: '(0.1 days from now)',
      allowed: '1 to 365 days',
      fix: 'rotate the key',
    }],
    ['a WAF ACL that is not regional', {
      build: s => api(s, { webAclArn: 'arn:aws:wafv2:us-east-1:111111111111:global/webacl/cf/abc' }),
      path: 'TestStack/Live',
      code: 'REALTIME_API_WEB_ACL_REGIONAL',
      prop: 'webAclArn',
      value: '"arn:aws:wafv2:us-east-1:111111111111:global/webacl/cf/abc" (a CLOUDFRONT-scoped ACL)',
      allowed: 'REGIONAL AWS WAFv2 web ACL',
      fix: 'scope REGIONAL',
    }],
    ['a client error rate over 100 %', { build: s => api(s, { clientErrorRateThreshold: 150 }), path: 'TestStack/Live', code: 'REALTIME_API_CLIENT_ERROR_RATE', prop: 'clientErrorRateThreshold', value: '150 %', allowed: 'from 0 to 100 %', fix: 'set clientErrorRateThreshold' }],
    ['a client error rate of NaN', { build: s => api(s, { clientErrorRateThreshold: NaN }), path: 'TestStack/Live', code: 'REALTIME_API_CLIENT_ERROR_RATE', prop: 'clientErrorRateThreshold', value: 'NaN %', allowed: 'from 0 to 100 %', fix: 'set clientErrorRateThreshold' }],
    ['a zero latency threshold', { build: s => api(s, { latencyThreshold: Duration.millis(0) }), path: 'TestStack/Live', code: 'REALTIME_API_LATENCY_THRESHOLD', prop: 'latencyThreshold', value: '0 millis', allowed: '1 milli', fix: 'set latencyThreshold' }],
    ['an API name AWS refuses', { build: s => api(s, { apiName: 'orders/api' }), path: 'TestStack/Live', code: 'REALTIME_API_NAME', prop: 'apiName', value: '"orders/api" (characters outside the allowed set)', allowed: 'AppSync API name', fix: 'rename it' }],
    ['a dashboard name with a shared dashboard', { build: s => api(s, { dashboard: new PatternDashboard(s, 'Shared'), dashboardName: 'x' }), path: 'TestStack/Live', code: 'DASHBOARD_NAME_WITH_SHARED', prop: 'dashboardName', value: 'x', allowed: 'no value', fix: 'remove dashboardName' }],
    ['a resolver for a field the schema lacks', {
      build: s => { const a = api(s); a.addResolver('Query', 'nope', a.addNoneDataSource('N'), appsync.Code.fromInline('export function request() { return {}; } export function response(ctx) { return ctx.result; }')); },
      path: 'TestStack/Live',
      code: 'REALTIME_API_FIELD_MISSING',
      prop: 'addResolver("Query", "nope") fieldName',
      value: 'Query.nope',
      allowed: 'a field of the schema\'s Query type (order, ordersChangedSince, other)',
      fix: 'add nope to type Query',
    }],
    ['resolver code over AWS\'s 32 KB', {
      build: s => { const a = api(s); a.addResolver('Query', 'other', a.addNoneDataSource('N'), appsync.Code.fromInline(`// ${'x'.repeat(33_000)}\nexport function request() { return {}; }`)); },
      path: 'TestStack/Live',
      code: 'REALTIME_API_RESOLVER_CODE_SIZE',
      prop: 'addResolver("Query", "other") code',
      value: '33,044 bytes of code',
      allowed: 'at most 32,768 bytes',
      fix: 'bundle without source maps',
    }],
    ['a second resolver for one field', {
      build: s => { const a = api(s); a.addPublishMutation('publishOrderStatus'); a.addPublishMutation('publishOrderStatus'); },
      path: 'TestStack/Live',
      code: 'REALTIME_API_FIELD_RESOLVED_TWICE',
      prop: 'resolver for Mutation.publishOrderStatus',
      value: 'a second resolver',
      allowed: 'one resolver per field',
      fix: 'remove the second resolver',
    }],
    ['a delta query without the index it needs (no changeFeed)', {
      build: s => api(s).addTable('T', { existingTable: ordersTable(s) }).resolveChangesSince('Query', 'ordersChangedSince'),
      path: 'TestStack/Live/T',
      code: 'REALTIME_TABLE_CHANGE_FEED',
      prop: 'changeFeed',
      value: 'not set (needed by resolveChangesSince("Query", "ordersChangedSince"))',
      allowed: 'a global secondary index',
      fix: 'add such an index',
    }],
    ['a delta query naming an index the table lacks', {
      build: s => api(s).addTable('T', { existingTable: ordersTable(s), changeFeed: { indexName: 'byTime' } }).resolveChangesSince('Query', 'ordersChangedSince'),
      path: 'TestStack/Live/T',
      code: 'REALTIME_TABLE_INDEX_MISSING',
      prop: 'changeFeed.indexName',
      value: '"byTime" (the table\'s global secondary indexes: "byUpdatedAt")',
      allowed: 'partition key changeFeed and sort key updatedAt',
      fix: 'table.addGlobalSecondaryIndex',
    }],
    ['a delta query on an index keyed differently', {
      build: s => api(s).addTable('T', { existingTable: ordersTable(s), changeFeed: { indexName: 'byUpdatedAt', feedAttribute: 'tenant' } }).resolveChangesSince('Query', 'ordersChangedSince'),
      path: 'TestStack/Live/T',
      code: 'REALTIME_TABLE_INDEX_KEYS',
      prop: 'changeFeed.indexName',
      value: '"byUpdatedAt" keyed by changeFeed / updatedAt (S)',
      allowed: 'partition key tenant and sort key updatedAt',
      fix: 'key the index by tenant',
    }],
    ['a delta query field without since/limit/nextToken', {
      build: s => api(s).addTable('T', { existingTable: ordersTable(s), changeFeed: { indexName: 'byUpdatedAt' } }).resolveChangesSince('Query', 'order'),
      path: 'TestStack/Live/T',
      code: 'REALTIME_API_ARGUMENT_MISSING',
      prop: 'resolveChangesSince("Query", "order") argument "since"',
      value: 'Query.order(id)',
      allowed: 'with an argument "since"',
      fix: 'add since to Query.order',
    }],
    ['conflict detection on a table without the version attribute', {
      build: s => api(s).addTable('T', { existingTable: ordersTable(s) }).resolveVersionedUpdate('Mutation', 'updateOrderStatus', { updatableArguments: ['status'] }),
      path: 'TestStack/Live/T',
      code: 'REALTIME_TABLE_VERSION_ATTRIBUTE',
      prop: 'versionAttribute',
      value: 'not set (needed by resolveVersionedUpdate("Mutation", "updateOrderStatus"))',
      allowed: 'the name of a Number attribute',
      fix: 'set versionAttribute on addTable("T", ...)',
    }],
    ['a version attribute that is the key', {
      build: s => api(s).addTable('T', { existingTable: ordersTable(s), versionAttribute: 'id' }).resolveVersionedUpdate('Mutation', 'updateOrderStatus', { updatableArguments: ['status'] }),
      path: 'TestStack/Live/T',
      code: 'REALTIME_TABLE_VERSION_IS_KEY',
      prop: 'versionAttribute',
      value: '"id" (a key attribute of the table)',
      allowed: 'a non-key Number attribute',
      fix: 'name another attribute',
    }],
    ['an updatable argument the mutation lacks', {
      build: s => api(s).addTable('T', { existingTable: ordersTable(s), versionAttribute: 'version' }).resolveVersionedUpdate('Mutation', 'updateOrderStatus', { updatableArguments: ['colour'] }),
      path: 'TestStack/Live/T',
      code: 'REALTIME_API_ARGUMENT_MISSING',
      prop: 'resolveVersionedUpdate("Mutation", "updateOrderStatus") argument "colour"',
      value: 'Mutation.updateOrderStatus(id, status, note, expectedVersion)',
      allowed: 'with an argument "colour"',
      fix: 'add colour',
    }],
    ['a page size over 1,000', {
      build: s => api(s).addTable('T', { existingTable: ordersTable(s), changeFeed: { indexName: 'byUpdatedAt', maxPageSize: 5000 } }),
      path: 'TestStack/Live/T',
      code: 'REALTIME_TABLE_PAGE_SIZE',
      prop: 'changeFeed.maxPageSize',
      value: '5000',
      allowed: 'a whole number from 1 to 1,000',
      fix: 'set changeFeed.maxPageSize',
    }],
    ['an overlap over 5 minutes', {
      build: s => api(s).addTable('T', { existingTable: ordersTable(s), changeFeed: { indexName: 'byUpdatedAt', overlap: Duration.hours(1) } }),
      path: 'TestStack/Live/T',
      code: 'REALTIME_TABLE_OVERLAP',
      prop: 'changeFeed.overlap',
      value: '1 hour',
      allowed: '0 seconds to 5 minutes',
      fix: 'set changeFeed.overlap',
    }],
    ['a publish mutation the schema lacks', {
      build: s => api(s).addPublishMutation('publishNothing'),
      path: 'TestStack/Live',
      code: 'REALTIME_API_FIELD_MISSING',
      prop: 'addPublishMutation("publishNothing") fieldName',
      value: 'Mutation.publishNothing',
      allowed: 'a field of the schema\'s Mutation type',
      fix: 'add publishNothing',
    }],
    ['a grant on a field the schema lacks', {
      build: s => api(s).grantQuery(new iam.Role(s, 'R', { assumedBy: new iam.AccountRootPrincipal() }), 'orderz'),
      path: 'TestStack/Live',
      code: 'REALTIME_API_FIELD_MISSING',
      prop: 'grantQuery("orderz") fieldName',
      value: 'Query.orderz',
      allowed: 'a field of the schema\'s Query type',
      fix: 'add orderz',
    }],
    ['a route without a required variable', {
      build: s => api(s).routeEventsToSubscribers('R', { eventBus: new events.EventBus(s, 'B'), eventPattern: { source: ['x'] }, mutationField: 'publishOrderStatus', variables: { id: '$.detail.id' } }),
      path: 'TestStack/Live/R',
      code: 'REALTIME_ROUTE_VARIABLE_MISSING',
      prop: 'variables.status',
      value: 'not given',
      allowed: 'Mutation.publishOrderStatus requires status',
      fix: 'add status to variables',
    }],
    ['a route with retries over 185', {
      build: s => api(s).routeEventsToSubscribers('R', { eventBus: new events.EventBus(s, 'B'), eventPattern: { source: ['x'] }, mutationField: 'publishOrderStatus', variables: { id: '$.detail.id', status: 'X' }, retryAttempts: 500 }),
      path: 'TestStack/Live/R',
      code: 'REALTIME_ROUTE_RETRY_ATTEMPTS',
      prop: 'retryAttempts',
      value: '500',
      allowed: 'a whole number from 0 to 185',
      fix: 'set retryAttempts',
    }],
    ['a route with an event age over 24 hours', {
      build: s => api(s).routeEventsToSubscribers('R', { eventBus: new events.EventBus(s, 'B'), eventPattern: { source: ['x'] }, mutationField: 'publishOrderStatus', variables: { id: '$.detail.id', status: 'X' }, maxEventAge: Duration.days(2) }),
      path: 'TestStack/Live/R',
      code: 'REALTIME_ROUTE_MAX_EVENT_AGE',
      prop: 'maxEventAge',
      value: '2 days',
      allowed: '1 minute (60 s) to 1 day',
      fix: 'set maxEventAge',
    }],
    ['a route on an API without IAM', {
      build: s => api(s, { authorizationConfig: { defaultAuthorization: { authorizationType: appsync.AuthorizationType.API_KEY } } })
        .routeEventsToSubscribers('R', { eventBus: new events.EventBus(s, 'B'), eventPattern: { source: ['x'] }, mutationField: 'publishOrderStatus', variables: { id: '$.detail.id', status: 'X' } }),
      path: 'TestStack/Live/R',
      code: 'REALTIME_ROUTE_IAM_MODE',
      prop: 'authorizationConfig',
      value: 'modes API_KEY (no AWS_IAM)',
      allowed: 'an API with an AWS_IAM mode',
      fix: 'keep IAM as the default mode',
    }],
  ];
  test.each(cases)('%s', (_name, c) => {
    expectBadInput(c);
  });

  test('all violations of the props are reported in one error', () => {
    const message = expectBadInput({
      build: s => api(s, { clientErrorRateThreshold: 150, webAclArn: 'arn:aws:wafv2:us-east-1:111111111111:global/webacl/cf/abc' }),
      path: 'TestStack/Live',
      code: 'REALTIME_API_CLIENT_ERROR_RATE',
      prop: 'clientErrorRateThreshold',
      value: '150 %',
      allowed: 'from 0 to 100 %',
      fix: 'set clientErrorRateThreshold',
    });
    expect(message).toContain('2 invalid settings');
    expect(message).toContain('[REALTIME_API_WEB_ACL_REGIONAL]');
  });

  test('tokens are not checked: numeric props and the WAF ACL ARN accept CfnParameter values', () => {
    expectNumberTokenAccepted((s, token) => api(s, { clientErrorRateThreshold: token, webAclArn: new CfnParameter(s, 'Acl').valueAsString }));
    expectNumberTokenAccepted((s, token) => api(s).addTable('T', { existingTable: ordersTable(s), changeFeed: { indexName: 'byUpdatedAt', maxPageSize: token } }));
    expectNumberTokenAccepted((s, token) => {
      const a = api(s);
      a.addPublishMutation('publishOrderStatus');
      a.routeEventsToSubscribers('R', { eventBus: new events.EventBus(s, 'B'), eventPattern: { source: ['x'] }, mutationField: 'publishOrderStatus', variables: { id: '$.detail.id', status: 'X' }, retryAttempts: token });
    });
  });
});
