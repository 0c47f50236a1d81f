// Technician live preview: on request, node-rtsp-stream transcodes one camera to MPEG-1 and
// serves it over a websocket (jsmpeg player) on the box's local network (bound to `host`).
// Never on by default, it stops when closed or when its time runs out, whichever comes first;
// nothing of it goes over the uplink.
import VideoStream from 'node-rtsp-stream';
import { WebSocketServer } from 'ws';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { componentLogger, type Logger } from '../../common/log.js';

export interface PreviewOptions {
  cameraId: string;
  url: string;
  /** 0 picks a free port. */
  port?: number;
  /** Address to listen on: the box's LAN address (default: every interface). */
  host?: string;
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

/**
 * The library listens on every interface; a box's uplink (3G modem, satellite) must never
 * carry the preview, so this variant binds the websocket server to the given address.
 */
class LocalVideoStream extends VideoStream {
  override pipeStreamToSocketServer(): this {
    const server = new WebSocketServer({ host: this.options.host ?? '0.0.0.0', port: this.options.wsPort });
    this.wsServer = server;
    server.on('connection', (socket) => this.onSocketConnect(socket));
    this.on('camdata', (data: Buffer) => {
      for (const client of server.clients) if (client.readyState === client.OPEN) client.send(data);
    });
    return this;
  }

  /** jsmpeg's stream header ("jsmp", width, height), without the library's console output. */
  override onSocketConnect(socket: { send(data: Buffer): void }): void {
    const header = Buffer.alloc(8);
    header.write('jsmp');
    header.writeUInt16BE(this.width ?? 0, 4);
    header.writeUInt16BE(this.height ?? 0, 6);
    socket.send(header);
  }
}

/** The MPEG-1 output size in ffmpeg's stream report; the player sizes its canvas from it. */
export function parsePreviewSize(stderr: string): { width: number; height: number } | undefined {
  const output = stderr.indexOf('Output #0');
  if (output < 0) return undefined;
  const match = /Video: mpeg1video.*?(\d{2,5})x(\d{2,5})/.exec(stderr.slice(output));
  return match ? { width: Number(match[1]), height: Number(match[2]) } : undefined;
}

export class CameraPreview {
  private closing: Promise<void> | undefined;
  private readonly timer: NodeJS.Timeout;
  /** Resolves once the preview has stopped (closed by hand or timed out). */
  readonly closed: Promise<void>;
  private markClosed!: () => void;

  private constructor(
    private readonly stream: LocalVideoStream,
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
    const stream = new LocalVideoStream({
      name: options.cameraId,
      streamUrl: options.url,
      wsPort: options.port ?? 0,
      host: options.host,
      ffmpegPath: options.ffmpegPath ?? 'ffmpeg',
      ffmpegOptions: {
        '-loglevel': 'info',
        '-nostats': '',
        '-an': '',
        '-vf': `scale=${options.width ?? 640}:-2`,
        '-r': options.fps ?? 25,
        '-b:v': '600k',
        '-bf': 0,
      },
    });
    // The library echoes ffmpeg's stderr to ours; read the picture size from it ourselves and
    // send problems to the log instead.
    stream.stream.stderr?.removeAllListeners('data');
    let report = '';
    stream.stream.stderr?.on('data', (data: Buffer) => {
      const text = data.toString();
      if (stream.width === undefined) {
        report += text;
        const size = parsePreviewSize(report);
        if (size) Object.assign(stream, size);
        if (report.length > 64_000) report = report.slice(-16_000);
      }
      for (const line of text.split('\n')) {
        if (/error|invalid|failed/i.test(line)) log.warn({ camera: options.cameraId, ffmpeg: line.trim().slice(0, 300) }, 'preview ffmpeg reports a problem');
      }
    });
    if (!stream.wsServer.address()) await once(stream.wsServer, 'listening');
    const port = (stream.wsServer.address() as AddressInfo).port;
    log.info({ camera: options.cameraId, port }, 'live preview started');
    return new CameraPreview(stream, port, options.cameraId, options.timeoutMs ?? DEFAULT_TIMEOUT_MS, log);
  }

  /** The transcoded picture size, once ffmpeg has reported it. */
  get pictureSize(): { width: number; height: number } | undefined {
    const { width, height } = this.stream;
    return width && height ? { width, height } : undefined;
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
