import { CfnParameter, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as appsync from 'aws-cdk-lib/aws-appsync';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { RealtimeApi, RealtimeApiProps, RealtimeSchema } from '../../src/patterns/realtime-api';
import { BadInputCase, expectBadInput, newStack } from '../support';

// Issue #11, second pass: inputs AppSync / DynamoDB / EventBridge refuse (or that never work)
// which RealtimeApi used to accept silently or fail on with a raw aws-cdk-lib message.

const SCHEMA = `
type Order { id: ID! status: String! version: Int! updatedAt: AWSDateTime note: String }
type OrderStatusEvent { id: ID! status: String! }
type Query { order(id: ID!): Order }
type Mutation {
  updateOrderStatus(id: ID!, status: String!, note: String, version: Int, updatedAt: String, expectedVersion: Int!): Order
  publishOrderStatus(id: ID!, status: String!): OrderStatusEvent
}
type Subscription { onOrderStatus(id: ID): OrderStatusEvent @aws_subscribe(mutations: ["publishOrderStatus"]) }
`;
const api = (s: Stack, props: Partial<RealtimeApiProps> = {}, id = 'Live') => new RealtimeApi(s, id, { schema: RealtimeSchema.fromString(SCHEMA), ...props });
const table = (s: Stack, props: Partial<dynamodb.TableProps> = {}) =>
  new dynamodb.Table(s, 'Orders', { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING }, ...props });
const mode = (authorizationType: appsync.AuthorizationType, extra: Partial<appsync.AuthorizationMode> = {}): appsync.AuthorizationMode =>
  ({ authorizationType, ...extra });
const withModes = (extra: appsync.AuthorizationType) =>
  ({ authorizationConfig: { defaultAuthorization: mode(appsync.AuthorizationType.IAM), additionalAuthorizationModes: [mode(extra)] } });
const route = (s: Stack, extra: object) => api(s).routeEventsToSubscribers('Status', {
  eventBus: new events.EventBus(s, 'Bus'), eventPattern: { source: ['orders'] }, mutationField: 'publishOrderStatus', variables: { id: '$.detail.id', status: '$.detail.status' }, ...extra,
});
const L = 'TestStack/Live';

