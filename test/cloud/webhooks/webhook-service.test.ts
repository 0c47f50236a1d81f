// Webhooks against a real HTTP receiver: signed deliveries that verify, retries with backoff
// while the receiver is down (everything arrives, in order, once it is back), an endpoint
// disabled with its reason after repeated failure and re-enabled by an admin, timeouts.
import t from 'tap';
import type { TapTest } from '../../support/feature-stores.js';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { LevelStore } from '../../../cloud/store/level/level-store.js';
import { LevelWebhookStore } from '../../../cloud/store/level/level-webhook-store.js';
import { WebhookService, type WebhookSettings } from '../../../cloud/webhooks/webhook-service.js';
import { verifySignature } from '../../../cloud/webhooks/signature.js';
import { makeRootLogger } from '../../../common/log.js';
import { tempDir } from '../../support/tmp.js';
import { waitFor } from '../../support/wait.js';
import { sumMetric } from '../../support/system.js';
import { WebhookReceiver } from '../../support/webhook-receiver.js';

const SECRET = 'agency-shared-secret-0123456789';
const logger = makeRootLogger('test');
logger.level = 'error';

async function setup(t: TapTest, receiver: WebhookReceiver, over: Partial<WebhookSettings> = {}, timeoutMs = 2000) {
  const store = new LevelStore(join(tempDir(t), 'store'));
  await store.open();
  const registry = new Registry();
  const service = new WebhookService({
    store: new LevelWebhookStore(store.database),
    settings: {
      endpoints: [
        { name: 'police', url: receiver.url, secret: SECRET, events: ['alert.*'], timeout_ms: timeoutMs, format: 'json' },
        { name: 'duty', url: receiver.url, secret: SECRET, events: [], timeout_ms: timeoutMs, format: 'json' },
      ],
      retry: { initial_ms: 50, max_ms: 400, max_attempts: 50 },
      disable_after_failures: 100,
      ...over,
    },
    registry,
    logger,
    pollMs: 50,
  });
  service.start();
  t.teardown(async () => {
    await service.close();
    await store.close();
  });
  return { service, registry };
}

t.test('deliveries are signed with HMAC-SHA256 over timestamp and body; receivers can verify them', async (t) => {
  const receiver = await new WebhookReceiver().start();
  t.teardown(() => receiver.stop());
  const { service } = await setup(t, receiver);
  await service.notify('alert.created', { alert: { id: 'A1', title: 'Nậm Núa above 3.8 m' } });
  await service.notify('report.created', { report: { id: 'R1' } }, { channels: ['duty'] });
  await service.notify('report.created', { report: { id: 'R2' } });
  await waitFor('two deliveries', () => receiver.received.length >= 2);
  await new Promise((r) => setTimeout(r, 200));
  t.equal(receiver.received.length, 2, 'report.created only went to the channel named for it, not to unsubscribed endpoints');
  for (const w of receiver.received) {
    t.ok(verifySignature(SECRET, { timestamp: w.timestamp, signature: w.signature }, w.body), `${w.event} verifies`);
    t.notOk(verifySignature('wrong-secret-0123456789', { timestamp: w.timestamp, signature: w.signature }, w.body), 'not with another secret');
    t.notOk(verifySignature(SECRET, { timestamp: w.timestamp, signature: w.signature }, w.body.replace('"data":', '"data": ')), 'not for a changed body');
    t.notOk(
      verifySignature(SECRET, { timestamp: w.timestamp, signature: w.signature }, w.body, { nowS: Number(w.timestamp) + 3600 }),
      'not an hour later (replay)',
    );
    t.equal(w.json.id, w.delivery, 'the delivery id is in the body and the header');
  }
  t.same(receiver.received.map((w) => w.event).sort(), ['alert.created', 'report.created']);
  const log = await service.deliveries('police', { limit: 10 });
  t.equal(log[0]?.state, 'delivered');
  t.equal(log[0]?.log[0]?.status, 200);
});

