// Bytes on the wire per record, with and without batching and compression: the real outbox and
// uplink deliver N records of one kind to the real EdgeLink ingest through the fault proxy, which
// counts every byte both ways (gRPC, HTTP/2, the acks coming back). The cost of connecting (TLS
// aside: handshake, hello, first heartbeat and probe) is measured with no records and taken off.
// Prints one JSON object.
//   node --import tsx bench/wire-bytes.ts [--records 2000]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import { ClockOffset } from '../common/time.js';
import { hashToken } from '../common/secrets.js';
import { encodeRecord } from '../common/proto.js';
import { laneToProto } from '../common/lanes.js';
import type { EdgeConfig } from '../common/config/edge-schema.js';
import { Outbox } from '../edge/outbox/outbox.js';
import { Uplink } from '../edge/uplink/link.js';
import { createEdgeMetrics } from '../edge/metrics.js';
import type { OutboxInput } from '../edge/outbox/types.js';
import { LevelStore } from '../cloud/store/level/level-store.js';
import { EdgeLinkServer } from '../cloud/ingest/edgelink-server.js';
import { Presence } from '../cloud/ingest/presence.js';
import { createCoordinatorMetrics } from '../cloud/metrics.js';
import { FaultProxy } from '../test/support/fault-proxy.js';
import { seededRandom } from '../common/seeded-random.js';

const { values: args } = parseArgs({ options: { records: { type: 'string', default: '2000' } } });
const N = Number(args.records);
const DAY = 86_400_000;
const TOKEN = 'bench-wire-token-0123456789';

const rnd = seededRandom(7);
const mm = (v: number) => Math.round(v * 1000) / 1000; // gauges report to the millimetre
const ULID = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const ulid = () => Array.from({ length: 26 }, () => ULID[Math.floor(rnd() * 32)]).join('');
let level = 2.5;

const KINDS: Record<string, (i: number) => OutboxInput> = {
  // One minute of a river gauge sampled every 5 s, level wandering by millimetres.
  telemetry: (i) => {
    const start = 1_764_000_000_000 + i * 60_000;
    level = mm(level + (rnd() - 0.5) * 0.02);
    const min = mm(level - rnd() * 0.01);
    const max = mm(level + rnd() * 0.01);
    return {
      kind: 'telemetry',
      body: {
        telemetry: {
          sensor_id: `river-${i % 6}`,
          sensor_type: 'water_level',
          metric: 'level',
          unit: 'm',
          window_s: 60,
          window_start_ms: start,
          window_end_ms: start + 60_000,
          count: 12,
          min,
          max,
          mean: mm((min + max) / 2),
          last: mm(level),
          sum: mm(level * 12),
        },
      },
    };
  },
  alarm: (i) => ({
    kind: 'alarm',
    body: {
      alarm: {
        alarm_id: ulid(),
        rule_id: 'flood',
        sensor_id: `river-${i % 6}`,
        metric: 'level',
        state: i % 2 ? 'cleared' : 'raised',
        severity: 'SEVERITY_HIGH',
        value: mm(4.5 + rnd() * 0.3),
        threshold: 4.5,
        condition: 'above',
        message: 'river above 4.5 m',
        unit: 'm',
      },
    },
  }),
  camera_event: (i) => ({
    kind: 'camera_event',
    body: {
      camera_event: {
        event_id: ulid(),
        camera_id: 'cam-bridge',
        phase: 'new',
        type: 'object',
        rule: 'intrusion',
        zone: 'bridge',
        label: i % 3 ? 'person' : 'motorcycle',
        score: +(0.5 + rnd() * 0.5).toFixed(3),
        box: { x: rnd(), y: rnd(), w: rnd() * 0.3, h: rnd() * 0.5 },
        severity: 'SEVERITY_MEDIUM',
        started_ms: 1_764_000_000_000 + i * 7_000 + Math.floor(rnd() * 1000),
        object_count: 1 + (i % 3),
        track_id: `t${i}`,
        detail: 'person in bridge',
      },
    },
  }),
  // A JPEG does not compress: random bytes stand in for one.
  thumbnail: (i) => ({
    kind: 'thumbnail',
    body: {
      thumbnail: { event_id: `cam1-${i}`, camera_id: 'cam-bridge', content_type: 'image/jpeg', data: randomBytes(6000), width: 320, height: 240, score: 0.81 },
    },
  }),
};

