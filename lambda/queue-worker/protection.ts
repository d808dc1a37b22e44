/**
 * ECS task scale-in protection while busy: a task running a job asks its ECS agent
 * (PUT $ECS_AGENT_URI/task-protection/v1/state) not to be chosen when the service scales in,
 * renews the request while it stays busy, and drops it when idle. Without ECS_AGENT_URI (EC2
 * instances, local runs) protection is skipped and that is logged once.
 */
import type { Logger } from './log';

export interface ProtectionState {
  readonly enabled: boolean;
  /** When the last granted protection expires (ms since epoch); 0 when not enabled. */
  readonly expiresAt: number;
}

export type ProtectionAction = 'enable' | 'disable' | 'none';

/**
 * What to ask the agent for: protect when busy and unprotected or past half of the granted time
 * (so it never lapses mid-job), unprotect when idle.
 */
export function protectionAction(state: ProtectionState, busy: boolean, now: number, minutes: number): ProtectionAction {
  if (busy) {
    if (!state.enabled) return 'enable';
    return state.expiresAt - now < (minutes * 60_000) / 2 ? 'enable' : 'none';
  }
  return state.enabled ? 'disable' : 'none';
}

/** The part of fetch the protection uses (injectable for tests). */
export interface FetchInit {
  readonly method: string;
  readonly headers: Record<string, string>;
  readonly body: string;
  readonly signal?: AbortSignal;
}
export type FetchLike = (url: string, init: FetchInit) => Promise<{ ok: boolean; status: number; text(): Promise<string> }>;

export class ScaleInProtection {
  private state: ProtectionState = { enabled: false, expiresAt: 0 };
  private busy = false;
  private chain: Promise<void> = Promise.resolve();
  private renewTimer: NodeJS.Timeout | undefined;
  /** Requests sent to the agent (for logs and tests). */
  public requests = 0;

  constructor(
    private readonly agentUri: string | undefined,
    private readonly minutes: number,
    private readonly log: Logger,
    private readonly fetchFn: FetchLike = fetch as unknown as FetchLike,
  ) {
    if (!agentUri) {
      log.info('scale-in protection skipped: ECS_AGENT_URI is not set (not on ECS, e.g. an EC2 instance or a local run)');
    }
  }

  get enabled(): boolean {
    return this.agentUri !== undefined;
  }

  /** Tells the protection whether jobs are running; requests are serialized. */
  setBusy(busy: boolean): Promise<void> {
    this.busy = busy;
    if (!this.agentUri) return Promise.resolve();
    this.chain = this.chain.then(() => this.reconcile());
    return this.chain;
  }

  /** Drops protection (on stop) and the renew timer. */
  async close(): Promise<void> {
    if (this.renewTimer) clearInterval(this.renewTimer);
    this.renewTimer = undefined;
    await this.setBusy(false);
  }

  private async reconcile(): Promise<void> {
    const action = protectionAction(this.state, this.busy, Date.now(), this.minutes);
    if (action === 'none') return;
    const enable = action === 'enable';
    const body = enable ? { ProtectionEnabled: true, ExpiresInMinutes: this.minutes } : { ProtectionEnabled: false };
    try {
      this.requests++;
      const res = await this.fetchFn(`${this.agentUri}/task-protection/v1/state`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(5000),
      });
      const text = await res.text();
      if (!res.ok || text.includes('"failure"') || text.includes('"Failure"')) {
        this.log.warn('scale-in protection request failed', { protectionEnabled: enable, status: res.status, response: text.slice(0, 500) });
        return;
      }
      this.state = enable ? { enabled: true, expiresAt: Date.now() + this.minutes * 60_000 } : { enabled: false, expiresAt: 0 };
      this.log.info(enable ? 'scale-in protection on' : 'scale-in protection off', enable ? { expiresInMinutes: this.minutes } : {});
      if (enable && !this.renewTimer) {
        // Re-check at a quarter of the granted time: renews at half, long before it lapses.
        this.renewTimer = setInterval(() => void this.setBusy(this.busy), Math.max(1000, (this.minutes * 60_000) / 4));
        this.renewTimer.unref();
      } else if (!enable && this.renewTimer) {
        clearInterval(this.renewTimer);
        this.renewTimer = undefined;
      }
    } catch (error) {
      this.log.warn('scale-in protection request failed', { protectionEnabled: enable, error });
    }
  }
}
