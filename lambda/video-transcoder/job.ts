/**
 * What a video job message can be, and how it becomes a list of objects to transcode:
 * - an S3 event notification delivered to SQS by the upload bucket: `{ Records: [{ eventSource: 'aws:s3', s3: { bucket: { name }, object: { key } } }] }`
 *   (keys arrive URL-encoded with `+` for spaces);
 * - the `s3:TestEvent` S3 sends once when the notification is configured: acknowledged, nothing to do;
 * - either of them wrapped in an SNS envelope (S3 → SNS → SQS without raw delivery);
 * - a direct job `{ bucket, key }`.
 * Anything else is an error: the message is retried and ends in the DLQ.
 */

export interface VideoObject {
  readonly bucket: string;
  readonly key: string;
}

export type ParsedJob =
  | { readonly kind: 'objects'; readonly objects: VideoObject[] }
  | { readonly kind: 'test-event' };

export class BadJobError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BadJobError';
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** S3 event keys are URL-encoded, spaces as '+'. */
export function decodeS3Key(key: string): string {
  return decodeURIComponent(key.replace(/\+/g, ' '));
}

export function parseJob(body: string): ParsedJob {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new BadJobError(`message body is not JSON: ${body.slice(0, 100)}`);
  }
  if (isObject(value) && value.Type === 'Notification' && typeof value.Message === 'string') {
    return parseJob(value.Message);
  }
  if (!isObject(value)) throw new BadJobError('message body is not a JSON object');
  if (value.Event === 's3:TestEvent') return { kind: 'test-event' };
  if (Array.isArray(value.Records)) {
    const objects: VideoObject[] = [];
    for (const record of value.Records) {
      if (!isObject(record) || !isObject(record.s3)) throw new BadJobError('S3 event record without an s3 field');
      const s3 = record.s3;
      const bucket = isObject(s3.bucket) ? s3.bucket.name : undefined;
      const key = isObject(s3.object) ? s3.object.key : undefined;
      if (typeof bucket !== 'string' || typeof key !== 'string') throw new BadJobError('S3 event record without s3.bucket.name or s3.object.key');
      const eventName = typeof record.eventName === 'string' ? record.eventName : 'ObjectCreated:';
      if (!eventName.startsWith('ObjectCreated')) continue;
      objects.push({ bucket, key: decodeS3Key(key) });
    }
    return { kind: 'objects', objects };
  }
  if (typeof value.bucket === 'string' && typeof value.key === 'string' && value.bucket && value.key) {
    return { kind: 'objects', objects: [{ bucket: value.bucket, key: value.key }] };
  }
  throw new BadJobError('expected an S3 event notification, an s3:TestEvent or {"bucket","key"}');
}

/** uploads/cat.mov → <prefix>uploads/cat.mp4 */
export function outputKeyFor(key: string, prefix: string): string {
  const base = key.replace(/\.[^./]*$/, '');
  return `${prefix}${base}.mp4`;
}

/** Splits an option string on whitespace ("-preset veryfast -crf 28"). */
export function splitOptions(raw: string | undefined): string[] {
  return (raw ?? '').split(/\s+/).filter(Boolean);
}

export interface TranscodeSettings {
  /** OUTPUT_WIDTH: output width in pixels, height keeps the aspect ratio (default 320). */
  readonly width: number;
  /** FFMPEG_INPUT_OPTIONS: options before -i (default none). */
  readonly inputOptions: string[];
  /** FFMPEG_OUTPUT_OPTIONS: codec options (default H.264 veryfast, CRF 28, AAC audio, faststart). */
  readonly outputOptions: string[];
}

export const DEFAULT_OUTPUT_OPTIONS = '-c:v libx264 -preset veryfast -crf 28 -pix_fmt yuv420p -c:a aac -b:a 96k -movflags +faststart';

/** The ffmpeg command line for one transcode. */
export function ffmpegArgs(input: string, output: string, settings: TranscodeSettings): string[] {
  return [
    '-hide_banner', '-nostdin', '-loglevel', 'error', '-y',
    ...settings.inputOptions,
    '-i', input,
    // -2: an even height, as H.264 with yuv420p requires.
    '-vf', `scale=${settings.width}:-2`,
    ...settings.outputOptions,
    output,
  ];
}
