/**
 * A lean AWS JSON client: Signature Version 4 (node:crypto) and node:http(s) with keep-alive
 * agents (not the global fetch: its first use loads undici, ≈ 150 ms on a cold start).
 * The writer calls three operations (DynamoDB BatchWriteItem, SQS SendMessageBatch, RDS Data
 * BatchExecuteStatement); the modular SDK v3 clients would add ≈ 0.5 MB and ≈ 100+ ms of cold
 * start for that, and even the SDK's standalone signer pulls in ≈ 150 KB of @smithy/core
 * (docs/write-buffer-runtime.md has the measurements). The signature is checked against the
 * SDK's own signer (@smithy/signature-v4) in test/lambda.
 *
 * Honours the SDK's standard configuration: AWS_REGION, the Lambda credentials in
 * AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, and the endpoint overrides
 * AWS_ENDPOINT_URL_<SERVICE> and AWS_ENDPOINT_URL (unless AWS_IGNORE_CONFIGURED_ENDPOINT_URLS).
 */
import { createHash, createHmac } from 'node:crypto';
import * as http from 'node:http';
import * as https from 'node:https';

/** An error answered by the service, or a transport failure. */
export class AwsError extends Error {
  constructor(
    /** The service's error code (e.g. ProvisionedThroughputExceededException), or NetworkError. */
    readonly code: string,
    message: string,
    /** HTTP status (0 when no response arrived). */
    readonly status: number,
    /** Whether a retry can succeed (throttling, 5xx, network). */
    readonly retryable: boolean,
  ) {
    super(`${code}: ${message}`);
    this.name = code;
  }
}

const THROTTLING = new Set([
  'ThrottlingException', 'Throttling', 'ThrottledException', 'RequestThrottledException', 'RequestThrottled',
  'TooManyRequestsException', 'ProvisionedThroughputExceededException', 'RequestLimitExceeded',
  'LimitExceededException', 'TransactionConflictException', 'BandwidthLimitExceeded', 'SlowDown',
  'EC2ThrottledException', 'PriorRequestNotComplete', 'RequestTimeout', 'RequestTimeoutException',
  'InternalServerError', 'InternalFailure', 'ServiceUnavailable', 'ServiceUnavailableError',
  'DatabaseResumingException', 'DatabaseUnavailableException', 'KMS.ThrottlingException',
]);

/** Whether an error code or status is worth retrying. */
export function isRetryable(code: string, status: number): boolean {
  return status >= 500 || status === 429 || THROTTLING.has(code);
}

/** Calls one operation; `deadline` (epoch ms) bounds the request. */
export interface AwsJsonClient {
  send(operation: string, input: unknown, deadline: number): Promise<unknown>;
}

/** How a service speaks JSON. */
export interface ServiceSpec {
  /** Signing name (dynamodb, sqs, rds-data). */
  readonly signingName: string;
  /** Endpoint host prefix (dynamodb → dynamodb.<region>.amazonaws.com). */
  readonly endpointPrefix: string;
  /** SDK service id used for AWS_ENDPOINT_URL_<ID> (DYNAMODB, SQS, RDS_DATA). */
  readonly envId: string;
  /** awsJson1_0 services: X-Amz-Target prefix. */
  readonly targetPrefix?: string;
  /** restJson services: path per operation. */
  readonly paths?: Readonly<Record<string, string>>;
}

export const DYNAMODB: ServiceSpec = { signingName: 'dynamodb', endpointPrefix: 'dynamodb', envId: 'DYNAMODB', targetPrefix: 'DynamoDB_20120810' };
export const SQS: ServiceSpec = { signingName: 'sqs', endpointPrefix: 'sqs', envId: 'SQS', targetPrefix: 'AmazonSQS' };
export const RDS_DATA: ServiceSpec = { signingName: 'rds-data', endpointPrefix: 'rds-data', envId: 'RDS_DATA', paths: { BatchExecuteStatement: '/BatchExecute' } };

/** The endpoint an SDK v3 client would use, from the standard environment variables. */
export function resolveEndpoint(spec: ServiceSpec, env: NodeJS.ProcessEnv, region: string): URL {
  const ignore = (env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS ?? '').toLowerCase() === 'true';
  const configured = ignore ? undefined : env[`AWS_ENDPOINT_URL_${spec.envId}`] || env.AWS_ENDPOINT_URL;
  if (configured) return new URL(configured);
  const suffix = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  return new URL(`https://${spec.endpointPrefix}.${region}.${suffix}`);
}

/** AWS credentials. */
export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** A request to sign: the headers given are all signed (lower-case names). */
export interface SignableRequest {
  readonly method: string;
  readonly host: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

const sha256Hex = (data: string): string => createHash('sha256').update(data, 'utf8').digest('hex');
const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data, 'utf8').digest();

