/**
 * The video architecture's local profile (`-c local=true`): no transcoder fleet (it needs Docker to
 * build its image and an ECS that runs tasks), and a short retry clock so a killed worker's job
 * comes back in seconds instead of minutes. The e2e suite runs the workers as local processes
 * with the stack's WorkerEnvironment output, and its contract test synthesizes the stack with
 * these props AND the fleet to compare that environment with the task definition's.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { VideoProcessingStackProps } from '../src';

export const VIDEO_STACK_NAME = 'IntegrationPatterns-VideoProcessing';

export const VIDEO_DESCRIPTION = 'cdk-integration-patterns reference architecture: video processing (upload URLs -> S3 -> jobs queue -> Fargate ffmpeg workers scaled on backlog per worker -> S3 + topic)';

/** Local clock: a 20 s visibility, a heartbeat every 5 s; buckets deleted with the stack. */
export const VIDEO_LOCAL_PROPS: VideoProcessingStackProps = {
  visibilityTimeout: Duration.seconds(20),
  heartbeatInterval: Duration.seconds(5),
  removalPolicy: RemovalPolicy.DESTROY,
};
