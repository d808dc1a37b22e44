/**
 * One control step: read the queue (GetQueueAttributes: no CloudWatch delay), read the service
 * (DescribeServices), set its desired count when the decision differs (UpdateService), and
 * publish what it decided (PutMetricData): NeededWorkers (before the limits: the at-max alarm),
 * DesiredWorkers (the alarm that notices a controller that stopped deciding) and RunningWorkers
 * (the dashboard). The queue's own counts are in AWS/SQS already, free. The AWS calls go through a small port so tests can run the
 * step against MiniStack or against fakes.
 */
import type { ControllerConfig } from './config';
import { desiredWorkers, neededWorkers } from './decide';

/** The AWS operations a step needs. */
export interface ControllerPort {
  queueDepth(queueUrl: string): Promise<{ visible: number; inFlight: number }>;
  service(cluster: string, service: string): Promise<{ desired: number; running: number; pending: number }>;
  setDesired(cluster: string, service: string, desired: number): Promise<void>;
  publish(namespace: string, scalingName: string, values: Record<string, number>): Promise<void>;
}

export interface StepResult {
  readonly visible: number;
  /** Workers the backlog needs before the min/max limits. */
  readonly needed: number;
  readonly inFlight: number;
  readonly running: number;
  readonly previousDesired: number;
  readonly desired: number;
  readonly changed: boolean;
}

/** Reads, decides, acts, publishes. Errors propagate (the invocation fails and is alarmed). */
export async function controlStep(config: ControllerConfig, port: ControllerPort): Promise<StepResult> {
  const [queue, service] = await Promise.all([
    port.queueDepth(config.queueUrl),
    port.service(config.clusterName, config.serviceName),
  ]);
  const needed = neededWorkers(queue, config);
  const desired = desiredWorkers(queue, config);
  const changed = desired !== service.desired;
  if (changed) await port.setDesired(config.clusterName, config.serviceName, desired);
  await port.publish(config.metricNamespace, config.scalingName, {
    NeededWorkers: needed,
    DesiredWorkers: desired,
    RunningWorkers: service.running,
  });
  return { visible: queue.visible, needed, inFlight: queue.inFlight, running: service.running, previousDesired: service.desired, desired, changed };
}
