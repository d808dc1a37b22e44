/**
 * Saga payment step: charges an order and refunds it (the compensation), idempotent per order.
 *
 * Called by Step Functions (LambdaInvoke) with `{ action: 'charge' | 'refund', orderId, ... }`.
 * - charge: a conditional put of the order's payment (`attribute_not_exists(orderId)`), so a
 *   retried or re-run charge never charges twice; the same charge again returns the first one.
 *   The test card `4000000000000002` (the card networks' "generic decline" test number) is
 *   declined with the named error `PaymentDeclined`, which the state machine catches by name.
 * - refund: a conditional update CHARGED → REFUNDED, so a compensation that runs twice refunds
 *   once; refunding an order that was never charged succeeds as `NOT_CHARGED` (a compensation
 *   runs after any failure, including one before the charge took place).
 * - Named errors (error.name is what Step Functions matches in Retry/Catch): `PaymentDeclined`
 *   (final, never retried), `InvalidPaymentRequest` (bad input, final), `PaymentConflict`
 *   (the order was charged with another amount or already refunded). Anything else (throttling,
 *   network) keeps the SDK's name and is retried by the state machine's `States.ALL` retrier.
 */
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';

/** The card number a test uses to get a decline. */
export const DECLINED_TEST_CARD = '4000000000000002';

/** A charge or refund request as the state machine sends it. */
export interface PaymentRequest {
  readonly action: 'charge' | 'refund';
  readonly orderId: string;
  /** Smallest currency unit (cents), a positive integer. Charge only. */
  readonly amount?: number;
  /** ISO 4217 code. Charge only. */
  readonly currency?: string;
  /** Card number or token. Charge only. */
  readonly card?: string;
}

/** What a charge or refund returns to the state machine. */
export interface PaymentResult {
  readonly orderId: string;
  readonly status: 'CHARGED' | 'REFUNDED' | 'NOT_CHARGED';
  readonly paymentId?: string;
  readonly amount?: number;
  readonly currency?: string;
}

/** An error with a stable name Step Functions can match (Lambda reports `error.name` as the error type). */
export class PaymentDeclined extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PaymentDeclined';
  }
}
/** The request cannot be processed as sent; retrying does not help. */
export class InvalidPaymentRequest extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidPaymentRequest';
  }
}
/** The order already has a payment that this request contradicts. */
export class PaymentConflict extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PaymentConflict';
  }
}

/** Configuration read once per container from the environment the construct sets. */
export interface PaymentConfig {
  readonly tableName: string;
}

export function readConfig(env: NodeJS.ProcessEnv): PaymentConfig {
  const tableName = env.PAYMENTS_TABLE_NAME;
  if (!tableName) throw new Error('PAYMENTS_TABLE_NAME is not set: the stack that deploys this handler sets it');
  return { tableName };
}

/** Checks a request and returns it typed, or throws InvalidPaymentRequest naming the field. */
export function parseRequest(event: unknown): PaymentRequest {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    throw new InvalidPaymentRequest('the payment request must be a JSON object');
  }
  const e = event as Record<string, unknown>;
  if (e.action !== 'charge' && e.action !== 'refund') {
    throw new InvalidPaymentRequest(`action must be "charge" or "refund", got ${JSON.stringify(e.action)}`);
  }
  if (typeof e.orderId !== 'string' || e.orderId.length === 0) {
    throw new InvalidPaymentRequest('orderId must be a non-empty string');
  }
  if (e.action === 'refund') return { action: 'refund', orderId: e.orderId };
  if (typeof e.amount !== 'number' || !Number.isInteger(e.amount) || e.amount <= 0) {
    throw new InvalidPaymentRequest(`amount must be a positive integer (cents), got ${JSON.stringify(e.amount)}`);
  }
  if (typeof e.currency !== 'string' || !/^[A-Z]{3}$/.test(e.currency)) {
    throw new InvalidPaymentRequest(`currency must be an ISO 4217 code such as "EUR", got ${JSON.stringify(e.currency)}`);
  }
  if (typeof e.card !== 'string' || e.card.length === 0) {
    throw new InvalidPaymentRequest('card must be a non-empty string');
  }
  return { action: 'charge', orderId: e.orderId, amount: e.amount, currency: e.currency, card: e.card };
}

/** A stored payment, as the ledger keeps it. */
export interface StoredPayment {
  readonly orderId: string;
  readonly paymentId: string;
  readonly amount: number;
  readonly currency: string;
  readonly status: 'CHARGED' | 'REFUNDED';
}

/** The payments ledger: one row per order, written only with conditions. */
export interface PaymentLedger {
  /** Stores the payment if the order has none; resolves false if it already had one. */
  putIfAbsent(payment: StoredPayment): Promise<boolean>;
  /** CHARGED → REFUNDED; resolves false if the order was not in CHARGED. */
  markRefunded(orderId: string): Promise<boolean>;
  get(orderId: string): Promise<StoredPayment | undefined>;
}

