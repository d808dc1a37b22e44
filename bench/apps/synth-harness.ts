/**
 * Runs inside the measured child process. The app files call {@link synthAndReport}; by then
 * esbuild's bundle has already loaded aws-cdk-lib and the subject's code, so
 * `performance.now()` (milliseconds since this process started) is the start-up + module-load
 * time. Prints one JSON line on stdout, which the parent parses.
 */
import { performance } from 'perf_hooks';
import { App, Stack } from 'aws-cdk-lib';

/** What a measured child prints (one JSON line on stdout). */
export interface SynthReport {
  /** Milliseconds from process start to `new App()` (Node start-up + module loading). */
  readonly loadMs: number;
  /** Milliseconds of `new App()`, the stack's constructor and `app.synth()`. */
  readonly inProcessMs: number;
  /** CPU time (user + system) of the whole process, in milliseconds: less sensitive to a busy machine than wall time. */
  readonly cpuMs: number;
  /** Peak resident set size of the process, in kilobytes (`process.resourceUsage().maxRSS`). */
  readonly maxRssKb: number;
  /** V8 heap in use at the end, in bytes. */
  readonly heapUsedBytes: number;
  /** Absolute path of the synthesized template. */
  readonly templateFile: string;
}

/**
 * Builds the App (into the outdir given as the first argument), lets `build` add the stack,
 * synthesizes, and reports.
 */
export function synthAndReport(build: (app: App) => Stack): void {
  const outdir = process.argv[2];
  if (!outdir) {
    throw new Error('usage: node <app>.js <outdir>');
  }
  const start = performance.now();
  const app = new App({ outdir });
  const stack = build(app);
  const assembly = app.synth();
  const end = performance.now();
  const usage = process.resourceUsage();
  const report: SynthReport = {
    loadMs: start,
    inProcessMs: end - start,
    cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000,
    maxRssKb: usage.maxRSS,
    heapUsedBytes: process.memoryUsage().heapUsed,
    templateFile: assembly.getStackArtifact(stack.artifactId).templateFullPath,
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}
