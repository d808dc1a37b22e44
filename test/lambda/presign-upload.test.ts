import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { handler, parseUploadRequest, PresignConfig, readConfig, safeFilename } from '../../lambda/presign-upload.lambda';

const config: PresignConfig = { bucket: 'uploads-bucket', keyPrefix: 'uploads/', expiresSeconds: 900, allowedContentTypes: ['video/'] };

describe('readConfig', () => {
  test('defaults and overrides', () => {
    expect(readConfig({ UPLOAD_BUCKET: 'b' })).toEqual({ bucket: 'b', keyPrefix: 'uploads/', expiresSeconds: 900, allowedContentTypes: ['video/'] });
    expect(readConfig({ UPLOAD_BUCKET: 'b', KEY_PREFIX: 'in/', URL_EXPIRES_SECONDS: '60', ALLOWED_CONTENT_TYPES: 'video/mp4, video/quicktime' }))
      .toEqual({ bucket: 'b', keyPrefix: 'in/', expiresSeconds: 60, allowedContentTypes: ['video/mp4', 'video/quicktime'] });
  });
  test('fails loudly on a missing bucket or a bad expiry', () => {
    expect(() => readConfig({})).toThrow('UPLOAD_BUCKET is not set');
    expect(() => readConfig({ UPLOAD_BUCKET: 'b', URL_EXPIRES_SECONDS: '0' })).toThrow('URL_EXPIRES_SECONDS="0" is invalid');
    expect(() => readConfig({ UPLOAD_BUCKET: 'b', URL_EXPIRES_SECONDS: '999999' })).toThrow('1 to 604800');
  });
});

describe('safeFilename', () => {
  test('keeps the base name and safe characters only', () => {
    expect(safeFilename('holiday.mp4')).toBe('holiday.mp4');
    expect(safeFilename('../../etc/passwd')).toBe('passwd');
    expect(safeFilename('C:\\videos\\my film (1).mov')).toBe('my_film__1_.mov');
    expect(safeFilename('.hidden')).toBe('hidden');
    expect(safeFilename('')).toBe('video');
  });
});

describe('parseUploadRequest', () => {
  test('a video upload gets a key under the prefix, a fresh id and the safe name', () => {
    expect(parseUploadRequest('{"filename":"a b.mp4","contentType":"video/mp4"}', false, config, 'id-1'))
      .toEqual({ ok: true, key: 'uploads/id-1/a_b.mp4', contentType: 'video/mp4' });
    const body = Buffer.from('{"contentType":"video/webm"}').toString('base64');
    expect(parseUploadRequest(body, true, config, 'id-2')).toEqual({ ok: true, key: 'uploads/id-2/video', contentType: 'video/webm' });
  });
  test('rejects what is not a video upload request', () => {
    expect(parseUploadRequest('not json', false, config)).toMatchObject({ ok: false, reason: expect.stringContaining('not JSON') });
    expect(parseUploadRequest('[1]', false, config)).toMatchObject({ ok: false, reason: expect.stringContaining('JSON object') });
    expect(parseUploadRequest('{"contentType":"text/html"}', false, config)).toMatchObject({ ok: false, reason: expect.stringContaining('contentType must start with one of video/') });
    expect(parseUploadRequest(undefined, false, config)).toMatchObject({ ok: false });
    expect(parseUploadRequest('{"contentType":"video/mp4","filename":5}', false, config)).toMatchObject({ ok: false, reason: 'filename must be a string' });
  });
});

describe('handler', () => {
  const env = { ...process.env };
  beforeAll(() => {
    Object.assign(process.env, { UPLOAD_BUCKET: 'uploads-bucket', AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret' });
  });
  afterAll(() => {
    process.env = env;
  });
  const event = (body: string) => ({ body, isBase64Encoded: false } as APIGatewayProxyEventV2);

  test('returns a presigned PUT URL for the key, signed for the content type (offline: signing needs no network)', async () => {
    const result = await handler(event('{"filename":"clip.mp4","contentType":"video/mp4"}')) as APIGatewayProxyStructuredResultV2;
    expect(result.statusCode).toBe(200);
    const body = JSON.parse(result.body!);
    expect(body).toMatchObject({ method: 'PUT', bucket: 'uploads-bucket', expiresIn: 900, headers: { 'content-type': 'video/mp4' } });
    expect(body.key).toMatch(/^uploads\/[0-9a-f-]{36}\/clip\.mp4$/);
    const url = new URL(body.uploadUrl);
    expect(url.hostname).toBe('uploads-bucket.s3.us-east-1.amazonaws.com');
    expect(decodeURIComponent(url.pathname)).toBe(`/${body.key}`);
    expect(url.searchParams.get('X-Amz-Expires')).toBe('900');
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toContain('host');
    expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
  });

  test('400 with the reason for a bad request', async () => {
    const result = await handler(event('{"contentType":"image/png"}')) as APIGatewayProxyStructuredResultV2;
    expect(result.statusCode).toBe(400);
    expect(JSON.parse(result.body!).message).toContain('contentType must start with one of video/');
  });
});
