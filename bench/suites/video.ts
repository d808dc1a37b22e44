/**
 * The video architecture's argument, measured: a spike of uploads through the decoupled design
 * (HTTP API → presigned PUT → S3 → jobs queue → workers, ours) against the front end calling a
 * synchronous transcoding service directly (the peer), with the same clips, the same ffmpeg
 * work and the same number of workers (2 and 8), for a 10-per-minute baseline and a burst of
 * 1,000. Both run on this machine in the same run: the decoupled design on MiniStack (the stack
 * deployed with `-c local=true`, workers as local processes of the transcoder bundle), the peer
 * as a local HTTP service (e2e/harness/sync-transcoder.ts).
 *
 * Plus what the stack's queue-depth scaling policy would have done with the same arrivals on AWS
 * timing (1-minute videos, 60 s task start, CloudWatch minute data): the scaling simulator
 * (bench/scaling/) driven by the policy parsed from the synthesized VideoProcessingStack.
 *
 * Env: VIDEO_BURST_UPLOADS (default 1000), VIDEO_BASELINE_MINUTES (default 2),
 * VIDEO_SYNC_TIMEOUT_SECONDS (default 29, API Gateway's integration limit), VIDEO_SYNC_RETRIES
 * (default 1). Each configuration runs once (BENCH_RUNS does not apply: a run takes minutes).
 * Writes bench/results/video-plot.json and renders docs/video-spike.png (matplotlib, installed
 * from PyPI into .tools/plot-venv).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { WORLD } from './scaling';
import { VIDEO_LOCAL_PROPS } from '../../bin/video-local-profile';
import { localClients } from '../../e2e/harness/clients';
import { bootstrap, bundleHandlers, deployApp } from '../../e2e/harness/deploy';
import { installEmulator, reportStop, startEmulator, stopEmulator, stopOnExit } from '../../e2e/harness/emulator';
import { VIDEO_STACK } from '../../e2e/harness/scenarios/video-processing';
import { CallResult, percentile } from '../../e2e/harness/video-clients';
import { Arrivals, DecoupledResult, runDecoupled, runSynchronous, SyncResult } from '../../e2e/harness/video-run';
import { VideoProcessingStack } from '../../src';
import { Suite, SuiteContext, SuiteResult } from '../lib/suite';
import { Controller } from '../scaling/scalers';
import { ControllerTemplateSpec, parseController } from '../scaling/template';
import { Arrival, simulate, WorldResult } from '../scaling/world';

function intEnv(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < min || v > max) throw new Error(`${name}=${raw}: expected a whole number from ${min} to ${max}`);
  return v;
}

interface Row {
  readonly design: string;
  readonly load: string;
  readonly workers: string;
  readonly accepted: number;
  readonly total: number;
  readonly p50?: number;
  readonly p99?: number;
  readonly failed: number;
  /** Seconds from the first upload to the last video done; null when some never were. */
  readonly allDoneSeconds: number | null;
  readonly doneCount: number;
  readonly moreThanOnce: number;
  readonly note?: string;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const latency = (calls: CallResult[]) => {
  const ok = calls.filter(c => c.ok).map(c => c.latencyMs);
  const all = calls.map(c => c.latencyMs);
  return { p50: percentile(ok.length ? ok : all, 50), p99: percentile(ok.length ? ok : all, 99) };
};

function decoupledRow(load: string, workers: number, r: DecoupledResult): Row {
  const accepted = r.calls.filter(c => c.ok).length;
  const done = Object.keys(r.transcodesByKey).length;
  return {
    design: 'decoupled (ours): API → S3 → queue → workers',
    load,
    workers: String(workers),
    accepted,
    total: r.calls.length,
    ...latency(r.calls),
    failed: r.calls.length - accepted,
    allDoneSeconds: r.allDoneAt && done >= accepted ? (r.allDoneAt - r.startedAt) / 1000 : null,
    doneCount: done,
    moreThanOnce: Object.values(r.transcodesByKey).reduce((n, c) => n + c - 1, 0),
  };
}

