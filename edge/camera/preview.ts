// Technician live preview: on request, one ffmpeg transcodes one camera to MPEG-TS with MPEG-1
// video for the jsmpeg player, served to one viewer over a websocket on one port, next to the
// player page. It listens on loopback unless the technician names the box's LAN address, and
// every request needs the preview's one-time token (the first viewer's websocket spends it).
// Never on by default; ffmpeg is stopped on every way out: closed, timed out, viewer gone or
// failed, camera failed, agent stopped. Nothing of it goes over the uplink.
//
// Why not node-rtsp-stream (used before): it puts every extra ffmpeg option after `-i`, so input
// options (-rtsp_transport, -timeout) cannot be set and a dead camera hangs ffmpeg; it listens
// on every interface with no way to authenticate; an error on its listener (port in use) throws
// out of the process; it writes to the console; its 'jsmp' header is not read by today's player.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex, Readable } from 'node:stream';
import { once } from 'node:events';
import { WebSocketServer, type WebSocket } from 'ws';
import { IocError } from '../../common/errors.js';
import { componentLogger, RateLimitedLog, type Logger } from '../../common/log.js';
import { redactText } from '../../common/redact.js';
import { PreviewToken } from './preview-token.js';

/** Answers a viewer's plain HTTP request (the player page) once the token has been checked. */
export type PreviewPageHandler = (req: IncomingMessage, res: ServerResponse, token: string) => void;

export interface PreviewOptions {
  cameraId: string;
  url: string;
  rtspTransport?: 'tcp' | 'udp';
  /** 0 picks a free port. */
  port?: number;
  /** Address to listen on (default loopback); the technician's LAN address of the box, never the uplink. */
  host?: string;
  /** The preview closes itself after this long (default 10 minutes). */
  timeoutMs?: number;
  ffmpegPath?: string;
  /** Keep the preview light on a 2-core box: a small picture. */
  width?: number;
  /** MPEG-1 allows only 24, 25, 30, 50 or 60 (and NTSC variants). */
  fps?: 24 | 25 | 30;
  page?: PreviewPageHandler;
  logger?: Logger;
}

export type PreviewEnd = 'closed' | 'timed out' | 'viewer left' | 'camera failed';

export interface PreviewStopped {
  reason: PreviewEnd;
  /** Why the camera failed (ffmpeg's last words, credentials masked) or the viewer's error. */
  detail?: string;
}

export const PREVIEW_DEFAULT_HOST = '127.0.0.1';
const DEFAULT_TIMEOUT_MS = 10 * 60_000;
/** A viewer this far behind (a stalled laptop) skips video rather than grow the agent's memory. */
const MAX_VIEWER_BACKLOG = 2 * 1024 * 1024;
/** ffmpeg's socket timeout (µs): a camera that stops answering ends the preview, not hangs it. */
const IO_TIMEOUT_US = '5000000';

type Ffmpeg = ChildProcessByStdio<null, Readable, Readable>;

/** ffmpeg still running when the agent exits (a crash between start and close) is killed on the way out. */
const running = new Set<Ffmpeg>();
let exitHookInstalled = false;
function track(child: Ffmpeg): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const c of running) c.kill('SIGKILL');
    });
  }
  running.add(child);
  child.once('exit', () => running.delete(child));
}

export function previewFfmpegArgs(options: Pick<PreviewOptions, 'url' | 'rtspTransport' | 'width' | 'fps'>): string[] {
  const input: string[] = [];
  let url = options.url;
  if (/^rtsps?:/.test(url)) input.push('-rtsp_transport', options.rtspTransport ?? 'tcp', '-timeout', IO_TIMEOUT_US);
  else if (/^(https?|rtmp):/.test(url)) input.push('-rw_timeout', IO_TIMEOUT_US);
  else if (url.startsWith('file:')) {
    input.push('-re');
    url = url.slice('file:'.length).replace(/^\/\/(?=\/)/, '');
  }
  return [
    '-hide_banner',
    '-nostdin',
    '-nostats',
    '-loglevel',
    'error',
    '-threads',
    '1',
    ...input,
    '-i',
    url,
    '-an',
    '-sn',
    '-dn',
    '-vf',
    `scale=${options.width ?? 640}:-2`,
    '-r',
    String(options.fps ?? 25),
    '-f',
    'mpegts',
    '-codec:v',
    'mpeg1video',
    '-b:v',
    '600k',
    '-bf',
    '0',
    'pipe:1',
  ];
}

function tokenOf(req: IncomingMessage): string | null {
  try {
    return new URL(req.url ?? '/', 'http://preview').searchParams.get('token');
  } catch {
    return null;
  }
}

export class CameraPreview {
  readonly token = new PreviewToken();
  /** Resolves once the preview has stopped, with why. */
  readonly closed: Promise<PreviewStopped>;
  private markClosed!: (stopped: PreviewStopped) => void;
  private closing: Promise<PreviewStopped> | undefined;
  private readonly server: Server;
  private readonly sockets = new WebSocketServer({ noServer: true, maxPayload: 1024 });
  private ffmpeg: Ffmpeg | undefined;
  private viewer: WebSocket | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stderrTail = '';
  private readonly log: Logger;
  private readonly rateLog: RateLimitedLog;
  /** Requests refused for a missing, wrong or spent token. */
  refused = 0;
  /** Video chunks a slow viewer did not get. */
  skipped = 0;

