/**
 * Integ test: FrontDoor, a REST API with an API key and one route, POST /orders -> a queue.
 *
 * the method as deployed (API key required, the request validator on it, an AWS integration to
 * SQS through the route's role, no passthrough of unmatched bodies) -> POST a constant order with
 * the API key -> 200 with the message id -> the order is in the queue, as the body that was sent.
 *
 * Offline (`npx projen integ`) the committed snapshot is compared with a fresh synth. Against a
 * real account the stack deploys, the assertions run, and everything is destroyed.
 *
 * API_KEY is the mode an assertion can call (IAM, the default, needs a SigV4-signed request,
 * which `httpApiCall` does not sign): the key's value is read with GetApiKey and sent in
 * `x-api-key`. Not asserted here: a body the schema refuses getting 400 (the unit tests check the
 * model and validator; the local-AWS e2e suite sends bad bodies).
 */
import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { FrontDoor, FrontDoorAuthorization, FrontDoorRoute, SecureQueue } from '../src';

const app = new App();
const stack = new Stack(app, 'IntegFrontDoor');

// SSE-SQS (the default): neither the route's role nor the assertion needs a key grant.
const orders = new SecureQueue(stack, 'Orders');
const door = new FrontDoor(stack, 'Door', {
  authorization: FrontDoorAuthorization.API_KEY,
  routes: [FrontDoorRoute.toQueue({ path: 'orders', queue: orders.queue })],
});
const api = door.restApi!;

const integ = new IntegTest(app, 'FrontDoorTest', { testCases: [stack] });
const wait = { totalTimeout: Duration.minutes(3), interval: Duration.seconds(10) };

// The method as deployed: key required, validated, an AWS integration to SQS with the route's role.
const method = integ.assertions.awsApiCall('APIGateway', 'getMethod', {
  restApiId: api.restApiId,
  resourceId: api.root.resourceForPath('orders').resourceId,
  httpMethod: 'POST',
});
method.expect(ExpectedResult.objectLike({
  httpMethod: 'POST',
  authorizationType: 'NONE',
  apiKeyRequired: true,
  requestValidatorId: Match.stringLikeRegexp('.+'),
  methodIntegration: Match.objectLike({
    type: 'AWS',
    httpMethod: 'POST',
    uri: Match.stringLikeRegexp(':sqs:path/'),
    passthroughBehavior: 'NEVER',
    credentials: Match.stringLikeRegexp(':role/'),
  }),
}));

// The validator the method uses checks bodies and parameters.
const validators = integ.assertions.awsApiCall('APIGateway', 'getRequestValidators', { restApiId: api.restApiId });
validators.expect(ExpectedResult.objectLike({
  items: [Match.objectLike({ validateRequestBody: true, validateRequestParameters: true })],
}));

// The key's value, to send as x-api-key.
const key = integ.assertions.awsApiCall('APIGateway', 'getApiKey', { apiKey: door.apiKey!.keyId, includeValue: true });
// The value is read with getAttString (a flattened response): asserted at its path.
key.assertAtPath('value', ExpectedResult.stringLikeRegexp('.{20,}'));
// API Gateway's IAM action for reading configuration is GET on the resource's path (the SDK
// call names it GetMethod, GetApiKey... which IAM does not know). The provider is one per stack:
// this statement covers the three calls above.
key.provider.addToRolePolicy({
  Effect: 'Allow',
  Action: ['apigateway:GET'],
  Resource: [
    `arn:${stack.partition}:apigateway:${stack.region}::/restapis/${api.restApiId}/*`,
    `arn:${stack.partition}:apigateway:${stack.region}::/apikeys/${door.apiKey!.keyId}`,
  ],
});

// A constant order, so the snapshot does not change between runs (a new queue every run).
const order = { orderId: 'integ-front-door-0001', amount: 42 };
// A new key takes a few seconds to reach the usage plan (403 until then): polled until 200.
const post = integ.assertions.httpApiCall(`${door.url}orders`, {
  method: 'POST',
  headers: { 'Content-Type': 'application/json', 'x-api-key': key.getAttString('value') },
  body: JSON.stringify(order),
});
post.expect(ExpectedResult.objectLike({ status: 200, body: { messageId: Match.stringLikeRegexp('.+') } }));
post.waitForAssertions(wait);

// The body that was sent, as the message.
const arrived = integ.assertions.awsApiCall('SQS', 'receiveMessage', {
  QueueUrl: orders.queue.queueUrl,
  MaxNumberOfMessages: 1,
  WaitTimeSeconds: 20,
}).expect(ExpectedResult.objectLike({
  Messages: Match.arrayWith([Match.objectLike({ Body: Match.serializedJson(order) })]),
})).waitForAssertions(wait);

key.next(post).next(arrived);

app.synth();
