import { readRules, screen } from '../../../lambda/saga-fraud-check/fraud-check.lambda';

const rules = readRules({ BLOCKED_CARDS: '4000 0000 0000 0119, 4000-0000-0000-0127', MAX_ORDER_AMOUNT: '500000' });

test('a normal high-value order passes', () => {
  expect(screen({ orderId: 'o-1', amount: 200000, card: '4242424242424242' }, rules)).toEqual({ orderId: 'o-1', verdict: 'PASS' });
});
test.each([
  ['a blocked card (spaces and dashes ignored)', { orderId: 'o', amount: 1, card: '4000000000000119' }, 'is blocked'],
  ['an amount above the limit', { orderId: 'o', amount: 500001, card: '4242424242424242' }, 'above the limit 500000'],
  ['an order without its fields', { orderId: 'o' }, 'cannot be screened'],
])('%s → FraudSuspected', (_name, event, message) => {
  expect(() => screen(event, rules)).toThrow(expect.objectContaining({ name: 'FraudSuspected', message: expect.stringContaining(message) }));
});
test('rules: defaults and a bad limit', () => {
  expect(readRules({})).toEqual({ blockedCards: new Set(), maxOrderAmount: 1000000 });
  expect(() => readRules({ MAX_ORDER_AMOUNT: 'x' })).toThrow('MAX_ORDER_AMOUNT must be a positive number');
});
