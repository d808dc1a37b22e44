/**
 * The local AWS emulator: MiniStack (PyPI `ministack`), pinned, installed into .local-aws/venv,
 * started on 127.0.0.1 with a free port in its own process group, stopped by killing that group.
 *
 * CDK's Python custom resources (e.g. S3 bucket notifications) run on MiniStack's own interpreter,
 * so boto3 is installed next to it; without it such a deploy hangs for an hour. Node Lambdas run as
 * host processes that inherit NODE_PATH, which points at this repo's node_modules so CDK-owned
 * Node handlers find the real AWS SDK v3 instead of MiniStack's partial stubs.
 */
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { REPO_ROOT, paths, progress, secondsSince } from './paths';
import { groupMembers, killAllGroups, killAllGroupsNow, killGroup, run } from './process';

/** Exact versions installed into the emulator's venv. Bump together, then rerun (the venv is rebuilt). */
export const MINISTACK_PINS: Readonly<Record<string, string>> = {
  ministack: '1.5.33',
  // ministack 1.5.33 pins botocore==1.43.106; boto3 of the same version matches it.
  boto3: '1.43.106',
  cryptography: '50.0.2',
};

/** A running emulator, as written to .local-aws/emulator.json for other processes (jest). */
export interface EmulatorState {
  readonly pid: number;
  readonly port: number;
  readonly endpoint: string;
  readonly logFile: string;
  readonly version: string;
}

export interface StopReport {
  /** Processes of the emulator's group still running after SIGKILL (empty when clean). */
  readonly survivors: string[];
  /** Whether something still accepts connections on the port. */
  readonly portStillOpen: boolean;
}

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

function pinsMatch(): boolean {
  try {
    const installed = JSON.parse(fs.readFileSync(paths.venvPins, 'utf8')) as Record<string, string>;
    return JSON.stringify(installed) === JSON.stringify(MINISTACK_PINS) && fs.existsSync(path.join(paths.venv, 'bin', 'ministack'));
  } catch {
    return false;
  }
}

/** Installs the pinned MiniStack into .local-aws/venv, or reuses it when the pins already match. */
export async function installEmulator(): Promise<void> {
  const pinList = Object.entries(MINISTACK_PINS).map(([name, version]) => `${name}==${version}`);
  if (pinsMatch()) {
    progress(`MiniStack: reusing ${path.relative(REPO_ROOT, paths.venv)} (${pinList.join(' ')})`);
    return;
  }
  const started = Date.now();
  const logFile = path.join(paths.logs, 'install.log');
  fs.rmSync(paths.venv, { recursive: true, force: true });
  fs.mkdirSync(paths.logs, { recursive: true });
  const python = process.env.LOCAL_AWS_PYTHON ?? 'python3';
  progress(`MiniStack: creating ${path.relative(REPO_ROOT, paths.venv)} with ${python}`);
  const env = { ...process.env, PIP_DISABLE_PIP_VERSION_CHECK: '1', PIP_NO_INPUT: '1' };
  const venv = await run(python, ['-m', 'venv', paths.venv], { cwd: REPO_ROOT, env, logFile, timeoutMs: 120_000 });
  if (venv.code !== 0) throw new Error(`python3 -m venv failed (see ${logFile}):\n${venv.tail}`);
  progress(`MiniStack: pip install ${pinList.join(' ')} (from PyPI, about 30 s)`);
  const pip = await run(path.join(paths.venv, 'bin', 'pip'), ['install', '--progress-bar', 'off', ...pinList], {
    cwd: REPO_ROOT, env, logFile, timeoutMs: 600_000,
  });
  if (pip.code !== 0) throw new Error(`pip install failed (see ${logFile}):\n${pip.tail}`);
  fs.writeFileSync(paths.venvPins, JSON.stringify(MINISTACK_PINS));
  progress(`MiniStack: installed in ${secondsSince(started)} s`);
}