/** Charges once per order. */
export async function charge(request: PaymentRequest, ledger: PaymentLedger): Promise<PaymentResult> {
  const card = (request.card ?? '').replace(/[\s-]/g, '');
  if (card === DECLINED_TEST_CARD) {
    throw new PaymentDeclined(`card ending ${card.slice(-4)} was declined for order ${request.orderId}`);
  }
  const payment: StoredPayment = {
    orderId: request.orderId,
    paymentId: `pay-${request.orderId}`,
    amount: request.amount!,
    currency: request.currency!,
    status: 'CHARGED',
  };
  if (await ledger.putIfAbsent(payment)) return toResult(payment);
  const existing = await ledger.get(request.orderId);
  if (existing && existing.status === 'CHARGED' && existing.amount === payment.amount && existing.currency === payment.currency) {
    return toResult(existing); // a retry of the same charge
  }
  throw new PaymentConflict(`order ${request.orderId} already has a payment (${existing?.status} ${existing?.amount} ${existing?.currency}); `
    + `refusing to charge ${payment.amount} ${payment.currency}`);
}

/** Refunds once per order; an order that was never charged is NOT_CHARGED. */
export async function refund(request: PaymentRequest, ledger: PaymentLedger): Promise<PaymentResult> {
  if (await ledger.markRefunded(request.orderId)) {
    const p = await ledger.get(request.orderId);
    return { orderId: request.orderId, status: 'REFUNDED', paymentId: p?.paymentId, amount: p?.amount, currency: p?.currency };
  }
  const existing = await ledger.get(request.orderId);
  if (!existing) return { orderId: request.orderId, status: 'NOT_CHARGED' };
  return toResult(existing); // already REFUNDED by an earlier run of this compensation
}

function toResult(p: StoredPayment): PaymentResult {
  return { orderId: p.orderId, status: p.status, paymentId: p.paymentId, amount: p.amount, currency: p.currency };
}

function isConditionFailure(err: unknown): boolean {
  return err instanceof ConditionalCheckFailedException || (err as { name?: string }).name === 'ConditionalCheckFailedException';
}

/** The ledger on a DynamoDB table keyed by `orderId` (string). */
export function dynamoLedger(client: DynamoDBClient, config: PaymentConfig): PaymentLedger {
  return {
    async putIfAbsent(p) {
      try {
        await client.send(new PutItemCommand({
          TableName: config.tableName,
          Item: {
            orderId: { S: p.orderId },
            paymentId: { S: p.paymentId },
            amount: { N: String(p.amount) },
            currency: { S: p.currency },
            status: { S: p.status },
            chargedAt: { S: new Date().toISOString() },
          },
          ConditionExpression: 'attribute_not_exists(orderId)',
        }));
        return true;
      } catch (err) {
        if (isConditionFailure(err)) return false;
        throw err;
      }
    },
    async markRefunded(orderId) {
      try {
        await client.send(new UpdateItemCommand({
          TableName: config.tableName,
          Key: { orderId: { S: orderId } },
          UpdateExpression: 'SET #status = :refunded, refundedAt = :now',
          ConditionExpression: '#status = :charged',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':refunded': { S: 'REFUNDED' }, ':charged': { S: 'CHARGED' }, ':now': { S: new Date().toISOString() } },
        }));
        return true;
      } catch (err) {
        if (isConditionFailure(err)) return false;
        throw err;
      }
    },
    async get(orderId) {
      const out = await client.send(new GetItemCommand({ TableName: config.tableName, Key: { orderId: { S: orderId } }, ConsistentRead: true }));
      const item = out.Item;
      if (!item) return undefined;
      return {
        orderId: item.orderId.S!,
        paymentId: item.paymentId.S!,
        amount: Number(item.amount.N),
        currency: item.currency.S!,
        status: item.status.S as StoredPayment['status'],
      };
    },
  };
}

/** The handler body with its ledger injected (tests and the local Step Functions run call this). */
export function paymentHandler(ledger: PaymentLedger): (event: unknown) => Promise<PaymentResult> {
  return async (event) => {
    const request = parseRequest(event);
    const result = request.action === 'charge' ? await charge(request, ledger) : await refund(request, ledger);
    console.log(JSON.stringify({ event: `payment-${request.action}`, orderId: request.orderId, status: result.status }));
    return result;
  };
}

// Created once per container, reused by every invocation.
let handle: ((event: unknown) => Promise<PaymentResult>) | undefined;

export const handler = async (event: unknown): Promise<PaymentResult> => {
  handle ??= paymentHandler(dynamoLedger(new DynamoDBClient({}), readConfig(process.env)));
  return handle(event);
};