t.test('a receiver that is down for a while gets every delivery, in order, once it is back; failures are logged', async (t) => {
  const receiver = await new WebhookReceiver().start();
  const port = receiver.port;
  await receiver.stop();
  const { service, registry } = await setup(t, receiver);
  t.teardown(() => receiver.stop());
  for (let i = 1; i <= 4; i++) await service.notify('alert.updated', { alert: { id: `A${i}` } });
  await waitFor('several failed attempts', async () =>
    (await service.endpoints()).find((e) => e.name === 'police')!.consecutiveFailures >= 3 ? true : undefined,
  );
  const down = (await service.endpoints()).find((e) => e.name === 'police')!;
  t.ok(down.lastError && /ECONNREFUSED|fetch failed/.test(down.lastError), `the failure says why: ${down.lastError}`);
  t.equal(down.pendingDeliveries, 4, 'all four wait');
  t.equal(receiver.hits, 0);
  await receiver.start(port);
  await waitFor('all four delivered', () => receiver.received.length >= 4, { timeoutMs: 10_000 });
  t.same(
    receiver.received.map((w) => (w.json.data.alert as { id: string }).id),
    ['A1', 'A2', 'A3', 'A4'],
    'in order',
  );
  const up = (await service.endpoints()).find((e) => e.name === 'police')!;
  t.equal(up.consecutiveFailures, 0);
  t.equal(up.pendingDeliveries, 0);
  const first = (await service.deliveries('police', { limit: 10 })).find((d) => d.id === receiver.received[0]!.delivery)!;
  t.ok(first.log.length >= 2, `the first delivery's log shows the failed attempts and the success (${first.log.length} attempts)`);
  t.equal(first.log.at(-1)!.ok, true);
  t.ok(
    first.log.slice(0, -1).every((a) => !a.ok && a.status === null && a.error),
    'failed attempts: no status, a reason',
  );
  t.ok(sumMetric(await registry.metrics(), 'ioc_webhook_failures_total', { endpoint: 'police' }) >= 3, 'failures counted in /metrics');
});

t.test('repeated failure disables the endpoint with a visible reason; an admin re-enables it', async (t) => {
  const receiver = await new WebhookReceiver().start();
  t.teardown(() => receiver.stop());
  receiver.answer = 503;
  const { service, registry } = await setup(t, receiver, { disable_after_failures: 4 });
  await service.notify('alert.dispatched', { alert: { id: 'D1' } });
  const disabled = await waitFor('endpoint disabled', async () => {
    const e = (await service.endpoints()).find((x) => x.name === 'police')!;
    return e.enabled ? undefined : e;
  });
  t.match(disabled.disabledReason, /disabled after 4 consecutive failed attempts; last: HTTP 503/);
  const hits = receiver.hits;
  await new Promise((r) => setTimeout(r, 500));
  t.equal(receiver.hits, hits, 'no more attempts while disabled');
  t.equal(disabled.pendingDeliveries, 1, 'its delivery waits');
  t.equal(sumMetric(await registry.metrics(), 'ioc_webhook_endpoints_disabled'), 1);
  receiver.answer = 200;
  const enabled = await service.enable('police', 'admin');
  t.equal(enabled.enabled, true);
  t.equal(enabled.disabledReason, null);
  await waitFor('delivered after re-enabling', () => receiver.received.length === 1);
  t.equal(receiver.received[0]!.event, 'alert.dispatched');
  await t.rejects(service.enable('nope', 'admin'), { code: 'NOT_FOUND' });
});

t.test('a receiver that never answers times out; the attempt says so', async (t) => {
  const receiver = await new WebhookReceiver().start();
  t.teardown(() => receiver.stop());
  receiver.answer = 'hang';
  const { service } = await setup(t, receiver, {}, 200);
  const id = await service.test('police', 'admin');
  const d = await waitFor('a timed-out attempt', async () => (await service.deliveries('police', { limit: 5 })).find((x) => x.id === id && x.log.length > 0));
  t.equal(d.log[0]!.error, 'timed out');
  t.ok(d.log[0]!.durationMs >= 150, `it waited about the timeout (${d.log[0]!.durationMs} ms)`);
  t.equal(d.event, 'webhook.test');
});
