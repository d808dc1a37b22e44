/**
 * The video transcoder fleet as local processes: the SAME bundle the container image runs
 * (assets/video-transcoder/index.js, built by `npx projen bundle`), started with `node`, with real
 * ffmpeg, and configured from the deployed stack's `WorkerEnvironment` output, which is the
 * environment the task definition gives the container (the contract test compares the two). The
 * only additions are what any process needs to reach the emulator instead of AWS
 * ({@link EMULATOR_ONLY_VARIABLES}).
 *
 * Each worker runs in its own process group: SIGKILL takes the worker and its ffmpeg, as a
 * stopped container would; SIGTERM goes to the worker alone, as ECS sends it to PID 1.
 */
import * as path from 'path';
import { localAwsEnv } from './deploy';
import { REPO_ROOT } from './paths';
import { groupMembers, JsonLogProcess, killGroup, LogLine } from './process';

/** The bundle the container image runs (`CMD ["node", "/app/index.js"]`). */
export const TRANSCODER_BUNDLE = path.join(REPO_ROOT, 'assets', 'video-transcoder', 'index.js');

/**
 * What a local worker gets beyond the task definition's environment: the emulator's endpoint,
 * dummy credentials and region, no shared config/credentials file and no instance metadata (so
 * nothing of a real account can leak in: `localAwsEnv`), and path-style S3 (the emulator has no
 * `<bucket>.<host>` DNS). On Fargate the task role, the region and AWS's endpoints provide these.
 */
export const EMULATOR_ONLY_VARIABLES = [
  'AWS_ENDPOINT_URL', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION', 'AWS_DEFAULT_REGION',
  'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_EC2_METADATA_DISABLED', 'S3_FORCE_PATH_STYLE',
];

/** The stack's WorkerEnvironment output, parsed (the environment of the task definition). */
export function parseWorkerEnvironment(json: string): Record<string, string> {
  const env = JSON.parse(json) as Record<string, unknown>;
  for (const [key, value] of Object.entries(env)) {
    if (typeof value !== 'string') throw new Error(`WorkerEnvironment.${key} is ${JSON.stringify(value)}, expected a string`);
  }
  return env as Record<string, string>;
}

/** The full environment of a local worker: the task definition's, plus the emulator-only variables. */
export function localWorkerEnv(endpoint: string, taskEnvironment: Record<string, string>): NodeJS.ProcessEnv {
  const base = localAwsEnv(endpoint);
  return {
    ...base,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...taskEnvironment,
    S3_FORCE_PATH_STYLE: 'true',
  };
}

export type { LogLine } from './process';

/** One worker process of the fleet: the transcoder bundle, with its JSON log lines. */
export class LocalWorker extends JsonLogProcess {
  constructor(name: string, env: NodeJS.ProcessEnv, logDir: string) {
    super(name, TRANSCODER_BUNDLE, env, logDir);
  }

  /** The job this worker is in the middle of (its last job line is `job started`), if any. */
  jobInProgress(): LogLine | undefined {
    const last = [...this.lines].reverse().find(l => typeof l.messageId === 'string');
    return last?.msg === 'job started' ? last : undefined;
  }
}

/** A fleet of local workers that can grow, lose a worker to SIGKILL, and stop. */
export class WorkerFleet {
  public readonly workers: LocalWorker[] = [];
  /** (time, workers running) each time the count changes. */
  public readonly sizeOverTime: Array<[number, number]> = [];

  constructor(private readonly env: NodeJS.ProcessEnv, private readonly logDir: string, private readonly prefix = 'worker') {}

  get running(): LocalWorker[] {
    return this.workers.filter(w => w.exitedAt === undefined);
  }

  /** Starts workers until `count` run. */
  scaleTo(count: number): void {
    while (this.running.length < count) {
      const w = new LocalWorker(`${this.prefix}-${this.workers.length + 1}`, this.env, this.logDir);
      this.workers.push(w);
      void w.exited.then(() => this.sizeOverTime.push([Date.now(), this.running.length]));
    }
    this.sizeOverTime.push([Date.now(), this.running.length]);
  }

  /** Waits until every running worker logged `worker started` (or exited). */
  async started(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.running.every(w => w.logged('worker started').length > 0)) return;
      await new Promise(r => setTimeout(r, 100));
    }
    throw new Error(`workers did not start within ${timeoutMs} ms (logs in ${this.logDir})`);
  }

  /** Every log line of every worker. */
  lines(): LogLine[] {
    return this.workers.flatMap(w => w.lines.map(l => ({ ...l, worker: w.name })));
  }

  /** SIGTERM to each running worker (they drain and exit 0); SIGKILL what is left after `graceMs`. */
  async stop(graceMs = 30_000): Promise<Array<{ name: string; code: number | null; signal: NodeJS.Signals | null }>> {
    const live = this.running;
    for (const w of live) w.signal('SIGTERM');
    const exits = await Promise.all(live.map(async w => {
      const exit = await Promise.race([w.exited, new Promise<null>(r => setTimeout(() => r(null), graceMs))]);
      if (exit === null) {
        await killGroup(w.pid, 1000);
        return { name: w.name, code: null, signal: 'SIGKILL' as NodeJS.Signals };
      }
      return { name: w.name, ...exit };
    }));
    return exits;
  }

  /** Kills every process group still alive (cleanup). */
  async kill(): Promise<void> {
    for (const w of this.workers) {
      if (groupMembers(w.pid).length > 0) await killGroup(w.pid, 1000);
    }
  }
}