  private constructor(private readonly options: PreviewOptions) {
    this.log = options.logger ?? componentLogger('preview');
    this.rateLog = new RateLimitedLog(this.log, 60_000);
    this.closed = new Promise((resolve) => (this.markClosed = resolve));
    this.server = createServer((req, res) => this.onRequest(req, res));
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.onUpgrade(req, socket, head));
    this.server.on('clientError', (_err, socket) => socket.destroy());
  }

  /** Listens first (a port in use fails here, before any ffmpeg runs), then starts ffmpeg. */
  static async start(options: PreviewOptions): Promise<CameraPreview> {
    const preview = new CameraPreview(options);
    await preview.listen();
    preview.startFfmpeg();
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    preview.timer = setTimeout(() => void preview.close('timed out'), timeoutMs);
    preview.timer.unref();
    preview.log.info({ camera: options.cameraId, host: preview.host, port: preview.port }, 'live preview started');
    return preview;
  }

  get host(): string {
    return (this.server.address() as AddressInfo | null)?.address ?? this.options.host ?? PREVIEW_DEFAULT_HOST;
  }

  get port(): number {
    return (this.server.address() as AddressInfo | null)?.port ?? 0;
  }

  get cameraId(): string {
    return this.options.cameraId;
  }

  /** The transcoder's process id while it runs. */
  get ffmpegPid(): number | undefined {
    return this.ffmpeg?.pid;
  }

  get running(): boolean {
    return this.closing === undefined;
  }

  close(reason: PreviewEnd = 'closed', detail?: string): Promise<PreviewStopped> {
    this.closing ??= this.shutdown({ reason, ...(detail ? { detail } : {}) });
    return this.closing;
  }

  private async listen(): Promise<void> {
    const host = this.options.host ?? PREVIEW_DEFAULT_HOST;
    const port = this.options.port ?? 0;
    try {
      await new Promise<void>((resolve, reject) => {
        this.server.once('error', reject);
        this.server.listen(port, host, () => {
          this.server.off('error', reject);
          resolve();
        });
      });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const why =
        code === 'EADDRINUSE' ? 'the port is in use' : code === 'EADDRNOTAVAIL' ? 'that address is not one of this box' : (code ?? (err as Error).message);
      throw new IocError('UNAVAILABLE', `live preview cannot listen on ${host}:${port}: ${why}`, { cause: err });
    }
    this.server.on('error', (err) => this.log.warn({ err: err.message }, 'live preview listener error'));
  }

  private startFfmpeg(): void {
    const o = this.options;
    const child = spawn(o.ffmpegPath ?? 'ffmpeg', previewFfmpegArgs(o), { stdio: ['ignore', 'pipe', 'pipe'] });
    this.ffmpeg = child;
    track(child);
    child.stdout.on('data', (chunk: Buffer) => this.forward(chunk));
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => {
      this.stderrTail = (this.stderrTail + text).slice(-4_000);
    });
    child.once('error', (err) => void this.close('camera failed', `ffmpeg did not start: ${err.message}`));
    // 'close', not 'exit': by then stderr has been read to its end (ffmpeg's last words).
    child.once('close', (code, signal) => {
      if (!this.running) return;
      const last = redactText(this.stderrTail)
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean)
        .slice(-2)
        .join(' | ');
      void this.close('camera failed', (last || `ffmpeg exited (${code ?? signal})`).slice(0, 400));
    });
  }

  private forward(chunk: Buffer): void {
    const viewer = this.viewer;
    if (!viewer || viewer.readyState !== viewer.OPEN) return;
    if (viewer.bufferedAmount > MAX_VIEWER_BACKLOG) {
      this.skipped++;
      return;
    }
    viewer.send(chunk);
  }

  private refuse(req: IncomingMessage, what: string): void {
    this.refused++;
    this.rateLog.warn(
      'refused',
      { camera: this.cameraId, from: req.socket.remoteAddress, what, refused: this.refused },
      'live preview refused a request without a valid token',
    );
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const token = tokenOf(req);
    if (!this.running || !this.token.valid(token)) {
      this.refuse(req, 'page');
      res.writeHead(401, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
      res.end('this preview needs the one-time link printed by `edgectl cameras live` (each link works once)\n');
      return;
    }
    if (this.options.page) this.options.page(req, res, token!);
    else res.writeHead(404).end('not found\n');
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    if (!this.running || !this.token.spend(tokenOf(req))) {
      this.refuse(req, 'stream');
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    this.sockets.handleUpgrade(req, socket, head, (ws) => {
      this.viewer = ws;
      this.log.info({ camera: this.cameraId, from: req.socket.remoteAddress }, 'live preview viewer connected');
      ws.on('error', (err) => void this.close('viewer left', err.message));
      ws.on('close', () => void this.close('viewer left'));
    });
  }

  private async shutdown(stopped: PreviewStopped): Promise<PreviewStopped> {
    clearTimeout(this.timer);
    const child = this.ffmpeg;
    const alive = child?.pid !== undefined && child.exitCode === null && child.signalCode === null;
    const exited = alive ? once(child, 'exit').then(() => undefined) : Promise.resolve();
    child?.kill('SIGKILL');
    this.viewer?.terminate();
    const serverClosed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await Promise.all([exited, serverClosed]);
    this.log.info({ camera: this.cameraId, reason: stopped.reason, detail: stopped.detail, refused: this.refused }, 'live preview stopped');
    this.markClosed(stopped);
    return stopped;
  }
}
