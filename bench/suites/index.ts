import { eventPublisherSuite } from './event-publisher';
import { fanOutSuite } from './fan-out';
import { frontDoorSuite } from './front-door';
import { realtimeSuite } from './realtime';
import { sagaSuite } from './saga';
import { scalingSuite } from './scaling';
import { streamSuite } from './stream';
import { synthSuite } from './synth';
import { videoSuite } from './video';
import { writeBufferSuite } from './write-buffer';
import { Suite } from '../lib/suite';

/** Every suite, in the order `npx projen bench` runs them. Add new suites here. */
export const SUITES: Suite[] = [
  synthSuite,
  fanOutSuite,
  scalingSuite,
  writeBufferSuite,
  streamSuite,
  videoSuite,
  eventPublisherSuite,
  realtimeSuite,
  sagaSuite,
  frontDoorSuite,
];
