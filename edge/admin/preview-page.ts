// The page a technician opens on the laptop for `edgectl cameras live`: a jsmpeg player (served
// from the box itself — there is no internet on site) that plays the preview's websocket stream
// from the same address and port. The preview has checked the token before this runs.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { PreviewPageHandler } from '../camera/preview.js';

const require = createRequire(import.meta.url);

let playerScript: Buffer | undefined;

/** The jsmpeg browser build shipped in node_modules (its package exports hide the path). */
function player(): Buffer {
  playerScript ??= readFileSync(join(dirname(require.resolve('@cycjimmy/jsmpeg-player')), 'jsmpeg-player.umd.min.js'));
  return playerScript;
}

function page(cameraId: string, token: string): string {
  const title = cameraId.replace(/[^A-Za-z0-9_.-]/g, '');
  const query = `?token=${encodeURIComponent(token)}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="referrer" content="no-referrer"><title>${title} — live</title>
<style>body{margin:0;background:#111;color:#ddd;font:14px sans-serif}#video{width:100vw;height:calc(100vh - 2em)}p{margin:.4em .8em}</style>
</head><body><p>${title} — live preview from the edge box (stops when edgectl stops or this page closes)</p><div id="video"></div>
<script src="/jsmpeg.min.js${query}"></script>
<script>
  // The stream comes from the box and port this page came from; the link works once, so no reconnecting.
  new JSMpeg.VideoElement('#video', 'ws://' + location.host + '/${query}', { autoplay: true, control: false, picMode: true, reconnectInterval: 0 }, { audio: false });
</script></body></html>
`;
}

export function previewPage(cameraId: string): PreviewPageHandler {
  return (req: IncomingMessage, res: ServerResponse, token: string) => {
    const path = new URL(req.url ?? '/', 'http://preview').pathname;
    const headers = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };
    if (path === '/' || path === '/index.html') res.writeHead(200, { ...headers, 'content-type': 'text/html; charset=utf-8' }).end(page(cameraId, token));
    else if (path === '/jsmpeg.min.js') res.writeHead(200, { ...headers, 'content-type': 'text/javascript' }).end(player());
    else res.writeHead(404, headers).end('not found\n');
  };
}
