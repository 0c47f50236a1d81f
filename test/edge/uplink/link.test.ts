// The uplink against the real EdgeLink ingest (in process, level store, loopback gRPC): poison
// records go to dead letters and the queue moves on; a spent daily budget lets only alarms
// through; every acknowledged record leaves the outbox; a revocation goodbye leaves it refused.
import t from 'tap';
import { join } from 'node:path';
import { Uplink } from '../../../edge/uplink/link.js';
import { createEdgeMetrics } from '../../../edge/metrics.js';
import { ClockOffset } from '../../../common/time.js';
import { hashToken } from '../../../common/secrets.js';
import type { EdgeConfig } from '../../../common/config/edge-schema.js';
import { openDayOutbox, UPLINK_SETTINGS } from './fixtures.js';
import { LevelStore } from '../../../cloud/store/level/level-store.js';
import { EdgeLinkServer } from '../../../cloud/ingest/edgelink-server.js';
import { Presence } from '../../../cloud/ingest/presence.js';
import { createCoordinatorMetrics } from '../../../cloud/metrics.js';
import { tempDir } from '../../support/tmp.js';
import { waitFor } from '../../support/wait.js';

type TapTest = Parameters<Parameters<typeof t.test>[0]>[0];

const TOKEN = 'uplink-test-token-0123456789';

async function rig(t: TapTest, settings: Partial<EdgeConfig['uplink']> = {}, outboxOptions: { maxRejections?: number } = {}) {
  const dir = tempDir(t);
  const store = new LevelStore(join(dir, 'store'));
  await store.open();
  await store.putDevice({ id: 'edge-u', site: 'muong-nhe', tokenSha256: hashToken(TOKEN), revoked: false, createdAtMs: Date.now() });
  const metrics = createCoordinatorMetrics();
  const presence = new Presence(30_000, metrics);
  const server = new EdgeLinkServer({
    host: '127.0.0.1',
    port: 0,
    store,
    presence,
    metrics,
    maxBatchBytes: 8 * 1024 * 1024,
    maxBatchRecords: 20_000,
  });
  const port = await server.start();
  const outbox = await openDayOutbox(join(dir, 'outbox'), outboxOptions);
  const edgeMetrics = createEdgeMetrics();
  const uplink = new Uplink({
    target: { address: `127.0.0.1:${port}`, tls: false },
    identity: { deviceId: 'edge-u', siteId: 'muong-nhe', token: TOKEN, softwareVersion: 'test', configVersion: () => 'test' },
    outbox,
    clockOffset: new ClockOffset(),
    settings: { ...UPLINK_SETTINGS, ...settings },
    metrics: edgeMetrics,
    heartbeat: () => ({ edge_time_ms: Date.now(), lanes: [] }),
    backoff: { initialMs: 200, maxMs: 1000 },
  });
  t.teardown(async () => {
    await uplink.stop();
    await outbox.close();
    await server.stop();
    await store.close();
  });
  const lane = async (name: string) => (await store.laneStates('edge-u')).find((l) => l.lane === name)!;
  return { store, outbox, uplink, lane, presence };
}

const telemetry = (i: number) => ({
  kind: 'telemetry' as const,
  body: { telemetry: { sensor_id: 's1', metric: 'level', unit: `u${i}`, count: 1, min: i, max: i, mean: i, last: i, sum: i } },
});
const alarm = (id: string) => ({ kind: 'alarm' as const, body: { alarm: { alarm_id: id, state: 'raised' } } });