/** RFC 3986 escaping of one path segment, as SigV4 wants it. */
function escapeSegment(segment: string): string {
  return encodeURIComponent(segment).replace(/[!'()*]/g, c => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * Signature Version 4 for one service and region: returns the headers to send (the given ones
 * plus x-amz-date, x-amz-security-token and authorization). The signing key is derived once
 * per day.
 */
export type Signer = (request: SignableRequest, now?: Date) => Record<string, string>;

/** Creates the signer of one service in one region. */
export function createSigner(service: string, region: string, credentials: Credentials): Signer {
  let keyDate = '';
  let signingKey: Buffer = Buffer.alloc(0);
  return (request, now = new Date()) => {
    const amzDate = now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
    const date = amzDate.slice(0, 8);
    if (date !== keyDate) {
      signingKey = hmac(hmac(hmac(hmac(`AWS4${credentials.secretAccessKey}`, date), region), service), 'aws4_request');
      keyDate = date;
    }
    const headers: Record<string, string> = { ...request.headers, 'host': request.host, 'x-amz-date': amzDate };
    if (credentials.sessionToken) headers['x-amz-security-token'] = credentials.sessionToken;
    const names = Object.keys(headers).sort();
    let canonicalHeaders = '';
    for (const n of names) canonicalHeaders += `${n}:${headers[n].trim().replace(/\s+/g, ' ')}\n`;
    const signedHeaders = names.join(';');
    // Non-S3 services: each segment is escaped twice.
    const canonicalPath = request.path.split('/').map(s => escapeSegment(escapeSegment(s))).join('/') || '/';
    const canonicalRequest = `${request.method}\n${canonicalPath}\n\n${canonicalHeaders}\n${signedHeaders}\n${sha256Hex(request.body)}`;
    const scope = `${date}/${region}/${service}/aws4_request`;
    const stringToSign = `AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${sha256Hex(canonicalRequest)}`;
    const signature = createHmac('sha256', signingKey).update(stringToSign, 'utf8').digest('hex');
    headers.authorization = `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
    return headers;
  };
}

/** Credentials as Lambda provides them (environment variables). */
export function credentialsFromEnv(env: NodeJS.ProcessEnv): Credentials {
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) {
    throw new Error('AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY are not set (Lambda sets them for the function role)');
  }
  return { accessKeyId, secretAccessKey, sessionToken: env.AWS_SESSION_TOKEN || undefined };
}

/** An HTTP answer. */
export interface HttpAnswer {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

/** Sends one POST; rejects on network errors and timeouts. */
export type HttpPost = (url: URL, headers: Record<string, string>, body: string, timeoutMs: number) => Promise<HttpAnswer>;

const agents = {
  'http:': new http.Agent({ keepAlive: true, maxSockets: 50 }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: 50 }),
};

/** POST over node:http(s), connections kept alive between invocations. */
export const httpPost: HttpPost = (url, headers, body, timeoutMs) => new Promise((resolve, reject) => {
  const secure = url.protocol === 'https:';
  const request = (secure ? https : http).request(url, {
    method: 'POST',
    headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
    agent: secure ? agents['https:'] : agents['http:'],
  }, response => {
    const chunks: Buffer[] = [];
    response.on('data', (c: Buffer) => chunks.push(c));
    response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }));
    response.on('error', reject);
  });
  request.setTimeout(timeoutMs, () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
  request.on('error', reject);
  request.end(body);
});

function errorCode(headers: http.IncomingHttpHeaders, body: Record<string, unknown> | undefined): string {
  const header = headers['x-amzn-errortype'];
  const raw = (Array.isArray(header) ? header[0] : header) ?? (body?.__type as string | undefined) ?? (body?.code as string | undefined) ?? 'UnknownError';
  const hash = raw.lastIndexOf('#');
  const code = hash >= 0 ? raw.slice(hash + 1) : raw;
  const colon = code.indexOf(':');
  return colon >= 0 ? code.slice(0, colon) : code;
}

/** The writer's client for one service (create once per container). */
export function createAwsJsonClient(spec: ServiceSpec, env: NodeJS.ProcessEnv = process.env, post: HttpPost = httpPost): AwsJsonClient {
  const region = env.AWS_REGION || env.AWS_DEFAULT_REGION;
  if (!region) throw new Error('AWS_REGION is not set (Lambda sets it)');
  const endpoint = resolveEndpoint(spec, env, region);
  const credentials = credentialsFromEnv(env);
  const sign = createSigner(spec.signingName, region, credentials);
  const base = endpoint.pathname.replace(/\/$/, '');
  const contentType = spec.targetPrefix ? 'application/x-amz-json-1.0' : 'application/json';
  const host = endpoint.host;
  const urls = new Map<string, URL>();

  return {
    async send(operation, input, deadline) {
      const body = JSON.stringify(input);
      const headers: Record<string, string> = { 'content-type': contentType };
      if (spec.targetPrefix) headers['x-amz-target'] = `${spec.targetPrefix}.${operation}`;
      const path = `${base}${spec.paths?.[operation] ?? '/'}`;
      let url = urls.get(path);
      if (!url) urls.set(path, url = new URL(`${endpoint.origin}${path}`));
      const signed = sign({ method: 'POST', host, path, headers, body });
      let answer: HttpAnswer;
      try {
        answer = await post(url, signed, body, Math.max(1, deadline - Date.now()));
      } catch (e) {
        throw new AwsError('NetworkError', (e as Error).message, 0, true);
      }
      let parsed: Record<string, unknown> | undefined;
      try {
        parsed = answer.body ? JSON.parse(answer.body) as Record<string, unknown> : {};
      } catch {
        parsed = undefined;
      }
      const ok = answer.status >= 200 && answer.status < 300;
      if (ok && parsed) return parsed;
      const code = ok ? 'InvalidResponse' : errorCode(answer.headers, parsed);
      const message = (parsed?.message ?? parsed?.Message ?? answer.body.slice(0, 200)) as string;
      throw new AwsError(code, message, answer.status, isRetryable(code, answer.status) || ok);
    },
  };
}
