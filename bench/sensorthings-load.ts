// SensorThings Observations latency under a fixed request rate with a day of 1-minute window
// aggregates from 1,000 sensors (1.44M stored windows) on the embedded store. The windows are
// written with the store's own key layout in bulk; one telemetry row per sensor goes through
// ingest so the Datastream catalog finds its type and unit. The load comes from a second
// process (this file with --load): open loop, latency from the scheduled time.
//   node --import tsx bench/sensorthings-load.ts [--sensors 1000] [--rate 200] [--seconds 20]
//     [--max-queued 64,16 --rounds 3]  (opendata.max_queued values compared in turn on one seeded store)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { LevelStore } from '../cloud/store/level/level-store.js';
import * as K from '../cloud/store/level/keys.js';
import { mapRecord } from '../cloud/ingest/record-mapper.js';
import type { Record__Output } from '../common/proto.js';
import type { SeriesPoint } from '../cloud/store/contract/types.js';
import { startBenchCoordinator, stopProcess } from './support/coordinator.js';
import { processCpuMs } from './support/cpu.js';
import { latencySummary, percentile } from './support/stats.js';
import { httpGetter, openLoop, runLoadProcess, type LoadResult, type QueryKind } from './support/open-loop.js';

const SITES = ['muong-nhe', 'tua-chua', 'dien-bien-dong'];
const DEVICES = 10;
const MIN = 60_000;
const DAY_MIN = 1440;
const STA = '/api/open/sta/v1.1';
/** The newest window ends at the current minute, so the service's default day has it all. */
const T_END = Math.floor(Date.now() / MIN) * MIN;

const deviceOf = (s: number) => `edge-${s % DEVICES}`;
const sensorOf = (s: number) => `rain-${s}`;
const streamOf = (s: number) => `${deviceOf(s)}~${sensorOf(s)}~rainfall`;

async function seed(dir: string, sensors: number): Promise<void> {
  const store = new LevelStore(dir);
  await store.open();
  const te = new TextEncoder();
  const empty = new Uint8Array(0);
  let ops: { type: 'put'; key: string; value: Uint8Array }[] = [];
  for (let s = 0; s < sensors; s++) {
    const deviceId = deviceOf(s);
    ops.push({ type: 'put', key: K.seriesWindow(deviceId, sensorOf(s), 'rainfall', 60), value: empty });
    for (let m = 0; m < DAY_MIN; m++) {
      const startMs = T_END - (DAY_MIN - m) * MIN;
      const v = ((s * 31 + m * 7) % 50) / 10;
      const p: SeriesPoint = {
        deviceId,
        site: SITES[(s % DEVICES) % 3]!,
        sensorId: sensorOf(s),
        metric: 'rainfall',
        unit: 'mm',
        windowS: 60,
        startMs,
        endMs: startMs + MIN,
        count: 6,
        min: v,
        max: v,
        mean: v,
        sum: v * 6,
        last: v,
      };
      ops.push({ type: 'put', key: K.series(deviceId, p.sensorId, 'rainfall', 60, startMs), value: te.encode(JSON.stringify(p)) });
    }
    if (ops.length >= 50_000) {
      await store.database.batch(ops);
      ops = [];
    }
  }
  await store.database.batch(ops);
  // The sensors' newest telemetry rows, through the real mapping and ingest.
  for (let d = 0; d < DEVICES; d++) {
    const items = [];
    for (let s = d, seq = 1; s < sensors; s += DEVICES, seq++) {
      const r = {
        lane: 'LANE_TELEMETRY',
        seq,
        kind: 'telemetry',
        edge_time_ms: T_END,
        clock_offset_ms: 0,
        clock_synced: true,
        body: 'telemetry',
        telemetry: {
          sensor_id: sensorOf(s),
          sensor_type: 'rain_gauge',
          metric: 'rainfall',
          unit: 'mm',
          window_s: 60,
          window_start_ms: T_END - MIN,
          window_end_ms: T_END,
          count: 6,
          min: 1,
          max: 1,
          mean: 1,
          last: 1,
          sum: 6,
        },
      } as unknown as Record__Output;
      const m = mapRecord(r, { deviceId: deviceOf(s), site: SITES[d % 3]!, sessionOffsetMs: 0, receivedMs: T_END });
      if (!m.ok) throw new Error(m.reason);
      items.push(m.item);
    }
    await store.ingest(deviceOf(d), items);
  }
  await store.database.compactRange('se!', 'sf');
  await store.close();
}

const iso = (ms: number) => new Date(ms).toISOString();
/** What a SensorThings client asks for: the newest windows, an hour of a day, a page further on. */
const QUERIES: QueryKind<number>[] = [
  { name: 'newest 60', share: 50, url: (n, s) => `${STA}/Datastreams('${streamOf((n * 7919) % s)}')/Observations?$orderby=phenomenonTime%20desc&$top=60` },
  {
    name: 'hour filter',
    share: 30,
    url: (n, s) => {
      const from = T_END - (1 + (n % 23)) * 60 * MIN;
      return `${STA}/Datastreams('${streamOf((n * 104_729) % s)}')/Observations?$filter=${encodeURIComponent(`phenomenonTime ge ${iso(from)} and phenomenonTime lt ${iso(from + 60 * MIN)}`)}&$count=true`;
    },
  },
  { name: 'day page 3', share: 20, url: (n, s) => `${STA}/Datastreams('${streamOf((n * 31) % s)}')/Observations?$top=100&$skip=200` },
];

