// Frame grabber: one ffmpeg child process per camera, decoding the (sub-)stream to raw RGB
// frames of the detect size and rate, read from a local socket (frame-pipe.ts) straight into
// reused buffers (frame-pool.ts). It reconnects with backoff when ffmpeg exits or stalls; it
// never queues frames (the camera takes each one as it arrives).
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { Backoff, sleep } from '../../common/backoff.js';
import { errorMessage } from '../../common/errors.js';
import { RateLimitedLog, type Logger } from '../../common/log.js';
import { redactText } from '../../common/redact.js';
import { openFramePipe, type FramePipe } from './frame-pipe.js';
import { FramePool } from './frame-pool.js';
import type { Frame } from './types.js';

export interface GrabberOptions {
  url: string;
  rtspTransport: 'tcp' | 'udp';
  width: number;
  fps: number;
  ffmpegPath: string;
  /** No frame for this long: ffmpeg is killed and restarted (a UDP stream can go silent without an error). */
  stallMs: number;
  backoff: { initialMs: number; maxMs: number };
}

export interface GrabberHandlers {
  /** The frame's buffer is reused once this returns unless the handler holds it (`pool.hold`). */
  onFrame(frame: Frame): void;
  /** ffmpeg (re)started; the stream may come back with a different picture. */
  onConnect?(attempt: number): void;
}

type FfmpegProcess = ChildProcessByStdio<null, null, Readable>;

export function ffmpegArgs(options: Pick<GrabberOptions, 'url' | 'rtspTransport' | 'width' | 'fps'>): string[] {
  const input: string[] = [];
  let url = options.url;
  if (/^rtsps?:/.test(url)) {
    // -timeout: socket I/O timeout in µs, so a dead camera makes ffmpeg exit instead of waiting forever.
    input.push('-rtsp_transport', options.rtspTransport, '-timeout', '5000000');
    // Cameras send SPS/PPS with each keyframe; a short probe starts frames ~3 s sooner.
    input.push('-analyzeduration', '1000000', '-probesize', '1000000');
    // Live streams only: on a file read with -re, nobuffer starves the decoder.
    input.push('-fflags', 'nobuffer');
  } else if (url.startsWith('file:')) {
    // A file plays at its own rate, like a camera would.
    input.push('-re');
    url = url.slice('file:'.length).replace(/^\/\/(?=\/)/, '');
  }
  return [
    '-hide_banner',
    '-nostdin',
    '-nostats',
    '-loglevel',
    'info',
    '-flags',
    'low_delay',
    '-threads',
    '1',
    ...input,
    '-i',
    url,
    '-an',
    '-sn',
    '-dn',
    '-filter_threads',
    '1',
    // Never wider than the stream: an upscaled sub-stream (320 px → 640) adds no detail for the
    // detector but 4× the bytes of every frame buffer, motion pass and pipe read.
    '-vf',
    `fps=${options.fps},scale='min(${options.width},iw)':-2:flags=area`,
    '-pix_fmt',
    'rgb24',
    '-f',
    'rawvideo',
    'pipe:1',
  ];
}

/** Finds the output frame size in ffmpeg's stream report ("Output #0 … rgb24 …, 640x480"). */
export function parseOutputSize(stderr: string): { width: number; height: number } | undefined {
  const output = stderr.indexOf('Output #0');
  if (output < 0) return undefined;
  const match = /Stream #0:0.*?Video: rawvideo.*?(\d{2,5})x(\d{2,5})/.exec(stderr.slice(output));
  return match ? { width: Number(match[1]), height: Number(match[2]) } : undefined;
}

export class FrameGrabber {
  private child: FfmpegProcess | undefined;
  private abort = new AbortController();
  private loop: Promise<void> | undefined;
  private seq = 0;
  private lastFrameMono = 0;
  private readonly rateLog: RateLimitedLog;
  private readonly backoff: Backoff;
  private attempts = 0;

  constructor(
    private readonly options: GrabberOptions,
    private readonly handlers: GrabberHandlers,
    private readonly log: Logger,
    /** Where frame buffers come from and go back to. */
    readonly pool: FramePool = new FramePool(),
  ) {
    this.rateLog = new RateLimitedLog(log, 60_000);
    this.backoff = new Backoff(options.backoff);
  }

  get running(): boolean {
    return this.loop !== undefined;
  }

  start(): void {
    if (this.loop) return;
    this.abort = new AbortController();
    this.loop = this.run(this.abort.signal);
  }

  async close(): Promise<void> {
    this.abort.abort();
    this.child?.kill('SIGKILL');
    await this.loop;
    this.loop = undefined;
  }

  /** Kills the current ffmpeg; the loop reconnects (used when the camera looks stuck). */
  restart(): void {
    this.child?.kill('SIGKILL');
  }

