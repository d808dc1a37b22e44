/**
 * Installs (pinned, into .local-aws/appsync-realtime) and starts the real-time proof server
 * (./server.ts) on 127.0.0.1 in its own process group; stops it by that process id.
 */
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { LOCAL_AWS_DIR, REPO_ROOT } from '../paths';
import { groupMembers, killGroup } from '../process';
import type { RealtimeServerConfig } from './server';

/** Exact versions installed into the tool folder. `ws` is also what the protocol client uses. */
export const REALTIME_PINS: Readonly<Record<string, string>> = {
  'amplify-appsync-simulator': '2.4.1',
  'ws': '8.23.0',
};

export const REALTIME_TOOL_DIR = path.join(LOCAL_AWS_DIR, 'appsync-realtime');

/** Installs the pinned packages with npm (the ordinary client) unless they are already there. */
export function installRealtimeTools(): void {
  const pinsFile = path.join(REALTIME_TOOL_DIR, 'pins.json');
  const wanted = JSON.stringify(REALTIME_PINS);
  if (fs.existsSync(pinsFile) && fs.readFileSync(pinsFile, 'utf8') === wanted) return;
  fs.mkdirSync(REALTIME_TOOL_DIR, { recursive: true });
  fs.writeFileSync(path.join(REALTIME_TOOL_DIR, 'package.json'), JSON.stringify({ name: 'appsync-realtime-tools', private: true }));
  const specs = Object.entries(REALTIME_PINS).map(([n, v]) => `${n}@${v}`);
  const out = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--no-save', '--ignore-scripts', ...specs], { cwd: REALTIME_TOOL_DIR, encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`npm install ${specs.join(' ')} failed in ${REALTIME_TOOL_DIR}:\n${out.stderr}`);
  fs.writeFileSync(pinsFile, wanted);
}

/** The part of the `ws` package the protocol client uses. */
export interface WsSocket {
  readonly readyState: number;
  readonly protocol: string;
  send(data: string): void;
  close(code?: number): void;
  on(event: 'open' | 'close', listener: () => void): this;
  on(event: 'message', listener: (data: Buffer) => void): this;
  on(event: 'error', listener: (err: Error) => void): this;
}
export type WsConstructor = new (url: string, protocols: string | string[]) => WsSocket;

/** The `ws` package from the tool folder (pinned above). */
export function wsModule(): WsConstructor {
  installRealtimeTools();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(path.join(REALTIME_TOOL_DIR, 'node_modules', 'ws'));
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/** A running proof server. */
export interface RealtimeServer {
  readonly pid: number;
  readonly port: number;
  readonly httpUrl: string;
  readonly wsUrl: string;
  readonly apiKey: string;
  /** Every address the process listens on (from `ss`), to prove it is loopback only. */
  listeningAddresses(): string[];
  stop(): Promise<string[]>;
}

export async function startRealtimeServer(input: Omit<RealtimeServerConfig, 'toolDir' | 'port' | 'apiKey'>): Promise<RealtimeServer> {
  installRealtimeTools();
  const port = await freePort();
  const apiKey = 'da2-localrealtimeproof';
  const configFile = path.join(REALTIME_TOOL_DIR, `server-${port}.json`);
  fs.writeFileSync(configFile, JSON.stringify({ ...input, toolDir: REALTIME_TOOL_DIR, port, apiKey } satisfies RealtimeServerConfig));
  const logFile = path.join(LOCAL_AWS_DIR, 'logs', `appsync-realtime-${port}.log`);
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const log = fs.openSync(logFile, 'a');
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(__dirname, 'server.ts'), configFile], {
    cwd: REPO_ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', log],
    env: { ...process.env, TS_NODE_PROJECT: path.join(REPO_ROOT, 'e2e', 'tsconfig.json') },
  });
  const pid = child.pid!;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`real-time server did not start in 60 s (log: ${logFile})`)), 60_000);
    let buffered = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      fs.appendFileSync(logFile, chunk);
      if (buffered.includes('"ready":true')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`real-time server exited with ${code} before it was ready (log: ${logFile}):\n${fs.readFileSync(logFile, 'utf8').slice(-2000)}`));
    });
  });
  child.stdout!.on('data', (chunk: Buffer) => fs.appendFileSync(logFile, chunk));
  return {
    pid,
    port,
    apiKey,
    httpUrl: `http://127.0.0.1:${port}/graphql`,
    wsUrl: `ws://127.0.0.1:${port}/graphql`,
    listeningAddresses: () => {
      const ss = spawnSync('ss', ['-ltnpH'], { encoding: 'utf8' });
      return ss.stdout.split('\n').filter(l => l.includes(`pid=${pid},`)).map(l => l.trim().split(/\s+/)[3]);
    },
    stop: async () => {
      const left = await killGroup(pid, 3000);
      fs.closeSync(log);
      return left.length ? left : groupMembers(pid);
    },
  };
}