function syncRow(load: string, workers: number, r: SyncResult): Row {
  const accepted = r.calls.filter(c => c.ok).length;
  const ids = Object.keys(r.stats.transcodesById);
  const attempts = r.calls.reduce((n, c) => n + c.attempts, 0);
  return {
    design: 'synchronous (peer): front end → transcoding service',
    load,
    workers: String(workers),
    accepted,
    total: r.calls.length,
    ...latency(r.calls),
    failed: r.calls.length - accepted,
    allDoneSeconds: ids.length >= r.calls.length && r.stats.lastTranscodeAt ? (r.stats.lastTranscodeAt - r.startedAt) / 1000 : null,
    doneCount: ids.length,
    moreThanOnce: Object.values(r.stats.transcodesById).reduce((n, c) => n + c - 1, 0),
    note: `${attempts} attempts, ${r.stats.timedOutWaiting} timed out waiting, ${r.stats.timedOutTranscoding} while transcoding, `
      + `${r.stats.skippedCallerGone} skipped (caller gone), ${r.stats.wasted} transcodes nobody received`,
  };
}

/** When the simulated burst arrives: after an hour of baseline, so the fleet has settled from its cold start. */
export const SIM_BURST_AT = 60 * 60;

/** The same arrivals on AWS timing: the baseline for 2 h, the burst (all at once) at minute 60; 45–75 s per video. */
function simulatorArrivals(burst: number): Arrival[] {
  let s = 11;
  const processing = () => { s = (s * 16807) % 2147483647; return 45 + (s / 2147483647) * 30; };
  const out: Arrival[] = [];
  for (let t = 0; t < 2 * SIM_BURST_AT; t += 6) out.push({ at: t, processingSeconds: processing() });
  for (let i = 0; i < burst; i++) out.push({ at: SIM_BURST_AT, processingSeconds: processing(), tag: 'burst' });
  return out;
}

export function simulatePolicy(burst: number): { result: WorldResult; spec: ControllerTemplateSpec } {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new VideoProcessingStack(app, 'VideoPolicy', { env: { account: '111111111111', region: 'us-east-1' } });
  const template = app.synth().getStackByName(stack.stackName).template;
  // On ECS, BacklogScaling is a controller (a scheduled Lambda): run its own decision code.
  const spec = parseController(template);
  if (!spec) throw new Error('bench video: the synthesized VideoProcessingStack has no BacklogScaling controller schedule');
  const result = simulate(simulatorArrivals(burst), new Controller(spec), {
    ...WORLD, concurrency: 1, scaleInProtection: true, initialDesired: spec.settings.minWorkers,
  });
  return { result, spec };
}

function renderPlot(ctx: SuiteContext, dataFile: string, pngFile: string): string {
  const venv = path.join(ctx.root, '.tools', 'plot-venv');
  const python = path.join(venv, 'bin', 'python');
  const pin = 'matplotlib==3.10.8';
  if (!fs.existsSync(python) || spawnSync(python, ['-c', 'import matplotlib'], { encoding: 'utf8' }).status !== 0) {
    ctx.progress(`installing ${pin} from PyPI into .tools/plot-venv`);
    const v = spawnSync('python3', ['-m', 'venv', venv], { encoding: 'utf8' });
    if (v.status !== 0) return `plot skipped: python3 -m venv failed: ${v.stderr}`;
    const p = spawnSync(path.join(venv, 'bin', 'pip'), ['install', '-q', '--disable-pip-version-check', pin], { encoding: 'utf8', timeout: 600_000 });
    if (p.status !== 0) return `plot skipped: pip install ${pin} failed: ${p.stderr.slice(-500)}`;
  }
  const r = spawnSync(python, [path.join(ctx.root, 'bench', 'video', 'plot.py'), dataFile, pngFile], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`bench/video/plot.py failed: ${r.stderr}`);
  return `plot: ${path.relative(ctx.root, pngFile)} (from ${path.relative(ctx.root, dataFile)})`;
}

