import { fanOutSuite } from './fan-out';
import { streamSuite } from './stream';
import { synthSuite } from './synth';
import { Suite } from '../lib/suite';

/** Every suite, in the order `npx projen bench` runs them. Add new suites here. */
export const SUITES: Suite[] = [
  synthSuite,
  fanOutSuite,
  streamSuite,
];
