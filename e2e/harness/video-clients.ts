/**
 * The video front end, from the caller's side: generated clips, the decoupled upload (a SigV4
 * signed `POST /uploads` to the stack's HTTP API for a presigned URL, then a `PUT` of the clip to
 * it), and the synchronous call the peer design makes (`POST /transcode` with the clip, waiting
 * for the transcoded video). Both record each caller's latency and outcome.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { SignatureV4 } from '@smithy/signature-v4';
import { localSigner } from './sigv4';

/** Clip size: tiny, so a spike of 1,000 transcodes fits in CI. */
export interface ClipSpec {
  readonly seconds: number;
  readonly width: number;
  readonly height: number;
}
export const TINY_CLIP: ClipSpec = { seconds: 0.2, width: 64, height: 64 };

/** A generated test clip (ffmpeg's testsrc, H.264 in MP4), cached in `dir`. */
export function generateClip(dir: string, spec: ClipSpec = TINY_CLIP): string {
  const file = path.join(dir, `clip-${spec.seconds}s-${spec.width}x${spec.height}.mp4`);
  if (fs.existsSync(file)) return file;
  const r = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `testsrc=duration=${spec.seconds}:size=${spec.width}x${spec.height}:rate=10`,
    '-pix_fmt', 'yuv420p', file], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ffmpeg could not generate the clip: ${r.stderr}`);
  return file;
}

/** ffprobe of a video: codec, width, height, duration (s). */
export function probe(file: string): { codec: string; width: number; height: number; duration: number } {
  const r = spawnSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=codec_name,width,height:format=duration', '-of', 'json', file], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ffprobe ${file} failed: ${r.stderr}`);
  const info = JSON.parse(r.stdout);
  return { codec: info.streams[0].codec_name, width: info.streams[0].width, height: info.streams[0].height, duration: Number(info.format.duration) };
}

/** The emulator URL of an HTTP API route: `https://<id>.execute-api.…` → `<endpoint>/_aws/execute-api/<id>/$default<route>`. */
export function localApiUrl(endpoint: string, apiUrl: string, route: string): URL {
  // Not `new URL(apiUrl)`: the emulator's `http://<id>.execute-api.127.0.0.1:<port>` is not a valid WHATWG host.
  const apiId = /^[a-z]+:\/\/([^./]+)\.execute-api\./.exec(apiUrl)?.[1];
  if (!apiId) throw new Error(`ApiUrl ${apiUrl} is not an execute-api URL`);
  return new URL(`${endpoint}/_aws/execute-api/${apiId}/$default${route}`);
}

/** What one caller saw. */
export interface CallResult {
  readonly id: string;
  readonly ok: boolean;
  readonly status: number;
  /** From the caller's first byte sent to its last byte received (all attempts). */
  readonly latencyMs: number;
  readonly startedAt: number;
  readonly endedAt: number;
  /** 'timeout', 'http <status>', or an error message, when not ok. */
  readonly error?: string;
  readonly attempts: number;
  /** The object key the upload was given (decoupled), when known. */
  readonly key?: string;
}

/** The decoupled front end: ask the HTTP API (IAM auth, SigV4) for an upload URL, then PUT the clip. */
export class UploadClient {
  private readonly signer: SignatureV4;
  private readonly url: URL;

  constructor(endpoint: string, apiUrl: string, private readonly clip: Buffer, private readonly timeoutMs = 30_000) {
    this.signer = localSigner(endpoint, 'execute-api');
    this.url = localApiUrl(endpoint, apiUrl, '/uploads');
  }

  async upload(id: string, filename: string): Promise<CallResult> {
    const startedAt = Date.now();
    const done = (ok: boolean, status: number, error?: string, key?: string): CallResult =>
      ({
        id,
        ok,
        status,
        latencyMs: Date.now() - startedAt,
        startedAt,
        endedAt: Date.now(),
        attempts: 1,
        ...(error ? { error } : {}),
        ...(key ? { key } : {}),
      });
    try {
      const body = JSON.stringify({ filename, contentType: 'video/mp4' });
      const signed = await this.signer.sign({
        method: 'POST',
        protocol: this.url.protocol,
        hostname: this.url.hostname,
        port: Number(this.url.port),
        path: this.url.pathname,
        query: {},
        headers: { 'host': this.url.host, 'content-type': 'application/json' },
        body,
      });
      const res = await fetch(this.url, { method: 'POST', headers: signed.headers, body, signal: AbortSignal.timeout(this.timeoutMs) });
      const text = await res.text();
      if (res.status !== 200) return done(false, res.status, `POST /uploads: http ${res.status} ${text.slice(0, 200)}`);
      const grant = JSON.parse(text) as { uploadUrl: string; key: string; headers: Record<string, string> };
      const put = await fetch(grant.uploadUrl, { method: 'PUT', headers: grant.headers, body: this.clip, signal: AbortSignal.timeout(this.timeoutMs) });
      await put.arrayBuffer();
      if (put.status !== 200) return done(false, put.status, `PUT upload URL: http ${put.status}`, grant.key);
      return done(true, 200, undefined, grant.key);
    } catch (error) {
      const e = error as Error;
      return done(false, 0, e.name === 'TimeoutError' ? 'timeout' : e.message);
    }
  }
}

/**
 * The synchronous front end: POST the clip to the transcoding service and wait for the video. A
 * request that takes longer than `timeoutMs` is abandoned (as API Gateway's 29 s integration
 * timeout or a browser would) and retried up to `retries` times.
 */
export class SyncClient {
  constructor(
    private readonly serviceUrl: string,
    private readonly clip: Buffer,
    private readonly timeoutMs: number,
    private readonly retries: number,
  ) {}

  async transcode(id: string): Promise<CallResult> {
    const startedAt = Date.now();
    let last: { status: number; error?: string } = { status: 0 };
    for (let attempt = 1; attempt <= this.retries + 1; attempt++) {
      try {
        const res = await fetch(`${this.serviceUrl}/transcode?id=${encodeURIComponent(id)}&attempt=${attempt}`, {
          method: 'POST', headers: { 'content-type': 'video/mp4' }, body: this.clip, signal: AbortSignal.timeout(this.timeoutMs),
        });
        await res.arrayBuffer();
        if (res.status === 200) {
          return { id, ok: true, status: 200, latencyMs: Date.now() - startedAt, startedAt, endedAt: Date.now(), attempts: attempt };
        }
        last = { status: res.status, error: `http ${res.status}` };
      } catch (error) {
        const e = error as Error;
        last = { status: 0, error: e.name === 'TimeoutError' ? 'timeout' : e.message };
      }
    }
    const endedAt = Date.now();
    return { id, ok: false, status: last.status, latencyMs: endedAt - startedAt, startedAt, endedAt, attempts: this.retries + 1, error: last.error };
  }
}

/** Runs `calls` with at most `concurrency` at once (Infinity: all at once); results in call order. */
export async function runCalls<T>(calls: Array<() => Promise<T>>, concurrency = Infinity): Promise<T[]> {
  const results: T[] = new Array(calls.length);
  let next = 0;
  const lanes = Math.min(calls.length, concurrency);
  await Promise.all(Array.from({ length: lanes }, async () => {
    while (next < calls.length) {
      const i = next++;
      results[i] = await calls[i]();
    }
  }));
  return results;
}

/** The p-th percentile (nearest rank). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
