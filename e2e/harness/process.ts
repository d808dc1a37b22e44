/**
 * Child processes of the local run: each in its own process group (so a timeout or Ctrl-C stops
 * the whole tree, e.g. npx -> node -> esbuild), output to a log file, stopped by process id only.
 */
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/** Process groups we started and have not seen end: the signal handlers stop these. */
const liveGroups = new Set<number>();

export interface RunOptions {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** Every line of stdout and stderr is appended here. */
  readonly logFile: string;
  /** Kill the process group after this long. */
  readonly timeoutMs: number;
  /** Also print each output line to our stdout with this prefix (default: quiet). */
  readonly echoPrefix?: string;
}

export interface RunResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly timedOut: boolean;
  readonly durationMs: number;
  /** The last lines of output, for error messages. */
  readonly tail: string;
}

/** Runs a command in its own process group; resolves when it ends (never rejects on exit code). */
export function run(command: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  fs.mkdirSync(path.dirname(options.logFile), { recursive: true });
  const log = fs.createWriteStream(options.logFile, { flags: 'a' });
  log.write(`\n$ ${command} ${args.join(' ')}\n`);
  const started = Date.now();
  const lines: string[] = [];
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const pid = child.pid;
    if (pid === undefined) {
      reject(new Error(`could not start ${command}`));
      return;
    }
    liveGroups.add(pid);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      log.write(`\n[local-aws] timeout after ${options.timeoutMs} ms: killing process group ${pid}\n`);
      void killGroup(pid, 3000);
    }, options.timeoutMs);
    let partial = '';
    const onData = (chunk: Buffer) => {
      log.write(chunk);
      const text = partial + chunk.toString('utf8');
      const parts = text.split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) {
        lines.push(line);
        if (lines.length > 40) lines.shift();
        if (options.echoPrefix !== undefined && line.trim()) process.stdout.write(`${options.echoPrefix}${line}\n`);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', err => {
      clearTimeout(timer);
      liveGroups.delete(pid);
      log.end();
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (partial) lines.push(partial);
      // The leader is gone; make sure nothing it left in its group lives on.
      void killGroup(pid, 2000).then(() => {
        liveGroups.delete(pid);
        log.end();
        resolve({ code, signal, timedOut, durationMs: Date.now() - started, tail: lines.slice(-20).join('\n') });
      });
    });
  });
}

/** Members of a process group that are still running (zombies excluded), as `pid command` lines. */
export function groupMembers(pgid: number): string[] {
  const ps = spawnSync('ps', ['-eo', 'pid=,pgid=,stat=,args='], { encoding: 'utf8' });
  if (ps.status !== 0) throw new Error(`ps failed: ${ps.stderr}`);
  return ps.stdout.split('\n')
    .map(line => line.trim().split(/\s+/))
    .filter(cols => cols.length >= 4 && Number(cols[1]) === pgid && !cols[2].startsWith('Z'))
    .map(cols => `${cols[0]} ${cols.slice(3).join(' ')}`);
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

/**
 * SIGTERM to the process group, SIGKILL after `graceMs` if anything is left; resolves with what
 * still runs afterwards (empty when clean).
 */
export async function killGroup(pgid: number, graceMs: number): Promise<string[]> {
  if (groupMembers(pgid).length === 0) return [];
  signalGroup(pgid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (groupMembers(pgid).length === 0) return [];
    await sleep(100);
  }
  signalGroup(pgid, 'SIGKILL');
  for (let i = 0; i < 20; i++) {
    if (groupMembers(pgid).length === 0) return [];
    await sleep(100);
  }
  return groupMembers(pgid);
}

/** Last resort (process 'exit' handler, must be synchronous): SIGKILL every group we started. */
export function killAllGroupsNow(extra: readonly number[] = []): void {
  for (const pgid of [...liveGroups, ...extra]) signalGroup(pgid, 'SIGKILL');
}

/** Stops every child group we started (used by the signal handlers). */
export async function killAllGroups(): Promise<void> {
  await Promise.all([...liveGroups].map(pgid => killGroup(pgid, 2000)));
}

/** One line of a JSON-logging program (unparseable lines are kept as `{ msg, raw: true }`). */
export type LogLine = Record<string, any>;

/**
 * A node program (a bundled worker) run the way its container runs it: `node <bundle>` in its own
 * process group, stdout and stderr to `<logDir>/<name>.log`, each stdout line parsed as JSON.
 * SIGTERM goes to the program alone, as ECS and `docker stop` send it to PID 1; SIGKILL goes to
 * the whole group (the program and e.g. its ffmpeg), as a killed container. Shared by the video
 * fleet (video-workers.ts) and the queue-worker e2e test.
 */
export class JsonLogProcess {
  public readonly lines: LogLine[] = [];
  public readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** When the process exited (ms since the epoch). */
  public exitedAt?: number;
  /** Where its output goes. */
  public readonly logPath: string;
  private readonly child: ReturnType<typeof spawn>;

  constructor(public readonly name: string, bundle: string, env: NodeJS.ProcessEnv, logDir: string) {
    this.child = spawn(process.execPath, [bundle], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    this.logPath = path.join(logDir, `${name}.log`);
    const logFile = fs.createWriteStream(this.logPath);
    let partial = '';
    this.child.stdout!.on('data', (chunk: Buffer) => {
      logFile.write(chunk);
      const parts = (partial + chunk.toString('utf8')).split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) {
        try { this.lines.push(JSON.parse(line)); } catch { this.lines.push({ msg: line, raw: true }); }
      }
    });
    this.child.stderr!.on('data', (chunk: Buffer) => logFile.write(chunk));
    this.exited = new Promise(resolve => this.child.once('exit', (code, signal) => {
      this.exitedAt = Date.now();
      logFile.end();
      resolve({ code, signal });
    }));
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** The log lines whose `msg` is `msg`. */
  logged(msg: string): LogLine[] {
    return this.lines.filter(l => l.msg === msg);
  }

  /** The first log line whose `msg` is `msg`, waiting up to `timeoutMs` for it. */
  async waitFor(msg: string, timeoutMs = 30_000): Promise<LogLine> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const hit = this.lines.find(l => l.msg === msg);
      if (hit) return hit;
      await sleep(100);
    }
    throw new Error(`${this.name}: no "${msg}" log line within ${timeoutMs} ms; log: ${this.logPath}\n`
      + this.lines.slice(-10).map(l => JSON.stringify(l)).join('\n'));
  }

  /** SIGKILL to the process group (a killed container); any other signal to the program alone (PID 1). */
  signal(signal: NodeJS.Signals): void {
    process.kill(signal === 'SIGKILL' ? -this.pid : this.pid, signal);
  }

  /** Kills the group if anything of it still runs (cleanup). */
  async kill(): Promise<void> {
    if (groupMembers(this.pid).length > 0) await killGroup(this.pid, 2000);
  }
}
