import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';

/**
 * Golden tests of event patterns through AWS's own matching engine, event-ruler (Maven
 * `software.amazon.event.ruler:event-ruler`, the library behind EventBridge), run by a tiny Java
 * program (scripts/event-ruler/EventRulerRunner.java) built into .tools/event-ruler by
 * scripts/event-ruler.sh. Nothing here models matching: every answer comes from event-ruler.
 */

const root = path.resolve(__dirname, '..', '..');
const toolDir = path.join(root, '.tools', 'event-ruler');

/** One pattern and the events to match against it. */
export interface EventRulerCase {
  /** The event pattern, as an object (as CloudFormation's `EventPattern`) or JSON text. */
  readonly pattern: unknown;
  /** Whole events (`source`, `detail-type`, `detail`, ...). */
  readonly events: readonly unknown[];
}

/** What event-ruler said about one case. */
export interface EventRulerResult {
  /** Whether event-ruler accepts the pattern. */
  readonly valid: boolean;
  /** Per event, whether the pattern matches it (only when valid). */
  readonly matches?: boolean[];
  /** event-ruler's reason for refusing the pattern (only when not valid). */
  readonly error?: string;
}

let built = false;

/** Builds the runner when it is missing or stale (the script is idempotent and fast when up to date). */
export function ensureEventRuler(): void {
  if (built) return;
  const r = spawnSync('bash', [path.join(root, 'scripts', 'event-ruler.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) {
    throw new Error(`scripts/event-ruler.sh failed (exit ${r.status}): ${r.stderr}${r.stdout}\n` +
      'It needs Java 17+ and Maven with access to Maven Central (or a filled .tools/m2).');
  }
  if (!existsSync(path.join(toolDir, 'classes', 'EventRulerRunner.class'))) {
    throw new Error('scripts/event-ruler.sh did not build .tools/event-ruler/classes/EventRulerRunner.class');
  }
  built = true;
}

/**
 * Runs many cases in one JVM (≈ 0.5 s start-up, so batch them). Throws when the runner fails
 * in any way other than refusing a pattern.
 */
export function runEventRuler(cases: readonly EventRulerCase[]): EventRulerResult[] {
  ensureEventRuler();
  const classpath = [path.join(toolDir, 'classes'), path.join(toolDir, 'lib', '*')].join(path.delimiter);
  const r = spawnSync('java', ['-cp', classpath, 'EventRulerRunner'], {
    input: JSON.stringify(cases),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`EventRulerRunner failed (exit ${r.status}): ${r.stderr}`);
  const results = JSON.parse(r.stdout) as EventRulerResult[];
  if (results.length !== cases.length) throw new Error(`EventRulerRunner answered ${results.length} cases of ${cases.length}`);
  return results;
}

/**
 * Per event, whether event-ruler matches it with the pattern. Throws, with event-ruler's
 * reason, when the pattern is not valid.
 */
export function matchesWithEventRuler(pattern: unknown, events: readonly unknown[]): boolean[] {
  const [result] = runEventRuler([{ pattern, events }]);
  if (!result.valid) throw new Error(`event-ruler refuses the pattern ${JSON.stringify(pattern)}: ${result.error}`);
  return result.matches!;
}

/** An EventBridge event envelope around `detail`, for golden tests. */
export function eventOf(source: string, detailType: string, detail: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    'version': '0',
    'id': '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
    'detail-type': detailType,
    source,
    'account': '111111111111',
    'time': '2026-12-01T21:00:00Z',
    'region': 'us-east-1',
    'resources': [],
    detail,
    ...extra,
  };
}
