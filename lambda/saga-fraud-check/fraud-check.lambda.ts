/**
 * Saga fraud check: screens a high-value order before it is charged (the state machine's Choice
 * sends only orders at or above its threshold here).
 *
 * A pure rule set, no I/O: an order is refused with the named error `FraudSuspected` when its
 * card is on the block list (BLOCKED_CARDS, comma-separated) or its amount is above
 * MAX_ORDER_AMOUNT (cents). Step Functions matches `FraudSuspected` by name and compensates.
 */

/** The order fields the check reads. */
export interface FraudCheckRequest {
  readonly orderId: string;
  readonly amount: number;
  readonly card: string;
}

/** What the check returns on a pass. */
export interface FraudCheckResult {
  readonly orderId: string;
  readonly verdict: 'PASS';
}

/** The order looks fraudulent; never retried. */
export class FraudSuspected extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FraudSuspected';
  }
}

/** Rules read once per container from the environment the stack sets. */
export interface FraudRules {
  readonly blockedCards: ReadonlySet<string>;
  readonly maxOrderAmount: number;
}

export function readRules(env: NodeJS.ProcessEnv): FraudRules {
  const max = Number(env.MAX_ORDER_AMOUNT ?? '1000000');
  if (!Number.isFinite(max) || max <= 0) throw new Error(`MAX_ORDER_AMOUNT must be a positive number, got ${env.MAX_ORDER_AMOUNT}`);
  const blocked = (env.BLOCKED_CARDS ?? '').split(',').map(c => c.replace(/[\s-]/g, '')).filter(Boolean);
  return { blockedCards: new Set(blocked), maxOrderAmount: max };
}

/** Passes the order or throws FraudSuspected with the reason. */
export function screen(event: unknown, rules: FraudRules): FraudCheckResult {
  const e = (typeof event === 'object' && event !== null ? event : {}) as Record<string, unknown>;
  if (typeof e.orderId !== 'string' || typeof e.amount !== 'number' || typeof e.card !== 'string') {
    throw new FraudSuspected('the order lacks orderId, amount or card: it cannot be screened');
  }
  const card = e.card.replace(/[\s-]/g, '');
  if (rules.blockedCards.has(card)) throw new FraudSuspected(`order ${e.orderId}: card ending ${card.slice(-4)} is blocked`);
  if (e.amount > rules.maxOrderAmount) {
    throw new FraudSuspected(`order ${e.orderId}: amount ${e.amount} is above the limit ${rules.maxOrderAmount}`);
  }
  return { orderId: e.orderId, verdict: 'PASS' };
}

let rules: FraudRules | undefined;

export const handler = async (event: unknown): Promise<FraudCheckResult> => {
  rules ??= readRules(process.env);
  return screen(event, rules);
};
