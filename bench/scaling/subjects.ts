/**
 * The subjects of the scaling simulation, synthesized in-process and parsed back from their
 * CloudFormation templates:
 * - ours: QueueWorkerService (BacklogScaling: target tracking on backlog per worker with metric
 *   math + a step policy that starts workers from zero);
 * - the peer: aws-ecs-patterns QueueProcessingFargateService with its defaults, and the same
 *   with only maxScalingCapacity raised to ours (every other setting its default);
 * - KEDA's SQS scaler with its published defaults and the same maximum.
 */
import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as ecsPatterns from 'aws-cdk-lib/aws-ecs-patterns';
import { parseScaling, ScalingSpec } from './template';

/** Our configuration: a video transcode takes about a minute; a video may wait about 5 minutes. */
export const OURS_CONFIG = {
  maxWorkers: 50,
  workerConcurrency: 1,
  acceptableLatencyMinutes: 5,
  averageProcessingSeconds: 60,
};

const IMAGE = 'public.ecr.aws/docker/library/node:22-bookworm-slim';
const ENV = { account: '111111111111', region: 'us-east-1' };

function synth(build: (stack: Stack) => void): any {
  // Template only: no validation plugins, no asset bundling.
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Subject', { env: ENV });
  build(stack);
  return app.synth().getStackByName(stack.stackName).template;
}

/** Ours, through the library's own QueueWorkerService (loaded from src/ of this tree). */
export function oursTemplate(root: string, maxWorkers = OURS_CONFIG.maxWorkers): any {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const lib = require(path.join(root, 'src'));
  if (typeof lib.QueueWorkerService !== 'function') {
    throw new Error('QueueWorkerService is not exported by src/ in this tree: the scaling suite needs the QueueWorkerService/BacklogScaling pattern');
  }
  return synth(stack => {
    const cluster = new ecs.Cluster(stack, 'Cluster', { containerInsightsV2: ecs.ContainerInsights.ENABLED });
    new lib.QueueWorkerService(stack, 'Ours', {
      cluster,
      image: ecs.ContainerImage.fromRegistry(IMAGE),
      workerConcurrency: OURS_CONFIG.workerConcurrency,
      scaling: {
        maxWorkers,
        acceptableLatency: Duration.minutes(OURS_CONFIG.acceptableLatencyMinutes),
        averageProcessingTime: Duration.seconds(OURS_CONFIG.averageProcessingSeconds),
      },
    });
  });
}

/** aws-ecs-patterns QueueProcessingFargateService: defaults, optionally only maxScalingCapacity set. */
export function peerTemplate(maxScalingCapacity?: number): any {
  return synth(stack => {
    new ecsPatterns.QueueProcessingFargateService(stack, 'Peer', {
      image: ecs.ContainerImage.fromRegistry(IMAGE),
      ...(maxScalingCapacity !== undefined ? { maxScalingCapacity } : {}),
    });
  });
}

export function peerSpec(maxScalingCapacity?: number): ScalingSpec {
  return parseScaling(peerTemplate(maxScalingCapacity));
}