t.test('a record the coordinator keeps refusing is dead-lettered and the queue moves on', async (t) => {
  const { outbox, uplink, lane } = await rig(t, {}, { maxRejections: 3 });
  await outbox.append({ kind: 'thumbnail', body: { thumbnail: { event_id: 'ok-1', content_type: 'image/jpeg', data: Buffer.alloc(100, 1) } } });
  await outbox.append({ kind: 'thumbnail', body: { thumbnail: { event_id: 'poison', content_type: 'text/plain', data: Buffer.alloc(100, 2) } } });
  await outbox.append({ kind: 'thumbnail', body: { thumbnail: { event_id: 'ok-3', content_type: 'image/jpeg', data: Buffer.alloc(100, 3) } } });
  for (let i = 0; i < 20; i++) await outbox.append(telemetry(i));
  await uplink.start();
  await waitFor('the outbox empty and the drop settled', () => (outbox.stats().records === 0 && outbox.stats().pendingDropReports === 0 ? true : undefined), {
    timeoutMs: 15_000,
  });
  const thumbs = await lane('thumbnail');
  t.equal(thumbs.contiguousSeq, 3, 'the lane moved past the poison record');
  t.equal(thumbs.storedRecords, 2);
  t.same(thumbs.dropped, { dead_letter: 1 }, 'counted as dead-lettered at the coordinator');
  t.equal((await lane('telemetry')).storedRecords, 20, 'the other lanes never waited');
  const letters = await outbox.listDeadLetters();
  t.same(
    letters.map((l) => [l.lane, l.seq, l.code, l.rejections]),
    [['thumbnail', 2, 'VALIDATION', 3]],
    'inspectable with its refusal',
  );
  t.match(letters[0]!.reason, /content_type/);
});

t.test('once the daily budget is spent only alarms go up', async (t) => {
  const { outbox, uplink, lane } = await rig(t, { daily_budget_mb: 2000 / (1024 * 1024), batch_max_records: 5, compression: 'none' });
  for (let i = 0; i < 100; i++) await outbox.append(telemetry(i));
  await uplink.start();
  await waitFor('the budget spent', async () => ((await lane('telemetry')).storedRecords > 0 && uplink.status().dailyBytesUsed >= 2000 ? true : undefined));
  await new Promise((r) => setTimeout(r, 1000));
  const stored = (await lane('telemetry')).storedRecords;
  t.ok(stored < 100, `${stored} of 100 telemetry records went before the budget ran out`);
  await outbox.append(alarm('flood'));
  await waitFor('the alarm delivered anyway', async () => ((await lane('alarm')).contiguousSeq === 1 ? true : undefined));
  t.equal((await lane('telemetry')).storedRecords, stored, 'telemetry still waits for tomorrow');
  t.ok(outbox.stats().lanes.find((l) => l.lane === 'telemetry')!.records > 0);
});

t.test('acknowledged records leave the outbox; the edge and the coordinator agree on every lane', async (t) => {
  const { outbox, uplink, lane } = await rig(t);
  await uplink.start();
  for (let i = 0; i < 300; i++) await outbox.append(i % 30 === 0 ? alarm(`a${i}`) : telemetry(i));
  await waitFor('all delivered', () => (outbox.stats().records === 0 ? true : undefined), { timeoutMs: 15_000 });
  t.equal((await lane('alarm')).contiguousSeq, 10);
  t.equal((await lane('telemetry')).contiguousSeq, 290);
  t.same(
    outbox.stats().lanes.map((l) => [l.lane, l.ackedSeq]),
    [
      ['alarm', 10],
      ['event', 0],
      ['telemetry', 290],
      ['thumbnail', 0],
    ],
  );
  t.equal(uplink.status().state, 'connected');
});

t.test('a goodbye for revocation leaves the uplink refused, saying why', async (t) => {
  const { uplink, presence } = await rig(t);
  await uplink.start();
  await waitFor('the coordinator to hold the stream and say goodbye', () => presence.disconnect('edge-u', 'device revoked', 'REVOKED'), { timeoutMs: 15_000 });
  await waitFor('refused', () => (uplink.status().state === 'refused' ? true : undefined), { timeoutMs: 15_000 });
  t.match(uplink.status().lastError, /coordinator said goodbye: device revoked/);
});
