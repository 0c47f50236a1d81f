// `edgectl cameras list | snapshot CAM | live CAM`: camera health, the latest frame as a JPEG
// file, and a live preview (loopback, or the box's LAN address with --host) behind a one-time
// link, for as long as the command runs.
import { isIP } from 'node:net';
import type { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import type { CameraStatus } from '../admin/handlers/status.js';
import { action, UsageError } from './command.js';
import { EXIT } from './exit-codes.js';
import { ago, columns, formatBytes } from './output.js';
import { withAgent } from './target.js';
import { interruptSignal } from './interrupt.js';

/** The box's own addresses a laptop on the same switch can reach. */
function localAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .filter((a) => a && a.family === 'IPv4' && !a.internal)
    .map((a) => a!.address);
}

export function registerCameras(program: Command): void {
  const cameras = program.command('cameras').description('cameras: health, snapshots, live preview');

  cameras
    .command('list')
    .description('each camera: online, frame rate, last event, reconnects')
    .addHelpText('after', "\nExamples:\n  edgectl cameras list\n  edgectl cameras list --json | jq '.[] | select(.online | not)'")
    .action(
      action(async ({ globals, out }) => {
        const list = await withAgent(globals, (client) => client.call<CameraStatus[]>('cameras.list'));
        out.result(list);
        if (list.length === 0) {
          out.line('no cameras configured');
          return EXIT.OK;
        }
        const rows = list.map((c) => [
          c.id,
          out.state(c.online ? c.state : 'offline'),
          c.online ? `${c.decodeFps} fps` : '—',
          c.online ? `${c.detectFps} /s` : '—',
          c.lastFrameMs ? ago(c.lastFrameMs) : 'never',
          c.lastEvent ? `${ago(c.lastEvent.wallMs)} ${[c.lastEvent.type, c.lastEvent.label, c.lastEvent.rule].filter(Boolean).join(' ')}` : '—',
          String(c.reconnects),
        ]);
        for (const row of columns([['CAMERA', 'STATE', 'DECODE', 'DETECT', 'LAST FRAME', 'LAST EVENT', 'RECONNECTS'].map((h) => out.c.dim(h)), ...rows]))
          out.line(row);
        for (const c of list.filter((x) => x.state !== 'ok')) out.line(`${c.id}: ${c.detail}`);
        return EXIT.OK;
      }),
    );

  cameras
    .command('snapshot')
    .argument('<camera>', 'camera id')
    .option('-o, --output <file>', 'where to write the JPEG (default: <camera>-<time>.jpg)')
    .description('save the latest frame as a JPEG')
    .addHelpText('after', '\nExamples:\n  edgectl cameras snapshot cam-border-gate\n  edgectl cameras snapshot cam-border-gate -o /tmp/gate.jpg')
    .action(
      action(async ({ globals, out }, camera: string, options: { output?: string }) => {
        const shot = await withAgent(globals, (client) =>
          client.call<{ jpegBase64: string; bytes: number; wallMs: number }>('cameras.snapshot', { camera }, { timeoutMs: 20_000 }),
        );
        const file = options.output ?? `${camera}-${new Date(shot.wallMs).toISOString().replace(/[:.]/g, '-')}.jpg`;
        writeFileSync(file, Buffer.from(shot.jpegBase64, 'base64'));
        out.result({ camera, file, bytes: shot.bytes, wallMs: shot.wallMs });
        out.line(`${file} (${formatBytes(shot.bytes)})`);
        return EXIT.OK;
      }),
    );

  cameras
    .command('live')
    .argument('<camera>', 'camera id')
    .option('--host <address>', "the box's address to serve on: 127.0.0.1 (default) or its LAN address for a laptop on the site's switch")
    .option('-p, --port <port>', 'port for the player page and stream (default: any free port)')
    .option('--timeout <seconds>', 'stop by itself after this long', '600')
    .option('--main', 'full main stream instead of the lighter sub-stream')
    .description('live preview in a browser through a one-time link, until Ctrl-C or the page closes')
    .addHelpText(
      'after',
      `
The box serves a player page and an MPEG-1 stream over a websocket (ffmpeg + jsmpeg) on one
port, on loopback unless --host names its LAN address; nothing of it goes over the uplink. The
printed link carries a one-time token: it plays in one browser tab, once.

Examples:
  edgectl cameras live cam-border-gate
  edgectl cameras live cam-border-gate --host 192.168.10.5
  edgectl cameras live cam-border-gate --port 9999 --timeout 300`,
    )
    .action(
      action(async ({ globals, out }, camera: string, options: { host?: string; port?: string; timeout: string; main?: boolean }) => {
        const port = options.port === undefined ? 0 : Number(options.port);
        const timeoutS = Number(options.timeout);
        if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new UsageError('--port must be 0–65535');
        if (!Number.isFinite(timeoutS) || timeoutS < 5) throw new UsageError('--timeout must be at least 5 seconds');
        if (options.host !== undefined && isIP(options.host) === 0)
          throw new UsageError(`--host must be an IP address of this box (its LAN addresses: ${localAddresses().join(', ') || 'none found'})`);
        const signal = interruptSignal();
        const result = await withAgent(globals, (client) =>
          client
            .call<{ stopped: string; detail?: string }>(
              'cameras.live',
              { camera, port, timeoutS, main: options.main === true, ...(options.host ? { host: options.host } : {}) },
              {
                signal,
                onItem: (item) => {
                  const started = item as { host: string; port: number; token: string; timeoutS: number };
                  const host = started.host.includes(':') ? `[${started.host}]` : started.host;
                  const url = `http://${host}:${started.port}/?token=${started.token}`;
                  out.item({ camera, host: started.host, port: started.port, url, token: started.token, timeoutS: started.timeoutS });
                  out.line(`live preview of ${out.c.bold(camera)}: open this link in a browser (it works once)`);
                  out.line(`  ${out.c.cyan(url)}`);
                  if (started.host.startsWith('127.') || started.host === '::1') {
                    const lan = localAddresses();
                    out.line(
                      out.c.dim(
                        `(this box only; from a laptop: --host ${lan[0] ?? '<LAN address>'}, or ssh -L ${started.port}:127.0.0.1:${started.port} to the box)`,
                      ),
                    );
                  }
                  out.line(out.c.dim(`(stops after ${started.timeoutS} s, on Ctrl-C, or when the page closes)`));
                },
              },
            )
            .catch((err: unknown): { stopped: string; detail?: string } => {
              if (signal.aborted) return { stopped: 'closed' };
              throw err;
            }),
        );
        out.item({ camera, stopped: result.stopped, ...(result.detail ? { detail: result.detail } : {}) });
        out.line(`preview ${result.stopped}${result.detail ? `: ${result.detail}` : ''}`);
        return result.stopped === 'camera failed' ? EXIT.FAILED : EXIT.OK;
      }),
    );
}
