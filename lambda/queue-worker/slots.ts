/**
 * Bounded concurrency: a process runs at most `capacity` jobs at once, and asks SQS for no more
 * messages than it has free slots (at most 10, the ReceiveMessage maximum), so no message waits
 * invisible in a local buffer while other workers are idle.
 */
export class Slots {
  private used = 0;
  private waiters: Array<() => void> = [];

  constructor(public readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`capacity must be a whole number >= 1, got ${capacity}`);
  }

  get inUse(): number {
    return this.used;
  }

  get free(): number {
    return this.capacity - this.used;
  }

  /** How many messages to ask for now (0 when full). */
  receiveBatchSize(): number {
    return Math.min(10, this.free);
  }

  take(): void {
    if (this.used >= this.capacity) throw new Error(`no free slot (${this.used}/${this.capacity} in use)`);
    this.used++;
  }

  release(): void {
    if (this.used === 0) throw new Error('release without take');
    this.used--;
    this.wake();
  }

  /** Resolves when a slot is free (at once if one is), or when `wake` is called (e.g. on shutdown). */
  whenFree(): Promise<void> {
    if (this.free > 0) return Promise.resolve();
    return new Promise(resolve => this.waiters.push(resolve));
  }

  /** Resolves every pending `whenFree`. */
  wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    waiters.forEach(w => w());
  }
}
