/**
 * BacklogScaling's controller: invoked once a minute by an EventBridge Scheduler schedule, it sets
 * the ECS service's desired count from the queue's backlog (lambda/backlog-controller/decide.ts),
 * the way KEDA's aws-sqs-queue scaler does on Kubernetes. Configuration is read and checked once
 * per container; the clients are created once. Each invocation logs one JSON line.
 */
import { awsPort } from './backlog-controller/aws';
import { ControllerConfig, readControllerConfig } from './backlog-controller/config';
import { controlStep, ControllerPort, StepResult } from './backlog-controller/controller';

let config: ControllerConfig | undefined;
let port: ControllerPort | undefined;

export async function handler(): Promise<StepResult> {
  config ??= readControllerConfig(process.env);
  port ??= awsPort();
  const result = await controlStep(config, port);
  process.stdout.write(`${JSON.stringify({ level: 'info', msg: result.changed ? 'desired count set' : 'desired count kept', service: config.serviceName, ...result })}\n`);
  return result;
}