/** The load generator (second process): one answer checked, then the open loop. */
async function generateLoad(base: string, rate: number, seconds: number, sensors: number): Promise<LoadResult> {
  const client = httpGetter(base);
  try {
    // The catalog is built on the first request; the answers are checked once before timing.
    const check = JSON.parse((await client.get(QUERIES[0]!.url(0, sensors))).body) as { value?: unknown[] };
    if (check.value?.length !== 60) throw new Error(`unexpected answer: ${JSON.stringify(check).slice(0, 300)}`);
    return await openLoop(client, QUERIES, sensors, rate, seconds);
  } finally {
    client.close();
  }
}

const runLoad = (httpPort: number, rate: number, seconds: number, sensors: number) =>
  runLoadProcess(fileURLToPath(import.meta.url), [
    '--load',
    `http://127.0.0.1:${httpPort}`,
    '--rate',
    String(rate),
    '--seconds',
    String(seconds),
    '--sensors',
    String(sensors),
  ]);

const round = (v: number) => Math.round(v * 10) / 10;
/** The shared summary plus the p99 this bench is about. */
function summary(values: readonly number[]) {
  const s = latencySummary(values);
  const p99 = percentile(
    [...values].sort((a, b) => a - b),
    99,
  );
  return { samples: s.samples, p50Ms: round(s.p50Ms), p95Ms: round(s.p95Ms), p99Ms: round(p99), maxMs: round(s.maxMs) };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sensors: { type: 'string', default: '1000' },
      rate: { type: 'string', default: '200' },
      seconds: { type: 'string', default: '20' },
      load: { type: 'string' },
      // opendata.max_queued values to compare on the same store, e.g. "64,16"; each gets --rounds runs, in turn.
      'max-queued': { type: 'string' },
      rounds: { type: 'string', default: '1' },
    },
  });
  const rate = Number(values.rate);
  const seconds = Number(values.seconds);
  const sensors = Number(values.sensors);
  if (values.load) {
    process.stdout.write(JSON.stringify(await generateLoad(values.load, rate, seconds, sensors)));
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'ioc-bench-sta-'));
  try {
    const t0 = performance.now();
    await seed(join(dir, 'store'), sensors);
    const seedS = (performance.now() - t0) / 1000;
    execFileSync('sync');
    const devices = Array.from({ length: DEVICES }, (_, d) => `  - { id: edge-${d}, site: ${SITES[d % 3]}, token: bench-device-token-${d}-0123456789 }`).join(
      '\n',
    );
    const queues = values['max-queued'] ? values['max-queued'].split(',').map((q) => Number(q)) : [undefined];
    const runs: Record<string, unknown>[] = [];
    for (let n = 0; n < Number(values.rounds); n++) {
      for (const maxQueued of queues) runs.push(await measure(dir, devices, { rate, seconds, sensors, maxQueued }));
    }
    const one = runs.length === 1 ? runs[0]! : { runs };
    process.stdout.write(
      `${JSON.stringify({
        bench: 'sensorthings-load',
        sensors,
        windowsStored: sensors * DAY_MIN,
        rate,
        seconds,
        seedSeconds: round(seedS),
        mix: Object.fromEntries(QUERIES.map((q) => [q.name, `${q.share}%`])),
        ...one,
      })}\n`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One coordinator on the seeded store, one open-loop run against it. */
async function measure(dir: string, devices: string, o: { rate: number; seconds: number; sensors: number; maxQueued: number | undefined }) {
  const coordinator = await startBenchCoordinator({
    dir,
    bodyYaml: `store: { kind: level, dir: ${join(dir, 'store')} }
sites:
  - { id: muong-nhe, name: Mường Nhé, location: { lat: 22.1833, lon: 102.4667 } }
  - { id: tua-chua, name: Tủa Chùa, location: { lat: 21.86, lon: 103.346 } }
  - { id: dien-bien-dong, name: Điện Biên Đông, location: { lat: 21.253, lon: 103.24 } }
devices:
${devices}
# One load generator stands for many clients: the per-address rate limit would refuse it.
opendata: { rate_limit: { per_minute: 1000000, burst: 1000000 }${o.maxQueued === undefined ? '' : `, max_queued: ${o.maxQueued}`} }`,
  });
  try {
    const cpuBefore = processCpuMs(coordinator.child.pid!);
    const r = await runLoad(coordinator.httpPort, o.rate, o.seconds, o.sensors);
    const cpuMs = processCpuMs(coordinator.child.pid!) - cpuBefore;
    return {
      maxQueued: o.maxQueued ?? 'default',
      loadAverage1m: round(loadavg()[0]!),
      requests: r.sent,
      errors: r.errors,
      statuses: r.statuses,
      achievedRate: round(r.sent / r.seconds),
      ...summary(Object.values(r.latencies).flat()),
      perQuery: Object.fromEntries(Object.entries(r.latencies).map(([k, v]) => [k, summary(v)])),
      cpuMsPerRequest: round(cpuMs / r.sent),
    };
  } finally {
    await stopProcess(coordinator.child);
  }
}

await main();
