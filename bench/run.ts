/**
 * The benchmark runner: `npx projen bench` runs every suite, `npx projen bench -- synth` (or
 * BENCH_SUITES=synth) runs the named ones. Each suite prints one table on stdout and writes
 * bench/results/<suite>.json; progress goes to stderr. See bench/README.md.
 */
import { promises as fs } from 'fs';
import * as path from 'path';
import { machineInfo } from './lib/machine';
import { SuiteContext } from './lib/suite';
import { renderTable } from './lib/table';
import { SUITES } from './suites';

const ROOT = path.resolve(__dirname, '..');
const RESULTS_DIR = path.join(__dirname, 'results');
/** Bump when the layout of bench/results/*.json changes. */
const SCHEMA_VERSION = 1;

function intFromEnv(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    throw new Error(`${name}=${raw}: expected a whole number >= ${min}`);
  }
  return value;
}

function usage(): string {
  return [
    'usage: npx projen bench [-- <suite>...]    (or BENCH_SUITES=a,b npx projen bench)',
    'env: BENCH_RUNS (measured runs per subject, default 5), BENCH_WARMUP (default 1)',
    'suites:',
    ...SUITES.map(s => `  ${s.name.padEnd(10)} ${s.description}`),
  ].join('\n');
}

function selectSuites(args: string[]) {
  const names = args.length > 0 ? args : (process.env.BENCH_SUITES ?? '').split(',').map(s => s.trim()).filter(Boolean);
  if (names.length === 0) return SUITES;
  const unknown = names.filter(n => !SUITES.some(s => s.name === n));
  if (unknown.length > 0) {
    throw new Error(`unknown suite(s): ${unknown.join(', ')}\n${usage()}`);
  }
  return SUITES.filter(s => names.includes(s.name));
}

async function main(): Promise<number> {
  const args = process.argv.slice(2).filter(a => a !== '--');
  if (args.includes('--help') || args.includes('-h') || args.includes('--list')) {
    process.stdout.write(`${usage()}\n`);
    return 0;
  }
  const suites = selectSuites(args);
  const runs = intFromEnv('BENCH_RUNS', 5, 1);
  const warmup = intFromEnv('BENCH_WARMUP', 1, 0);
  const machine = machineInfo(ROOT);
  await fs.mkdir(RESULTS_DIR, { recursive: true });

  const started = Date.now();
  process.stderr.write(`bench: ${suites.map(s => s.name).join(', ')} | ${runs} runs + ${warmup} warm-up | `
    + `node ${machine.node}, ${machine.cores} × ${machine.cpuModel}, commit ${machine.gitCommit.slice(0, 7)}${machine.gitDirty ? ' (dirty)' : ''}\n`);

  const summary: string[] = [];
  let failed = 0;
  for (const suite of suites) {
    const suiteStarted = Date.now();
    const ctx: SuiteContext = {
      root: ROOT,
      runs,
      warmup,
      progress: message => process.stderr.write(`[${suite.name}] ${message}\n`),
    };
    ctx.progress(suite.description);
    try {
      const result = await suite.run(ctx);
      const durationMs = Date.now() - suiteStarted;
      const file = path.join(RESULTS_DIR, `${suite.name}.json`);
      await fs.writeFile(file, `${JSON.stringify({
        schemaVersion: SCHEMA_VERSION,
        suite: suite.name,
        description: suite.description,
        machine,
        durationMs,
        settings: { runs, warmup, ...result.settings },
        table: result.table,
        notes: result.notes ?? [],
        summary: result.summary,
        results: result.results,
      }, undefined, 2)}\n`);
      process.stdout.write(`\n${renderTable(result.table)}\n\n${(result.notes ?? []).map(n => `- ${n}`).join('\n')}\n`);
      summary.push(...result.summary.map(line => `${suite.name}: ${line}`));
      summary.push(`${suite.name}: ${(durationMs / 1000).toFixed(1)} s, results in ${path.relative(ROOT, file)}`);
    } catch (error) {
      failed++;
      process.stderr.write(`[${suite.name}] FAILED: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
      summary.push(`${suite.name}: FAILED (see stderr)`);
    }
  }

  const total = ((Date.now() - started) / 1000).toFixed(1);
  process.stdout.write(`\n### Summary\n\n${summary.map(s => `- ${s}`).join('\n')}\n- total: ${total} s on ${machine.cores} × ${machine.cpuModel}, node ${machine.node}\n`);
  return failed > 0 ? 1 : 0;
}

main().then(code => { process.exitCode = code; }, error => {
  process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
