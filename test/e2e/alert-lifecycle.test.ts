// An alert's whole life with real processes: a river gauge crosses its threshold at an edge,
// the alarm becomes an alert, an operator verifies and dispatches it to the routed agency, the
// agency acknowledges, it is resolved. The agency's webhook receiver (a real HTTP server) gets
// every change correctly signed, and is down for a while in the middle: the deliveries wait,
// the failures are logged, and everything arrives once it is back.
import t from 'tap';
import mqtt from 'mqtt';
import { tempDir } from '../support/tmp.js';
import { OPERATOR_TOKEN, startAgent, startCoordinator, sumMetric, coordinatorMetrics } from '../support/system.js';
import { waitFor } from '../support/wait.js';
import { WebhookReceiver } from '../support/webhook-receiver.js';
import { verifySignature } from '../../cloud/webhooks/signature.js';

const SECRET = 'pctt-webhook-secret-0123456789';
const SENSORS = `
sensors:
  - id: river-1
    type: water_level
    credentials: { username: river-1, password: river-1-secret }
    metrics: [{ name: level, unit: m, valid_range: [0, 30], windows_s: [60] }]
    thresholds:
      - { id: flood, metric: level, condition: above, value: 4.5, clear: 4.0, severity: high, message: Nậm Pồ river above 4.5 m }
`;

interface AlertView {
  id: string;
  state: string;
  phase: string | null;
  routing: { agency: string | null };
  dispatch: { agency: string; acknowledgedBy?: string } | null;
}

