/**
 * Order saga on MiniStack: the reference app's IntegrationPatterns-OrderSaga, deployed by the e2e
 * globalSetup with the real `cdk deploy` (`-c local=true`: 2 s settlement). Orders are sent to the
 * intake queue with AWS SDK v3; the bundled starter, payment and fraud-check handlers run as real
 * Lambda worker processes inside the emulator.
 *
 * TRIPWIRE: MiniStack 1.5.33 reports a Node Lambda's named error as Runtime.HandlerError, so the
 * saga's Retry/Catch on PaymentDeclined cannot match here (States.ALL still does, so the order is
 * still compensated). That is why the named-error proof is a labelled MODEL
 * (test/architectures/order-saga.local-sfn.test.ts, docs/local-aws-fidelity.md). When the
 * tripwire fails, the emulator keeps error names: move that proof here.
 */
import { randomBytes } from 'crypto';
import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { clientConfig, LocalClients, localClients } from './harness/clients';
import { readOutputs, StackOutputs } from './harness/deploy';
import { EmulatorState, readEmulatorState } from './harness/emulator';
import { progress } from './harness/paths';

const STACK = 'IntegrationPatterns-OrderSaga';
let emulator: EmulatorState;
let outputs: StackOutputs;
let clients: LocalClients;
let sfn: SFNClient;
const run = randomBytes(3).toString('hex');
const SKU = `SKU-E2E-${run}`;

const out = (key: string): string => {
  const value = (outputs as Record<string, Record<string, string>>)[STACK]?.[key];
  if (!value) throw new Error(`output ${key} of ${STACK} is missing: was the stack deployed?`);
  return value;
};
const executionArn = (name: string) => `${out('StateMachineArn').replace(':stateMachine:', ':execution:')}:${name}`;

async function waitForExecution(name: string, timeoutMs = 120_000): Promise<{ status: string; error?: string; cause?: string }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const d = await sfn.send(new DescribeExecutionCommand({ executionArn: executionArn(name) }));
      if (d.status && d.status !== 'RUNNING') return { status: d.status, error: d.error, cause: d.cause };
    } catch (err) {
      if ((err as Error).name !== 'ExecutionDoesNotExist') throw err;
    }
    if (Date.now() > deadline) throw new Error(`execution ${name} did not finish within ${timeoutMs / 1000} s`);
    await new Promise(r => setTimeout(r, 1000));
  }
}
async function stock(): Promise<{ available: number; reserved: number }> {
  const item = (await clients.dynamodb.send(new GetItemCommand({ TableName: out('StockTableName'), Key: { sku: { S: SKU } }, ConsistentRead: true }))).Item!;
  return { available: Number(item.available.N), reserved: Number(item.reserved.N) };
}
async function drain(queueUrl: string): Promise<string[]> {
  const bodies: string[] = [];
  for (let i = 0; i < 5; i++) {
    const r = await clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
    bodies.push(...(r.Messages ?? []).map(m => m.Body ?? ''));
  }
  return bodies;
}
const order = (orderId: string, card: string) => ({ orderId, sku: SKU, quantity: 2, amount: 1500, currency: 'EUR', card });

beforeAll(async () => {
  emulator = readEmulatorState();
  outputs = readOutputs();
  clients = localClients(emulator.endpoint);
  sfn = new SFNClient(clientConfig(emulator.endpoint));
  await clients.dynamodb.send(new PutItemCommand({ TableName: out('StockTableName'), Item: { sku: { S: SKU }, available: { N: '10' }, reserved: { N: '0' } } }));
}, 60_000);

afterAll(() => {
  clients?.destroy();
  sfn?.destroy();
});

describe('order saga on MiniStack (real cdk deploy, real bundled handlers)', () => {
  const ok = `e2e-ok-${run}`;

  test('an order on the intake queue starts one execution named by its id, reserves stock, charges, ships', async () => {
    await clients.sqs.send(new SendMessageCommand({ QueueUrl: out('IntakeQueueUrl'), MessageBody: JSON.stringify(order(ok, '4242424242424242')) }));
    const result = await waitForExecution(ok);
    progress(`order saga: ${ok} -> ${JSON.stringify(result)}`);
    expect(result.status).toBe('SUCCEEDED');
    expect(await stock()).toEqual({ available: 8, reserved: 2 });
    const payment = (await clients.dynamodb.send(new GetItemCommand({ TableName: out('PaymentsTableName'), Key: { orderId: { S: ok } } }))).Item;
    expect(payment?.status?.S).toBe('CHARGED');
    const shipped = (await drain(out('ShippingQueueUrl'))).map(b => JSON.parse(b).orderId);
    expect(shipped.filter(id => id === ok)).toHaveLength(1);
  }, 180_000);

  test('TRIPWIRE: a declined card is compensated, but MiniStack does not report the name PaymentDeclined', async () => {
    const declined = `e2e-declined-${run}`;
    await sfn.send(new StartExecutionCommand({ stateMachineArn: out('StateMachineArn'), name: declined, input: JSON.stringify(order(declined, '4000000000000002')) }));
    const result = await waitForExecution(declined);
    progress(`order saga: ${declined} -> ${JSON.stringify(result)}`);
    expect(result.status).toBe('FAILED');
    // Compensated through the States.ALL catch: stock released, nothing charged.
    expect(await stock()).toEqual({ available: 8, reserved: 2 });
    const payment = (await clients.dynamodb.send(new GetItemCommand({ TableName: out('PaymentsTableName'), Key: { orderId: { S: declined } } }))).Item;
    expect(payment).toBeUndefined();
    // The tripwire: on AWS this is PaymentDeclined. If it is here too, retire the model.
    expect(result.error).not.toBe('PaymentDeclined');
  }, 180_000);
});
