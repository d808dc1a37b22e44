/**
 * What a scenario is: sample traffic for one reference architecture, sent with AWS SDK v3 to the
 * emulator, and the rows that say whether it arrived where the pattern says.
 */
import { LocalClients } from '../clients';
import { StackOutputs } from '../deploy';

/** One checked expectation: `expected` things should be at `where`; `arrived` were. */
export interface Row {
  readonly architecture: string;
  /** What was checked, e.g. "valid orders recorded once". */
  readonly what: string;
  /** Where it should be: "table <name>", "DLQ", "queue". */
  readonly where: string;
  readonly expected: number;
  readonly arrived: number;
  readonly ok: boolean;
  /** When not ok: one sentence naming what did not arrive (or arrived where it must not), with ids. */
  readonly problem?: string;
}

export interface ScenarioResult {
  readonly architecture: string;
  readonly stackName: string;
  readonly rows: readonly Row[];
  readonly durationMs: number;
}

export interface ScenarioContext {
  readonly clients: LocalClients;
  /** Outputs of every deployed stack, by stack name. */
  readonly outputs: StackOutputs;
  /** The stack to check (a scenario can run against a fixture stack of the same architecture). */
  readonly stackName: string;
  /** Progress lines. */
  readonly log: (message: string) => void;
}

/** A reference architecture's end-to-end check. Add one per architecture in scenarios/index.ts. */
export interface Scenario {
  /** Short name shown in the table, e.g. "message-backbone". */
  readonly architecture: string;
  /** The stack the reference app deploys (`-c local=true`). */
  readonly stackName: string;
  run(context: ScenarioContext): Promise<ScenarioResult>;
}

/** The first `max` ids, then how many more: `o-1, o-2, … (+195 more)`. */
export function listIds(ids: readonly string[], max = 10): string {
  const shown = ids.slice(0, max).join(', ');
  return ids.length > max ? `${shown}, … (+${ids.length - max} more)` : shown;
}

/** A stack's output, or a clear error naming the stack and the outputs it has. */
export function output(outputs: StackOutputs, stackName: string, key: string): string {
  const stack = outputs[stackName];
  if (!stack) throw new Error(`stack ${stackName} is not deployed (deployed: ${Object.keys(outputs).join(', ') || 'none'})`);
  const value = stack[key];
  if (!value) throw new Error(`stack ${stackName} has no output ${key} (it has: ${Object.keys(stack).join(', ')})`);
  return value;
}

/** The problems of the rows that are not ok (empty when all are). */
export function problems(result: ScenarioResult): string[] {
  return result.rows.filter(r => !r.ok).map(r => r.problem ?? `${r.what}: expected ${r.expected} at ${r.where}, ${r.arrived} arrived`);
}

/** Throws one error listing every problem, if any row is not ok. */
export function assertScenario(result: ScenarioResult): void {
  const list = problems(result);
  if (list.length > 0) throw new Error(`${result.architecture} (${result.stackName}): ${list.length} check(s) failed:\n- ${list.join('\n- ')}`);
}
