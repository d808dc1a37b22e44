/**
 * Presigned upload URLs: the front end of the video reference architecture. A client POSTs
 * `{ "filename": "holiday.mp4", "contentType": "video/mp4" }` and gets back a URL it can PUT the
 * video to, straight into the upload bucket (the video never passes through Lambda or API
 * Gateway, so their payload limits and costs do not apply). The bucket's ObjectCreated event
 * then queues the transcoding job.
 *
 * Environment: UPLOAD_BUCKET (required), KEY_PREFIX (default `uploads/`), URL_EXPIRES_SECONDS
 * (default 900), ALLOWED_CONTENT_TYPES (comma-separated prefixes, default `video/`).
 */
import { randomUUID } from 'node:crypto';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';

/** Configuration read once per container. */
export interface PresignConfig {
  readonly bucket: string;
  readonly keyPrefix: string;
  readonly expiresSeconds: number;
  readonly allowedContentTypes: readonly string[];
}

/** An upload request that passed the checks, or why it did not. */
export type UploadRequest =
  | { readonly ok: true; readonly key: string; readonly contentType: string }
  | { readonly ok: false; readonly reason: string };

export function readConfig(env: NodeJS.ProcessEnv): PresignConfig {
  const bucket = env.UPLOAD_BUCKET?.trim();
  if (!bucket) throw new Error('UPLOAD_BUCKET is not set: the construct that deploys this handler sets it');
  const expiresSeconds = Number(env.URL_EXPIRES_SECONDS ?? '900');
  if (!Number.isInteger(expiresSeconds) || expiresSeconds < 1 || expiresSeconds > 604_800) {
    throw new Error(`URL_EXPIRES_SECONDS=${JSON.stringify(env.URL_EXPIRES_SECONDS)} is invalid: expected a whole number from 1 to 604800 (7 days, the SigV4 limit)`);
  }
  return {
    bucket,
    keyPrefix: env.KEY_PREFIX ?? 'uploads/',
    expiresSeconds,
    allowedContentTypes: (env.ALLOWED_CONTENT_TYPES ?? 'video/').split(',').map(t => t.trim()).filter(Boolean),
  };
}

/** Keeps letters, digits, dot, dash and underscore of the file's base name (no paths, no URL tricks). */
export function safeFilename(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const cleaned = base.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '').slice(-100);
  return cleaned || 'video';
}

/** Checks the request body and chooses the object key: `<prefix><uuid>/<safe filename>`. */
export function parseUploadRequest(body: string | undefined, isBase64: boolean, config: PresignConfig, id: string = randomUUID()): UploadRequest {
  let value: unknown;
  try {
    value = JSON.parse(body ? (isBase64 ? Buffer.from(body, 'base64').toString('utf8') : body) : '{}');
  } catch {
    return { ok: false, reason: 'the body is not JSON; send {"filename": "...", "contentType": "video/mp4"}' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, reason: 'the body must be a JSON object: {"filename": "...", "contentType": "video/mp4"}' };
  }
  const { filename, contentType } = value as { filename?: unknown; contentType?: unknown };
  if (typeof contentType !== 'string' || !config.allowedContentTypes.some(p => contentType.startsWith(p))) {
    return { ok: false, reason: `contentType must start with one of ${config.allowedContentTypes.join(', ')} (got ${JSON.stringify(contentType)})` };
  }
  if (filename !== undefined && typeof filename !== 'string') {
    return { ok: false, reason: 'filename must be a string' };
  }
  return { ok: true, key: `${config.keyPrefix}${id}/${safeFilename(filename ?? 'video')}`, contentType };
}

function json(statusCode: number, body: unknown): APIGatewayProxyResultV2 {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

let config: PresignConfig | undefined;
let s3: S3Client | undefined;

export async function handler(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyResultV2> {
  config ??= readConfig(process.env);
  s3 ??= new S3Client({});
  const request = parseUploadRequest(event.body, event.isBase64Encoded, config);
  if (!request.ok) return json(400, { message: request.reason });
  const uploadUrl = await getSignedUrl(s3, new PutObjectCommand({ Bucket: config.bucket, Key: request.key, ContentType: request.contentType }), {
    expiresIn: config.expiresSeconds,
  });
  return json(200, { uploadUrl, method: 'PUT', headers: { 'content-type': request.contentType }, bucket: config.bucket, key: request.key, expiresIn: config.expiresSeconds });
}
