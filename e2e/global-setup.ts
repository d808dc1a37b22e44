/**
 * jest globalSetup of the e2e suite: install and start MiniStack, bundle, bootstrap and deploy the
 * reference app (`-c local=true`). The emulator's pid and endpoint go to .local-aws/emulator.json
 * and the stack outputs to .local-aws/outputs.json, where the tests and globalTeardown read them.
 * jest skips globalTeardown when globalSetup fails, so a failure here stops the emulator itself.
 */
import { bootstrap, bundleHandlers, deployApp } from './harness/deploy';
import { installEmulator, reportStop, startEmulator, stopEmulator, stopOnExit } from './harness/emulator';
import { progress } from './harness/paths';
import { QUOTE_SERVER_GLOBAL, QuoteServer, startQuoteServer } from './harness/quote-server';
import { dailyPriceDeployContext } from './harness/scenarios/daily-price';

export default async function globalSetup(): Promise<void> {
  process.stdout.write('\n');
  await installEmulator();
  const emulator = await startEmulator();
  // Ctrl-C or a kill of jest stops the emulator; on exit its group is SIGKILLed as a last resort.
  stopOnExit(emulator, { uncaughtErrors: false });
  try {
    await bundleHandlers();
    await bootstrap(emulator.endpoint);
    // DailyPrice's quote endpoint is a 127.0.0.1 server in this process, started before the
    // deploy (its URL is baked into the fetcher); globalTeardown closes it (same process).
    const quotes = await startQuoteServer();
    (globalThis as Record<string, unknown>)[QUOTE_SERVER_GLOBAL] = quotes;
    progress(`quote server for DailyPrice on ${quotes.endpoint}`);
    await deployApp({ endpoint: emulator.endpoint, label: 'reference', context: dailyPriceDeployContext(quotes) });
    progress('reference architectures deployed; running the e2e tests');
  } catch (err) {
    reportStop(emulator, await stopEmulator(emulator));
    await ((globalThis as Record<string, unknown>)[QUOTE_SERVER_GLOBAL] as QuoteServer | undefined)?.close();
    throw err;
  }
}
