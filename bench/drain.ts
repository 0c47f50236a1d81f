// Backlog drain: a busy site's 24 h outage (1M small telemetry records) delivered by the real
// outbox and uplink to a coordinator process, through the fault proxy:
//   - unthrottled loopback: the whole backlog, records/s;
//   - a 384 kbps link: a bounded sample (the whole backlog would take long), records/s extrapolated to
//     the 1M, and payload bytes as a share of the bytes on the link — with batching + gzip (the
//     default) against batching without compression, in the same run.
// Payload = the encoded Record messages the outbox holds (what a producer made). Link bytes =
// everything the proxy carried, both directions (gRPC, HTTP/2, acks, heartbeats); TCP/IP headers
// are below the proxy and not counted. Prints one JSON object.
//   node --import tsx bench/drain.ts [--records 1000000] [--throttled-records 100000] [--sample-s 30]
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { projectRoot } from '../common/paths.js';
import { ClockOffset } from '../common/time.js';
import type { EdgeConfig } from '../common/config/edge-schema.js';
import { Outbox } from '../edge/outbox/outbox.js';
import { HEADER_BYTES } from '../edge/outbox/record-value.js';
import { recordKey } from '../edge/outbox/keys.js';
import { Uplink } from '../edge/uplink/link.js';
import { createEdgeMetrics } from '../edge/metrics.js';
import type { OutboxInput } from '../edge/outbox/types.js';
import { FaultProxy } from '../test/support/fault-proxy.js';

const { values: args } = parseArgs({
  options: {
    records: { type: 'string', default: '1000000' },
    'throttled-records': { type: 'string', default: '100000' },
    'sample-s': { type: 'string', default: '30' },
  },
});
const RECORDS = Number(args.records);
const THROTTLED_RECORDS = Number(args['throttled-records']);
const SAMPLE_S = Number(args['sample-s']);
const LINK_KBPS = 384;
const DAY = 86_400_000;
const DEVICE = 'drain-1';
const TOKEN = 'bench-drain-token-0123456789';
const KEY_BYTES = recordKey('telemetry', 1).length;

const SETTINGS: EdgeConfig['uplink'] = {
  rate_kbps: 0,
  daily_budget_mb: 0,
  batch_max_records: 500,
  batch_max_bytes: 256 * 1024,
  inflight_batches: 4,
  compression: 'gzip',
  heartbeat_s: 15,
  connect_timeout_s: 20,
  ack_timeout_s: 60,
  reconnect_initial_s: 0.2,
  reconnect_max_s: 2,
};

/** One minute of one sensor metric, as the sensor pipeline makes them: 12 sensors × 2 metrics. */
function telemetry(i: number): OutboxInput {
  const v = 1 + ((i * 7) % 300) / 100;
  const start = 1_764_000_000_000 + Math.floor(i / 24) * 60_000;
  return {
    kind: 'telemetry',
    body: {
      telemetry: {
        sensor_id: `river-${i % 12}`,
        sensor_type: 'water_level',
        metric: i % 24 < 12 ? 'level' : 'flow',
        unit: i % 24 < 12 ? 'm' : 'm3/s',
        window_s: 60,
        window_start_ms: start,
        window_end_ms: start + 60_000,
        count: 60,
        min: v - 0.05,
        max: v + 0.07,
        mean: v,
        last: v + 0.01,
        sum: v * 60,
      },
    },
    edgeTimeMs: start + 60_000,
  };
}

