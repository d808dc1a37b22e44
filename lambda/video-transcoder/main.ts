/** Entry point of the video transcoder container: `node index.js` (bundled to assets/video-transcoder/index.js). */
import { createTranscoder } from './index';
import { createLogger } from '../queue-worker/log';
import { runQueueWorker } from '../queue-worker/runtime';

let handler: ReturnType<typeof createTranscoder>;
try {
  handler = createTranscoder();
} catch (error) {
  createLogger({ base: { component: 'video-transcoder' } }).error(`invalid configuration: ${(error as Error).message}`);
  process.exit(1);
}
void runQueueWorker({ handler });
