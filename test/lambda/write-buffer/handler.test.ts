import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { context, fakeAws, sqsEvent, sqsRecord } from './support';

type Handler = (event: SQSEvent, ctx: unknown) => Promise<SQSBatchResponse>;

/** Loads the bundled entry point fresh (its writer is created once per module instance). */
function loadHandler(): Handler {
  let h: Handler | undefined;
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    h = (require('../../../lambda/write-buffer-writer.lambda') as { handler: Handler }).handler;
  });
  return h!;
}

const saved = { ...process.env };
afterEach(() => { process.env = { ...saved }; });
beforeEach(() => { jest.spyOn(console, 'log').mockImplementation(() => undefined); });

test('the entry point writes to DynamoDB in chunks of 25, sends poison to the DLQ and reports nothing failed', async () => {
  const aws = await fakeAws();
  try {
    Object.assign(process.env, {
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'a',
      AWS_SECRET_ACCESS_KEY: 's',
      AWS_ENDPOINT_URL: aws.url,
      WRITE_BUFFER_SINK: 'dynamodb',
      TABLE_NAME: 'orders',
      PARTITION_KEY: 'orderId',
      DEAD_LETTER_QUEUE_URL: `${aws.url}/111111111111/buffer-dlq`,
    });
    const handler = loadHandler();
    const records = Array.from({ length: 60 }, (_, i) => sqsRecord(`m${i}`, JSON.stringify({ orderId: `o-${i}`, amount: i })));
    records.push(sqsRecord('bad', 'not json'));
    const out = await handler(sqsEvent(records), context());
    expect(out).toEqual({ batchItemFailures: [] });
    const writes = aws.requests.filter(r => r.target === 'DynamoDB_20120810.BatchWriteItem');
    expect(writes.map(w => w.body.RequestItems.orders.length)).toEqual([25, 25, 10]);
    expect(writes[0].body.RequestItems.orders[0]).toEqual({ PutRequest: { Item: { orderId: { S: 'o-0' }, amount: { N: '0' } } } });
    const dlq = aws.requests.filter(r => r.target === 'AmazonSQS.SendMessageBatch');
    expect(dlq).toHaveLength(1);
    expect(dlq[0].body.QueueUrl).toBe(`${aws.url}/111111111111/buffer-dlq`);
    expect(dlq[0].body.Entries[0]).toMatchObject({ MessageBody: 'not json', MessageAttributes: { writeBufferError: { DataType: 'String', StringValue: 'InvalidJson' } } });
  } finally {
    await aws.close();
  }
});

test('the entry point fails loudly on a missing setting', async () => {
  Object.assign(process.env, { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 's', WRITE_BUFFER_SINK: 'dynamodb', DEAD_LETTER_QUEUE_URL: 'q' });
  delete process.env.TABLE_NAME;
  await expect(loadHandler()(sqsEvent([]), context())).rejects.toThrow('TABLE_NAME is not set');
});