  private async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      this.attempts++;
      this.handlers.onConnect?.(this.attempts);
      const gotFrames = await this.runOnce(signal);
      if (signal.aborted) break;
      if (gotFrames) this.backoff.reset();
      const delay = this.backoff.nextDelayMs();
      this.log.debug({ delayMs: delay }, 'ffmpeg ended; reconnecting');
      await sleep(delay, signal);
    }
  }

  /** One ffmpeg lifetime; resolves when it exits. True if it delivered at least one frame. */
  private async runOnce(signal: AbortSignal): Promise<boolean> {
    let size: { width: number; height: number } | undefined;
    let frameBytes = 0;
    // Until ffmpeg has reported the frame size, reads land in a scratch buffer and are kept.
    const scratch = Buffer.allocUnsafe(64 * 1024);
    let early: Buffer[] = [];
    let intoFrame = false;
    let current: Buffer | undefined;
    let filled = 0;
    let frames = 0;

    const completeFrame = () => {
      frames++;
      this.lastFrameMono = performance.now();
      const frame: Frame = {
        seq: ++this.seq,
        width: size!.width,
        height: size!.height,
        rgb: current!,
        monoMs: Math.round(this.lastFrameMono),
        wallMs: Date.now(),
      };
      current = undefined;
      filled = 0;
      try {
        this.handlers.onFrame(frame);
      } finally {
        this.pool.release(frame);
      }
    };
    // Bytes that did not arrive straight in a frame (before the size was known): copied in.
    const consume = (chunk: Buffer) => {
      let offset = 0;
      while (offset < chunk.length) {
        current ??= this.pool.acquire(frameBytes);
        const n = Math.min(frameBytes - filled, chunk.length - offset);
        chunk.copy(current, filled, offset, offset + n);
        filled += n;
        offset += n;
        if (filled === frameBytes) completeFrame();
      }
    };
    const nextBuffer = (): Uint8Array => {
      intoFrame = size !== undefined;
      if (!intoFrame) return scratch;
      current ??= this.pool.acquire(frameBytes);
      return current.subarray(filled);
    };
    const onData = (bytes: number) => {
      if (intoFrame) {
        filled += bytes;
        if (filled === frameBytes) completeFrame();
        return;
      }
      const chunk = Buffer.from(scratch.subarray(0, bytes));
      if (size) consume(chunk);
      else early.push(chunk);
    };

    let pipe: FramePipe;
    try {
      pipe = await openFramePipe(nextBuffer, onData);
    } catch (err) {
      this.rateLog.warn('pipe', { err: errorMessage(err) }, 'cannot open the frame channel for ffmpeg');
      return false;
    }
    if (signal.aborted) {
      pipe.reader.destroy();
      pipe.writer.destroy();
      return false;
    }
    const { reader, writer } = pipe;
    reader.on('error', () => undefined); // ffmpeg's exit (handled below) is what ends a run
    const child = spawn(this.options.ffmpegPath, ffmpegArgs(this.options), { stdio: ['ignore', writer, 'pipe'] });
    writer.destroy(); // ffmpeg has its own copy; ours would keep the channel open after it exits
    this.child = child;
    let stderr = '';
    this.lastFrameMono = performance.now();
    const watchdog = setInterval(
      () => {
        if (performance.now() - this.lastFrameMono > this.options.stallMs) {
          this.log.debug('no frame from ffmpeg within the stall limit; restarting it');
          child.kill('SIGKILL');
        }
      },
      Math.min(1_000, this.options.stallMs),
    );

    return new Promise((resolve) => {
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (text: string) => {
        if (!size) {
          stderr += text;
          size = parseOutputSize(stderr);
          if (stderr.length > 64_000) stderr = stderr.slice(-16_000);
          if (!size) return;
          frameBytes = size.width * size.height * 3;
          for (const chunk of early) consume(chunk);
          early = [];
          return;
        }
        for (const line of text.split('\n')) {
          if (/error|invalid|failed/i.test(line))
            this.rateLog.warn('ffmpeg', { line: redactText(line.trim()).slice(0, 300) }, 'ffmpeg reports a stream problem');
        }
      });
      let finished = false;
      const finish = (code: number | null, why: string) => {
        if (finished) return;
        finished = true;
        clearInterval(watchdog);
        reader.destroy();
        if (current) this.pool.release({ rgb: current });
        current = undefined;
        if (this.child === child) this.child = undefined;
        if (!signal.aborted) {
          const tail = redactText(stderr)
            .split('\n')
            .filter((l) => l.trim())
            .slice(-2)
            .join(' | ');
          this.rateLog.warn('exit', { code, why, frames, tail: size ? undefined : tail.slice(0, 400) }, 'camera stream ended');
        }
        resolve(frames > 0);
      };
      child.on('error', (err) => finish(null, err.message));
      child.on('close', (code) => finish(code, 'exit'));
    });
  }
}
