/**
 * Integ test: EventRouter, a custom bus with one route to a queue.
 *
 * the rule as deployed (pattern, DLQ, retry policy stated) -> PutEvents a PriceRecorded event
 * for AMZN -> it arrives in the target queue as the whole EventBridge event.
 *
 * Offline (`npx projen integ`) the committed snapshot is compared with a fresh synth. Against a
 * real account the stack deploys, the assertions run, and everything is destroyed.
 *
 * Not asserted here: that a non-matching event does NOT arrive (proving an absence means waiting
 * out a window on every run); pattern matching is covered by the unit tests, the golden tests
 * (AWS's event-ruler) and the local-AWS e2e suite.
 */
import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, Fn, Stack } from 'aws-cdk-lib';
import { EventRouter, RouteTarget, SecureQueue } from '../src';

const app = new App();
const stack = new Stack(app, 'IntegEventRouter');

// The target: SSE-SQS (the default), so neither EventBridge nor the assertion needs a key grant.
const prices = new SecureQueue(stack, 'Prices');
const router = new EventRouter(stack, 'Router', {
  routes: [{
    name: 'PriceRecorded',
    pattern: { source: ['integ.prices'], detailType: ['PriceRecorded'] },
    targets: [RouteTarget.queue(prices.queue)],
  }],
});
const [route] = router.routes;

const integ = new IntegTest(app, 'EventRouterTest', { testCases: [stack] });
const wait = { totalTimeout: Duration.minutes(3), interval: Duration.seconds(10) };

// The rule as deployed: on the router's bus, enabled, the pattern, a DLQ and the retry policy.
// On a custom bus the rule's Ref is `bus|rule`; its name is the last part of its ARN (rule/bus/name).
integ.assertions.awsApiCall('EventBridge', 'listTargetsByRule', {
  Rule: Fn.select(2, Fn.split('/', route.rule.ruleArn)),
  EventBusName: router.eventBusName,
}).expect(ExpectedResult.objectLike({
  Targets: [Match.objectLike({
    Arn: prices.queue.queueArn,
    DeadLetterConfig: { Arn: route.deadLetterQueue.queueArn },
    RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 },
  })],
}));

// A constant event, so the snapshot does not change between runs (new queues every run).
const detail = JSON.stringify({ symbol: 'AMZN', price: 187.5, change: 6 });
const put = integ.assertions.awsApiCall('EventBridge', 'putEvents', {
  Entries: [{
    EventBusName: router.eventBusName,
    Source: 'integ.prices',
    DetailType: 'PriceRecorded',
    Detail: detail,
  }],
});
put.expect(ExpectedResult.objectLike({ FailedEntryCount: 0 }));

// The whole event in the queue (no input transformer): source, detail-type and detail.
const arrived = integ.assertions.awsApiCall('SQS', 'receiveMessage', {
  QueueUrl: prices.queue.queueUrl,
  MaxNumberOfMessages: 1,
  WaitTimeSeconds: 20,
}).expect(ExpectedResult.objectLike({
  Messages: Match.arrayWith([Match.objectLike({
    Body: Match.serializedJson(Match.objectLike({
      'source': 'integ.prices',
      'detail-type': 'PriceRecorded',
      'detail': { symbol: 'AMZN', price: 187.5, change: 6 },
    })),
  })]),
})).waitForAssertions(wait);

put.next(arrived);

app.synth();
