/**
 * jest globalTeardown of the e2e suite: stop MiniStack (its whole process group) and fail the run
 * if any of its processes or its port survive.
 */
import * as fs from 'fs';
import { readEmulatorState, reportStop, stopEmulator } from './harness/emulator';
import { paths } from './harness/paths';
import { QUOTE_SERVER_GLOBAL, QuoteServer } from './harness/quote-server';

export default async function globalTeardown(): Promise<void> {
  // DailyPrice's quote server (started by globalSetup in this process).
  await ((globalThis as Record<string, unknown>)[QUOTE_SERVER_GLOBAL] as QuoteServer | undefined)?.close();
  if (!fs.existsSync(paths.emulatorState)) return;
  const emulator = readEmulatorState();
  if (!reportStop(emulator, await stopEmulator(emulator))) {
    throw new Error(`MiniStack (process group ${emulator.pid}) did not stop cleanly`);
  }
}
