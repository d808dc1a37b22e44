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
import { RealtimeApi, RealtimeApiProps, RealtimeSchema } from '../../src/patterns/realtime-api';
import { errorMessageOf, expectFragmentsInOrder, newStack, templateOf } from '../support';

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
  const table = api.addTable('Orders', { table: ordersTable(stack), versionAttribute: 'version', changeFeed: { indexName: 'byUpdatedAt' } });
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
  const apiWith = (props: Partial<RealtimeApiProps>) => () => build(props);
  test.each<[string, Partial<RealtimeApiProps>, string[]]>([
    ['a schema that does not parse', { schema: RealtimeSchema.fromString('type Query { order(id: ID!): Order') },
      ['[TestStack/Live] invalid schema: schema (inline) does not parse: Syntax Error', '(line 1, column', 'Allowed: a GraphQL schema', 'Fix: correct the schema']],
    ['a schema that does not build (unknown type)', { schema: RealtimeSchema.fromString('type Query { order: Missing }') },
      ['invalid schema: schema (inline) does not build: Unknown type "Missing" (line 1, column 21)']],
    ['a schema without a Query type', { schema: RealtimeSchema.fromString('type Mutation { a: String }') },
      ['invalid schema: schema (inline) does not build: Query root type must be provided']],
    ['a schema file that cannot be read', { schema: RealtimeSchema.fromFile('/nope/schema.graphql') },
      ['invalid schema: schema file /nope/schema.graphql cannot be read']],
    ['a subscription whose mutation does not exist', { schema: RealtimeSchema.fromString(SCHEMA.replace('mutations: ["publishOrderStatus"]', 'mutations: ["publishOrderStatuz"]')) },
      ['invalid schema: Subscription.onOrderStatus @aws_subscribe(mutations: [..."publishOrderStatuz"...]) names a mutation the schema lacks', 'Allowed: mutations of the schema (Mutation fields)', 'Fix: add publishOrderStatuz to the Mutation type']],
    ['an API key expiring after 365 days', { authorizationConfig: { defaultAuthorization: { authorizationType: appsync.AuthorizationType.API_KEY, apiKeyConfig: { expires: Expiration.after(Duration.days(400)) } } } },
      ['invalid authorizationConfig.defaultAuthorization.apiKeyConfig.expires:', '(400.0 days from now)', 'Allowed: 1 to 365 days from now', 'Fix: set expires: Expiration.after(Duration.days(n)) with n from 1 to 365']],
    ['an API key expiring within a day', { authorizationConfig: { defaultAuthorization: { authorizationType: appsync.AuthorizationType.IAM }, additionalAuthorizationModes: [{ authorizationType: appsync.AuthorizationType.API_KEY, apiKeyConfig: { expires: Expiration.after(Duration.hours(2)) } }] } },
      ['invalid authorizationConfig.additionalAuthorizationModes[0].apiKeyConfig.expires:', '(0.1 days from now)', 'Allowed: 1 to 365 days']],
    ['a WAF ACL that is not regional', { webAclArn: 'arn:aws:wafv2:us-east-1:111111111111:global/webacl/cf/abc' },
      ['invalid webAclArn: "arn:aws:wafv2:us-east-1:111111111111:global/webacl/cf/abc" (a CLOUDFRONT-scoped ACL)', 'Allowed: the ARN of a REGIONAL AWS WAFv2 web ACL', 'Fix: create the web ACL with scope REGIONAL']],
    ['a client error rate over 100 %', { clientErrorRateThreshold: 150 }, ['invalid clientErrorRateThreshold: 150 %', 'Allowed: from 0 to 100 %']],
    ['a zero latency threshold', { latencyThreshold: Duration.millis(0) }, ['invalid latencyThreshold: 0 millis', 'Allowed: 1 milli']],
    ['an empty API name', { apiName: '' }, ['invalid apiName: "" (0 characters)', 'Allowed: 1 to 65,536 characters']],
  ])('%s', (_name, props, fragments) => {
    expectFragmentsInOrder(errorMessageOf(apiWith(props)), fragments);
  });

  test('tokens are not checked', () => {
    const stack = newStack();
    const arn = new CfnParameter(stack, 'Acl').valueAsString;
    const rate = new CfnParameter(stack, 'Rate', { type: 'Number' }).valueAsNumber;
    expect(() => build({ webAclArn: arn, clientErrorRateThreshold: rate }, stack)).not.toThrow();
  });

  const withApi = (wire: (api: RealtimeApi, stack: Stack) => void) => () => {
    const { stack, api } = build();
    wire(api, stack);
  };
  test.each<[string, (api: RealtimeApi, stack: Stack) => void, string[]]>([
    ['a resolver for a field the schema lacks', (api) => api.addResolver('Query', 'nope', api.addNoneDataSource('N'), appsync.Code.fromInline('export function request() { return {}; } export function response(ctx) { return ctx.result; }')),
      ['invalid addResolver("Query", "nope") fieldName: Query.nope', 'Allowed: a field of the schema\'s Query type (order, ordersChangedSince, other)', 'Fix: add nope to type Query']],
    ['resolver code over AWS\'s 32 KB', (api) => api.addResolver('Query', 'other', api.addNoneDataSource('N'), appsync.Code.fromInline(`// ${'x'.repeat(33_000)}\nexport function request() { return {}; }`)),
      ['invalid addResolver("Query", "other") code: 33,', 'bytes of code', 'Allowed: at most 32,768 bytes']],
    ['a second resolver for one field', (api) => { api.addPublishMutation('publishOrderStatus'); api.addPublishMutation('publishOrderStatus'); },
      ['invalid resolver for Mutation.publishOrderStatus: it already has one']],
    ['a delta query without the index it needs (no changeFeed)', (api, stack) => api.addTable('T', { table: ordersTable(stack) }).resolveChangesSince('Query', 'ordersChangedSince'),
      ['[TestStack/Live/T] invalid changeFeed: not set (needed by resolveChangesSince("Query", "ordersChangedSince"))', 'Fix: add such an index']],
    ['a delta query naming an index the table lacks', (api, stack) => api.addTable('T', { table: ordersTable(stack), changeFeed: { indexName: 'byTime' } }).resolveChangesSince('Query', 'ordersChangedSince'),
      ['invalid changeFeed.indexName: "byTime" (the table\'s global secondary indexes: "byUpdatedAt")', 'Fix: table.addGlobalSecondaryIndex']],
    ['a delta query on an index keyed differently', (api, stack) => api.addTable('T', { table: ordersTable(stack), changeFeed: { indexName: 'byUpdatedAt', feedAttribute: 'tenant' } }).resolveChangesSince('Query', 'ordersChangedSince'),
      ['invalid changeFeed.indexName: "byUpdatedAt" keyed by changeFeed / updatedAt (S)', 'Allowed: partition key tenant and sort key updatedAt']],
    ['a delta query field without since/limit/nextToken', (api, stack) => api.addTable('T', { table: ordersTable(stack), changeFeed: { indexName: 'byUpdatedAt' } }).resolveChangesSince('Query', 'order'),
      ['invalid resolveChangesSince("Query", "order") argument "since": Query.order(id)']],
    ['conflict detection on a table without the version attribute', (api, stack) => api.addTable('T', { table: ordersTable(stack) }).resolveVersionedUpdate('Mutation', 'updateOrderStatus', { updatableArguments: ['status'] }),
      ['[TestStack/Live/T] invalid versionAttribute: not set (needed by resolveVersionedUpdate("Mutation", "updateOrderStatus"))', 'Allowed: the name of a Number attribute', 'Fix: set versionAttribute on addTable("T", ...)']],
    ['a version attribute that is the key', (api, stack) => api.addTable('T', { table: ordersTable(stack), versionAttribute: 'id' }).resolveVersionedUpdate('Mutation', 'updateOrderStatus', { updatableArguments: ['status'] }),
      ['invalid versionAttribute: "id" (a key attribute of the table)']],
    ['an updatable argument the mutation lacks', (api, stack) => api.addTable('T', { table: ordersTable(stack), versionAttribute: 'version' }).resolveVersionedUpdate('Mutation', 'updateOrderStatus', { updatableArguments: ['colour'] }),
      ['invalid resolveVersionedUpdate("Mutation", "updateOrderStatus") argument "colour"']],
    ['a page size over 1,000', (api, stack) => api.addTable('T', { table: ordersTable(stack), changeFeed: { indexName: 'byUpdatedAt', maxPageSize: 5000 } }),
      ['invalid changeFeed.maxPageSize: 5000', 'Allowed: a whole number from 1 to 1,000']],
    ['a publish mutation the schema lacks', (api) => api.addPublishMutation('publishNothing'), ['invalid addPublishMutation("publishNothing") fieldName: Mutation.publishNothing']],
    ['a grant on a field the schema lacks', (api, stack) => api.grantQuery(new iam.Role(stack, 'R', { assumedBy: new iam.AccountRootPrincipal() }), 'orderz'), ['invalid grantQuery("orderz") fieldName: Query.orderz']],
    ['a route without a required variable', (api, stack) => api.routeEventsToSubscribers('R', { eventBus: new events.EventBus(stack, 'B'), eventPattern: { source: ['x'] }, mutationField: 'publishOrderStatus', variables: { id: '$.detail.id' } }),
      ['invalid variables.status: not given', 'Publish mutation requires status'.replace('Publish mutation', 'Mutation.publishOrderStatus')]],
    ['a route with retries over 185', (api, stack) => api.routeEventsToSubscribers('R', { eventBus: new events.EventBus(stack, 'B'), eventPattern: { source: ['x'] }, mutationField: 'publishOrderStatus', variables: { id: '$.detail.id', status: 'X' }, retryAttempts: 500 }),
      ['invalid retryAttempts: 500', 'Allowed: a whole number from 0 to 185']],
  ])('%s', (_name, wire, fragments) => {
    expectFragmentsInOrder(errorMessageOf(withApi(wire)), fragments);
  });

  test('a route on an API without IAM', () => {
    const msg = errorMessageOf(() => {
      const { stack, api } = build({ authorizationConfig: { defaultAuthorization: { authorizationType: appsync.AuthorizationType.API_KEY } } });
      api.routeEventsToSubscribers('R', { eventBus: new events.EventBus(stack, 'B'), eventPattern: { source: ['x'] }, mutationField: 'publishOrderStatus', variables: { id: '$.detail.id', status: 'X' } });
    });
    expectFragmentsInOrder(msg, ['invalid authorizationConfig: modes API_KEY (no AWS_IAM)', 'Allowed: an API with an AWS_IAM mode']);
  });
});
