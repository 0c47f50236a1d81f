// The console's static serving: content types, caching of hashed assets, page paths falling
// back to index.html, API paths left alone, no escaping the folder, and the not-built page.
import t from 'tap';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Hono } from 'hono';
import { consoleStatic } from '../../../cloud/api/console-static.js';
import { tempDir } from '../../support/tmp.js';

function appFor(dir: string, tileUrl?: string): Hono {
  const app = new Hono();
  app.get('/api/v1/sites', (c) => c.json({ items: [] }));
  app.get('*', consoleStatic({ dir, tileUrl }));
  app.notFound((c) => c.json({ error: { code: 'NOT_FOUND', message: c.req.path } }, 404));
  return app;
}

t.test('serves the built console', async (t) => {
  const dir = tempDir(t);
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><div id="app"></div>');
  writeFileSync(join(dir, 'assets', 'index-BIklUiXk.js'), 'console.log(1)');
  writeFileSync(join(dir, 'assets', 'index-BbQ9CJIB.css'), 'body{}');
  writeFileSync(join(dir, 'secret.txt'), 'no');
  const app = appFor(dir, 'http://tiles.ioc.internal/{z}/{x}/{y}.png');

  const home = await app.request('/');
  t.equal(home.status, 200);
  t.equal(home.headers.get('content-type'), 'text/html; charset=utf-8');
  t.equal(home.headers.get('cache-control'), 'no-cache', 'index.html is revalidated: it names the current bundle');

  const js = await app.request('/assets/index-BIklUiXk.js');
  t.equal(js.headers.get('content-type'), 'text/javascript; charset=utf-8');
  t.equal(js.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  const css = await app.request('/assets/index-BbQ9CJIB.css');
  t.equal(css.headers.get('content-type'), 'text/css; charset=utf-8');

  for (const page of ['/live', '/alerts/01JAB', '/sensors?site=muong-nhe']) {
    const res = await app.request(page);
    t.equal(res.status, 200, `${page} falls back to the console`);
    t.match(await res.text(), /id="app"/);
  }
  t.equal((await app.request('/assets/index-missing.js')).status, 404, 'a missing asset is a 404, not HTML');
  t.equal((await app.request('/favicon.ico')).status, 404);

  const api = await app.request('/api/v1/sites');
  t.same(await api.json(), { items: [] }, 'API routes answer as before');
  const unknownApi = await app.request('/api/v1/nothing');
  t.equal(unknownApi.status, 404);
  t.match(unknownApi.headers.get('content-type'), /json/, 'unknown API paths stay JSON 404s');

  for (const evil of ['/../package.json', '/assets/..%2f..%2fsecret.txt', '/%2e%2e/%2e%2e/etc/passwd']) {
    const res = await app.request(evil);
    t.not(await res.text(), 'no', `${evil} does not leave the folder's allowed files`);
  }

  const settings = await app.request('/console-settings.json');
  t.same(await settings.json(), { tileUrl: 'http://tiles.ioc.internal/{z}/{x}/{y}.png' });
  const head = await app.request('/', { method: 'HEAD' });
  t.equal(head.status, 200);
  const post = await app.request('/', { method: 'POST' });
  t.equal(post.status, 404, 'only GET and HEAD');
});

t.test('a clear page when the console was not built', async (t) => {
  const app = appFor(join(tempDir(t), 'nothing-here'));
  const res = await app.request('/');
  t.equal(res.status, 503);
  t.match(await res.text(), /make build/);
  t.same(await (await app.request('/console-settings.json')).json(), { tileUrl: null });
});
