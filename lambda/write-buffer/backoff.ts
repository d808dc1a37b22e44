/**
 * Exponential backoff with full jitter (delay = random × min(cap, base × 2^attempt)), bounded by
 * a time budget: a retry is only attempted when its wait ends before the deadline.
 */
export interface BackoffOptions {
  /** First delay ceiling in ms. */
  readonly baseMs: number;
  /** Largest delay ceiling in ms. */
  readonly capMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 25, capMs: 2000 };

/** The full-jitter delay before retry number `attempt` (0 = first retry). */
export function fullJitterDelay(attempt: number, options: BackoffOptions = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const ceiling = Math.min(options.capMs, options.baseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}

/** Clock and sleep, injectable so tests run without waiting. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
  random(): number;
}

export const SYSTEM_CLOCK: Clock = {
  now: () => Date.now(),
  sleep: ms => new Promise(resolve => setTimeout(resolve, ms)),
  random: Math.random,
};

/**
 * Waits before retry `attempt` if the wait ends before `deadline` (epoch ms).
 * Resolves true after waiting, false (at once) when the budget does not allow another try.
 */
export async function backoffWithinBudget(
  attempt: number, deadline: number, clock: Clock = SYSTEM_CLOCK, options: BackoffOptions = DEFAULT_BACKOFF,
): Promise<boolean> {
  const delay = fullJitterDelay(attempt, options, clock.random);
  if (clock.now() + delay >= deadline) return false;
  if (delay > 0) await clock.sleep(delay);
  return true;
}

/**
 * The deadline for this invocation: now + remaining time − a safety margin (the larger of
 * 10 % of the remaining time and `minMarginMs`, at most `maxMarginMs`), so the handler
 * returns its partial batch response before Lambda times it out.
 */
export function budgetDeadline(now: number, remainingMs: number, minMarginMs = 500, maxMarginMs = 3000): number {
  const margin = Math.min(maxMarginMs, Math.max(minMarginMs, remainingMs * 0.1));
  return now + Math.max(0, remainingMs - margin);
}
