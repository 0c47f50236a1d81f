// A real RTSP camera for tests, benches and the demo: rtsp-server-perl on loopback, fed by an ffmpeg
// publisher that loops a clip (or any ffmpeg input) as H.264. Readers must use UDP transport
// (the server serves RTP over UDP only). Every process is killed by close().
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { once } from 'node:events';
import { freePort } from './ports.js';

async function waitForPort(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`port ${port} did not open`);
}

async function kill(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  await exited;
}

export interface RtspCameraOptions {
  /** A clip looped forever at its own rate... */
  clip?: string;
  /** ...or raw ffmpeg input arguments (e.g. ['-f', 'lavfi', '-i', 'color=black:s=640x480:r=10']). */
  input?: string[];
  path?: string;
  /** Keyframe interval in frames: a reader joining mid-stream waits for the next one. */
  gop?: number;
}

export class RtspCamera {
  private server: ChildProcess | undefined;
  private publisher: ChildProcess | undefined;

  private constructor(
    private readonly options: RtspCameraOptions,
    readonly clientPort: number,
    readonly sourcePort: number,
    private readonly rtpStartPort: number,
  ) {}

  static async start(options: RtspCameraOptions): Promise<RtspCamera> {
    // RTP ports: random even base so parallel test files do not collide.
    const rtp = 20_000 + 2 * Math.floor(Math.random() * 10_000);
    const camera = new RtspCamera(options, await freePort(), await freePort(), rtp);
    try {
      await camera.startServer();
      await camera.startPublisher();
    } catch (err) {
      await camera.close();
      throw err;
    }
    return camera;
  }

  /** Process ids of the server and publisher (benches leave them out of the box's CPU). */
  get pids(): number[] {
    return [this.server?.pid, this.publisher?.pid].filter((p): p is number => p !== undefined);
  }

  get url(): string {
    return `rtsp://127.0.0.1:${this.clientPort}/${this.options.path ?? 'cam1'}`;
  }

  async startServer(): Promise<void> {
    // rtsp-server-perl resets its RTP port counter to the package default (20000) whenever it
    // has no mounts, ignoring --rtp_start_port; servers of parallel tests then collide and the
    // source's RECORD fails with 404. Set the package default too, then run the stock script.
    const script = '$RTSP::Server::RTP_START_PORT = shift @ARGV; do "/usr/bin/rtsp-server-perl"; die $@ if $@;';
    this.server = spawn(
      'perl',
      [
        '-MRTSP::Server',
        '-e',
        script,
        String(this.rtpStartPort),
        '-c',
        String(this.clientPort),
        '-s',
        String(this.sourcePort),
        '--client_listen_address',
        '127.0.0.1',
        '--source_listen_address',
        '127.0.0.1',
        '--rtp_start_port',
        String(this.rtpStartPort),
        '-l',
        '0',
      ],
      { stdio: 'ignore' },
    );
    await waitForPort(this.clientPort);
    await waitForPort(this.sourcePort);
  }

  /** Starts publishing; `input` replaces the configured input (switch the picture mid-test). */
  async startPublisher(input = this.options.input ?? ['-re', '-stream_loop', '-1', '-i', this.options.clip!]): Promise<void> {
    // The server answers 403 to a new source until it has noticed the previous one left, and
    // now and then 404 to a source that connects right after it started listening.
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.publish(input);
      } catch (err) {
        if (attempt >= 6 || !/ 40[34] /.test(String(err))) throw err;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  private async publish(input: string[]): Promise<void> {
    const gop = String(this.options.gop ?? 10);
    this.publisher = spawn(
      'ffmpeg',
      [
        '-hide_banner',
        '-nostdin',
        '-loglevel',
        'info',
        '-nostats',
        ...input,
        '-an',
        '-c:v',
        'libx264',
        '-preset',
        'ultrafast',
        '-tune',
        'zerolatency',
        '-g',
        gop,
        '-pix_fmt',
        'yuv420p',
        '-threads',
        '1',
        '-f',
        'rtsp',
        `rtsp://127.0.0.1:${this.sourcePort}/${this.options.path ?? 'cam1'}`,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let text = '';
    const child = this.publisher;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`publisher did not start: ${text.slice(-500)}`)), 10_000);
      child.stderr!.on('data', (d: Buffer) => {
        text += d.toString();
        if (text.includes('Output #0')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`publisher exited (${code}): ${text.slice(-500)}`));
      });
    });
    child.stderr!.resume();
  }

  async stopPublisher(): Promise<void> {
    await kill(this.publisher);
    this.publisher = undefined;
  }

  async stopServer(): Promise<void> {
    await kill(this.server);
    this.server = undefined;
  }

  async close(): Promise<void> {
    await this.stopPublisher();
    await this.stopServer();
  }
}
