#!/usr/bin/env node
/**
 * `npx projen local`: the reference architectures on a local AWS emulator, end to end.
 *
 * Installs MiniStack (pinned, into .local-aws/venv), starts it on 127.0.0.1, bundles the handlers,
 * bootstraps, deploys every reference architecture (`-c local=true`), runs every scenario (real
 * messages with AWS SDK v3), prints one table, and stops the emulator whatever happens.
 * Exit code 0 only when every row is ok.
 *
 * Options: --keep leaves the emulator running afterwards (prints its endpoint and how to stop it).
 */
import * as path from 'path';
import { localClients } from './harness/clients';
import { bootstrap, bundleHandlers, deployApp } from './harness/deploy';
import { EmulatorState, installEmulator, reportStop, startEmulator, stopEmulator, stopOnExit } from './harness/emulator';
import { REPO_ROOT, paths, progress, secondsSince } from './harness/paths';
import { QuoteServer, startQuoteServer } from './harness/quote-server';
import { formatReport, allOk } from './harness/report';
import { scenarios, ScenarioResult } from './harness/scenarios';
import { dailyPriceDeployContext } from './harness/scenarios/daily-price';

const rel = (p: string) => path.relative(REPO_ROOT, p);

async function main(): Promise<number> {
  const started = Date.now();
  const keep = process.argv.includes('--keep');
  let emulator: EmulatorState | undefined;
  let removeHandlers: (() => void) | undefined;
  let quotes: QuoteServer | undefined;
  let stage = 'install';
  const results: ScenarioResult[] = [];
  let failure: Error | undefined;
  try {
    await installEmulator();
    stage = 'start';
    emulator = await startEmulator();
    removeHandlers = stopOnExit(emulator);
    stage = 'deploy';
    await bundleHandlers();
    await bootstrap(emulator.endpoint);
    // DailyPrice's quote endpoint: a 127.0.0.1 server of this process, up before the deploy.
    quotes = await startQuoteServer();
    const outputs = await deployApp({ endpoint: emulator.endpoint, label: 'reference', context: dailyPriceDeployContext(quotes) });
    stage = 'scenarios';
    const clients = localClients(emulator.endpoint);
    try {
      for (const scenario of scenarios) {
        progress(`scenario ${scenario.architecture} (${scenario.stackName}) ...`);
        results.push(await scenario.run({ clients, outputs, stackName: scenario.stackName, log: progress }));
      }
    } finally {
      clients.destroy();
    }
  } catch (err) {
    failure = err as Error;
  } finally {
    await quotes?.close();
    if (emulator && !keep) {
      reportStop(emulator, await stopEmulator(emulator));
      removeHandlers?.();
    } else if (emulator) {
      removeHandlers?.();
      progress(`--keep: MiniStack still runs at ${emulator.endpoint} (process group ${emulator.pid}); stop it with: kill -TERM -- -${emulator.pid}`);
    }
  }

  process.stdout.write('\n');
  if (results.length > 0) process.stdout.write(`${formatReport(results)}\n`);
  const ok = !failure && results.length === scenarios.length && allOk(results);
  process.stdout.write(`\nlocal AWS run: ${ok ? 'PASSED' : 'FAILED'} in ${secondsSince(started)} s\n`);
  if (!ok) {
    if (failure) process.stdout.write(`\nStopped at the ${stage} step: ${failure.message}\n`);
    process.stdout.write([
      '',
      'Next steps:',
      `- emulator log:    ${rel(paths.emulatorLog)} (Lambda invocations, CloudFormation events)`,
      `- tool logs:       ${rel(paths.logs)}/ (install.log, bundle.log, cdk-bootstrap.log, cdk-deploy-reference.log)`,
      `- stack outputs:   ${rel(paths.outputs)}`,
      '- rerun and keep the emulator up to look around: npx projen local --keep',
      '  then e.g. AWS_ENDPOINT_URL=<endpoint> AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1 aws sqs list-queues',
      '- what the emulator does not check: docs/local-aws-fidelity.md',
      '',
    ].join('\n'));
  }
  return ok ? 0 : 1;
}

main().then(code => process.exit(code), err => {
  console.error(err);
  process.exit(1);
});
