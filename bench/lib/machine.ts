import { execFileSync } from 'child_process';
import * as os from 'os';

/** Where and with what the figures were measured, recorded in every results file. */
export interface MachineInfo {
  readonly node: string;
  readonly platform: string;
  readonly cpuModel: string;
  readonly cores: number;
  readonly totalMemoryMb: number;
  /** One-minute load average when the run started: a busy machine makes every figure slower. */
  readonly loadAverage1m: number;
  readonly date: string;
  readonly gitCommit: string;
  /** True when the working tree had uncommitted changes: the figures are not of `gitCommit` alone. */
  readonly gitDirty: boolean;
  readonly awsCdkLib: string;
}

function git(root: string, args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

export function machineInfo(root: string): MachineInfo {
  const cpus = os.cpus();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const cdkVersion = (require('aws-cdk-lib/package.json') as { version: string }).version;
  return {
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    totalMemoryMb: Math.round(os.totalmem() / 1024 / 1024),
    loadAverage1m: Number(os.loadavg()[0].toFixed(2)),
    date: new Date().toISOString(),
    gitCommit: git(root, ['rev-parse', 'HEAD']),
    gitDirty: git(root, ['status', '--porcelain']) !== '',
    awsCdkLib: cdkVersion,
  };
}
