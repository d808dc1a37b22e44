/**
 * Integ test: Workflow (Pass -> Succeed) and Saga (two steps, the first with its compensation).
 *
 * start an execution of each with a constant order -> DescribeExecution is polled until the
 * status is SUCCEEDED, and the output is what the states made of the input.
 *
 * Offline (`npx projen integ`) the committed snapshot is compared with a fresh synth. Against a
 * real account the stack deploys, the assertions run, and everything is destroyed.
 *
 * The steps are Pass states (a saga step wrapped in a Parallel, so it takes retry and catch):
 * this test proves the deployed state machines, their logging and roles, not task integrations.
 * Not asserted here: a failing saga step running the compensations in reverse (the saga's unit
 * tests run the synthesized definition through every failure path locally).
 */
import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Saga, Workflow } from '../src';

const app = new App();
const stack = new Stack(app, 'IntegWorkflow');

// A Standard workflow: one Pass that adds a result, then Succeed.
const workflow = new Workflow(stack, 'Orders', {
  definition: new sfn.Pass(stack, 'Prepare', { result: sfn.Result.fromObject({ prepared: true }), resultPath: '$.preparation' })
    .next(new sfn.Succeed(stack, 'Done')),
});

/** A step that can take retry and catch: a Parallel around a Pass, its result discarded. */
const step = (name: string) => new sfn.Parallel(stack, name, { resultPath: sfn.JsonPath.DISCARD })
  .branch(new sfn.Pass(stack, `${name} work`));
const saga = new Saga(stack, 'PlaceOrder', {
  steps: [
    { name: 'Reserve stock', action: step('Reserve stock'), compensation: step('Release stock') },
    { name: 'Charge payment', action: step('Charge payment') }, // the last step: nothing after it to undo
  ],
});

const integ = new IntegTest(app, 'WorkflowTest', { testCases: [stack] });
const wait = { totalTimeout: Duration.minutes(3), interval: Duration.seconds(10) };

// A constant input, so the snapshot does not change between runs (executions get generated names).
const order = { orderId: 'integ-workflow-0001', amount: 42 };

const runs = (stateMachine: sfn.IStateMachine, output: Record<string, unknown>) => {
  const start = integ.assertions.awsApiCall('StepFunctions', 'startExecution', {
    stateMachineArn: stateMachine.stateMachineArn,
    input: JSON.stringify(order),
  });
  // The ARN is read with getAttString (a flattened response): asserted at its path.
  start.assertAtPath('executionArn', ExpectedResult.stringLikeRegexp(':execution:'));
  const done = integ.assertions.awsApiCall('StepFunctions', 'describeExecution', {
    executionArn: start.getAttString('executionArn'),
  });
  done.expect(ExpectedResult.objectLike({ status: 'SUCCEEDED', output: Match.serializedJson(Match.objectLike(output)) }));
  done.waitForAssertions(wait);
  start.next(done);
};

// The workflow: the input with the Pass state's result added.
runs(workflow.stateMachine, { ...order, preparation: { prepared: true } });
// The saga: both steps ran (their results discarded), so the order comes out as it went in.
runs(saga.workflow.stateMachine, order);

app.synth();
