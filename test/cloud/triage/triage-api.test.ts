// Triage over real HTTP on an in-process coordinator: the routing table replaced by an admin
// (validated, then used for new alerts, then dropped), the escalation timer of a running
// coordinator escalating a silent agency, and the 409 / 400 answers with their reasons.
import t from 'tap';
import { startInProcessCoordinator } from '../../support/in-process.js';
import { ADMIN_TOKEN, OPERATOR_TOKEN, sumMetric, coordinatorMetrics } from '../../support/system.js';
import { waitFor } from '../../support/wait.js';

const OPS = `agencies:
  - { id: fire-rescue, name: PCCC&CNCH, ack_timeout_s: 1 }
  - { id: health, name: Sở Y tế }
routing:
  rules: [{ match: { kind: [citizen_report], rule: [fire] }, agency: fire-rescue }]
escalation: { ack_timeout_s: 600, max_escalations: 2, check_interval_s: 0.2 }
`;

t.test('routing replaced through the API, escalation of a silent agency, conflicts with reasons', async (t) => {
  const c = await startInProcessCoordinator(t, OPS);
  const admin = c.api.as(ADMIN_TOKEN);
  const operator = c.api.as(OPERATOR_TOKEN);
  const json = (api: typeof admin, method: string, path: string, body?: object) =>
    api.raw(path, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const report = async (category: string) => {
    const f = new FormData();
    for (const [k, v] of Object.entries({ text: `${category} near the market`, category, lat: '21.86', lon: '103.35' })) f.set(k, v);
    const res = await fetch(`${c.baseUrl}/api/v1/reports`, { method: 'POST', body: f, headers: { authorization: `Bearer ${OPERATOR_TOKEN}` } });
    return ((await res.json()) as { alertId: string }).alertId;
  };

  const bad = await json(admin, 'PUT', '/api/v1/routing', {
    rules: [
      { match: { kind: ['citizen_report'] }, agency: 'army' },
      { match: {}, agency: 'health', channel: 'nope' },
    ],
  });
  t.equal(bad.status, 400);
  t.match(await bad.json(), {
    error: { code: 'VALIDATION', message: 'rules[0].agency: no agency "army" in agencies; rules[1].channel: no webhook endpoint "nope" in webhooks.endpoints' },
  });
  t.equal((await json(operator, 'PUT', '/api/v1/routing', { rules: [] })).status, 403, 'operators cannot change routing');
  const put = await json(admin, 'PUT', '/api/v1/routing', { rules: [{ name: 'health reports', match: { rule: ['health'] }, agency: 'health' }] });
  t.equal(put.status, 200);
  t.match(await put.json(), { source: 'api', rules: [{ name: 'health reports' }] });
  const healthAlert = await c.api.get<{ routing: { agency: string; rule: string } }>(`/api/v1/alerts/${await report('health')}`);
  t.same(healthAlert.routing, { agency: 'health', channel: null, rule: 'health reports' }, 'new alerts use the new table');
  t.same(await c.api.get('/api/v1/routing/match?kind=citizen_report&rule=fire'), { agency: null, channel: null, rule: null }, 'the fire rule is gone');
  t.equal((await json(admin, 'DELETE', '/api/v1/routing')).status, 200);
  t.same(
    await c.api.get('/api/v1/routing/match?kind=citizen_report&rule=fire'),
    { agency: 'fire-rescue', channel: null, rule: 'rules[0]' },
    'back to the config table',
  );

  const fire = await report('fire');
  t.equal((await json(operator, 'POST', `/api/v1/alerts/${fire}/dispatch`, {})).status, 409, 'dispatch before verification');
  const dismiss = await json(operator, 'POST', `/api/v1/alerts/${fire}/dismiss`, {});
  t.equal(dismiss.status, 400, 'dismissing needs a reason');
  t.match(await dismiss.json(), { error: { code: 'VALIDATION', message: /comment/ } });
  t.equal((await json(operator, 'POST', `/api/v1/alerts/${fire}/verify`, {})).status, 200);
  const unknown = await json(operator, 'POST', `/api/v1/alerts/${fire}/dispatch`, { agency: 'army' });
  t.equal(unknown.status, 400);
  t.equal((await json(operator, 'POST', `/api/v1/alerts/${fire}/dispatch`, {})).status, 200);
  const escalated = await waitFor(
    'escalated by the running coordinator',
    async () => {
      const a = await c.api.get<{ dispatch: { escalations: number } }>(`/api/v1/alerts/${fire}`);
      return a.dispatch.escalations >= 2 ? a : undefined;
    },
    { timeoutMs: 10_000 },
  );
  t.equal(escalated.dispatch.escalations, 2, 'max_escalations');
  const audit = await c.api.get<{ items: { action: string; actor: string }[] }>(`/api/v1/alerts/${fire}/audit`);
  t.same(
    audit.items.filter((e) => e.action === 'escalated').map((e) => e.actor),
    ['system', 'system'],
  );
  const ack = await json(operator, 'POST', `/api/v1/alerts/${fire}/acknowledge`, { agency: 'health' });
  t.equal(ack.status, 409);
  t.match(await ack.json(), { error: { code: 'CONFLICT', message: 'the alert was dispatched to fire-rescue, not health' } });
  const metrics = await coordinatorMetrics(c.baseUrl);
  t.equal(sumMetric(metrics, 'ioc_dispatch_escalations_total', { agency: 'fire-rescue' }), 2);
  t.equal(sumMetric(metrics, 'ioc_alerts', { state: 'dispatched' }), 1);
  t.equal(sumMetric(metrics, 'ioc_alerts', { state: 'new' }), 1);
  t.equal(await c.api.raw('/api/v1/alerts/NOPE').then((r) => r.status), 404);
});
