/**
 * Video processing: HTTP API (IAM) -> presign function -> upload bucket -> S3 notification -> jobs
 * queue -> transcoder workers -> output bucket + completion topic.
 *
 * Locally the stack is deployed without its Fargate fleet (bin/reference-app.ts, `-c local=true`);
 * the workers run as local processes of the same bundle with real ffmpeg, configured from the
 * stack's WorkerEnvironment output (e2e/harness/video-workers.ts).
 *
 * Traffic: a spike of VIDEO_SPIKE_UPLOADS (default 1,000) uploads in a burst while 2 workers run;
 * once every upload is accepted the fleet grows to 8 (as the scaling policy would ask); halfway
 * through, one worker is SIGKILLed in the middle of a job (and replaced).
 *
 * Checked: every upload accepted, one output per upload (a sample checked with ffprobe), one
 * completion per upload and no duplicate, each video transcoded exactly once (worker logs), the
 * killed worker's job redelivered and done once, jobs queue drained, DLQ empty, workers exit 0.
 */
import { spawnSync } from 'child_process';
import * as path from 'path';
import { REPO_ROOT } from '../paths';
import { DecoupledResult, runDecoupled } from '../video-run';
import { listIds, Row, Scenario, ScenarioContext, ScenarioResult } from './types';

export const VIDEO_STACK = 'IntegrationPatterns-VideoProcessing';

export interface VideoSpike {
  readonly uploads: number;
  readonly startWorkers: number;
  readonly growTo: number;
  readonly timeoutMs: number;
}

/** The spike; VIDEO_SPIKE_UPLOADS overrides its size (e.g. a smaller CI run). */
export function videoSpike(env: NodeJS.ProcessEnv = process.env): VideoSpike {
  const raw = env.VIDEO_SPIKE_UPLOADS;
  const uploads = raw === undefined || raw === '' ? 1000 : Number(raw);
  if (!Number.isInteger(uploads) || uploads < 20 || uploads > 10_000) {
    throw new Error(`VIDEO_SPIKE_UPLOADS=${JSON.stringify(raw)} is invalid: expected a whole number from 20 to 10000 (default 1000)`);
  }
  return { uploads, startWorkers: 2, growTo: 8, timeoutMs: Math.max(240_000, uploads * 600) };
}

export interface VideoScenarioResult extends ScenarioResult {
  readonly measured: DecoupledResult;
}

/** The video scenario: its result carries the measurements too (for the bench and the plot). */
export interface VideoScenario extends Scenario {
  run(context: ScenarioContext): Promise<VideoScenarioResult>;
}

export function videoProcessingScenario(stackName = VIDEO_STACK, spike: VideoSpike = videoSpike()): VideoScenario {
  return { architecture: 'video-processing', stackName, run: context => runVideo({ ...context, stackName }, spike) };
}

