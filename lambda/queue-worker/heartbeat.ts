/**
 * Visibility heartbeat: while a job runs, its message's visibility is extended every
 * `intervalMs` (ChangeMessageVisibility to the full visibility timeout from now), so a job longer
 * than the visibility timeout is never handed to a second worker. Calls never overlap: a beat that
 * comes due while the previous call is still pending is skipped (and counted).
 */

/** Timer functions, injectable for tests. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: handle => clearTimeout(handle as NodeJS.Timeout),
};

export interface HeartbeatOptions {
  readonly intervalMs: number;
  /** Extends the visibility once; rejections are reported to onError and the beat goes on. */
  readonly extend: () => Promise<void>;
  readonly onError?: (error: unknown, beat: number) => void;
  readonly timers?: Timers;
}

export class Heartbeat {
  /** Beats that called `extend`. */
  public beats = 0;
  /** Beats skipped because the previous call was still pending. */
  public skipped = 0;
  private handle: unknown;
  private pending = false;
  private stopped = false;
  private readonly timers: Timers;

  constructor(private readonly options: HeartbeatOptions) {
    if (!(options.intervalMs > 0)) throw new Error(`heartbeat interval must be > 0 ms, got ${options.intervalMs}`);
    this.timers = options.timers ?? realTimers;
  }

  /** Schedules the first beat one interval from now. */
  start(): this {
    this.schedule();
    return this;
  }

  /** No beat starts after this returns. */
  stop(): void {
    this.stopped = true;
    if (this.handle !== undefined) this.timers.clearTimeout(this.handle);
    this.handle = undefined;
  }

  get running(): boolean {
    return !this.stopped;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.handle = this.timers.setTimeout(() => this.beat(), this.options.intervalMs);
  }

  private beat(): void {
    if (this.stopped) return;
    this.schedule();
    if (this.pending) {
      this.skipped++;
      return;
    }
    this.pending = true;
    const beat = ++this.beats;
    this.options.extend().catch(error => this.options.onError?.(error, beat)).finally(() => {
      this.pending = false;
    });
  }
}
