// A 20 kbps link (the proxy throttles both directions with small buffers) carrying a 10 MB
// backlog of thumbnails: an alarm raised behind it reaches the coordinator within seconds —
// at this rate the backlog alone would take over an hour.
import t from 'tap';
import { tempDir } from '../support/tmp.js';
import { startAgent, startCoordinator } from '../support/system.js';
import { delay, waitFor } from '../support/wait.js';
import { FaultProxy } from '../support/fault-proxy.js';
import { Producer } from '../support/producer.js';

const LINK_KBPS = 20;
const BACKLOG_BYTES = 10 * 1024 * 1024;
const THUMBNAIL_BYTES = 8 * 1024;
/** "Within seconds": a few seconds of the data already on the wire, far from the backlog's hour. */
const ALARM_BOUND_MS = 20_000;

for (const rateKbps of [0, 16]) {
  t.test(`alarm behind a 10 MB thumbnail backlog on a ${LINK_KBPS} kbps link (uplink rate_kbps ${rateKbps || 'unset'})`, async (t) => {
    const dir = tempDir(t);
    const deviceId = `edge-t${rateKbps}`;
    const coordinator = await startCoordinator(t, { dir, devices: [{ id: deviceId, site: 'muong-nhe' }] });
    const proxy = await FaultProxy.start({ targetPort: coordinator.grpcPort, bufferBytes: 4096 });
    t.teardown(() => proxy.close());
    proxy.setThrottle(LINK_KBPS);
    const agent = await startAgent(t, {
      dir,
      deviceId,
      site: 'muong-nhe',
      grpcAddress: proxy.address,
      testHooks: true,
      bodyYaml: `uplink: { rate_kbps: ${rateKbps}, heartbeat_s: 5, connect_timeout_s: 20 }\n`,
    });
    await waitFor('uplink connected over the slow link', async () => (await agent.metric('ioc_edge_uplink_connected')) === 1, { timeoutMs: 30_000 });
    const producer = new Producer(agent, `tl${rateKbps}`);
    for (let made = 0; made < BACKLOG_BYTES; made += 100 * THUMBNAIL_BYTES) {
      await producer.produce([{ kind: 'thumbnail', count: 100, bytes: THUMBNAIL_BYTES }]);
    }
    // Let the drain settle into its steady state on the slow link.
    await delay(8000);
    const backlog = await agent.metric('ioc_edge_outbox_bytes', { lane: 'thumbnail' });
    t.ok(backlog > 9 * 1024 * 1024, `thumbnail backlog still ${(backlog / 1024 / 1024).toFixed(1)} MB`);

    const started = Date.now();
    const [raised] = await producer.produce([{ kind: 'alarm', count: 1 }]);
    const arrived = await waitFor(
      'the alarm at the coordinator',
      async () => {
        const events = await coordinator.api.allEvents(`device=${deviceId}&kind=alarm`);
        return events.find((e) => e.payload.alarm_id === raised!.id);
      },
      { timeoutMs: 120_000, intervalMs: 100 },
    );
    const latencyMs = Date.now() - started;
    t.comment(
      JSON.stringify({
        link_kbps: LINK_KBPS,
        rate_kbps: rateKbps,
        backlog_mb: +(backlog / 1024 / 1024).toFixed(1),
        alarm_latency_ms: latencyMs,
        backlog_drain_estimate_s: Math.round(backlog / ((LINK_KBPS * 1000) / 8)),
      }),
    );
    t.ok(
      latencyMs < ALARM_BOUND_MS,
      `alarm arrived in ${latencyMs} ms (bound ${ALARM_BOUND_MS} ms; the backlog needs ~${Math.round(backlog / 2500 / 60)} min)`,
    );
    t.equal(arrived.lane, 'alarm');
    t.ok((await agent.metric('ioc_edge_outbox_bytes', { lane: 'thumbnail' })) > 9 * 1024 * 1024, 'the thumbnails are still waiting: the alarm overtook them');
  });
}
