/**
 * Where the local AWS run keeps its state: everything under `.local-aws/` (gitignored).
 */
import * as path from 'path';

/** The repository root (this file is e2e/harness/paths.ts). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** Root of everything the local run writes. */
export const LOCAL_AWS_DIR = path.join(REPO_ROOT, '.local-aws');

export const paths = {
  root: LOCAL_AWS_DIR,
  venv: path.join(LOCAL_AWS_DIR, 'venv'),
  /** Pinned versions of what is installed in the venv; the venv is reused when they match. */
  venvPins: path.join(LOCAL_AWS_DIR, 'venv', 'pins.json'),
  tmp: path.join(LOCAL_AWS_DIR, 'tmp'),
  logs: path.join(LOCAL_AWS_DIR, 'logs'),
  emulatorLog: path.join(LOCAL_AWS_DIR, 'logs', 'ministack.log'),
  /** The running emulator (pid, endpoint), shared by jest's globalSetup, the tests and globalTeardown. */
  emulatorState: path.join(LOCAL_AWS_DIR, 'emulator.json'),
  outputs: path.join(LOCAL_AWS_DIR, 'outputs.json'),
  cdkOut: path.join(LOCAL_AWS_DIR, 'cdk.out'),
};

/** Prints a progress line, prefixed so it stands out from tool output. */
export function progress(message: string): void {
  process.stdout.write(`[local-aws] ${message}\n`);
}

/** Seconds since `start` (a Date.now() value), one decimal. */
export function secondsSince(start: number): string {
  return ((Date.now() - start) / 1000).toFixed(1);
}
