import * as http from 'http';
import type { AddressInfo } from 'net';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '../../../e2e/harness/sigv4';
import { AwsError, createAwsJsonClient, createSigner, DYNAMODB, isRetryable, RDS_DATA, resolveEndpoint, SQS } from '../../../lambda/write-buffer/aws';

// The writer's own signer (lambda/write-buffer/aws.ts: the bundle carries no SDK) against an
// independent reference, the AWS SDK v3 signer, given the e2e harness's node:crypto SHA-256.
describe('SigV4 signer', () => {
  const date = new Date('2026-11-23T03:04:05.678Z');
  test.each([
    ['dynamodb', 'us-east-1', 'dynamodb.us-east-1.amazonaws.com', '/', { 'x-amz-target': 'DynamoDB_20120810.BatchWriteItem', 'content-type': 'application/x-amz-json-1.0' }, 'TOKEN'],
    ['rds-data', 'eu-west-1', 'localhost:4566', '/BatchExecute', { 'content-type': 'application/json' }, undefined],
    ['sqs', 'ap-southeast-2', '127.0.0.1:9000', '/base/', { 'x-amz-target': 'AmazonSQS.SendMessageBatch', 'content-type': 'application/x-amz-json-1.0' }, 'T0K+/=N'],
  ])('matches the AWS SDK v3 signer (%s, %s, %s%s)', async (service, region, host, path, headers, sessionToken) => {
    const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken };
    const body = '{"RequestItems":{"t":[{"PutRequest":{"Item":{"id":{"S":"ü  x"}}}}]}}';
    const ours = createSigner(service, region, credentials)({ method: 'POST', host, path, headers, body }, date);
    const [hostname, port] = host.split(':');
    const sdk = await new SignatureV4({ service, region, credentials, sha256: Sha256, applyChecksum: false }).sign({
      method: 'POST',
      protocol: 'https:',
      hostname,
      port: port ? Number(port) : undefined,
      path,
      query: {},
      headers: { ...headers, host },
      body,
    }, { signingDate: date });
    expect(ours.authorization).toEqual(sdk.headers.authorization);
    expect(ours['x-amz-date']).toEqual(sdk.headers['x-amz-date']);
    expect(ours['x-amz-security-token']).toEqual(sdk.headers['x-amz-security-token']);
  });
});

describe('resolveEndpoint', () => {
  test('default AWS endpoints', () => {
    expect(resolveEndpoint(DYNAMODB, {}, 'eu-west-1').href).toBe('https://dynamodb.eu-west-1.amazonaws.com/');
    expect(resolveEndpoint(RDS_DATA, {}, 'cn-north-1').href).toBe('https://rds-data.cn-north-1.amazonaws.com.cn/');
  });
  test('service-specific, then global override, as the SDK does', () => {
    const env = { AWS_ENDPOINT_URL: 'http://127.0.0.1:1', AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:2' };
    expect(resolveEndpoint(DYNAMODB, env, 'us-east-1').href).toBe('http://127.0.0.1:2/');
    expect(resolveEndpoint(SQS, env, 'us-east-1').href).toBe('http://127.0.0.1:1/');
    expect(resolveEndpoint(SQS, { ...env, AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' }, 'us-east-1').href).toBe('https://sqs.us-east-1.amazonaws.com/');
  });
});

test('isRetryable: throttling, 5xx and 429 only', () => {
  expect(isRetryable('ProvisionedThroughputExceededException', 400)).toBe(true);
  expect(isRetryable('ThrottlingException', 400)).toBe(true);
  expect(isRetryable('DatabaseResumingException', 400)).toBe(true);
  expect(isRetryable('Whatever', 503)).toBe(true);
  expect(isRetryable('Whatever', 429)).toBe(true);
  expect(isRetryable('ValidationException', 400)).toBe(false);
  expect(isRetryable('AccessDeniedException', 400)).toBe(false);
});

describe('createAwsJsonClient against a local HTTP server', () => {
  let server: http.Server;
  let port: number;
  const seen: Array<{ url?: string; headers: http.IncomingHttpHeaders; body: string }> = [];
  let reply: (res: http.ServerResponse) => void = res => res.end('{}');
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', c => { body += c; });
      req.on('end', () => {
        seen.push({ url: req.url, headers: req.headers, body });
        reply(res);
      });
    });
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>(resolve => server.close(() => resolve())));
  beforeEach(() => { seen.length = 0; });

  const env = () => ({ AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 's', AWS_SESSION_TOKEN: 't', AWS_ENDPOINT_URL: `http://127.0.0.1:${port}` });

  test('awsJson1_0: target header, signed, JSON both ways', async () => {
    reply = res => res.end('{"UnprocessedItems":{}}');
    const out = await createAwsJsonClient(DYNAMODB, env()).send('BatchWriteItem', { RequestItems: {} }, Date.now() + 5000);
    expect(out).toEqual({ UnprocessedItems: {} });
    expect(seen[0].url).toBe('/');
    expect(seen[0].headers['x-amz-target']).toBe('DynamoDB_20120810.BatchWriteItem');
    expect(seen[0].headers['content-type']).toBe('application/x-amz-json-1.0');
    expect(seen[0].headers.host).toBe(`127.0.0.1:${port}`);
    expect(seen[0].headers['x-amz-security-token']).toBe('t');
    expect(seen[0].headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=a\/\d{8}\/us-east-1\/dynamodb\/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target, Signature=[0-9a-f]{64}$/);
    expect(JSON.parse(seen[0].body)).toEqual({ RequestItems: {} });
  });

  test('restJson: operation path', async () => {
    await createAwsJsonClient(RDS_DATA, env()).send('BatchExecuteStatement', { sql: 'x' }, Date.now() + 5000);
    expect(seen[0].url).toBe('/BatchExecute');
    expect(seen[0].headers['content-type']).toBe('application/json');
  });

  test('service errors carry their code and whether to retry', async () => {
    reply = res => { res.statusCode = 400; res.end('{"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException","message":"slow down"}'); };
    const client = createAwsJsonClient(DYNAMODB, env());
    await expect(client.send('BatchWriteItem', {}, Date.now() + 5000)).rejects.toMatchObject({ code: 'ProvisionedThroughputExceededException', status: 400, retryable: true });
    reply = res => { res.statusCode = 400; res.setHeader('x-amzn-ErrorType', 'ValidationException:http://internal'); res.end('{"message":"bad key"}'); };
    const err = await client.send('BatchWriteItem', {}, Date.now() + 5000).catch(e => e as AwsError);
    expect(err).toBeInstanceOf(AwsError);
    expect(err).toMatchObject({ code: 'ValidationException', retryable: false, message: 'ValidationException: bad key' });
  });

  test('no answer before the deadline is a retryable NetworkError', async () => {
    reply = () => undefined; // never answers
    await expect(createAwsJsonClient(SQS, env()).send('SendMessageBatch', {}, Date.now() + 100)).rejects.toMatchObject({ code: 'NetworkError', retryable: true });
  });

  test('missing credentials or region fail at creation', () => {
    expect(() => createAwsJsonClient(SQS, { AWS_REGION: 'us-east-1' })).toThrow('AWS_ACCESS_KEY_ID');
    expect(() => createAwsJsonClient(SQS, { AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 's' })).toThrow('AWS_REGION');
  });
});
