/**
 * The peer the video architecture argues against: a synchronous transcoding HTTP service that the
 * front end calls directly (`POST /transcode` with the video, the transcoded video in the
 * response). It runs the SAME ffmpeg work as the queue workers (the transcoder's own
 * `ffmpegArgs`, `OUTPUT_WIDTH`, default codec options) with a fixed number of workers (at most
 * that many ffmpeg processes at once; the rest wait in arrival order), on 127.0.0.1.
 *
 * Like a service behind API Gateway (29 s integration timeout) or a load balancer, a request has a
 * deadline: one still waiting at its deadline is answered 504 and dropped; one being transcoded
 * at its deadline is answered 504 too, but its ffmpeg runs to the end (work nobody receives).
 * A request whose caller has gone before a worker takes it is skipped.
 */
import { spawn } from 'child_process';
import { promises as fs } from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { DEFAULT_OUTPUT_OPTIONS, ffmpegArgs, splitOptions } from '../../lambda/video-transcoder/job';

export interface SyncTranscoderOptions {
  /** ffmpeg processes at once (the "workers"). */
  readonly workers: number;
  /** Deadline of a request, from its arrival. */
  readonly requestTimeoutMs: number;
  /** Output width (the stack's OUTPUT_WIDTH). */
  readonly outputWidth?: number;
}

export interface SyncTranscoderStats {
  readonly requests: number;
  /** Transcodes that ran to the end, per video id. */
  readonly transcodesById: Record<string, number>;
  /** Transcodes finished after their request had been answered 504 (work nobody received). */
  readonly wasted: number;
  readonly timedOutWaiting: number;
  readonly timedOutTranscoding: number;
  readonly skippedCallerGone: number;
  /** When the last transcode finished (ms since epoch). */
  readonly lastTranscodeAt?: number;
  /** (time, requests waiting, transcodes running) every 250 ms. */
  readonly timeline: Array<[number, number, number]>;
}

export interface SyncTranscoder {
  readonly url: string;
  stats(): SyncTranscoderStats;
  /** Resolves when no transcode is running or waiting. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

interface Pending {
  readonly id: string;
  readonly body: Buffer;
  readonly res: http.ServerResponse;
  readonly arrivedAt: number;
  answered: boolean;
  timer?: NodeJS.Timeout;
}

function runFfmpeg(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('ffmpeg', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => { stderr = (stderr + c.toString('utf8')).slice(-1000); });
    child.on('error', reject);
    child.on('close', code => (code === 0 ? resolve() : reject(new Error(`ffmpeg exited with ${code}: ${stderr.trim()}`))));
  });
}

export async function startSyncTranscoder(options: SyncTranscoderOptions): Promise<SyncTranscoder> {
  const settings = { width: options.outputWidth ?? 320, inputOptions: [], outputOptions: splitOptions(DEFAULT_OUTPUT_OPTIONS) };
  const waiting: Pending[] = [];
  let running = 0;
  const counts = { requests: 0, wasted: 0, timedOutWaiting: 0, timedOutTranscoding: 0, skippedCallerGone: 0 };
  const transcodesById: Record<string, number> = {};
  let lastTranscodeAt: number | undefined;
  const timeline: Array<[number, number, number]> = [];
  const sampler = setInterval(() => timeline.push([Date.now(), waiting.length, running]), 250);
  const idleWaiters: Array<() => void> = [];
  const workDir = await fs.mkdtemp(path.join(os.tmpdir(), 'sync-transcoder-'));

  const answer = (p: Pending, status: number, body: Buffer | string, type = 'text/plain') => {
    if (p.answered) return;
    p.answered = true;
    if (p.timer) clearTimeout(p.timer);
    if (!p.res.destroyed) {
      p.res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
      p.res.end(body);
    }
  };

  const transcode = async (p: Pending) => {
    const dir = await fs.mkdtemp(path.join(workDir, 'job-'));
    try {
      const input = path.join(dir, 'input');
      const output = path.join(dir, 'output.mp4');
      await fs.writeFile(input, p.body);
      await runFfmpeg(ffmpegArgs(input, output, settings));
      transcodesById[p.id] = (transcodesById[p.id] ?? 0) + 1;
      lastTranscodeAt = Date.now();
      // Answered 504 already, or the caller gave up (its own timeout) while this ran: nobody receives it.
      if (p.answered || p.res.destroyed || p.res.socket?.destroyed === true) counts.wasted++;
      answer(p, 200, await fs.readFile(output), 'video/mp4');
    } catch (error) {
      answer(p, 500, (error as Error).message);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  };

  const pump = () => {
    while (running < options.workers && waiting.length > 0) {
      const p = waiting.shift()!;
      if (p.answered) continue;
      if (p.res.destroyed || p.res.socket?.destroyed) {
        counts.skippedCallerGone++;
        answer(p, 499, 'caller gone');
        continue;
      }
      running++;
      void transcode(p).finally(() => {
        running--;
        pump();
      });
    }
    if (running === 0 && waiting.length === 0) idleWaiters.splice(0).forEach(r => r());
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method !== 'POST' || url.pathname !== '/transcode') {
      res.writeHead(404).end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      counts.requests++;
      const p: Pending = { id: url.searchParams.get('id') ?? `anon-${counts.requests}`, body: Buffer.concat(chunks), res, arrivedAt: Date.now(), answered: false };
      p.timer = setTimeout(() => {
        const index = waiting.indexOf(p);
        if (index >= 0) {
          waiting.splice(index, 1);
          counts.timedOutWaiting++;
        } else {
          counts.timedOutTranscoding++;
        }
        answer(p, 504, 'request timed out');
        pump();
      }, options.requestTimeoutMs);
      waiting.push(p);
      pump();
    });
  });
  // Thousands of callers at once: no per-server connection cap, keep-alive as usual.
  server.maxConnections = 0;
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    stats: () => ({ ...counts, transcodesById: { ...transcodesById }, lastTranscodeAt, timeline: [...timeline] }),
    idle: () => (running === 0 && waiting.length === 0 ? Promise.resolve() : new Promise<void>(r => idleWaiters.push(r))),
    stop: async () => {
      clearInterval(sampler);
      server.closeAllConnections();
      await new Promise<void>(resolve => server.close(() => resolve()));
      await fs.rm(workDir, { recursive: true, force: true });
    },
  };
}