/** A port that was free a moment ago (bind port 0 on loopback, read it, close). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address() as net.AddressInfo;
      server.close(() => resolve(address.port));
    });
  });
}

function portOpen(port: number): Promise<boolean> {
  return new Promise(resolve => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.setTimeout(1000);
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('timeout', () => { socket.destroy(); resolve(false); });
    socket.once('error', () => resolve(false));
  });
}

/** Listening TCP sockets of a process group that are not on loopback (should be none). */
export function exposedListeners(pgid: number): string[] {
  const ss = spawnSync('ss', ['-ltnpH'], { encoding: 'utf8' });
  if (ss.status !== 0) return [];
  const pids = new Set(groupMembers(pgid).map(line => line.split(' ')[0]));
  return ss.stdout.split('\n').filter(line => {
    const owners = [...line.matchAll(/pid=(\d+)/g)].map(m => m[1]);
    const local = line.trim().split(/\s+/)[3] ?? '';
    return owners.some(p => pids.has(p)) && !local.startsWith('127.') && !local.startsWith('[::1]');
  });
}

function tailOf(file: string, lines = 30): string {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * Starts MiniStack on 127.0.0.1:<free port> in its own process group and waits for
 * /_ministack/health. Writes .local-aws/emulator.json.
 */
export async function startEmulator(options: { healthTimeoutMs?: number } = {}): Promise<EmulatorState> {
  const healthTimeoutMs = options.healthTimeoutMs ?? 60_000;
  fs.mkdirSync(paths.tmp, { recursive: true });
  fs.mkdirSync(paths.logs, { recursive: true });
  for (let attempt = 1; attempt <= 3; attempt++) {
    const port = await freePort();
    const started = Date.now();
    const out = fs.openSync(paths.emulatorLog, 'a');
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      LANG: process.env.LANG ?? 'C.UTF-8',
      GATEWAY_PORT: String(port),
      BIND_HOST: '127.0.0.1',
      // Host in the URLs MiniStack hands out (queue URLs): the SDK calls them, so keep them on loopback.
      MINISTACK_HOST: '127.0.0.1',
      MINISTACK_REGION: 'us-east-1',
      // Otherwise MiniStack opens an MQTT listener on 0.0.0.0:8883 (IoT) and may open SFTP.
      IOT_MTLS_ENABLED: '0',
      SFTP_ENABLED: '0',
      LOG_LEVEL: process.env.LOCAL_AWS_LOG_LEVEL ?? 'INFO',
      // Lambda code is extracted under TMPDIR; keep it (and any state) inside .local-aws.
      TMPDIR: paths.tmp,
      STATE_DIR: path.join(paths.tmp, 'state'),
      S3_DATA_DIR: path.join(paths.tmp, 's3'),
      // Node Lambdas inherit it: CDK-owned handlers find the real AWS SDK v3 here.
      NODE_PATH: path.join(REPO_ROOT, 'node_modules'),
    };
    const child = spawn(path.join(paths.venv, 'bin', 'ministack'), [], { cwd: paths.root, env, detached: true, stdio: ['ignore', out, out] });
    fs.closeSync(out);
    const pid = child.pid;
    if (pid === undefined) throw new Error('could not start MiniStack');
    child.unref();
    let exited: number | null | undefined;
    child.once('exit', code => { exited = code; });
    const endpoint = `http://127.0.0.1:${port}`;
    progress(`MiniStack: starting on ${endpoint} (pid ${pid}, log ${path.relative(REPO_ROOT, paths.emulatorLog)})`);
    while (Date.now() - started < healthTimeoutMs && exited === undefined) {
      try {
        const res = await fetch(`${endpoint}/_ministack/health`, { signal: AbortSignal.timeout(2000) });
        if (res.ok) {
          const body = await res.json() as { version?: string };
          const state: EmulatorState = { pid, port, endpoint, logFile: paths.emulatorLog, version: body.version ?? 'unknown' };
          fs.writeFileSync(paths.emulatorState, JSON.stringify(state, null, 2));
          const exposed = exposedListeners(pid);
          if (exposed.length > 0) {
            await stopEmulator(state);
            throw new Error(`MiniStack listens beyond loopback, stopped it:\n${exposed.join('\n')}`);
          }
          progress(`MiniStack ${state.version}: healthy after ${secondsSince(started)} s, listening on 127.0.0.1 only`);
          return state;
        }
      } catch (err) {
        if ((err as Error).message.startsWith('MiniStack listens')) throw err;
        // not up yet
      }
      await sleep(200);
    }
    await killGroup(pid, 2000);
    if (exited !== undefined && attempt < 3) {
      progress(`MiniStack exited early (code ${exited}); port ${port} may have been taken, retrying`);
      continue;
    }
    throw new Error(`MiniStack was not healthy within ${healthTimeoutMs / 1000} s. Last log lines (${paths.emulatorLog}):\n${tailOf(paths.emulatorLog)}`);
  }
  throw new Error('MiniStack did not start');
}

