import * as http from 'http';
import type { AddressInfo } from 'net';
import type { SQSEvent, SQSRecord } from 'aws-lambda';

export function sqsRecord(messageId: string, body: string, opts: { queue?: string; group?: string; attributes?: SQSRecord['messageAttributes'] } = {}): SQSRecord {
  return {
    messageId,
    body,
    receiptHandle: `rh-${messageId}`,
    attributes: (opts.group ? { MessageGroupId: opts.group, MessageDeduplicationId: `dedup-${messageId}` } : {}) as SQSRecord['attributes'],
    messageAttributes: opts.attributes ?? {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:us-east-1:111111111111:${opts.queue ?? 'buffer'}`,
    awsRegion: 'us-east-1',
  };
}

export function sqsEvent(records: SQSRecord[]): SQSEvent {
  return { Records: records };
}

export const context = (remainingMs = 30_000) => ({ getRemainingTimeInMillis: () => remainingMs });

/** A request the fake AWS endpoint received. */
export interface FakeRequest {
  readonly target: string;
  readonly path: string;
  readonly body: any;
}

/**
 * A fake AWS JSON endpoint on 127.0.0.1: records every request and answers with `answer`
 * (default: DynamoDB/SQS success).
 */
export type FakeAnswer = (req: FakeRequest) => { status?: number; body: unknown } | undefined;

export async function fakeAws(answer?: FakeAnswer): Promise<{ url: string; requests: FakeRequest[]; close(): Promise<void> }> {
  const requests: FakeRequest[] = [];
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', c => { raw += c; });
    req.on('end', () => {
      const r: FakeRequest = { target: String(req.headers['x-amz-target'] ?? ''), path: req.url ?? '/', body: JSON.parse(raw) };
      requests.push(r);
      const a = answer?.(r) ?? defaultAnswer(r);
      res.statusCode = a.status ?? 200;
      res.setHeader('content-type', 'application/x-amz-json-1.0');
      res.end(JSON.stringify(a.body));
    });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise<void>(resolve => server.close(() => resolve())),
  };
}

function defaultAnswer(r: FakeRequest): { status?: number; body: unknown } {
  if (r.target.endsWith('SendMessageBatch')) return { body: { Successful: r.body.Entries.map((e: { Id: string }) => ({ Id: e.Id })), Failed: [] } };
  return { body: {} };
}

/** A clock that never waits: sleeps advance time instantly and are recorded. */
export function fakeClock(start = 1_000_000, random = () => 0.5) {
  const clock = {
    t: start,
    sleeps: [] as number[],
    now: () => clock.t,
    sleep: async (ms: number) => { clock.sleeps.push(ms); clock.t += ms; },
    random,
  };
  return clock;
}

/** An AwsJsonClient answering from a script: each call gets the next answer (an Error is thrown). */
export function scriptedClient(answers: Array<unknown | ((input: any) => unknown)>) {
  const calls: Array<{ operation: string; input: any }> = [];
  return {
    calls,
    async send(operation: string, input: unknown): Promise<unknown> {
      calls.push({ operation, input: JSON.parse(JSON.stringify(input)) });
      const next = answers.length > 1 ? answers.shift() : answers[0];
      const value = typeof next === 'function' ? (next as (i: unknown) => unknown)(input) : next;
      if (value instanceof Error) throw value;
      return value;
    },
  };
}
