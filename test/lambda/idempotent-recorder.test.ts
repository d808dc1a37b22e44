import { ConditionalCheckFailedException, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { SQSRecord } from 'aws-lambda';
import { dynamoWriter, isFifoSource, parseMessage, processBatch, readConfig, RecorderConfig, Writer } from '../../lambda/idempotent-recorder.lambda';

const config: RecorderConfig = { tableName: 'orders', keyAttribute: 'orderId', idField: 'orderId', requiredFields: ['orderId', 'amount'] };

function record(messageId: string, body: string, queue = 'orders'): SQSRecord {
  return {
    messageId,
    body,
    receiptHandle: `rh-${messageId}`,
    attributes: {} as SQSRecord['attributes'],
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:us-east-1:111111111111:${queue}`,
    awsRegion: 'us-east-1',
  };
}

beforeEach(() => {
  jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  jest.spyOn(console, 'error').mockImplementation(() => undefined);
});

describe('readConfig', () => {
  test('reads the environment the construct sets, with defaults', () => {
    expect(readConfig({ TABLE_NAME: 't' })).toEqual({ tableName: 't', keyAttribute: 'id', idField: 'id', requiredFields: [] });
    expect(readConfig({ TABLE_NAME: 't', KEY_ATTRIBUTE: 'pk', ID_FIELD: 'orderId', REQUIRED_FIELDS: 'a, b,,c' }).requiredFields).toEqual(['a', 'b', 'c']);
  });
  test('fails loudly without a table', () => {
    expect(() => readConfig({})).toThrow('TABLE_NAME is not set');
  });
});

describe('parseMessage', () => {
  test('raw JSON', () => {
    expect(parseMessage('{"orderId":"o-1","amount":5}', 'orderId', ['amount'])).toEqual({ ok: true, id: 'o-1', payload: { orderId: 'o-1', amount: 5 } });
  });
  test('numeric ids become strings', () => {
    expect(parseMessage('{"orderId":42}', 'orderId', [])).toMatchObject({ ok: true, id: '42' });
  });
  test('SNS envelope is unwrapped', () => {
    const envelope = JSON.stringify({ Type: 'Notification', TopicArn: 'arn:aws:sns:us-east-1:1:t', Message: '{"orderId":"o-2","amount":1}' });
    expect(parseMessage(envelope, 'orderId', ['amount'])).toMatchObject({ ok: true, id: 'o-2' });
  });
  test.each([
    ['not JSON', 'hello', 'body is not valid JSON'],
    ['SNS envelope around non-JSON', JSON.stringify({ Type: 'Notification', TopicArn: 'a', Message: 'hello' }), 'body is not valid JSON'],
    ['a JSON array', '[1,2]', 'body is not a JSON object'],
    ['a JSON string', '"x"', 'body is not a JSON object'],
    ['no id', '{"amount":1}', 'field "orderId" (the item key) is missing'],
    ['empty id', '{"orderId":"","amount":1}', 'field "orderId" (the item key) is missing'],
    ['missing required field', '{"orderId":"o"}', 'required field(s) missing: amount'],
  ])('poison: %s', (_name, body, reason) => {
    expect(parseMessage(body, 'orderId', ['amount'])).toEqual({ ok: false, reason: expect.stringContaining(reason) });
  });
});

describe('processBatch', () => {
  test('returns only the messages that failed: poison and failed writes', async () => {
    const written: string[] = [];
    const write: Writer = async (_r, m) => {
      if (m.id === 'boom') throw new Error('ProvisionedThroughputExceeded');
      written.push(m.id);
    };
    const result = await processBatch([
      record('m1', '{"orderId":"a","amount":1}'),
      record('m2', 'not json'),
      record('m3', '{"orderId":"boom","amount":1}'),
      record('m4', '{"orderId":"b","amount":2}'),
    ], config, write);
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'm2' }, { itemIdentifier: 'm3' }] });
    expect(written.sort()).toEqual(['a', 'b']);
  });

  test('an empty batch succeeds', async () => {
    expect(await processBatch([], config, async () => undefined)).toEqual({ batchItemFailures: [] });
  });

  test('FIFO: writes in order and returns the rest of the batch after the first failure', async () => {
    const order: string[] = [];
    const write: Writer = async (_r, m) => { order.push(m.id); };
    const records = [
      record('m1', '{"orderId":"a","amount":1}', 'orders.fifo'),
      record('m2', '{"orderId":"b","amount":1}', 'orders.fifo'),
      record('m3', '{"orderId":"c"}', 'orders.fifo'), // poison
      record('m4', '{"orderId":"d","amount":1}', 'orders.fifo'),
    ];
    expect(isFifoSource(records)).toBe(true);
    const result = await processBatch(records, config, write);
    expect(order).toEqual(['a', 'b']);
    expect(result.batchItemFailures.map(f => f.itemIdentifier)).toEqual(['m3', 'm4']);
  });
});

describe('dynamoWriter', () => {
  const fakeClient = (send: jest.Mock) => ({ send } as unknown as DynamoDBClient);

  test('puts the item only if its key is new', async () => {
    const send = jest.fn().mockResolvedValue({});
    await dynamoWriter(fakeClient(send), config)(record('m1', ''), { id: 'o-1', payload: { orderId: 'o-1', amount: 3 } });
    const command = send.mock.calls[0][0] as PutItemCommand;
    expect(command).toBeInstanceOf(PutItemCommand);
    expect(command.input).toMatchObject({
      TableName: 'orders',
      Item: { orderId: { S: 'o-1' }, payload: { S: '{"orderId":"o-1","amount":3}' }, sqsMessageId: { S: 'm1' } },
      ConditionExpression: 'attribute_not_exists(#key)',
      ExpressionAttributeNames: { '#key': 'orderId' },
    });
  });

  test('a redelivery (key exists) counts as success', async () => {
    const send = jest.fn().mockRejectedValue(new ConditionalCheckFailedException({ message: 'exists', $metadata: {} }));
    await expect(dynamoWriter(fakeClient(send), config)(record('m1', ''), { id: 'o-1', payload: {} })).resolves.toBeUndefined();
  });

  test('any other error fails the message', async () => {
    const send = jest.fn().mockRejectedValue(Object.assign(new Error('throttled'), { name: 'ProvisionedThroughputExceededException' }));
    await expect(dynamoWriter(fakeClient(send), config)(record('m1', ''), { id: 'o-1', payload: {} })).rejects.toThrow('throttled');
  });
});
