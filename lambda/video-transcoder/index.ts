/**
 * The video transcoder worker (reference architecture "video processing"): runs on the queue-worker
 * runtime in a container with ffmpeg. For each uploaded object in a job: download it from S3,
 * transcode it with ffmpeg (child process, scaled to OUTPUT_WIDTH, H.264/AAC MP4), upload the result
 * to OUTPUT_BUCKET, and publish a completion notification to COMPLETION_TOPIC_ARN.
 *
 * Environment: the queue-worker contract (QUEUE_URL, WORKER_CONCURRENCY, VISIBILITY_TIMEOUT_SECONDS,
 * HEARTBEAT_INTERVAL_SECONDS, ...) plus OUTPUT_BUCKET (required), COMPLETION_TOPIC_ARN (optional),
 * OUTPUT_PREFIX (default ''), OUTPUT_WIDTH (default 320), FFMPEG_INPUT_OPTIONS, FFMPEG_OUTPUT_OPTIONS,
 * FFMPEG_PATH (default 'ffmpeg'), S3_FORCE_PATH_STYLE ('true' for local emulators).
 */
import { spawn } from 'child_process';
import { createReadStream, createWriteStream, promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { pipeline } from 'stream/promises';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { DEFAULT_OUTPUT_OPTIONS, ffmpegArgs, outputKeyFor, parseJob, splitOptions, TranscodeSettings, VideoObject } from './job';
import { Logger } from '../queue-worker/log';
import { JobContext, WorkerMessage } from '../queue-worker/runtime';

interface TranscoderConfig extends TranscodeSettings {
  readonly outputBucket: string;
  readonly outputPrefix: string;
  readonly topicArn?: string;
  readonly ffmpegPath: string;
}

function readTranscoderConfig(env: NodeJS.ProcessEnv): TranscoderConfig {
  const outputBucket = env.OUTPUT_BUCKET?.trim();
  if (!outputBucket) throw new Error('OUTPUT_BUCKET is not set: expected the bucket transcoded videos are written to. Fix: set OUTPUT_BUCKET (the video reference architecture sets it).');
  const width = Number(env.OUTPUT_WIDTH ?? '320');
  if (!Number.isInteger(width) || width < 16 || width > 7680 || width % 2 !== 0) {
    throw new Error(`OUTPUT_WIDTH=${JSON.stringify(env.OUTPUT_WIDTH)} is invalid: expected an even whole number from 16 to 7680. Fix: set OUTPUT_WIDTH, e.g. 320.`);
  }
  return {
    outputBucket,
    outputPrefix: env.OUTPUT_PREFIX ?? '',
    topicArn: env.COMPLETION_TOPIC_ARN?.trim() || undefined,
    width,
    inputOptions: splitOptions(env.FFMPEG_INPUT_OPTIONS),
    outputOptions: splitOptions(env.FFMPEG_OUTPUT_OPTIONS ?? DEFAULT_OUTPUT_OPTIONS),
    ffmpegPath: env.FFMPEG_PATH || 'ffmpeg',
  };
}

/** Runs ffmpeg; rejects with its last error lines on a non-zero exit; killed when `signal` aborts. */
function runFfmpeg(ffmpegPath: string, args: string[], signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(ffmpegPath, args, { stdio: ['ignore', 'ignore', 'pipe'], signal, killSignal: 'SIGKILL' });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => { stderr = (stderr + chunk.toString('utf8')).slice(-2000); });
    child.on('error', reject);
    child.on('close', (code, sig) => {
      if (code === 0) resolve();
      else reject(new Error(`ffmpeg exited with ${code ?? sig}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`));
    });
  });
}

export function createTranscoder(env: NodeJS.ProcessEnv = process.env) {
  const config = readTranscoderConfig(env);
  const endpoint = env.AWS_ENDPOINT_URL || undefined;
  // Clients once per process.
  const s3 = new S3Client({ ...(endpoint ? { endpoint } : {}), forcePathStyle: env.S3_FORCE_PATH_STYLE === 'true' });
  const sns = new SNSClient({ ...(endpoint ? { endpoint } : {}) });

  const transcodeOne = async (source: VideoObject, message: WorkerMessage, ctx: JobContext, log: Logger) => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'transcode-'));
    try {
      const input = path.join(dir, 'input');
      const output = path.join(dir, 'output.mp4');
      const started = Date.now();
      const object = await s3.send(new GetObjectCommand({ Bucket: source.bucket, Key: source.key }), { abortSignal: ctx.signal });
      if (!object.Body) throw new Error(`s3://${source.bucket}/${source.key} has no body`);
      await pipeline(object.Body as NodeJS.ReadableStream, createWriteStream(input));
      const inputBytes = (await fs.stat(input)).size;
      await runFfmpeg(config.ffmpegPath, ffmpegArgs(input, output, config), ctx.signal);
      const outputBytes = (await fs.stat(output)).size;
      const outputKey = outputKeyFor(source.key, config.outputPrefix);
      await s3.send(new PutObjectCommand({
        Bucket: config.outputBucket, Key: outputKey, Body: createReadStream(output), ContentLength: outputBytes, ContentType: 'video/mp4',
      }), { abortSignal: ctx.signal });
      const durationMs = Date.now() - started;
      log.info('video transcoded', { source: `s3://${source.bucket}/${source.key}`, output: `s3://${config.outputBucket}/${outputKey}`, inputBytes, outputBytes, durationMs });
      if (config.topicArn) {
        await sns.send(new PublishCommand({
          TopicArn: config.topicArn,
          Subject: 'video transcoded',
          Message: JSON.stringify({
            status: 'done',
            source: { bucket: source.bucket, key: source.key },
            output: { bucket: config.outputBucket, key: outputKey, bytes: outputBytes, width: config.width },
            messageId: message.messageId,
            receiveCount: message.receiveCount,
            durationMs,
          }),
        }));
      }
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  };

  return async (message: WorkerMessage, ctx: JobContext): Promise<void> => {
    const job = parseJob(message.body);
    if (job.kind === 'test-event') {
      ctx.log.info('s3:TestEvent acknowledged (sent by S3 when the notification was configured)');
      return;
    }
    if (job.objects.length === 0) ctx.log.info('no ObjectCreated record in the event: nothing to transcode');
    for (const source of job.objects) await transcodeOne(source, message, ctx, ctx.log);
  };
}
