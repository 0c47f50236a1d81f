// Serves the built operator console (dist/console) from the coordinator at `/`: files with their
// content types, long caching for content-hashed assets, index.html for every other page path
// (the console routes in the browser), and a plain page saying how to build it when it is missing.
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import type { Context, MiddlewareHandler } from 'hono';
import { projectPath } from '../../common/paths.js';

export interface ConsoleStaticOptions {
  /** Folder of the built console; default dist/console under the project root. */
  dir?: string;
  /** Map tile URL template ({z}/{x}/{y}) handed to the console; none keeps the map offline. */
  tileUrl?: string;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

/** Paths that belong to the API side: never answered with the console. */
const API_PATHS = /^\/(api(\/|$)|openapi\.json$|healthz$|metrics$)/;

/** Vite names bundled files `name-<hash>.ext` under assets/: their content never changes. */
const HASHED_ASSET = /^\/assets\/.+-[A-Za-z0-9_-]{8,}\.[a-z0-9]+$/;

const SETTINGS_PATH = '/console-settings.json';

export function consoleStatic(options: ConsoleStaticOptions = {}): MiddlewareHandler {
  const root = normalize(options.dir ?? projectPath('dist', 'console'));
  const settings = JSON.stringify({ tileUrl: options.tileUrl ?? null });
  return async (c, next) => {
    const method = c.req.method;
    const path = c.req.path;
    if ((method !== 'GET' && method !== 'HEAD') || API_PATHS.test(path)) return next();
    if (path === SETTINGS_PATH) return c.body(settings, 200, { 'content-type': CONTENT_TYPES['.json']!, 'cache-control': 'no-cache' });

    const file = await existingFile(root, path);
    if (file) return sendFile(c, file, HASHED_ASSET.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache');
    // A missing asset is a 404: answering a script request with HTML breaks the page obscurely.
    if (path.startsWith('/assets/') || extname(path) !== '') return next();
    const index = await existingFile(root, '/index.html');
    if (index) return sendFile(c, index, 'no-cache');
    return c.html(NOT_BUILT_PAGE, 503, { 'cache-control': 'no-store' });
  };
}

async function existingFile(root: string, urlPath: string): Promise<string | undefined> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  const candidate = normalize(join(root, decoded));
  // normalize() folds "..": anything that lands outside the console folder is refused.
  if (candidate !== root && !candidate.startsWith(root + sep)) return undefined;
  try {
    const s = await stat(candidate);
    return s.isFile() ? candidate : undefined;
  } catch {
    return undefined;
  }
}

async function sendFile(c: Context, file: string, cacheControl: string): Promise<Response> {
  const body = await readFile(file);
  const headers = {
    'content-type': CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
    'cache-control': cacheControl,
    'x-content-type-options': 'nosniff',
  };
  if (c.req.method === 'HEAD') return c.body(null, 200, { ...headers, 'content-length': String(body.length) });
  return c.body(body, 200, headers);
}

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>IOC Điện Biên — console not built</title>
<style>body{font:16px system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#1b2733}code{background:#eef2f5;padding:.1rem .3rem}</style></head>
<body><h1>Bảng điều khiển IOC chưa được build</h1>
<p>The operator console has not been built on this coordinator. Run <code>make build</code> (or <code>bash scripts/build-console.sh</code>) in the ioc-edge folder and reload this page.</p>
<p>The HTTP API is running: <a href="/openapi.json">/openapi.json</a>, <a href="/healthz">/healthz</a>.</p>
</body></html>`;