async function startCoordinator(dir: string): Promise<{ child: ChildProcess; grpcPort: number }> {
  const config = join(dir, 'coordinator.yaml');
  writeFileSync(
    config,
    `version: 1
http: { host: 127.0.0.1, port: 0 }
grpc: { host: 127.0.0.1, port: 0 }
store: { kind: level, dir: ${join(dir, 'store')} }
devices: [{ id: ${DEVICE}, site: muong-nhe, token: ${TOKEN} }]
api_tokens: [{ name: bench, role: admin, token: bench-admin-token-0123456789 }]
`,
  );
  const child = spawn(process.execPath, ['--import', 'tsx', join(projectRoot(), 'cloud/main.ts'), '--config', config], {
    env: { ...process.env, LOG_LEVEL: 'error' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const grpcPort = await new Promise<number>((resolve, reject) => {
    let buffer = '';
    child.stdout!.on('data', (c: Buffer) => {
      buffer += c.toString();
      const line = buffer.split('\n').find((l) => l.startsWith('{"ready":true'));
      if (line) resolve((JSON.parse(line) as { grpcPort: number }).grpcPort);
    });
    child.once('exit', (code) => reject(new Error(`coordinator exited with ${code}`)));
  });
  return { child, grpcPort };
}

async function fill(outbox: Outbox, count: number, from: number): Promise<number> {
  const started = performance.now();
  let next = from;
  const end = from + count;
  await Promise.all(
    Array.from({ length: 256 }, async () => {
      while (next < end) await outbox.append(telemetry(next++));
    }),
  );
  return count / ((performance.now() - started) / 1000);
}

function uplinkFor(outbox: Outbox, address: string, settings: Partial<EdgeConfig['uplink']>): Uplink {
  return new Uplink({
    target: { address, tls: false },
    identity: { deviceId: DEVICE, siteId: 'muong-nhe', token: TOKEN, softwareVersion: 'bench', configVersion: () => 'bench' },
    outbox,
    clockOffset: new ClockOffset(),
    settings: { ...SETTINGS, ...settings },
    metrics: createEdgeMetrics(),
    heartbeat: () => ({ edge_time_ms: Date.now(), lanes: [] }),
  });
}

/** Encoded Record bytes in the outbox (keys and checksummed headers are not payload). */
function payloadBytes(outbox: Outbox): number {
  const s = outbox.stats();
  return s.bytes - s.records * (KEY_BYTES + HEADER_BYTES);
}

async function unthrottled(outbox: Outbox, proxy: FaultProxy) {
  const payload = payloadBytes(outbox);
  const records = outbox.stats().records;
  const link0 = { up: proxy.stats.bytesUp, down: proxy.stats.bytesDown };
  const uplink = uplinkFor(outbox, proxy.address, {});
  const started = performance.now();
  await uplink.start();
  while (outbox.stats().records > 0) await new Promise((r) => setTimeout(r, 100));
  const seconds = (performance.now() - started) / 1000;
  await uplink.stop();
  const link = proxy.stats.bytesUp - link0.up + proxy.stats.bytesDown - link0.down;
  return {
    records,
    seconds: +seconds.toFixed(1),
    records_per_s: Math.round(records / seconds),
    payload_mb: +(payload / 1e6).toFixed(1),
    link_mb: +(link / 1e6).toFixed(1),
    payload_share_of_link: +(payload / link).toFixed(2),
  };
}

async function throttledSample(outbox: Outbox, proxy: FaultProxy, compression: 'gzip' | 'none') {
  const perRecord = payloadBytes(outbox) / outbox.stats().records;
  const acked0 = outbox.stats().lanes.find((l) => l.lane === 'telemetry')!.ackedSeq;
  const uplink = uplinkFor(outbox, proxy.address, { compression });
  await uplink.start();
  // Measure in the steady state: from a few seconds after the first ack (the handshake and the
  // window's growth are not drain), so that about as much is in flight at the end as at the start.
  const firstAckBy = performance.now() + 60_000;
  while (outbox.stats().lanes.find((l) => l.lane === 'telemetry')!.ackedSeq === acked0) {
    if (performance.now() > firstAckBy) throw new Error('no ack within a minute of connecting');
    await new Promise((r) => setTimeout(r, 50));
  }
  await new Promise((r) => setTimeout(r, 5000));
  const from = {
    acked: outbox.stats().lanes.find((l) => l.lane === 'telemetry')!.ackedSeq,
    up: proxy.stats.bytesUp,
    down: proxy.stats.bytesDown,
    at: performance.now(),
  };
  await new Promise((r) => setTimeout(r, SAMPLE_S * 1000));
  const acked = outbox.stats().lanes.find((l) => l.lane === 'telemetry')!.ackedSeq - from.acked;
  const seconds = (performance.now() - from.at) / 1000;
  const up = proxy.stats.bytesUp - from.up;
  const down = proxy.stats.bytesDown - from.down;
  await uplink.stop();
  const rate = acked / seconds;
  const payload = acked * perRecord;
  return {
    compression,
    sample_s: +seconds.toFixed(1),
    records_acked: acked,
    records_per_s: Math.round(rate),
    link_kbps_used_up: +((up * 8) / seconds / 1000).toFixed(1),
    payload_share_of_link_up: +(payload / up).toFixed(2),
    payload_share_of_link_both: +(payload / (up + down)).toFixed(2),
    extrapolated_minutes_for_1m_records: Math.round(1_000_000 / rate / 60),
  };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ioc-bench-drain-'));
  const coordinator = await startCoordinator(dir);
  const proxy = await FaultProxy.start({ targetPort: coordinator.grpcPort, bufferBytes: 16 * 1024 });
  const outbox = await Outbox.open({
    dir: join(dir, 'outbox'),
    diskBudgetBytes: 2 * 1024 * 1024 * 1024,
    minFreeDiskBytes: 64 * 1024 * 1024,
    ttlMs: { alarm: 30 * DAY, event: 30 * DAY, telemetry: 30 * DAY, thumbnail: 30 * DAY },
    agentNow: () => performance.now(),
  });
  try {
    const fillRate = await fill(outbox, RECORDS, 0);
    const loopback = await unthrottled(outbox, proxy);
    // A fresh backlog for each throttled sample, so neither runs dry.
    proxy.setThrottle(LINK_KBPS);
    await fill(outbox, THROTTLED_RECORDS, RECORDS);
    const gzip = await throttledSample(outbox, proxy, 'gzip');
    await fill(outbox, THROTTLED_RECORDS, RECORDS + THROTTLED_RECORDS);
    const none = await throttledSample(outbox, proxy, 'none');
    console.log(
      JSON.stringify({
        bench: 'drain',
        backlog_fill_records_per_s: Math.round(fillRate),
        unthrottled_loopback: loopback,
        throttled_384kbps: {
          link_kbps: LINK_KBPS,
          note: `bounded ${SAMPLE_S} s samples of a ${THROTTLED_RECORDS}-record backlog, rate extrapolated to 1M records`,
          batched_gzip: gzip,
          batched_uncompressed: none,
        },
        target: { throttled_payload_share_of_link: 0.9 },
      }),
    );
  } finally {
    await outbox.close();
    await proxy.close();
    coordinator.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
