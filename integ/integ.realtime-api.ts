/**
 * Integ test: RealtimeApi with a DynamoDB table (get, conflict-safe update) and a publish mutation.
 *
 * the API as deployed: IAM the only authorization mode, field logs at ERROR with request details,
 * into the log group the construct owns (1 month); the table's data source points at the table
 * through its own role; the resolvers sit on the fields asked for, APPSYNC_JS, on the right data
 * sources (the table's for get/update, the None source for the publish mutation).
 *
 * Offline (`npx projen integ`) the committed snapshot is compared with a fresh synth. Against a
 * real account the stack deploys, the assertions run, and everything is destroyed.
 *
 * Not asserted here: a query or mutation through the API. IAM is the only mode by default and an
 * assertion cannot sign a GraphQL request with SigV4 (awsApiCall speaks the AWS SDK; httpApiCall
 * sends unsigned requests); an API key mode would need an expiry date computed at synth, which
 * changes the snapshot every run. The resolvers' code is run by the unit tests (AppSync's
 * APPSYNC_JS semantics against a local table) and the local-AWS e2e suite.
 */
import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { RealtimeApi, RealtimeSchema } from '../src';

const app = new App();
const stack = new Stack(app, 'IntegRealtimeApi');

const SCHEMA = `
type Order { id: ID! status: String! version: Int! updatedAt: AWSDateTime }
type OrderStatusEvent { id: ID! status: String! }
type Query { order(id: ID!): Order }
type Mutation {
  updateOrderStatus(id: ID!, status: String!, expectedVersion: Int!): Order
  publishOrderStatus(id: ID!, status: String!): OrderStatusEvent
}
type Subscription {
  onOrderStatus(id: ID): OrderStatusEvent @aws_subscribe(mutations: ["publishOrderStatus"])
}
`;

const table = new dynamodb.Table(stack, 'Orders', {
  partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
  billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
  pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
  removalPolicy: RemovalPolicy.DESTROY, // a test run leaves nothing behind
});
const live = new RealtimeApi(stack, 'Live', { schema: RealtimeSchema.fromString(SCHEMA) });
const orders = live.addTable('Orders', { existingTable: table, versionAttribute: 'version' });
orders.resolveGetItem('Query', 'order');
orders.resolveVersionedUpdate('Mutation', 'updateOrderStatus', { updatableArguments: ['status'] });
live.addPublishMutation('publishOrderStatus');

const integ = new IntegTest(app, 'RealtimeApiTest', { testCases: [stack] });
const apiId = live.api.apiId;

// The API: IAM only, field logs at ERROR with the request details, no X-Ray.
integ.assertions.awsApiCall('AppSync', 'getGraphqlApi', { apiId }).expect(ExpectedResult.objectLike({
  graphqlApi: Match.objectLike({
    authenticationType: 'AWS_IAM',
    logConfig: Match.objectLike({ fieldLogLevel: 'ERROR', excludeVerboseContent: false }),
    xrayEnabled: false,
  }),
}));

// The API's log group, owned by the construct (no Custom::LogRetention): kept 1 month.
integ.assertions.awsApiCall('CloudWatchLogs', 'describeLogGroups', {
  logGroupNamePrefix: live.logGroup.logGroupName,
}).expect(ExpectedResult.objectLike({
  logGroups: [Match.objectLike({ logGroupName: live.logGroup.logGroupName, retentionInDays: 30 })],
}));

// The table's data source: DynamoDB, this table, its own role.
integ.assertions.awsApiCall('AppSync', 'getDataSource', {
  apiId,
  name: orders.dataSource.name,
}).expect(ExpectedResult.objectLike({
  dataSource: Match.objectLike({
    type: 'AMAZON_DYNAMODB',
    serviceRoleArn: orders.role.roleArn,
    dynamodbConfig: Match.objectLike({ tableName: table.tableName }),
  }),
}));

// The resolvers, on the fields and data sources asked for, in APPSYNC_JS.
const resolver = (typeName: string, fieldName: string, dataSourceName: string) =>
  integ.assertions.awsApiCall('AppSync', 'getResolver', { apiId, typeName, fieldName }).expect(ExpectedResult.objectLike({
    resolver: Match.objectLike({ typeName, fieldName, dataSourceName, kind: 'UNIT', runtime: { name: 'APPSYNC_JS', runtimeVersion: '1.0.0' } }),
  }));
resolver('Query', 'order', orders.dataSource.name);
resolver('Mutation', 'updateOrderStatus', orders.dataSource.name);
resolver('Mutation', 'publishOrderStatus', 'Publish'); // the None data source: publish only, nothing stored

app.synth();
