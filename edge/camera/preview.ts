// Technician live preview: on request, node-rtsp-stream transcodes one camera to MPEG-1 and
// serves it over a websocket (jsmpeg player) on the box's local network. Never on by default,
// it stops when closed or when its time runs out, whichever comes first; nothing of it goes
// over the uplink.
import VideoStream from 'node-rtsp-stream';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { componentLogger, type Logger } from '../../common/log.js';

export interface PreviewOptions {
  cameraId: string;
  url: string;
  /** 0 picks a free port. */
  port?: number;
  /** The preview closes itself after this long (default 10 minutes). */
  timeoutMs?: number;
  ffmpegPath?: string;
  /** Keep the preview light on a 2-core box: a small picture. */
  width?: number;
  /** MPEG-1 allows only 24, 25, 30, 50 or 60 (and NTSC variants). */
  fps?: 24 | 25 | 30;
  logger?: Logger;
}

const DEFAULT_TIMEOUT_MS = 10 * 60_000;

export class CameraPreview {
  private closing: Promise<void> | undefined;
  private readonly timer: NodeJS.Timeout;
  /** Resolves once the preview has stopped (closed by hand or timed out). */
  readonly closed: Promise<void>;
  private markClosed!: () => void;

  private constructor(
    private readonly stream: VideoStream,
    readonly port: number,
    readonly cameraId: string,
    timeoutMs: number,
    private readonly log: Logger,
  ) {
    this.closed = new Promise((resolve) => (this.markClosed = resolve));
    this.timer = setTimeout(() => {
      this.log.info({ camera: cameraId }, 'live preview timed out');
      void this.close();
    }, timeoutMs);
    this.timer.unref();
  }

  static async start(options: PreviewOptions): Promise<CameraPreview> {
    const log = options.logger ?? componentLogger('preview');
    const stream = new VideoStream({
      name: options.cameraId,
      streamUrl: options.url,
      wsPort: options.port ?? 0,
      ffmpegPath: options.ffmpegPath ?? 'ffmpeg',
      ffmpegOptions: {
        '-loglevel': 'error',
        '-an': '',
        '-vf': `scale=${options.width ?? 640}:-2`,
        '-r': options.fps ?? 25,
        '-b:v': '600k',
        '-bf': 0,
      },
    });
    // The library echoes ffmpeg's stderr to ours; send it to the log instead.
    stream.stream.stderr?.removeAllListeners('data');
    stream.stream.stderr?.on('data', (data: Buffer) => log.warn({ camera: options.cameraId, ffmpeg: data.toString().trim().slice(0, 300) }, 'preview ffmpeg reports a problem'));
    if (!stream.wsServer.address()) await once(stream.wsServer, 'listening');
    const port = (stream.wsServer.address() as AddressInfo).port;
    log.info({ camera: options.cameraId, port }, 'live preview started');
    return new CameraPreview(stream, port, options.cameraId, options.timeoutMs ?? DEFAULT_TIMEOUT_MS, log);
  }

  get running(): boolean {
    return this.closing === undefined;
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    clearTimeout(this.timer);
    const child = this.stream.stream;
    const exited = child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : once(child, 'exit').then(() => undefined);
    for (const client of this.stream.wsServer.clients) client.terminate();
    const serverClosed = new Promise<void>((resolve) => this.stream.wsServer.close(() => resolve()));
    this.stream.stop();
    await Promise.all([exited, serverClosed]);
    this.log.info({ camera: this.cameraId }, 'live preview stopped');
    this.markClosed();
  }
}