export const videoSuite: Suite = {
  name: 'video',
  description: 'Video spike: decoupled (HTTP API → S3 → queue → local transcoder workers on MiniStack) vs a synchronous transcoding service, 2 and 8 workers, baseline and burst; plus the scaling policy simulated',
  async run(ctx: SuiteContext): Promise<SuiteResult> {
    const burst = intEnv('VIDEO_BURST_UPLOADS', 1000, 20, 10_000);
    const baselineMinutes = intEnv('VIDEO_BASELINE_MINUTES', 2, 1, 60);
    const syncTimeoutMs = intEnv('VIDEO_SYNC_TIMEOUT_SECONDS', 29, 1, 600) * 1000;
    const syncRetries = intEnv('VIDEO_SYNC_RETRIES', 1, 0, 5);
    const fleets = [2, 8];
    const baseline: Arrivals = { uploads: 10 * baselineMinutes, perMinute: 10 };
    const spike: Arrivals = { uploads: burst };
    const outputWidth = Number(VIDEO_LOCAL_PROPS.outputWidth ?? 320);

    await installEmulator();
    const emulator = await startEmulator();
    const removeHandlers = stopOnExit(emulator);
    const rows: Row[] = [];
    const plot: Record<string, unknown> = { burst, fleets, baselineMinutes };
    try {
      await bundleHandlers();
      await bootstrap(emulator.endpoint);
      const outputs = await deployApp({ endpoint: emulator.endpoint, label: 'bench-video', stacks: [VIDEO_STACK] });
      const clients = localClients(emulator.endpoint);
      try {
        for (const workers of fleets) {
          for (const [load, arrivals] of [[`baseline ${baseline.perMinute}/min × ${baselineMinutes} min`, baseline], [`burst of ${burst}`, spike]] as const) {
            ctx.progress(`decoupled, ${workers} workers, ${load}`);
            const d = await runDecoupled(clients, outputs, VIDEO_STACK, {
              arrivals, workers, timeoutMs: Math.max(600_000, burst * 2000), log: ctx.progress,
            });
            rows.push(decoupledRow(load, workers, d));
            ctx.progress(`synchronous, ${workers} workers, ${load}`);
            const s = await runSynchronous({
              arrivals, workers, requestTimeoutMs: syncTimeoutMs, retries: syncRetries, outputWidth, log: ctx.progress,
            });
            rows.push(syncRow(load, workers, s));
            if (arrivals === spike) {
              plot[`decoupled-${workers}`] = d.samples;
              plot[`sync-${workers}`] = {
                timeline: s.stats.timeline.map(([t, waiting, running]) => [(t - s.startedAt) / 1000, waiting, running]),
                answered: s.calls.filter(c => c.ok).map(c => (c.endedAt - s.startedAt) / 1000).sort((a, b) => a - b),
                failed: s.calls.filter(c => !c.ok).map(c => (c.endedAt - s.startedAt) / 1000).sort((a, b) => a - b),
              };
            }
          }
        }
      } finally {
        clients.destroy();
      }
    } finally {
      reportStop(emulator, await stopEmulator(emulator));
      removeHandlers();
    }

    ctx.progress('scaling policy: VideoProcessingStack synthesized, its BacklogScaling simulated on the same arrivals (AWS timing)');
    const { result: sim, spec } = simulatePolicy(burst);
    const before = sim.timeline.filter(([t]) => t < SIM_BURST_AT && t >= SIM_BURST_AT - 300);
    // Running tasks (desired may be lower: protected tasks that stay busy are not stopped).
    const settled = before.length ? before[before.length - 1][2] : 0;
    const simDrain = sim.lastDoneByTag.burst !== undefined ? sim.lastDoneByTag.burst - sim.firstSentByTag.burst : null;
    rows.push({
      design: 'decoupled + its queue-depth scaling policy (simulated, AWS timing: 1-min videos, 60 s task start)',
      load: `baseline 10/min + burst of ${burst}`,
      workers: `${settled} → ${Math.max(...sim.timeline.filter(([t]) => t >= SIM_BURST_AT).map(x => x[2]))} (max ${spec.settings.maxWorkers})`,
      accepted: sim.total,
      total: sim.total,
      failed: 0,
      allDoneSeconds: simDrain,
      doneCount: sim.completed,
      moreThanOnce: sim.redeliveries,
      note: 'caller latency as measured for the decoupled front end (the queue accepts regardless of workers)',
    });
    plot.simulated = { timeline: sim.timeline, burstAt: SIM_BURST_AT, maxTasks: spec.settings.maxWorkers };

    const resultsDir = path.join(ctx.root, 'bench', 'results');
    fs.mkdirSync(resultsDir, { recursive: true });
    const dataFile = path.join(resultsDir, 'video-plot.json');
    fs.writeFileSync(dataFile, JSON.stringify(plot));
    const plotNote = renderPlot(ctx, dataFile, path.join(ctx.root, 'docs', 'video-spike.png'));

    const fmtDone = (r: Row) => (r.allDoneSeconds === null ? `never: ${r.doneCount} of ${r.total} done` : seconds(r.allDoneSeconds * 1000));
    const table = {
      title: `Video spike: decoupled vs synchronous, same clips (0.2 s, 64×64 → ${outputWidth} px H.264), same ffmpeg work, same workers`,
      columns: ['design', 'load', 'workers', 'uploads accepted', 'caller latency p50 / p99', 'failed or timed-out requests', 'time until all work done', 'work done more than once'],
      numeric: [false, false, true, true, true, true, true, true],
      rows: rows.map(r => [r.design, r.load, r.workers, `${r.accepted}/${r.total}`,
        r.p50 === undefined ? 'as measured' : `${seconds(r.p50)} / ${seconds(r.p99!)}`, String(r.failed), fmtDone(r), String(r.moreThanOnce)]),
    };
    const decoupledBurst = rows.filter(r => r.design.startsWith('decoupled (ours)') && r.load.startsWith('burst'));
    const syncBurst = rows.filter(r => r.design.startsWith('synchronous') && r.load.startsWith('burst'));
    const summary = decoupledBurst.map((d, i) => `burst of ${burst} at ${d.workers} workers: decoupled accepted ${d.accepted}, synchronous ${syncBurst[i]?.accepted} (${syncBurst[i]?.failed} failed)`);
    return {
      table,
      notes: [
        'decoupled: callers ask POST /uploads (SigV4, IAM) for a presigned URL and PUT the clip; a burst keeps 25 callers in flight (MiniStack starts one Node process per concurrent Lambda invocation); latency = both requests. Done = the worker logged "video transcoded".',
        `synchronous: every caller of a burst starts at once and POSTs the clip, waiting for the video; the service runs at most <workers> ffmpeg at once, answers 504 at ${syncTimeoutMs / 1000} s (a request being transcoded then still finishes: work nobody receives) and callers retry ${syncRetries} time(s). Latency = until the 200.`,
        ...rows.filter(r => r.note).map(r => `${r.design}, ${r.load}, ${r.workers} workers: ${r.note}`),
        `simulated: the policy parsed from the synthesized VideoProcessingStack (the BacklogScaling controller, every ${spec.scheduleSeconds} s: desired = what the backlog needs; ${spec.settings.minWorkers}–${spec.settings.maxWorkers} tasks); time until all work done = from the burst to its last video; ${settled} tasks running before the burst (after an hour of baseline; desired was ${before.length ? before[before.length - 1][1] : 0}: tasks protected from scale-in while busy keep running under steady load), peak ${sim.peakDesired} (the cold start from 0 tasks overshoots too); ${sim.completed}/${sim.total} done.`,
        `baseline ${baseline.perMinute}/min for ${baselineMinutes} min; each configuration runs once (a run takes minutes); machine load from other processes moves the times.`,
        plotNote,
      ],
      summary,
      settings: { burst, baselineMinutes, syncTimeoutMs, syncRetries, fleets, decoupledCallersInFlight: 25 },
      results: {
        rows,
        simulated: { peakDesired: sim.peakDesired, drainSeconds: simDrain, redeliveries: sim.redeliveries, workerSeconds: sim.workerSeconds },
      },
    };
  },
};