const VARIANTS: { name: string; settings: Partial<EdgeConfig['uplink']> }[] = [
  { name: 'one_record_per_message', settings: { batch_max_records: 1, compression: 'none' } },
  { name: 'batched', settings: { batch_max_records: 500, compression: 'none' } },
  { name: 'batched_gzip', settings: { batch_max_records: 500, compression: 'gzip' } },
];

const SETTINGS: EdgeConfig['uplink'] = {
  rate_kbps: 0,
  daily_budget_mb: 0,
  batch_max_records: 500,
  batch_max_bytes: 256 * 1024,
  inflight_batches: 4,
  compression: 'gzip',
  heartbeat_s: 3600,
  connect_timeout_s: 10,
  ack_timeout_s: 60,
  reconnect_initial_s: 0.2,
  reconnect_max_s: 1,
};

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ioc-bench-wire-'));
  const store = new LevelStore(join(dir, 'store'));
  await store.open();
  const metrics = createCoordinatorMetrics();
  const server = new EdgeLinkServer({
    host: '127.0.0.1',
    port: 0,
    store,
    presence: new Presence(60_000, metrics),
    metrics,
    maxBatchBytes: 8 * 1024 * 1024,
    maxBatchRecords: 20_000,
  });
  const proxy = await FaultProxy.start({ targetPort: await server.start() });
  let run = 0;

  /** Link bytes (up, down) to deliver `count` records of `kind` with `settings`. */
  async function deliver(kind: string, count: number, settings: Partial<EdgeConfig['uplink']>): Promise<{ up: number; down: number; recordBytes: number }> {
    const deviceId = `wire-${++run}`;
    await store.putDevice({ id: deviceId, site: 'muong-nhe', tokenSha256: hashToken(TOKEN), revoked: false, createdAtMs: Date.now() });
    const outbox = await Outbox.open({
      dir: join(dir, `outbox-${run}`),
      diskBudgetBytes: 1024 * 1024 * 1024,
      minFreeDiskBytes: 0,
      ttlMs: { alarm: DAY, event: DAY, telemetry: DAY, thumbnail: DAY },
      agentNow: () => performance.now(),
    });
    let recordBytes = 0;
    await Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const input = KINDS[kind]!(i);
        const r = await outbox.append(input);
        recordBytes += encodeRecord({
          lane: laneToProto(r.lane),
          seq: r.seq,
          kind: input.kind,
          edge_time_ms: input.edgeTimeMs ?? Date.now(),
          ...input.body,
        }).length;
      }),
    );
    const before = { up: proxy.stats.bytesUp, down: proxy.stats.bytesDown };
    const uplink = new Uplink({
      target: { address: proxy.address, tls: false },
      identity: { deviceId, siteId: 'muong-nhe', token: TOKEN, softwareVersion: 'bench', configVersion: () => 'bench' },
      outbox,
      clockOffset: new ClockOffset(),
      settings: { ...SETTINGS, ...settings },
      metrics: createEdgeMetrics(),
      heartbeat: () => ({ edge_time_ms: Date.now(), lanes: [] }),
    });
    const started = performance.now();
    await uplink.start();
    // Every run lasts past the first clock probe (1 s after the stream opens), as the baseline does.
    while (outbox.stats().records > 0 || performance.now() - started < 2500) await new Promise((r) => setTimeout(r, 50));
    await uplink.stop();
    await new Promise((r) => setTimeout(r, 200));
    await outbox.close();
    return { up: proxy.stats.bytesUp - before.up, down: proxy.stats.bytesDown - before.down, recordBytes };
  }

  try {
    const baseline = await deliver('telemetry', 0, {});
    const results: Record<string, unknown> = {};
    for (const kind of Object.keys(KINDS)) {
      const count = kind === 'thumbnail' ? Math.min(N, 300) : N;
      const row: Record<string, unknown> = {};
      for (const variant of VARIANTS) {
        const r = await deliver(kind, count, variant.settings);
        row.record_bytes = +(r.recordBytes / count).toFixed(1);
        row[variant.name] = {
          up_per_record: +((r.up - baseline.up) / count).toFixed(1),
          down_per_record: +((r.down - baseline.down) / count).toFixed(1),
          total_per_record: +((r.up + r.down - baseline.up - baseline.down) / count).toFixed(1),
        };
      }
      results[kind] = { records: count, ...row };
    }
    console.log(JSON.stringify({ bench: 'wire-bytes', connection_baseline_bytes: { up: baseline.up, down: baseline.down }, per_kind: results }));
  } finally {
    await proxy.close();
    await server.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
