// The routes outside the API: /healthz needs no token, /metrics any API token, /openapi.json
// is served, and the console's catch-all answers only the GET paths no other route took.
import t from 'tap';
import { startInProcessCoordinator } from '../../support/in-process.js';
import { VIEWER_TOKEN } from '../../support/system.js';

t.test('health, metrics, the OpenAPI document and the console each answer their own paths', async (t) => {
  const { baseUrl } = await startInProcessCoordinator(t);
  const health = await fetch(`${baseUrl}/healthz`);
  t.equal(health.status, 200, '/healthz without a token');
  t.equal(((await health.json()) as { status: string }).status, 'ok');

  const anonymous = await fetch(`${baseUrl}/metrics`);
  t.equal(anonymous.status, 401, '/metrics refuses a request without a token');
  await anonymous.body?.cancel();
  const metrics = await fetch(`${baseUrl}/metrics`, { headers: { authorization: `Bearer ${VIEWER_TOKEN}` } });
  t.equal(metrics.status, 200, '/metrics with a viewer token');
  t.match(await metrics.text(), /# TYPE /);

  const doc = await fetch(`${baseUrl}/openapi.json`);
  t.equal(((await doc.json()) as { openapi: string }).openapi, '3.1.0', 'the OpenAPI document, not the console');

  const page = await fetch(`${baseUrl}/sites/muong-nhe`);
  // 200 with the console's index.html, or 503 with how to build it where it is not built.
  t.ok([200, 503].includes(page.status), `a console page path (${page.status})`);
  t.match(page.headers.get('content-type') ?? '', /text\/html/, 'answered by the console');
  await page.body?.cancel();

  const unknownApi = await fetch(`${baseUrl}/api/v1/nothing-here`, { headers: { authorization: `Bearer ${VIEWER_TOKEN}` } });
  t.equal(unknownApi.status, 404, 'an unknown API path is not the console');
  await unknownApi.body?.cancel();
});
