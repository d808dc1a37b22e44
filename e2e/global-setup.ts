/**
 * jest globalSetup of the e2e suite: install and start MiniStack, bundle, bootstrap and deploy the
 * reference app (`-c local=true`). The emulator's pid and endpoint go to .local-aws/emulator.json
 * and the stack outputs to .local-aws/outputs.json, where the tests and globalTeardown read them.
 * jest skips globalTeardown when globalSetup fails, so a failure here stops the emulator itself.
 */
import { bootstrap, bundleHandlers, deployApp } from './harness/deploy';
import { installEmulator, reportStop, startEmulator, stopEmulator, stopOnExit } from './harness/emulator';
import { progress } from './harness/paths';

export default async function globalSetup(): Promise<void> {
  process.stdout.write('\n');
  await installEmulator();
  const emulator = await startEmulator();
  // Ctrl-C or a kill of jest stops the emulator; on exit its group is SIGKILLed as a last resort.
  stopOnExit(emulator, { uncaughtErrors: false });
  try {
    await bundleHandlers();
    await bootstrap(emulator.endpoint);
    await deployApp({ endpoint: emulator.endpoint, label: 'reference' });
    progress('reference architectures deployed; running the e2e tests');
  } catch (err) {
    reportStop(emulator, await stopEmulator(emulator));
    throw err;
  }
}
