/**
 * The hand-rolled peer of OrderSagaStack: one orchestrator Lambda per order that does the same
 * flow by calling the others directly (reserve stock with a conditional update, fraud check if
 * high value, charge, sleep through the settlement, send to shipping, publish), and undoes what
 * it did on failure. No retries, no history, no compensation retry: what people write first.
 *
 * Runs against the same in-memory service models and the same real payment and fraud handlers
 * as the saga's model run, and counts every request it makes.
 */
import { screen, FraudRules } from '../../lambda/saga-fraud-check/fraud-check.lambda';
import { PaymentResult } from '../../lambda/saga-payment/payment.lambda';
import { LocalServices } from '../../test/support/local-services';

export interface PeerOrder { orderId: string; sku: string; quantity: number; amount: number; currency: string; card: string }

/** Requests of one order, by kind. */
export interface PeerCount { lambdaInvokes: number; dynamodb: number; sqs: number; events: number; outcome: 'confirmed' | 'cancelled' }

export async function orchestrate(order: PeerOrder, env: {
  services: LocalServices;
  stockTable: string;
  shippingQueueUrl: string;
  payment: (e: unknown) => Promise<PaymentResult>;
  fraudRules: FraudRules;
  fraudThreshold: number;
}): Promise<PeerCount> {
  const c: PeerCount = { lambdaInvokes: 1, dynamodb: 0, sqs: 0, events: 0, outcome: 'cancelled' }; // the orchestrator itself
  const update = (expr: string, cond: string) => {
    c.dynamodb++;
    env.services.dynamodb('UpdateItem', {
      TableName: env.stockTable,
      Key: { sku: { S: order.sku } },
      UpdateExpression: expr,
      ConditionExpression: cond,
      ExpressionAttributeValues: { ':q': { N: String(order.quantity) }, ':order': { SS: [order.orderId] }, ':orderId': { S: order.orderId } },
    });
  };
  let reserved = false;
  let charged = false;
  try {
    update('SET available = available - :q, reserved = reserved + :q ADD holds :order', 'available >= :q AND NOT contains(holds, :orderId)');
    reserved = true;
    if (order.amount >= env.fraudThreshold) {
      c.lambdaInvokes++;
      screen(order, env.fraudRules);
    }
    c.lambdaInvokes++;
    await env.payment({ action: 'charge', ...order });
    charged = true;
    // sleeps through the settlement (billed as orchestrator duration)
    c.sqs++;
    env.services.model('arn:aws:states:::sqs:sendMessage', { QueueUrl: env.shippingQueueUrl, MessageBody: { orderId: order.orderId } });
    c.events++;
    env.services.model('arn:aws:states:::events:putEvents', { Entries: [{ Source: 'shop.orders', DetailType: 'OrderConfirmed', Detail: { orderId: order.orderId } }] });
    c.outcome = 'confirmed';
  } catch {
    if (charged) { c.lambdaInvokes++; await env.payment({ action: 'refund', orderId: order.orderId }); }
    if (reserved) update('SET available = available + :q, reserved = reserved - :q DELETE holds :order', 'contains(holds, :orderId)');
    c.events++;
    env.services.model('arn:aws:states:::events:putEvents', { Entries: [{ Source: 'shop.orders', DetailType: 'OrderCancelled', Detail: { orderId: order.orderId } }] });
  }
  return c;
}
