/**
 * The controller's decision, a pure function: how many workers the queue needs now.
 *
 *   desired = ceil(inFlight / (2 × workerConcurrency) + visible / targetBacklogPerWorker)
 *
 * - `visible / targetBacklogPerWorker`: the waiting messages, spread so each worker starts at most
 *   `targetBacklogPerWorker` of them (= workerConcurrency × acceptable latency / processing time):
 *   every waiting message starts within the acceptable latency. This is KEDA's aws-sqs-queue formula
 *   for the waiting part.
 * - `inFlight / (2 × workerConcurrency)`: the messages being processed. A message in hand is half
 *   done on average, so over the next processing time it occupies half a slot. KEDA divides the
 *   in-flight messages by the target too, which sizes a steady load with a queue `target` messages
 *   deep per worker (4 minutes of wait for a 5-minute latency); counting them as half a slot keeps the
 *   workers the load needs without that queue.
 * - Never 0 while a message waits or is in hand (scale from zero), always within [min, max].
 *
 * Scale-in needs no delay: the workers protect themselves while busy (ECS task scale-in
 * protection), so a lower desired count stops idle workers only.
 */

export interface Observation {
  /** ApproximateNumberOfMessages (visible, waiting). */
  readonly visible: number;
  /** ApproximateNumberOfMessagesNotVisible (received, not yet deleted). */
  readonly inFlight: number;
}

export interface DecisionSettings {
  /** Messages each worker may have waiting: workerConcurrency × acceptable latency / processing time. */
  readonly targetBacklogPerWorker: number;
  /** Messages one worker processes at once. */
  readonly workerConcurrency: number;
  readonly minWorkers: number;
  readonly maxWorkers: number;
  /** Count in-flight messages (they hold a worker until done). */
  readonly includeInFlight: boolean;
}

/** The workers the backlog needs, before the min and max limits (at least 1 while any message is there). */
export function neededWorkers(o: Observation, s: DecisionSettings): number {
  const visible = Math.max(0, o.visible);
  const inFlight = s.includeInFlight ? Math.max(0, o.inFlight) : 0;
  // The small epsilon keeps an exact multiple (10 / 5 = 2) from rounding up through float error.
  const n = Math.ceil(inFlight / (2 * s.workerConcurrency) + visible / s.targetBacklogPerWorker - 1e-9);
  return visible + inFlight > 0 ? Math.max(1, n) : Math.max(0, n);
}

/** The desired worker count for `o`: the needed workers within [min, max]. */
export function desiredWorkers(o: Observation, s: DecisionSettings): number {
  return Math.min(s.maxWorkers, Math.max(s.minWorkers, neededWorkers(o, s)));
}
