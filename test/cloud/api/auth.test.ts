// Route access over real HTTP: HEAD is answered by GET handlers, so it must pass the same role
// checks as GET (an admin-only read must not answer a viewer's HEAD), and public GETs stay public.
import t from 'tap';
import { startInProcessCoordinator } from '../../support/in-process.js';
import { ADMIN_TOKEN, VIEWER_TOKEN } from '../../support/system.js';

t.test('HEAD goes through the same role checks as GET', async (t) => {
  const c = await startInProcessCoordinator(t);
  const head = (path: string, token?: string) => fetch(`${c.baseUrl}${path}`, { method: 'HEAD', headers: token ? { authorization: `Bearer ${token}` } : {} });

  const anonymous = await head('/api/v1/events');
  t.equal(anonymous.status, 401, 'HEAD without a token on a protected route');
  t.match(anonymous.headers.get('www-authenticate'), /Bearer/);
  t.equal((await head('/api/v1/audit')).status, 401, 'HEAD without a token on an admin route');
  t.equal((await head('/api/v1/audit', VIEWER_TOKEN)).status, 403, 'a viewer cannot HEAD an admin-only read');
  t.equal((await fetch(`${c.baseUrl}/api/v1/audit`, { headers: { authorization: `Bearer ${VIEWER_TOKEN}` } })).status, 403, 'nor GET it');
  t.equal((await head('/api/v1/audit', ADMIN_TOKEN)).status, 200, 'an admin can');
  t.equal((await head('/api/v1/events', VIEWER_TOKEN)).status, 200, 'a viewer can HEAD what it can GET');
  t.equal((await head('/api/open/v1/sites')).status, 200, 'public reads stay public for HEAD');
});

t.test('/metrics needs an API token', async (t) => {
  const c = await startInProcessCoordinator(t);
  const anonymous = await fetch(`${c.baseUrl}/metrics`);
  t.equal(anonymous.status, 401, 'no token: 401');
  t.match(await anonymous.json(), { error: { code: 'UNAUTHENTICATED' } });
  t.equal((await fetch(`${c.baseUrl}/metrics`, { headers: { authorization: 'Bearer not-a-token-0123456789' } })).status, 401, 'unknown token: 401');
  t.equal((await fetch(`${c.baseUrl}/metrics`, { method: 'HEAD' })).status, 401, 'HEAD too');
  const scraped = await fetch(`${c.baseUrl}/metrics`, { headers: { authorization: `Bearer ${VIEWER_TOKEN}` } });
  t.equal(scraped.status, 200, 'a viewer token (the scraper) gets them');
  t.match(await scraped.text(), /ioc_http_requests_total/);
});
