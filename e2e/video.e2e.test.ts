/**
 * Video processing on MiniStack: the VideoProcessing reference architecture, deployed by the e2e
 * globalSetup from the reference app WITHOUT its Fargate fleet (`-c local=true`: no Docker here,
 * and the emulator runs no ECS tasks), and its workers as local processes of the same bundle the
 * container runs (assets/video-transcoder/index.js) with real ffmpeg, configured from the stack's
 * WorkerEnvironment output.
 *
 * - contract: that environment is the one the task definition gives the container (the stack
 *   synthesized with the same props and the fleet, its Refs resolved to the deployed resources);
 * - the spike: VIDEO_SPIKE_UPLOADS (default 1,000) uploads in a burst through the real HTTP API
 *   and presigned PUTs while 2 workers run, then 8; one worker SIGKILLed mid-job;
 * - the peer's synchronous transcoding service answers with the same ffmpeg work, and times out.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DescribeStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { VIDEO_LOCAL_PROPS } from '../bin/video-local-profile';
import { VideoProcessingStack } from '../src';
import { LocalClients, localClients } from './harness/clients';
import { readOutputs, StackOutputs } from './harness/deploy';
import { readEmulatorState } from './harness/emulator';
import { paths, progress, REPO_ROOT } from './harness/paths';
import { findRow, formatReport } from './harness/report';
import { VIDEO_STACK, videoProcessingScenario, VideoScenarioResult, videoSpike } from './harness/scenarios/video-processing';
import { startSyncTranscoder } from './harness/sync-transcoder';
import { generateClip, probe, runCalls, SyncClient } from './harness/video-clients';
import { videoOutputs } from './harness/video-run';
import { EMULATOR_ONLY_VARIABLES, localWorkerEnv, TRANSCODER_BUNDLE } from './harness/video-workers';

let outputs: StackOutputs;
let clients: LocalClients;
let result: VideoScenarioResult;
let scenarioSeconds = 0;
const spike = videoSpike();

beforeAll(async () => {
  const ff = spawnSync('bash', [path.join(REPO_ROOT, 'scripts', 'ensure-ffmpeg.sh')], { encoding: 'utf8', timeout: 600_000 });
  if (ff.status !== 0) throw new Error(`scripts/ensure-ffmpeg.sh failed:\n${ff.stdout}\n${ff.stderr}`);
  if (!fs.existsSync(TRANSCODER_BUNDLE)) throw new Error(`${TRANSCODER_BUNDLE} is missing: the globalSetup runs \`npx projen bundle\``);
  outputs = readOutputs();
  clients = localClients(readEmulatorState().endpoint);
  const started = Date.now();
  result = await videoProcessingScenario(VIDEO_STACK, spike).run({ clients, outputs, stackName: VIDEO_STACK, log: progress });
  scenarioSeconds = (Date.now() - started) / 1000;
  progress(`\n${formatReport([result])}\nvideo scenario wall time: ${scenarioSeconds.toFixed(1)} s (${spike.uploads} uploads)`);
}, 1_200_000);

afterAll(() => clients?.destroy());

const row = (prefix: string) => findRow(result, prefix);

describe('the local profile deploys the video architecture without its fleet, and the workers get the task definition\'s environment', () => {
  test('deployed: API, buckets, jobs queue + DLQ, topics, notification; no ECS resource; the deploy said so on stderr', async () => {
    const res = await clients.cloudformation.send(new DescribeStackResourcesCommand({ StackName: VIDEO_STACK }));
    const types = (res.StackResources ?? []).map(r => r.ResourceType!);
    for (const t of ['AWS::ApiGatewayV2::Api', 'AWS::Lambda::Function', 'AWS::S3::Bucket', 'AWS::SQS::Queue', 'AWS::SNS::Topic', 'Custom::S3BucketNotifications']) {
      expect(types).toContain(t);
    }
    expect(types.filter(t => t.startsWith('AWS::ECS::') || t.startsWith('AWS::ApplicationAutoScaling::') || t === 'AWS::EC2::VPC')).toEqual([]);
    const deployLog = fs.readFileSync(path.join(paths.logs, 'cdk-deploy-reference.log'), 'utf8');
    expect(deployLog.match(/IntegrationPatterns-VideoProcessing WITHOUT its transcoder fleet/g)?.length).toBeGreaterThanOrEqual(1);
  });

  test('contract: every variable the task definition sets is identical in the local workers\' environment; the rest is emulator-only', async () => {
    const app = new App();
    const withFleet = new VideoProcessingStack(app, VIDEO_STACK, { ...VIDEO_LOCAL_PROPS });
    const template = Template.fromStack(withFleet).toJSON();
    const [taskDefinition] = Object.values(template.Resources as Record<string, any>).filter(r => r.Type === 'AWS::ECS::TaskDefinition');
    const entries = taskDefinition.Properties.ContainerDefinitions[0].Environment as Array<{ Name: string; Value: unknown }>;
    const deployed = await clients.cloudformation.send(new DescribeStackResourcesCommand({ StackName: VIDEO_STACK }));
    const physical = new Map((deployed.StackResources ?? []).map(r => [r.LogicalResourceId!, r.PhysicalResourceId!]));
    const resolve = (value: unknown): string => {
      if (typeof value === 'string') return value;
      const ref = (value as { Ref?: string }).Ref;
      if (ref && physical.has(ref)) return physical.get(ref)!;
      throw new Error(`cannot resolve ${JSON.stringify(value)} against the deployed stack`);
    };
    const task = Object.fromEntries(entries.map(e => [e.Name, resolve(e.Value)]));
    const local = localWorkerEnv(clients.endpoint, videoOutputs(outputs, VIDEO_STACK).workerEnvironment);
    for (const [name, value] of Object.entries(task)) expect([name, local[name]]).toEqual([name, value]);
    const readByWorker = /^(AWS_|S3_|FFMPEG_|OUTPUT_|QUEUE_|WORKER_|VISIBILITY_|HEARTBEAT_|SHUTDOWN_|RECEIVE_|SCALE_IN_|ECS_|COMPLETION_|LOG_LEVEL)/;
    const extra = Object.keys(local).filter(k => readByWorker.test(k) && !(k in task) && k !== 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED');
    expect(extra.sort()).toEqual([...EMULATOR_ONLY_VARIABLES].filter(k => k in local).sort());
    expect(Object.keys(task).sort()).toEqual(['COMPLETION_TOPIC_ARN', 'HEARTBEAT_INTERVAL_SECONDS', 'OUTPUT_BUCKET', 'OUTPUT_WIDTH', 'QUEUE_URL',
      'SHUTDOWN_GRACE_SECONDS', 'VISIBILITY_TIMEOUT_SECONDS', 'WORKER_CONCURRENCY']);
  });
});

describe(`the spike: ${spike.uploads} uploads in a burst with 2 workers, then 8, one SIGKILLed mid-job`, () => {
  test('every upload accepted through the HTTP API and a presigned PUT, whatever the worker count', () => {
    expect(row('uploads accepted').problem ?? '').toBe('');
    expect(row('uploads accepted').arrived).toBe(spike.uploads);
  });

  test('every video transcoded exactly once: outputs counted, a sample checked with ffprobe, one completion each, no duplicate', () => {
    expect(row('videos transcoded').problem ?? '').toBe('');
    expect(row('videos transcoded').arrived).toBe(spike.uploads);
    expect(row('sample of outputs').problem ?? '').toBe('');
    expect(row('completion messages').problem ?? '').toBe('');
    expect(row('completion messages').arrived).toBe(spike.uploads);
    expect(row('duplicate completions').problem ?? '').toBe('');
  });

  test('the worker killed with SIGKILL mid-job lost nothing: its job came back and was done once', () => {
    expect(row('worker SIGKILLed').problem ?? '').toBe('');
  });

  test('jobs queue drained, DLQ empty, the other workers stopped cleanly (exit 0 on SIGTERM)', () => {
    expect(row('jobs left').problem ?? '').toBe('');
    expect(row('jobs in the dead-letter queue').problem ?? '').toBe('');
    expect(row('workers stopped').problem ?? '').toBe('');
  });

  test('the fleet really was 2 workers during the burst and 8 afterwards (sampled)', () => {
    const samples = result.measured.samples;
    expect(samples[0].workers).toBe(2);
    expect(Math.max(...samples.map(s => s.workers))).toBe(8);
    expect(Math.max(...samples.map(s => s.backlog))).toBeGreaterThan(0);
  });
});

describe('the peer: a synchronous transcoding service (same ffmpeg work)', () => {
  test('answers a call with the transcoded video; a call that waits past the request timeout gets 504 and counts as failed', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'video-sync-e2e-'));
    const clip = fs.readFileSync(generateClip(dir));
    const service = await startSyncTranscoder({ workers: 1, requestTimeoutMs: 1500, outputWidth: 320 });
    try {
      const res = await fetch(`${service.url}/transcode?id=one`, { method: 'POST', body: clip });
      expect(res.status).toBe(200);
      fs.writeFileSync(path.join(dir, 'out.mp4'), Buffer.from(await res.arrayBuffer()));
      expect(probe(path.join(dir, 'out.mp4'))).toMatchObject({ codec: 'h264', width: 320, height: 320 });
      const client = new SyncClient(service.url, clip, 2500, 0);
      const calls = await runCalls(Array.from({ length: 40 }, (_, i) => () => client.transcode(`burst-${i}`)));
      await service.idle();
      const stats = service.stats();
      expect(calls.filter(c => c.ok).length).toBeGreaterThan(0);
      expect(calls.filter(c => !c.ok).length).toBeGreaterThan(0);
      expect(stats.timedOutWaiting + stats.timedOutTranscoding).toBe(calls.filter(c => !c.ok).length);
    } finally {
      await service.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