async function runVideo(context: ScenarioContext, spike: VideoSpike): Promise<VideoScenarioResult> {
  const started = Date.now();
  const architecture = 'video-processing';
  // Real transcodes: ffmpeg from Debian apt when missing (`npx projen ensure:ffmpeg`).
  const ff = spawnSync('bash', [path.join(REPO_ROOT, 'scripts', 'ensure-ffmpeg.sh')], { encoding: 'utf8', timeout: 600_000 });
  if (ff.status !== 0) throw new Error(`scripts/ensure-ffmpeg.sh failed:\n${ff.stdout}\n${ff.stderr}`);
  const m = await runDecoupled(context.clients, context.outputs, context.stackName, {
    arrivals: { uploads: spike.uploads },
    workers: spike.startWorkers,
    growTo: spike.growTo,
    killAtShare: 0.5,
    timeoutMs: spike.timeoutMs,
    log: context.log,
  });
  const n = spike.uploads;
  const accepted = m.calls.filter(c => c.ok);
  const acceptedKeys = new Set(accepted.map(c => c.key!));
  const outputFor = (key: string) => key.replace(/\.[^./]*$/, '.mp4');
  const missingOutputs = [...acceptedKeys].filter(k => !m.outputKeys.includes(outputFor(k)));
  const completionsByKey = new Map<string, number>();
  for (const c of m.completions) completionsByKey.set(c.source.key, (completionsByKey.get(c.source.key) ?? 0) + 1);
  const missingCompletions = [...acceptedKeys].filter(k => !completionsByKey.has(k));
  const duplicateCompletions = [...completionsByKey.entries()].filter(([, count]) => count > 1).map(([k]) => k);
  const transcodedTwice = Object.entries(m.transcodesByKey).filter(([, count]) => count > 1).map(([k]) => k);
  const notTranscoded = [...acceptedKeys].filter(k => !m.transcodesByKey[k]);
  const width = Number(m.workerEnvironment.OUTPUT_WIDTH);
  const badProbes = m.probes.filter(p => p.codec !== 'h264' || p.width !== width || p.height !== width || Math.abs(p.duration - 0.2) > 0.15);
  const killedOk = m.killed !== undefined && m.killed.redeliveredReceiveCount !== undefined && m.killed.redeliveredReceiveCount >= 2
    && m.killed.key !== undefined && completionsByKey.get(m.killed.key) === 1 && m.transcodesByKey[m.killed.key] === 1;
  const badExits = m.workerExits.filter(e => e.code !== 0);
  const doneS = m.allDoneAt ? ((m.allDoneAt - m.startedAt) / 1000).toFixed(1) : 'n/a';
  const peakBacklog = Math.max(0, ...m.samples.map(s => s.backlog));

  const row = (what: string, where: string, expected: number, arrived: number, ok: boolean, problem: string): Row =>
    ({ architecture, what, where, expected, arrived, ok, ...(ok ? {} : { problem }) });
  const rows: Row[] = [
    row(`uploads accepted (POST /uploads + PUT, burst, ${spike.startWorkers} workers running)`, 'front end', n, accepted.length, accepted.length === n,
      `${n - accepted.length} of ${n} uploads were refused: ${listIds(m.calls.filter(c => !c.ok).map(c => `${c.id} (${c.error})`))}`),
    row(`videos transcoded to the output bucket (fleet ${spike.startWorkers} → ${spike.growTo}, all done ${doneS} s after the first upload, backlog peak ${peakBacklog})`,
      'output bucket', n, m.outputKeys.length, missingOutputs.length === 0 && m.outputKeys.length === n,
      `${missingOutputs.length} accepted uploads have no output (${listIds(missingOutputs)}); ${m.outputKeys.length} outputs for ${n} uploads`),
    row(`sample of outputs checked with ffprobe (H.264, ${width}×${width}, 0.2 s)`, 'output bucket', m.probes.length, m.probes.length - badProbes.length,
      m.probes.length >= 3 && badProbes.length === 0, `ffprobe: ${JSON.stringify(badProbes.length ? badProbes : m.probes)}`),
    row('completion messages, one per upload', 'completion topic', n, completionsByKey.size, missingCompletions.length === 0 && m.completions.length === n,
      `${missingCompletions.length} uploads have no completion (${listIds(missingCompletions)}); ${m.completions.length} completions received`),
    row('duplicate completions or transcodes (work done more than once)', 'completion topic, worker logs', 0, duplicateCompletions.length + transcodedTwice.length,
      duplicateCompletions.length === 0 && transcodedTwice.length === 0 && notTranscoded.length === 0,
      `duplicate completions: ${listIds(duplicateCompletions)}; transcoded twice: ${listIds(transcodedTwice)}; never transcoded: ${listIds(notTranscoded)}`),
    row(`worker SIGKILLed mid-job (${m.killed?.worker ?? 'none'}): its job redelivered (receive ${m.killed?.redeliveredReceiveCount ?? '?'}) and done once`, 'jobs queue', 1,
      killedOk ? 1 : 0, killedOk, `killed: ${JSON.stringify(m.killed)}`),
    row('jobs left in the queue (visible + in flight)', 'jobs queue', 0, m.finalDepth.jobs, m.finalDepth.jobs === 0, `${m.finalDepth.jobs} jobs are still in the queue`),
    row('jobs in the dead-letter queue', 'jobs DLQ', 0, m.finalDepth.dlq, m.finalDepth.dlq === 0, `${m.finalDepth.dlq} jobs are in the DLQ`),
    row('workers stopped with SIGTERM exit 0', 'workers', m.workerExits.length, m.workerExits.length - badExits.length, badExits.length === 0,
      `workers that did not exit 0: ${JSON.stringify(badExits)}`),
  ];
  return { architecture, stackName: context.stackName, rows, durationMs: Date.now() - started, measured: m };
}