t.test(
  'sensor alarm → alert → verified → dispatched to the routed agency → acknowledged → resolved, with signed webhooks that survive the receiver being down',
  async (t) => {
    const dir = tempDir(t);
    const receiver = await new WebhookReceiver().start();
    t.teardown(() => receiver.stop());
    const coordinator = await startCoordinator(t, {
      dir,
      devices: [{ id: 'edge-mn', site: 'muong-nhe' }],
      extraYaml: `
agencies:
  - { id: disaster-committee, name: Ban chỉ huy PCTT tỉnh, channel: pctt-hook }
  - { id: police, name: Công an tỉnh }
routing:
  rules:
    - { name: floods, match: { kind: [alarm], rule: [flood] }, agency: disaster-committee }
  default_agency: police
webhooks:
  endpoints:
    - { name: pctt-hook, url: "${receiver.url}", secret: ${SECRET}, events: ["alert.*"], timeout_ms: 2000 }
  retry: { initial_ms: 200, max_ms: 1000, max_attempts: 100 }
  disable_after_failures: 1000
`,
    });
    const agent = await startAgent(t, { dir, deviceId: 'edge-mn', site: 'muong-nhe', grpcAddress: `127.0.0.1:${coordinator.grpcPort}`, bodyYaml: SENSORS });
    const sensor = await mqtt.connectAsync(`mqtt://127.0.0.1:${agent.brokerPort}`, { username: 'river-1', password: 'river-1-secret' });
    t.teardown(() => sensor.endAsync());
    const api = coordinator.api;
    const operator = api.as(OPERATOR_TOKEN);

    await sensor.publishAsync('sensors/river-1/level', '4.9', { qos: 1 });
    const raised = await waitFor('the alarm as a new alert', async () => (await api.get<{ items: AlertView[] }>('/api/v1/alerts?state=new')).items[0]);
    t.equal(raised.routing.agency, 'disaster-committee', 'routed by the flood rule');
    await waitFor('alert.created delivered', () => receiver.received.some((w) => w.event === 'alert.created'));

    // The agency's server goes down; operators carry on.
    const port = receiver.port;
    await receiver.stop();
    const post = (path: string, body: object = {}) =>
      operator.raw(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    t.equal((await post(`/api/v1/alerts/${raised.id}/verify`, { comment: 'gauge and camera agree' })).status, 200);
    const dispatched = await post(`/api/v1/alerts/${raised.id}/dispatch`, { comment: 'evacuate the riverside houses' });
    t.equal(dispatched.status, 200);
    t.equal(((await dispatched.json()) as AlertView).dispatch?.agency, 'disaster-committee', 'dispatched to the routed agency');

    const failing = await waitFor('failed attempts recorded', async () => {
      const { items } = await api.get<{ items: { name: string; consecutiveFailures: number; lastError: string | null; pendingDeliveries: number }[] }>(
        '/api/v1/webhooks',
      );
      const e = items.find((x) => x.name === 'pctt-hook')!;
      return e.consecutiveFailures >= 2 ? e : undefined;
    });
    t.ok(failing.pendingDeliveries >= 2, `verified and dispatched wait (${failing.pendingDeliveries} pending)`);
    t.match(failing.lastError, /ECONNREFUSED|fetch failed/);
    const log = await api.get<{ items: { event: string; state: string; log: { ok: boolean; error: string | null }[] }[] }>(
      '/api/v1/webhooks/pctt-hook/deliveries?state=pending',
    );
    t.ok(
      log.items.some((d) => d.log.some((a) => !a.ok && a.error)),
      'the delivery log shows the failed attempts with their reason',
    );
    t.ok(
      sumMetric(await coordinatorMetrics(coordinator.api.baseUrl), 'ioc_webhook_failures_total', { endpoint: 'pctt-hook' }) >= 2,
      'failures counted in /metrics',
    );

    await receiver.start(port);
    await waitFor('verified and dispatched delivered after the receiver came back', () => receiver.received.some((w) => w.event === 'alert.dispatched'), {
      timeoutMs: 20_000,
    });

    t.equal((await post(`/api/v1/alerts/${raised.id}/acknowledge`, { agency: 'disaster-committee', comment: 'team dispatched from Mường Nhé' })).status, 200);
    await sensor.publishAsync('sensors/river-1/level', '3.6', { qos: 1 });
    await waitFor('the edge cleared the alarm', async () => (await api.get<AlertView>(`/api/v1/alerts/${raised.id}`)).phase === 'cleared');
    const resolved = await post(`/api/v1/alerts/${raised.id}/resolve`, { comment: 'water back under 4 m' });
    t.equal(resolved.status, 200);
    const wrong = await post(`/api/v1/alerts/${raised.id}/verify`);
    t.equal(wrong.status, 409, 'a resolved alert cannot be verified');
    t.match(await wrong.json(), { error: { code: 'CONFLICT', message: 'the alert is resolved, a final state' } }, 'with the reason');

    await waitFor('alert.resolved delivered', () => receiver.received.some((w) => w.event === 'alert.resolved'));
    const events = receiver.received.map((w) => w.event);
    t.same(
      events.filter((e) => e !== 'alert.updated'),
      ['alert.created', 'alert.verified', 'alert.dispatched', 'alert.acknowledged', 'alert.resolved'],
      'every change once, in order',
    );
    for (const w of receiver.received) {
      t.ok(verifySignature(SECRET, { timestamp: w.timestamp, signature: w.signature }, w.body), `${w.event}: the HMAC-SHA256 signature verifies`);
      t.equal((w.json.data.alert as { id: string }).id, raised.id);
    }
    t.equal(new Set(receiver.received.map((w) => w.delivery)).size, receiver.received.length, 'no delivery twice');

    const audit = await api.get<{ items: { action: string; actor: string; from?: string; to?: string; comment?: string; atMs: number }[] }>(
      `/api/v1/alerts/${raised.id}/audit`,
    );
    t.same(
      audit.items.map((e) => [e.action, e.actor, e.to ?? null]),
      [
        ['created', 'edge:edge-mn', 'new'],
        ['transition', 'operator', 'verified'],
        ['transition', 'operator', 'dispatched'],
        ['acknowledged', 'operator', null],
        ['annotated', 'edge:edge-mn', null],
        ['transition', 'operator', 'resolved'],
      ],
      'the audit log is complete: who did what',
    );
    t.same(
      audit.items.map((e) => e.comment ?? ''),
      [
        '',
        'gauge and camera agree',
        'evacuate the riverside houses',
        'team dispatched from Mường Nhé',
        'alarm cleared at the edge (value 3.6m)',
        'water back under 4 m',
      ],
    );
    t.ok(
      audit.items.every((e, i) => i === 0 || e.atMs >= audit.items[i - 1]!.atMs),
      'in time order',
    );
    const metrics = await coordinatorMetrics(coordinator.api.baseUrl);
    t.equal(sumMetric(metrics, 'ioc_alerts', { state: 'resolved' }), 1, 'alerts by state in /metrics');
  },
);
