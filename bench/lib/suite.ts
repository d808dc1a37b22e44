import { Table } from './table';

/** What every suite gets from the runner. */
export interface SuiteContext {
  /** Absolute path of the repository root. */
  readonly root: string;
  /** Measured runs per subject (env BENCH_RUNS, default 5). */
  readonly runs: number;
  /** Unmeasured warm-up runs per subject (env BENCH_WARMUP, default 1). */
  readonly warmup: number;
  /** Writes a progress line to stderr, prefixed with the suite name. */
  progress(message: string): void;
}

/** What a suite hands back: one table for stdout, and the data for bench/results/<suite>.json. */
export interface SuiteResult {
  readonly table: Table;
  /** Lines printed under the table (how to read it, caveats). */
  readonly notes?: string[];
  /** One or two lines for the final summary. */
  readonly summary: string[];
  /** Suite-specific settings, recorded in the JSON. */
  readonly settings?: Record<string, unknown>;
  /** Suite-specific results, recorded in the JSON under `results`. */
  readonly results: unknown;
}

/** A benchmark suite: `npx projen bench -- <name>` runs it alone. */
export interface Suite {
  readonly name: string;
  readonly description: string;
  run(ctx: SuiteContext): Promise<SuiteResult>;
}
