import { ConditionalCheckFailedException, DynamoDBClient, GetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import {
  charge, DECLINED_TEST_CARD, dynamoLedger, parseRequest, PaymentLedger, paymentHandler, readConfig, refund, StoredPayment,
} from '../../../lambda/saga-payment/payment.lambda';

/** A ledger with DynamoDB's conditional semantics, in memory. */
export function memoryLedger(): PaymentLedger & { rows: Map<string, StoredPayment> } {
  const rows = new Map<string, StoredPayment>();
  return {
    rows,
    async putIfAbsent(p) {
      if (rows.has(p.orderId)) return false;
      rows.set(p.orderId, p);
      return true;
    },
    async markRefunded(orderId) {
      const p = rows.get(orderId);
      if (p?.status !== 'CHARGED') return false;
      rows.set(orderId, { ...p, status: 'REFUNDED' });
      return true;
    },
    async get(orderId) {
      return rows.get(orderId);
    },
  };
}

const order = { action: 'charge', orderId: 'o-1', amount: 1250, currency: 'EUR', card: '4242 4242 4242 4242' } as const;

beforeEach(() => {
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
});

describe('parseRequest', () => {
  test('a charge and a refund', () => {
    expect(parseRequest(order)).toEqual(order);
    expect(parseRequest({ action: 'refund', orderId: 'o-1', amount: 'ignored' })).toEqual({ action: 'refund', orderId: 'o-1' });
  });
  test.each([
    ['not an object', 'x', 'must be a JSON object'],
    ['unknown action', { ...order, action: 'void' }, 'action must be "charge" or "refund"'],
    ['no order id', { ...order, orderId: '' }, 'orderId must be a non-empty string'],
    ['fractional amount', { ...order, amount: 12.5 }, 'amount must be a positive integer'],
    ['zero amount', { ...order, amount: 0 }, 'amount must be a positive integer'],
    ['lower-case currency', { ...order, currency: 'eur' }, 'currency must be an ISO 4217 code'],
    ['no card', { ...order, card: undefined }, 'card must be a non-empty string'],
  ])('%s → InvalidPaymentRequest', (_name, event, message) => {
    let error: Error | undefined;
    try {
      parseRequest(event);
    } catch (err) {
      error = err as Error;
    }
    expect(error?.name).toBe('InvalidPaymentRequest');
    expect(error?.message).toContain(message);
  });
});

describe('charge', () => {
  test('charges once; the same charge again returns the first payment', async () => {
    const ledger = memoryLedger();
    const first = await charge(order, ledger);
    expect(first).toEqual({ orderId: 'o-1', status: 'CHARGED', paymentId: 'pay-o-1', amount: 1250, currency: 'EUR' });
    expect(await charge(order, ledger)).toEqual(first);
    expect(ledger.rows.size).toBe(1);
  });

  test('the test card is declined with the named error PaymentDeclined, and nothing is charged', async () => {
    const ledger = memoryLedger();
    const spaced = DECLINED_TEST_CARD.replace(/(\d{4})/g, '$1 ').trim();
    await expect(charge({ ...order, card: spaced }, ledger)).rejects.toMatchObject({ name: 'PaymentDeclined', message: expect.stringContaining('ending 0002') });
    expect(ledger.rows.size).toBe(0);
  });

  test('a different amount for a charged order, or a charge after a refund, is a PaymentConflict', async () => {
    const ledger = memoryLedger();
    await charge(order, ledger);
    await expect(charge({ ...order, amount: 99 }, ledger)).rejects.toMatchObject({ name: 'PaymentConflict' });
    await refund({ action: 'refund', orderId: 'o-1' }, ledger);
    await expect(charge(order, ledger)).rejects.toMatchObject({ name: 'PaymentConflict' });
  });
});

describe('refund (the compensation)', () => {
  test('refunds once; running the compensation again changes nothing', async () => {
    const ledger = memoryLedger();
    await charge(order, ledger);
    expect(await refund({ action: 'refund', orderId: 'o-1' }, ledger)).toMatchObject({ status: 'REFUNDED', amount: 1250 });
    expect(await refund({ action: 'refund', orderId: 'o-1' }, ledger)).toMatchObject({ status: 'REFUNDED', amount: 1250 });
  });
  test('an order that was never charged is NOT_CHARGED (compensation after an early failure)', async () => {
    expect(await refund({ action: 'refund', orderId: 'o-9' }, memoryLedger())).toEqual({ orderId: 'o-9', status: 'NOT_CHARGED' });
  });
});

describe('dynamoLedger', () => {
  const client = (send: jest.Mock) => ({ send } as unknown as DynamoDBClient);
  const conditionFailed = () => new ConditionalCheckFailedException({ message: 'failed', $metadata: {} });

  test('putIfAbsent is a conditional put on the order id', async () => {
    const send = jest.fn().mockResolvedValue({});
    const p: StoredPayment = { orderId: 'o-1', paymentId: 'pay-o-1', amount: 5, currency: 'EUR', status: 'CHARGED' };
    expect(await dynamoLedger(client(send), { tableName: 'payments' }).putIfAbsent(p)).toBe(true);
    const cmd = send.mock.calls[0][0] as PutItemCommand;
    expect(cmd.input).toMatchObject({ TableName: 'payments', ConditionExpression: 'attribute_not_exists(orderId)' });
    expect(cmd.input.Item).toMatchObject({ orderId: { S: 'o-1' }, amount: { N: '5' }, status: { S: 'CHARGED' } });
  });
  test('an existing row is reported, other errors are thrown with their name (Step Functions retries them)', async () => {
    const p: StoredPayment = { orderId: 'o-1', paymentId: 'x', amount: 5, currency: 'EUR', status: 'CHARGED' };
    expect(await dynamoLedger(client(jest.fn().mockRejectedValue(conditionFailed())), { tableName: 't' }).putIfAbsent(p)).toBe(false);
    const throttled = Object.assign(new Error('slow down'), { name: 'ProvisionedThroughputExceededException' });
    await expect(dynamoLedger(client(jest.fn().mockRejectedValue(throttled)), { tableName: 't' }).putIfAbsent(p))
      .rejects.toMatchObject({ name: 'ProvisionedThroughputExceededException' });
  });
  test('markRefunded is conditional on CHARGED', async () => {
    const send = jest.fn().mockResolvedValue({});
    expect(await dynamoLedger(client(send), { tableName: 't' }).markRefunded('o-1')).toBe(true);
    const cmd = send.mock.calls[0][0] as UpdateItemCommand;
    expect(cmd.input).toMatchObject({ ConditionExpression: '#status = :charged', ExpressionAttributeValues: { ':charged': { S: 'CHARGED' } } });
    expect(await dynamoLedger(client(jest.fn().mockRejectedValue(conditionFailed())), { tableName: 't' }).markRefunded('o-1')).toBe(false);
  });
  test('get reads consistently and maps the row', async () => {
    const send = jest.fn().mockResolvedValue({ Item: { orderId: { S: 'o-1' }, paymentId: { S: 'p' }, amount: { N: '7' }, currency: { S: 'EUR' }, status: { S: 'REFUNDED' } } });
    expect(await dynamoLedger(client(send), { tableName: 't' }).get('o-1')).toEqual({ orderId: 'o-1', paymentId: 'p', amount: 7, currency: 'EUR', status: 'REFUNDED' });
    expect((send.mock.calls[0][0] as GetItemCommand).input.ConsistentRead).toBe(true);
    expect(await dynamoLedger(client(jest.fn().mockResolvedValue({})), { tableName: 't' }).get('o-2')).toBeUndefined();
  });
});

test('paymentHandler dispatches on action; readConfig needs the table', async () => {
  const handle = paymentHandler(memoryLedger());
  expect(await handle(order)).toMatchObject({ status: 'CHARGED' });
  expect(await handle({ action: 'refund', orderId: 'o-1' })).toMatchObject({ status: 'REFUNDED' });
  expect(readConfig({ PAYMENTS_TABLE_NAME: 'p' })).toEqual({ tableName: 'p' });
  expect(() => readConfig({})).toThrow('PAYMENTS_TABLE_NAME is not set');
});
