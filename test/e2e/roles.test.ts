// Roles on every write route, taken from the coordinator's own /openapi.json (so a new route
// cannot slip through untested): no token → 401, viewer → 403, operator on admin routes → 403;
// refused writes are in the audit trail. Devices: provisioned through the API with a token shown
// once; a rotated token and a revoked device are cut off at once and refused afterwards.
import t from 'tap';
import { tempDir } from '../support/tmp.js';
import {
  ADMIN_TOKEN,
  OPERATOR_TOKEN,
  VIEWER_TOKEN,
  startAgent,
  startCoordinator,
  sumMetric,
  coordinatorMetrics,
  type RunningCoordinator,
} from '../support/system.js';
import { waitFor } from '../support/wait.js';
import { createEdgeLinkClient, register } from '../../edge/uplink/client.js';

type Op = { method: string; path: string; role: string };
const RANK: Record<string, number> = { public: -1, viewer: 0, operator: 1, admin: 2 };

async function operations(c: RunningCoordinator): Promise<Op[]> {
  const doc = (await (await fetch(`${c.api.baseUrl}/openapi.json`)).json()) as { paths: Record<string, Record<string, { 'x-required-role'?: string }>> };
  const ops: Op[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      if (!path.startsWith('/api/v1/')) continue;
      const write = method !== 'get';
      ops.push({ method: method.toUpperCase(), path: path.replace(/\{[^}]+\}/g, 'x1'), role: op['x-required-role'] ?? (write ? 'operator' : 'viewer') });
    }
  }
  return ops;
}

const call = (c: RunningCoordinator, op: Op, token?: string) =>
  fetch(`${c.api.baseUrl}${op.path}`, {
    method: op.method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: op.method === 'GET' ? undefined : '{}',
  });

t.test('every write route enforces its role; refusals are JSON errors and audited', async (t) => {
  const dir = tempDir(t);
  const c = await startCoordinator(t, { dir, devices: [] });
  const ops = await operations(c);
  const writes = ops.filter((o) => o.method !== 'GET');
  t.ok(writes.length >= 15, `${writes.length} write routes in /openapi.json`);
  const doc = (await (await fetch(`${c.api.baseUrl}/openapi.json`)).json()) as { paths: Record<string, Record<string, Record<string, unknown>>> };
  const undeclared = writes.filter(
    (o) => !Object.entries(doc.paths).some(([p, m]) => p.replace(/\{[^}]+\}/g, 'x1') === o.path && m[o.method.toLowerCase()]?.['x-required-role']),
  );
  t.same(undeclared, [], 'every write route declares x-required-role');

  for (const op of ops) {
    const label = `${op.method} ${op.path} (${op.role})`;
    if (op.role === 'public') continue;
    const anonymous = await call(c, op);
    t.equal(anonymous.status, 401, `${label}: no token → 401`);
    t.match(await anonymous.json(), { error: { code: 'UNAUTHENTICATED', message: String } });
    if (RANK[op.role]! > RANK.viewer!) {
      const viewer = await call(c, op, VIEWER_TOKEN);
      t.equal(viewer.status, 403, `${label}: viewer → 403`);
      t.match(await viewer.json(), { error: { code: 'FORBIDDEN', message: `role viewer cannot do this; needs ${op.role}` } });
    }
    if (op.role === 'admin') {
      const operator = await call(c, op, OPERATOR_TOKEN);
      t.equal(operator.status, 403, `${label}: operator → 403`);
    }
    const allowed = await call(c, op, op.role === 'admin' ? ADMIN_TOKEN : op.role === 'operator' ? OPERATOR_TOKEN : VIEWER_TOKEN);
    t.notOk([401, 403].includes(allowed.status), `${label}: the right role gets past auth (${allowed.status})`);
    if (op.path !== '/api/v1/live') await allowed.arrayBuffer();
    else await allowed.body?.cancel();
  }

  const audit = await c.api.as(ADMIN_TOKEN).get<{ items: { actor: string; status: number; method: string; path: string }[] }>('/api/v1/audit?limit=1000');
  t.ok(
    audit.items.some((r) => r.actor === 'anonymous' && r.status === 401 && r.path === '/api/v1/devices'),
    'a refused anonymous write is audited',
  );
  t.ok(
    audit.items.some((r) => r.actor === 'viewer' && r.status === 403),
    'a refused viewer write is audited',
  );
  t.ok(
    audit.items.some((r) => r.actor === 'admin' && r.method === 'POST'),
    'an allowed admin write is audited',
  );
  t.notOk(
    audit.items.some((r) => r.method === 'GET'),
    'reads are not',
  );
});

