import { Duration, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { acknowledgeWildcardResource } from '../../../src/core/nag-acknowledgements';

/** The four kinds of backend a front door routes to, each secure enough for cdk-nag. */
export function backends(scope: Construct) {
  const dlq = new sqs.Queue(scope, 'Dlq', { enforceSSL: true, encryption: sqs.QueueEncryption.SQS_MANAGED });
  const queue = new sqs.Queue(scope, 'Queue', { enforceSSL: true, encryption: sqs.QueueEncryption.SQS_MANAGED, deadLetterQueue: { queue: dlq, maxReceiveCount: 3 } });
  const fifoDlq = new sqs.Queue(scope, 'FifoDlq', { fifo: true, enforceSSL: true, encryption: sqs.QueueEncryption.SQS_MANAGED });
  const fifoQueue = new sqs.Queue(scope, 'FifoQueue', { fifo: true, enforceSSL: true, encryption: sqs.QueueEncryption.SQS_MANAGED, deadLetterQueue: { queue: fifoDlq, maxReceiveCount: 3 } });
  const stream = new kinesis.Stream(scope, 'Stream', { streamMode: kinesis.StreamMode.ON_DEMAND, encryption: kinesis.StreamEncryption.MANAGED });
  const bus = new events.EventBus(scope, 'Bus');
  const logGroup = new logs.LogGroup(scope, 'WorkflowLogs', { retention: logs.RetentionDays.ONE_WEEK });
  const express = new sfn.StateMachine(scope, 'Express', {
    stateMachineType: sfn.StateMachineType.EXPRESS,
    definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(scope, 'Quote', { parameters: { 'price.$': '$.amount' } })),
    logs: { destination: logGroup, level: sfn.LogLevel.ALL },
    tracingEnabled: true,
    timeout: Duration.seconds(20),
  });
  const standard = new sfn.StateMachine(scope, 'Standard', {
    definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(scope, 'Noop')),
    logs: { destination: logGroup, level: sfn.LogLevel.ALL },
    tracingEnabled: true,
  });
  for (const sm of [express, standard]) {
    acknowledgeWildcardResource(sm.role, '*', 'test fixture: CDK\'s StateMachine grants log delivery and X-Ray on * (not the front door\'s role)');
  }
  return { queue, fifoQueue, stream, bus, express, standard, stack: Stack.of(scope) };
}
