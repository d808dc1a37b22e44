import { applyUpdate, evaluateCondition, LocalServices } from './local-services';

const e = { names: { '#s': 'status' }, values: { ':q': { N: '2' }, ':c': { S: 'CHARGED' }, ':o': { S: 'o-1' } } };

test('conditions: the subset our code emits', () => {
  const item = { sku: { S: 'a' }, available: { N: '3' }, status: { S: 'CHARGED' }, orders: { SS: ['o-1'] } };
  expect(evaluateCondition('available >= :q', item, e)).toBe(true);
  expect(evaluateCondition('available >= :q AND NOT contains(orders, :o)', item, e)).toBe(false);
  expect(evaluateCondition('#s = :c OR attribute_not_exists(sku)', item, e)).toBe(true);
  expect(evaluateCondition('attribute_not_exists(sku)', undefined, e)).toBe(true);
  expect(evaluateCondition('(available < :q) OR (#s <> :c)', item, e)).toBe(false);
  expect(evaluateCondition('missing >= :q', item, e)).toBe(false);
  expect(() => evaluateCondition('size(orders) > :q', item, e)).toThrow();
});

test('updates: SET arithmetic, if_not_exists, ADD, REMOVE', () => {
  const item = { sku: { S: 'a' }, available: { N: '3' }, reserved: { N: '1' }, tmp: { S: 'x' } };
  expect(applyUpdate('SET available = available - :q, reserved = if_not_exists(reserved, :q) + :q REMOVE tmp ADD orders :ss', item,
    { values: { ':q': { N: '2' }, ':ss': { SS: ['o-1'] } } })).toEqual({ sku: { S: 'a' }, available: { N: '1' }, reserved: { N: '3' }, orders: { SS: ['o-1'] } });
});

test('service model: a failed condition is named as Step Functions names it', () => {
  const s = new LocalServices();
  s.addTable('stock', 'sku').put({ Item: { sku: { S: 'a' }, available: { N: '0' } } });
  const params = { TableName: 'stock', Key: { sku: { S: 'a' } }, UpdateExpression: 'SET available = available - :q', ConditionExpression: 'available >= :q', ExpressionAttributeValues: { ':q': { N: '1' } } };
  expect(() => s.model('arn:aws:states:::dynamodb:updateItem', params)).toThrow(expect.objectContaining({ name: 'DynamoDB.ConditionalCheckFailedException' }));
  expect(() => s.model('arn:aws:states:::aws-sdk:dynamodb:updateItem', params)).toThrow(expect.objectContaining({ name: 'DynamoDb.ConditionalCheckFailedException' }));
  s.model('arn:aws:states:::sqs:sendMessage', { QueueUrl: 'q', MessageBody: { a: 1 } });
  s.model('arn:aws:states:::events:putEvents', { Entries: [{ Source: 's', DetailType: 'OrderConfirmed', Detail: '{"orderId":"o"}' }] });
  expect(s.queues.get('q')).toEqual(['{"a":1}']);
  expect(s.events).toEqual([{ Source: 's', DetailType: 'OrderConfirmed', Detail: { orderId: 'o' }, EventBusName: undefined }]);
});
