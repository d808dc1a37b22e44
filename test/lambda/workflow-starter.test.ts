import { SFNClient, StartExecutionCommand, StartSyncExecutionCommand } from '@aws-sdk/client-sfn';
import type { SQSRecord } from 'aws-lambda';
import { executionNameFor, keyAt, planStart, processBatch, readConfig, sfnStarter, StarterConfig } from '../../lambda/workflow-starter/start-execution.lambda';

function record(messageId: string, body: string): SQSRecord {
  return {
    messageId,
    body,
    receiptHandle: 'rh',
    attributes: {} as SQSRecord['attributes'],
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:111111111111:q',
    awsRegion: 'us-east-1',
  };
}
const config: StarterConfig = { stateMachineArn: 'arn:aws:states:us-east-1:111111111111:stateMachine:s', nameField: 'detail.orderId', sync: false };

beforeEach(() => {
  for (const level of ['log', 'warn', 'error'] as const) jest.spyOn(console, level).mockImplementation(() => undefined);
});

describe('executionNameFor', () => {
  test('a valid key is the name itself', () => {
    expect(executionNameFor('order-42_a')).toBe('order-42_a');
    expect(executionNameFor('a'.repeat(80))).toBe('a'.repeat(80));
  });
  test('other keys become valid, distinct names of at most 80 characters', () => {
    const names = ['order/42', 'order 42', 'order:42', 'ü'.repeat(10), 'a'.repeat(81), 'a'.repeat(200)].map(executionNameFor);
    for (const n of names) expect(n).toMatch(/^[A-Za-z0-9_-]{1,80}$/);
    expect(new Set(names).size).toBe(names.length);
    expect(executionNameFor('order/42')).toBe(executionNameFor('order/42'));
  });
});

test('keyAt reads dotted paths, numbers become strings, empty is missing', () => {
  expect(keyAt({ detail: { orderId: 'o-1' } }, 'detail.orderId')).toBe('o-1');
  expect(keyAt({ id: 7 }, 'id')).toBe('7');
  expect(keyAt({ id: '' }, 'id')).toBeUndefined();
  expect(keyAt({ detail: null }, 'detail.orderId')).toBeUndefined();
});

test('planStart: name from the business key or the message id; poison explained', () => {
  expect(planStart(record('m1', '{"detail":{"orderId":"o-1"}}'), config)).toEqual({ ok: true, name: 'o-1', input: '{"detail":{"orderId":"o-1"}}' });
  expect(planStart(record('m-2', '{}'), { ...config, nameField: '' })).toMatchObject({ ok: true, name: 'm-2' });
  expect(planStart(record('m3', 'nope'), config)).toEqual({ ok: false, reason: 'body is not valid JSON' });
  expect(planStart(record('m4', '{"detail":{}}'), config)).toEqual({ ok: false, reason: 'business key "detail.orderId" is missing or empty' });
});

test('processBatch: one execution per message; duplicates succeed; poison, failed executions and errors go back', async () => {
  const started: string[] = [];
  const result = await processBatch([
    record('m1', '{"detail":{"orderId":"o-1"}}'),
    record('m2', 'not json'),
    record('m3', '{"detail":{"orderId":"o-dup"}}'),
    record('m4', '{"detail":{"orderId":"o-throttled"}}'),
    record('m5', '{"detail":{"orderId":"o-failed"}}'),
  ], config, async (name) => {
    if (name === 'o-throttled') throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    started.push(name);
    return name === 'o-dup' ? 'duplicate' : name === 'o-failed' ? 'failed' : 'started';
  });
  expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'm2' }, { itemIdentifier: 'm4' }, { itemIdentifier: 'm5' }] });
  expect(started.sort()).toEqual(['o-1', 'o-dup', 'o-failed']);
});

describe('sfnStarter', () => {
  const client = (send: jest.Mock) => ({ send } as unknown as SFNClient);
  test('Standard: StartExecution with the name; ExecutionAlreadyExists is a duplicate; other errors are thrown', async () => {
    const send = jest.fn().mockResolvedValue({ executionArn: 'x' });
    expect(await sfnStarter(client(send), config)('o-1', '{}')).toBe('started');
    const cmd = send.mock.calls[0][0] as StartExecutionCommand;
    expect(cmd).toBeInstanceOf(StartExecutionCommand);
    expect(cmd.input).toEqual({ stateMachineArn: config.stateMachineArn, name: 'o-1', input: '{}' });
    const exists = Object.assign(new Error('exists'), { name: 'ExecutionAlreadyExists' });
    expect(await sfnStarter(client(jest.fn().mockRejectedValue(exists)), config)('o-1', '{}')).toBe('duplicate');
    await expect(sfnStarter(client(jest.fn().mockRejectedValue(new Error('boom'))), config)('o-1', '{}')).rejects.toThrow('boom');
  });
  test('Express (sync): the execution status decides', async () => {
    const send = jest.fn().mockResolvedValueOnce({ status: 'SUCCEEDED' }).mockResolvedValueOnce({ status: 'FAILED' }).mockResolvedValueOnce({ status: 'TIMED_OUT' });
    const start = sfnStarter(client(send), { ...config, sync: true });
    expect(await start('a', '{}')).toBe('succeeded');
    expect(await start('b', '{}')).toBe('failed');
    expect(await start('c', '{}')).toBe('failed');
    expect(send.mock.calls[0][0]).toBeInstanceOf(StartSyncExecutionCommand);
  });
});

test('readConfig', () => {
  expect(readConfig({ STATE_MACHINE_ARN: 'arn', NAME_FIELD: 'id', SYNC: 'true' })).toEqual({ stateMachineArn: 'arn', nameField: 'id', sync: true });
  expect(readConfig({ STATE_MACHINE_ARN: 'arn' })).toEqual({ stateMachineArn: 'arn', nameField: '', sync: false });
  expect(() => readConfig({})).toThrow('STATE_MACHINE_ARN is not set');
});
