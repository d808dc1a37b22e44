import { spawn } from 'child_process';

/** How one child process went. */
export interface ChildRun {
  /** Wall-clock milliseconds from spawn to exit. */
  readonly wallMs: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `node <script> ...args` in a fresh process (with `env`) and times it from spawn to exit. */
export function runNode(script: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    let exitedAt = started;
    const child = spawn(process.execPath, [script, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('exit', () => { exitedAt = process.hrtime.bigint(); });
    child.on('close', (code, signal) => {
      const stdout = Buffer.concat(out).toString('utf8');
      const stderr = Buffer.concat(err).toString('utf8');
      if (code !== 0) {
        reject(new Error(`node ${script} exited with ${code ?? signal}\n${stderr.trim()}`));
        return;
      }
      resolve({ wallMs: Number(exitedAt - started) / 1e6, stdout, stderr });
    });
  });
}