describe('RealtimeApi bad input, second pass', () => {
  const cases: BadInputCase[] = [
    {
      build: s => api(s, { authorizationConfig: { defaultAuthorization: mode(appsync.AuthorizationType.USER_POOL) } }),
      path: L,
      code: 'REALTIME_API_AUTH_CONFIG',
      prop: 'authorizationConfig.defaultAuthorization.userPoolConfig',
      value: 'undefined with AMAZON_COGNITO_USER_POOLS',
      allowed: 'the userPoolConfig',
      fix: 'set authorizationConfig.defaultAuthorization.userPoolConfig',
    },
    {
      build: s => api(s, withModes(appsync.AuthorizationType.OIDC)),
      path: L,
      code: 'REALTIME_API_AUTH_CONFIG',
      prop: 'authorizationConfig.additionalAuthorizationModes[0].openIdConnectConfig',
      value: 'undefined with OPENID_CONNECT',
      allowed: 'openIdConnectConfig',
      fix: 'set',
    },
    {
      build: s => api(s, { authorizationConfig: { defaultAuthorization: mode(appsync.AuthorizationType.LAMBDA) } }),
      path: L,
      code: 'REALTIME_API_AUTH_CONFIG',
      prop: 'authorizationConfig.defaultAuthorization.lambdaAuthorizerConfig',
      value: 'undefined with AWS_LAMBDA',
      allowed: 'lambdaAuthorizerConfig',
      fix: 'set',
    },
    {
      build: s => api(s, withModes(appsync.AuthorizationType.IAM)),
      path: L,
      code: 'REALTIME_API_AUTH_DUPLICATE',
      prop: 'authorizationConfig.additionalAuthorizationModes[0].authorizationType',
      value: 'AWS_IAM (authorizationConfig.defaultAuthorization has it already)',
      allowed: 'at most once per API',
      fix: 'remove authorizationConfig.additionalAuthorizationModes[0]',
    },
    {
      build: s => api(s, {}, 'Live.Orders'),
      path: 'TestStack/Live.Orders',
      code: 'REALTIME_API_NAME',
      prop: 'apiName',
      value: 'the construct id "Live.Orders" names the API',
      allowed: 'letters, digits, spaces, - and _',
      fix: 'set apiName',
    },
    {
      build: s => api(s).addHttpDataSource('Legacy', 'legacy.example.com/api'),
      path: L,
      code: 'REALTIME_API_HTTP_ENDPOINT',
      prop: 'addHttpDataSource("Legacy") endpoint',
      value: '"legacy.example.com/api"',
      allowed: 'an http:// or https:// URL',
      fix: 'base URL',
    },
    {
      build: s => api(s).addHttpDataSource('Legacy', 'ftp://legacy.example.com'),
      path: L,
      code: 'REALTIME_API_HTTP_ENDPOINT',
      prop: 'addHttpDataSource("Legacy") endpoint',
      value: '"ftp://legacy.example.com"',
      allowed: 'an http:// or https:// URL',
      fix: 'base URL',
    },
    {
      build: s => api(s).addTable('Orders', { existingTable: table(s), keyAttribute: 'orderId' }).resolveGetItem('Query', 'order', 'id'),
      path: `${L}/Orders`,
      code: 'REALTIME_TABLE_KEY',
      prop: 'keyAttribute',
      value: '"orderId" (the table is keyed by id; needed by resolveGetItem("Query", "order"))',
      allowed: 'the table\'s partition key',
      fix: 'set keyAttribute: \'id\'',
    },
    {
      build: s => api(s).addTable('Orders', { existingTable: table(s, { sortKey: { name: 'at', type: dynamodb.AttributeType.STRING } }) }).resolveGetItem('Query', 'order'),
      path: `${L}/Orders`,
      code: 'REALTIME_TABLE_KEY',
      prop: 'keyAttribute',
      value: 'keyed by id + sort key at',
      allowed: 'on a table without a sort key',
      fix: 'keyed by one partition key',
    },
    {
      build: s => api(s).addTable('Orders', { existingTable: table(s), versionAttribute: 'version' }).resolveVersionedUpdate('Mutation', 'updateOrderStatus', { updatableArguments: ['status', 'version'] }),
      path: `${L}/Orders`,
      code: 'REALTIME_TABLE_UPDATABLE_ARGUMENTS',
      prop: 'updatableArguments[1]',
      value: '"version" (versionAttribute, which the update writes itself)',
      allowed: 'arguments other than the key',
      fix: 'remove "version" from updatableArguments',
    },
    {
      build: s => api(s).addTable('Orders', { existingTable: table(s), versionAttribute: 'version' }).resolveVersionedUpdate('Mutation', 'updateOrderStatus', { updatableArguments: ['id'] }),
      path: `${L}/Orders`,
      code: 'REALTIME_TABLE_UPDATABLE_ARGUMENTS',
      prop: 'updatableArguments[0]',
      value: '"id" (the key attribute',
      allowed: 'other than the key',
      fix: 'remove "id"',
    },
    {
      build: s => api(s).addTable('Orders', { existingTable: table(s), versionAttribute: 'version' }).resolveVersionedUpdate('Mutation', 'updateOrderStatus', { updatableArguments: ['updatedAt'] }),
      path: `${L}/Orders`,
      code: 'REALTIME_TABLE_UPDATABLE_ARGUMENTS',
      prop: 'updatableArguments[0]',
      value: '"updatedAt" (updatedAtAttribute',
      allowed: 'other than the key',
      fix: 'remove "updatedAt"',
    },
    {
      build: s => api(s).addTable('Orders', { existingTable: table(s), versionAttribute: 'version' }).resolveVersionedUpdate('Mutation', 'updateOrderStatus', { updatableArguments: [] }),
      path: `${L}/Orders`,
      code: 'REALTIME_TABLE_UPDATABLE_ARGUMENTS',
      prop: 'updatableArguments',
      value: 'an empty list',
      allowed: 'at least one element',
      fix: 'name the arguments',
    },
    {
      build: s => api(s).addTable('Orders', { existingTable: table(s), keyAttribute: '' }),
      path: `${L}/Orders`,
      code: 'REALTIME_TABLE_ATTRIBUTE_NAME',
      prop: 'keyAttribute',
      value: '""',
      allowed: '1 to 255 bytes',
      fix: 'name the attribute in keyAttribute',
    },
    {
      build: s => api(s).addTable('Orders', { existingTable: table(s), changeFeed: { indexName: 'ix' } }),
      path: `${L}/Orders`,
      code: 'REALTIME_TABLE_INDEX_NAME',
      prop: 'changeFeed.indexName',
      value: '"ix"',
      allowed: '3 to 255',
      fix: 'change-feed index',
    },
    {
      build: s => route(s, { eventPattern: {} }),
      path: `${L}/Status`,
      code: 'REALTIME_ROUTE_EVENT_PATTERN',
      prop: 'eventPattern',
      value: '$ is empty',
      allowed: 'an EventBridge event pattern',
      fix: 'events.Match helpers',
    },
    {
      build: s => route(s, { eventPattern: { source: 'orders' as never } }),
      path: `${L}/Status`,
      code: 'REALTIME_ROUTE_EVENT_PATTERN',
      prop: 'eventPattern',
      value: '{ source: "orders" }: a field\'s values must be in an array',
      allowed: 'an EventBridge event pattern',
      fix: 'events.Match helpers',
    },
    {
      build: s => route(s, { variables: { id: '$detail.id', status: '$.detail.status' } }),
      path: `${L}/Status`,
      code: 'REALTIME_ROUTE_VARIABLE_PATH',
      prop: 'variables.id',
      value: '"$detail.id"',
      allowed: 'a JSON path into the event',
      fix: 'write variables.id as e.g. "$.detail.id"',
    },
  ];
  test.each(cases.map(c => [`${c.code} ${c.prop}: ${c.value}`, c] as const))('%s', (_name, c) => {
    expectBadInput(c);
  });

  test('boundaries are accepted: configured Cognito/OIDC modes, one of each, an https data source, a matching table, literal variables', () => {
    const s = newStack();
    const pool = new cognito.UserPool(s, 'Pool');
    const a = api(s, {
      authorizationConfig: {
        defaultAuthorization: mode(appsync.AuthorizationType.IAM),
        additionalAuthorizationModes: [
          mode(appsync.AuthorizationType.USER_POOL, { userPoolConfig: { userPool: pool } }),
          mode(appsync.AuthorizationType.OIDC, { openIdConnectConfig: { oidcProvider: 'https://id.example.com' } }),
        ],
      },
    }, 'Live Orders-1');
    a.addHttpDataSource('Legacy', 'https://legacy.example.com:8443');
    const t = a.addTable('Orders', { existingTable: table(s), versionAttribute: 'version', changeFeed: { indexName: 'byUpdatedAt' } });
    t.resolveGetItem('Query', 'order');
    t.resolveVersionedUpdate('Mutation', 'updateOrderStatus', { updatableArguments: ['status', 'note'] });
    a.routeEventsToSubscribers('Status', { eventBus: new events.EventBus(s, 'Bus'), eventPattern: { source: ['orders'] }, mutationField: 'publishOrderStatus', variables: { id: '$.detail.id', status: 'SHIPPED' } });
    expect(() => Template.fromStack(s)).not.toThrow();
  });

  test('tokens are not checked: a CfnParameter endpoint, key attribute and variable', () => {
    const s = newStack();
    const p = (id: string) => new CfnParameter(s, id, { type: 'String' }).valueAsString;
    const a = api(s);
    a.addHttpDataSource('Legacy', p('Url'));
    a.addTable('Orders', { existingTable: dynamodb.Table.fromTableName(s, 'T', 'orders'), keyAttribute: p('Key') }).resolveGetItem('Query', 'order', 'id');
    a.routeEventsToSubscribers('Status', { eventBus: new events.EventBus(s, 'Bus'), eventPattern: { source: ['orders'] }, mutationField: 'publishOrderStatus', variables: { id: p('Id'), status: '$.detail.status' } });
    expect(() => Template.fromStack(s)).not.toThrow();
  });
});

