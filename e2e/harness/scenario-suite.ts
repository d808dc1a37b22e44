/**
 * What an architecture's e2e file shares with `npx projen local`: its scenario. Before the file's
 * tests the scenario runs once against the deployed stack and its report is printed; after them
 * the clients close. The tests read the scenario's rows (and, where they check more themselves,
 * the clients, outputs and emulator) from the returned object once beforeAll has run.
 */
import { LocalClients, localClients } from './clients';
import { readOutputs, StackOutputs } from './deploy';
import { EmulatorState, readEmulatorState } from './emulator';
import { progress } from './paths';
import { findRow, formatReport } from './report';
import { Row, ScenarioContext, ScenarioResult } from './scenarios/types';

/** The scenario run of one e2e file; every getter throws before beforeAll has run. */
export interface ScenarioSuite<R extends ScenarioResult> {
  readonly result: R;
  readonly clients: LocalClients;
  readonly outputs: StackOutputs;
  readonly emulator: EmulatorState;
  /** The result's row whose `what` starts with `prefix` (in `where`, if given); its problem text is the failure message. */
  row(prefix: string, where?: string): Row;
}

/** Registers the beforeAll that runs `run` against `stackName` (outputs: the deployed app's, unless `deploy` gives others) and the afterAll. */
export function scenarioSuite<R extends ScenarioResult>(
  stackName: string,
  run: (context: ScenarioContext) => Promise<R>,
  options: { deploy?: (emulator: EmulatorState) => Promise<StackOutputs>; timeoutMs?: number } = {},
): ScenarioSuite<R> {
  let state: { result: R; clients: LocalClients; outputs: StackOutputs; emulator: EmulatorState } | undefined;
  let clients: LocalClients | undefined;
  beforeAll(async () => {
    const emulator = readEmulatorState();
    const outputs = options.deploy ? await options.deploy(emulator) : readOutputs();
    clients = localClients(emulator.endpoint);
    const result = await run({ clients, outputs, stackName, log: progress });
    progress(`\n${formatReport([result])}`);
    state = { result, clients, outputs, emulator };
  }, options.timeoutMs ?? 300_000);
  afterAll(() => clients?.destroy());
  const ran = () => {
    if (!state) throw new Error(`the ${stackName} scenario has not run (its beforeAll failed, or a test read it outside a test)`);
    return state;
  };
  return {
    get result() { return ran().result; },
    get clients() { return ran().clients; },
    get outputs() { return ran().outputs; },
    get emulator() { return ran().emulator; },
    row: (prefix, where) => findRow(ran().result, prefix, where),
  };
}