t.test('a provisioned device connects with its token; rotation and revocation cut it off and it stays refused', async (t) => {
  const dir = tempDir(t);
  const c = await startCoordinator(t, { dir, devices: [] });
  const admin = c.api.as(ADMIN_TOKEN);
  const post = (path: string, body: object = {}) =>
    admin.raw(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  const created = await post('/api/v1/devices', { id: 'edge-new', site: 'tua-chua', name: 'Tủa Chùa market' });
  t.equal(created.status, 201);
  const { token } = (await created.json()) as { token: string };
  t.match(token, /^dev_[A-Za-z0-9_-]{40,}$/, 'a strong token, returned once');
  t.equal((await post('/api/v1/devices', { id: 'edge-new', site: 'tua-chua' })).status, 409, 'no second device of that id');
  t.equal((await post('/api/v1/devices', { id: 'edge-x', site: 'atlantis' })).status, 400, 'unknown site');
  t.notOk(JSON.stringify(await admin.get('/api/v1/devices/edge-new')).includes(token), 'the token is never shown again');

  const agent = await startAgent(t, { dir, deviceId: 'edge-new', site: 'tua-chua', grpcAddress: `127.0.0.1:${c.grpcPort}`, token });
  await waitFor('online with the provisioned token', async () => (await admin.get<{ online: boolean }>('/api/v1/devices/edge-new')).online);

  const rotated = await post('/api/v1/devices/edge-new/token');
  t.equal(rotated.status, 200);
  const { token: newToken } = (await rotated.json()) as { token: string };
  t.not(newToken, token);
  await waitFor('the agent lost its stream at once', async () => (await agent.metric('ioc_edge_uplink_connected')) === 0, { timeoutMs: 5000 });
  const client = createEdgeLinkClient({ address: `127.0.0.1:${c.grpcPort}`, tls: false });
  t.teardown(() => client.close());
  const identity = (tok: string) => ({ deviceId: 'edge-new', siteId: 'tua-chua', token: tok, softwareVersion: 'test', configVersion: () => 'x' });
  await t.rejects(register(client, identity(token), 5000), /unknown device or wrong token/, 'the old token is refused');
  t.ok(await register(client, identity(newToken), 5000), 'the new token works');

  // The box gets its new token (as edgectl provision would write it) and comes back.
  await agent.proc.kill9();
  const agent2 = await startAgent(t, { dir, deviceId: 'edge-new', site: 'tua-chua', grpcAddress: `127.0.0.1:${c.grpcPort}`, token: newToken });
  await waitFor('online again with the new token', async () => (await admin.get<{ online: boolean }>('/api/v1/devices/edge-new')).online);
  const revoked = await post('/api/v1/devices/edge-new/revoke', { reason: 'box stolen from the market' });
  t.equal(revoked.status, 200);
  t.match(await revoked.json(), { disconnected: true, device: { id: 'edge-new', revoked: true } }, 'disconnected at once');
  await waitFor('the agent lost its stream', async () => (await agent2.metric('ioc_edge_uplink_connected')) === 0, { timeoutMs: 5000 });
  t.equal((await admin.get<{ online: boolean }>('/api/v1/devices/edge-new')).online, false);
  await t.rejects(register(client, identity(newToken), 5000), /device edge-new is revoked/, 'refused afterwards, saying why');
  const metrics = await coordinatorMetrics(c.api.baseUrl);
  t.ok(sumMetric(metrics, 'ioc_edgelink_auth_failures_total', { reason: 'revoked' }) >= 1, 'counted as a revoked refusal');
});