// Issue #11, third pass: a repeated id got CDK's construct-id message; now ours, naming the method.
describe('RealtimeApi repeated ids', () => {
  const fn = { code: lambda.Code.fromInline('exports.handler = async () => ({})'), handler: 'index.handler' };
  const cases: Array<[string, BadInputCase]> = [
    ['a second table with the same id', {
      build: s => { const a = api(s); const t = table(s); a.addTable('Orders', { existingTable: t }); a.addTable('Orders', { existingTable: t }); },
      path: L,
      code: 'REALTIME_API_TABLE_ID_TAKEN',
      prop: 'addTable id',
      value: '"Orders" (TestStack/Live/Orders already exists',
      allowed: 'an id not yet used under TestStack/Live',
      fix: 'give each table its own id',
    }],
    ['a second HTTP data source with the same id', {
      build: s => { const a = api(s); a.addHttpDataSource('Legacy', 'https://a.example.com'); a.addHttpDataSource('Legacy', 'https://b.example.com'); },
      path: L,
      code: 'REALTIME_API_DATA_SOURCE_ID_TAKEN',
      prop: 'addHttpDataSource id',
      value: '"Legacy" (TestStack/Live/Api/Legacy already exists',
      allowed: 'an id not yet used under TestStack/Live/Api',
      fix: 'give each data source its own id',
    }],
    ['a None data source named like the publish data source', {
      build: s => { const a = api(s); a.addPublishMutation('publishOrderStatus'); a.addNoneDataSource('Publish'); },
      path: L,
      code: 'REALTIME_API_DATA_SOURCE_ID_TAKEN',
      prop: 'addNoneDataSource id',
      value: '"Publish"',
      allowed: 'an id not yet used',
      fix: 'its own id',
    }],
    ['a Lambda data source whose AppSync name repeats another (non-word characters dropped)', {
      build: s => { const a = api(s); a.addNoneDataSource('legacy_src'); a.addLambdaDataSource('legacy-_src', fn); },
      path: L,
      code: 'REALTIME_API_DATA_SOURCE_NAME_TAKEN',
      prop: 'addLambdaDataSource id',
      value: '"legacy-_src" (AppSync data source name "legacy_src", already the name of legacy_src)',
      allowed: 'a data source name not yet used in this API',
      fix: 'differs in its letters, digits or _',
    }],
    ['a data source whose AppSync name is a table\'s (addTable("Orders") names its data source OrdersTable)', {
      build: s => { const a = api(s); a.addTable('Orders', { existingTable: table(s) }); a.addNoneDataSource('Orders-Table'); },
      path: L,
      code: 'REALTIME_API_DATA_SOURCE_NAME_TAKEN',
      prop: 'addNoneDataSource id',
      value: '"Orders-Table" (AppSync data source name "OrdersTable", already the name of DataSource)',
      allowed: 'a data source name not yet used in this API',
      fix: 'differs in its letters, digits or _',
    }],
    ['a table whose data source name another data source has', {
      build: s => { const a = api(s); a.addNoneDataSource('OrdersTable'); a.addTable('Orders', { existingTable: table(s) }); },
      path: L,
      code: 'REALTIME_API_DATA_SOURCE_NAME_TAKEN',
      prop: 'addTable id',
      value: '"Orders" (AppSync data source name "OrdersTable", already the name of OrdersTable)',
      allowed: 'a data source name not yet used in this API',
      fix: 'differs in its letters, digits or _',
    }],
    ['a second route with the same id', {
      build: s => {
        const a = api(s);
        const bus = new events.EventBus(s, 'Bus');
        const o = { eventBus: bus, eventPattern: { source: ['orders'] }, mutationField: 'publishOrderStatus', variables: { id: '$.detail.id', status: '$.detail.status' } };
        a.routeEventsToSubscribers('Status', o);
        a.routeEventsToSubscribers('Status', o);
      },
      path: L,
      code: 'REALTIME_API_ROUTE_ID_TAKEN',
      prop: 'routeEventsToSubscribers id',
      value: '"Status"',
      allowed: 'an id not yet used under TestStack/Live',
      fix: 'give each route its own id',
    }],
  ];
  test.each(cases)('%s', (_name, c) => {
    expectBadInput(c);
  });

  test('accepted boundary: distinct ids, and ids that differ only in kept characters', () => {
    const s = newStack();
    const a = api(s);
    a.addTable('Orders', { existingTable: table(s) });
    a.addHttpDataSource('Legacy', 'https://a.example.com');
    a.addHttpDataSource('Legacy2', 'https://b.example.com');
    a.addNoneDataSource('legacy_src');
    a.addNoneDataSource('legacysrc');
    a.addPublishMutation('publishOrderStatus');
    a.addPublishMutation('updateOrderStatus');
    Template.fromStack(s).resourceCountIs('AWS::AppSync::DataSource', 6);
  });
});

test('two tables in one API get data sources of different AppSync names (the name is part of the ARN)', () => {
  const s = newStack();
  const a = api(s);
  a.addTable('Orders', { existingTable: table(s) });
  a.addTable('Customers', { existingTable: new dynamodb.Table(s, 'CustomersTable', { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING } }) });
  const names = Object.values(Template.fromStack(s).findResources('AWS::AppSync::DataSource')).map(r => r.Properties.Name).sort();
  expect(names).toEqual(['CustomersTable', 'OrdersTable']);
});
