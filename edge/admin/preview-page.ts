// The page a technician opens on the laptop for `edgectl cameras live`: a jsmpeg player (served
// from the box itself — there is no internet on site) that plays the preview's websocket stream.
import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { AddressInfo } from 'node:net';

const require = createRequire(import.meta.url);

let playerScript: Buffer | undefined;

/** The jsmpeg browser build shipped in node_modules (its package exports hide the path). */
function player(): Buffer {
  playerScript ??= readFileSync(join(dirname(require.resolve('@cycjimmy/jsmpeg-player')), 'jsmpeg-player.umd.min.js'));
  return playerScript;
}

function page(cameraId: string, wsPort: number): string {
  const title = cameraId.replace(/[^A-Za-z0-9_.-]/g, '');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${title} — live</title>
<style>body{margin:0;background:#111;color:#ddd;font:14px sans-serif}#video{width:100vw;height:calc(100vh - 2em)}p{margin:.4em .8em}</style>
</head><body><p>${title} — live preview from the edge box (stops when edgectl stops)</p><div id="video"></div>
<script src="/jsmpeg.min.js"></script>
<script>
  // The stream comes from the box this page came from.
  new JSMpeg.VideoElement('#video', 'ws://' + location.hostname + ':${wsPort}', { autoplay: true, control: false, picMode: true }, { audio: false });
</script></body></html>
`;
}

export class PreviewPage {
  private constructor(private readonly server: Server) {}

  static async start(cameraId: string, wsPort: number, port = 0): Promise<PreviewPage> {
    const html = page(cameraId, wsPort);
    const server = createServer((req, res) => {
      if (req.url === '/' || req.url === '/index.html') res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
      else if (req.url === '/jsmpeg.min.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(player());
      else res.writeHead(404).end('not found\n');
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, () => resolve());
    });
    return new PreviewPage(server);
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