/** Reads .local-aws/emulator.json (written by startEmulator). */
export function readEmulatorState(): EmulatorState {
  if (!fs.existsSync(paths.emulatorState)) {
    throw new Error(`no running emulator: ${paths.emulatorState} is missing (the e2e globalSetup or \`npx projen local\` writes it)`);
  }
  return JSON.parse(fs.readFileSync(paths.emulatorState, 'utf8')) as EmulatorState;
}

/** Whether MiniStack at `state.endpoint` answers its health check within 2 s. */
export async function emulatorHealthy(state: EmulatorState): Promise<boolean> {
  try {
    return (await fetch(`${state.endpoint}/_ministack/health`, { signal: AbortSignal.timeout(2000) })).ok;
  } catch {
    return false;
  }
}

/**
 * The running emulator (the e2e globalSetup's or `npx projen local`'s) when it is healthy, else
 * one started here; `own` says that the caller started it, and must stop it (stopEmulator).
 */
export async function runningOrOwnEmulator(): Promise<{ emulator: EmulatorState; own: boolean }> {
  let state: EmulatorState | undefined;
  try {
    state = readEmulatorState();
  } catch {
    state = undefined;
  }
  if (state && await emulatorHealthy(state)) return { emulator: state, own: false };
  await installEmulator();
  return { emulator: await startEmulator(), own: true };
}

/**
 * Stops the emulator and its Lambda workers: SIGTERM to the process group, SIGKILL after a grace
 * period, then checks that no process of the group survives and that the port is closed.
 */
export async function stopEmulator(state: EmulatorState, graceMs = 5000): Promise<StopReport> {
  const survivors = await killGroup(state.pid, graceMs);
  const portStillOpen = await portOpen(state.port);
  try {
    const current = JSON.parse(fs.readFileSync(paths.emulatorState, 'utf8')) as EmulatorState;
    if (current.pid === state.pid) fs.rmSync(paths.emulatorState);
  } catch {
    // already gone
  }
  return { survivors, portStillOpen };
}

/** Prints the outcome of a stop; returns whether it was clean. */
export function reportStop(state: EmulatorState, report: StopReport): boolean {
  if (report.survivors.length === 0 && !report.portStillOpen) {
    progress(`MiniStack: stopped (process group ${state.pid}: no process left, port ${state.port} closed)`);
    return true;
  }
  progress(`MiniStack: NOT cleanly stopped. Still running in group ${state.pid}:\n${report.survivors.join('\n')}${report.portStillOpen ? `\nport ${state.port} still open` : ''}`);
  return false;
}

/**
 * Stops the emulator (and any child command) when this process is interrupted or crashes:
 * SIGINT/SIGTERM/SIGHUP, uncaught exceptions and unhandled rejections (unless `uncaughtErrors`
 * is false); and, as a last resort, SIGKILLs the group when the process exits. Returns a function that removes the handlers.
 */
export function stopOnExit(state: EmulatorState, options: { uncaughtErrors?: boolean } = {}): () => void {
  let stopping = false;
  const stopAndExit = (code: number, why: string) => {
    if (stopping) return;
    stopping = true;
    progress(`${why}: stopping MiniStack (pid ${state.pid})`);
    void Promise.all([killAllGroups(), stopEmulator(state, 2000)])
      .then(([, report]) => reportStop(state, report))
      .finally(() => process.exit(code));
  };
  const signals: Array<[NodeJS.Signals, number]> = [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]];
  const signalHandlers = signals.map(([signal, code]) => {
    const handler = () => stopAndExit(code, `received ${signal}`);
    process.on(signal, handler);
    return [signal, handler] as const;
  });
  const onError = (err: unknown) => {
    console.error(err);
    stopAndExit(1, 'uncaught error');
  };
  const onExit = () => killAllGroupsNow([state.pid]);
  // Inside jest, jest owns uncaught errors: only signals and exit are ours there.
  const errors = options.uncaughtErrors ?? true;
  if (errors) {
    process.on('uncaughtException', onError);
    process.on('unhandledRejection', onError);
  }
  process.on('exit', onExit);
  return () => {
    for (const [signal, handler] of signalHandlers) process.off(signal, handler);
    process.off('uncaughtException', onError);
    process.off('unhandledRejection', onError);
    process.off('exit', onExit);
  };
}
