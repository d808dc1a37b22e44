/**
 * A broken wiring is caught: e2e/fixtures/broken-backbone.ts deploys the message backbone as a
 * second stack (IntegrationPatterns-BrokenBackbone) in the same emulator, with one deliberate break
 * (its SNS subscription filters out every order). The SAME scenario verification that passes for
 * the reference stack must fail here, and say what did not arrive, with ids.
 */
import { LocalClients, localClients } from './harness/clients';
import { deployApp } from './harness/deploy';
import { readEmulatorState } from './harness/emulator';
import { progress } from './harness/paths';
import { formatReport } from './harness/report';
import { assertScenario, messageBackboneScenario, ScenarioResult } from './harness/scenarios';

const BROKEN_STACK = 'IntegrationPatterns-BrokenBackbone';
let clients: LocalClients;
let result: ScenarioResult;

beforeAll(async () => {
  const emulator = readEmulatorState();
  const outputs = await deployApp({ endpoint: emulator.endpoint, label: 'broken-backbone', appFile: 'e2e/fixtures/broken-backbone.ts' });
  clients = localClients(emulator.endpoint);
  // Nothing reaches the queue, so the scenario stops waiting once the queue stays empty (about 10 s).
  const scenario = messageBackboneScenario(BROKEN_STACK, { label: 'message-backbone (broken fixture)' });
  result = await scenario.run({ clients, outputs, stackName: BROKEN_STACK, log: progress });
  progress(`broken fixture: the FAIL rows below are what this test expects\n${formatReport([result])}`);
}, 300_000);

afterAll(() => clients?.destroy());

describe('a broken wiring is caught (subscription filter policy drops every order)', () => {
  test('the message-backbone verification fails, naming the orders that did not arrive', () => {
    expect(() => assertScenario(result)).toThrow(
      /200 of 200 orders did not arrive in IntegrationPatterns-BrokenBackbone orders table: o-[0-9a-f]{6}-1, o-[0-9a-f]{6}-2, /);
  });

  test('it also names the poison messages missing from the DLQ', () => {
    expect(() => assertScenario(result)).toThrow(/5 of 5 poison messages did not arrive in IntegrationPatterns-BrokenBackbone DLQ: poison-[0-9a-f]{6}-1/);
  });
});
