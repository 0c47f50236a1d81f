// /api/v1/events latency under a fixed request rate with 1M stored events, level vs PostgreSQL in
// the same run. The events are written through each store's bulk path (level: one batch per
// 20k events with the store's own key layout; PostgreSQL: generate_series on the server, the
// secondary indexes rebuilt after the load), the same events for both. The load comes from a
// second process (this file with --load): open loop, requests sent on schedule whether or not
// earlier ones have returned, latency counted from the scheduled time (no coordinated omission).
//   node --import tsx bench/api-load.ts [--events 1000000] [--rate 200] [--seconds 15]
// DATABASE_URL selects the server (default: local trust auth, database "test").
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import pino from 'pino';
import { loadavg } from 'node:os';
import { LevelStore } from '../cloud/store/level/level-store.js';
import { PostgresStore } from '../cloud/store/postgres/postgres-store.js';
import * as K from '../cloud/store/level/keys.js';
import { startBenchCoordinator, stopProcess } from './support/coordinator.js';
import { backendCpuMs, backendDeltaMs, processCpuMs, withApplicationName } from './support/cpu.js';
import { httpGetter, openLoop, runLoadProcess, type LoadResult, type QueryKind } from './support/open-loop.js';
import { cameraRowId, type EventRow } from '../cloud/store/contract/types.js';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
const TOKEN = 'bench-viewer-token-0123456789';
/** The coordinator's PostgreSQL connections carry this name, so their CPU can be measured. */
const APP_NAME = `ioc-bench-api-${process.pid}`;
const SITES = ['muong-nhe', 'tua-chua', 'dien-bien-dong'];
const DEVICES = 12;
const DAY_MS = 86_400_000;
const SPAN_S = 30 * 86_400;
/** The newest event's time; all events lie in the 30 days before it. */
const T_END = Date.UTC(2026, 10, 25);

// ---- the events: one formula, evaluated in JS for level and in SQL for PostgreSQL -----------

const KINDS = ['telemetry', 'alarm', 'camera_event', 'traffic_count'] as const;
// Kind comes from i mod 20; severity, camera and label from i/3, i/7, i/5, so that they vary
// independently of the kind and every filter combination the load asks for has rows.
/** (i*7) % 20: 0–13 telemetry, 14–15 alarm, 16–18 camera event, 19 traffic count. */
const kindOf = (i: number) => {
  const r = (i * 7) % 20;
  return r < 14 ? 0 : r < 16 ? 1 : r < 19 ? 2 : 3;
};
const LANE_OF = ['telemetry', 'alarm', 'event', 'telemetry'] as const;
const ALARM_SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
const LABELS = ['person', 'car', 'motorbike'];

function eventAt(i: number): EventRow {
  const d = i % DEVICES;
  const k = kindOf(i);
  const kind = KINDS[k];
  const lane = LANE_OF[k];
  const seq = Math.floor(i / DEVICES) + 1;
  const timeMs = T_END - ((i * 7919) % SPAN_S) * 1000;
  const deviceId = `edge-${d}`;
  return {
    id: k === 2 ? cameraRowId(deviceId, `ev-${i}`) : `${deviceId}.${lane}.${seq}`,
    deviceId,
    site: SITES[d % 3]!,
    kind,
    lane,
    seq,
    severity: k === 1 ? ALARM_SEVERITIES[Math.floor(i / 3) % 4]! : k === 2 ? 'medium' : null,
    edgeTimeMs: timeMs,
    timeMs,
    receivedMs: timeMs + 1500,
    clockSynced: true,
    ...(k === 2 || k === 3 ? { cameraId: `cam-${Math.floor(i / 7) % 4}` } : {}),
    ...(k === 2 ? { label: LABELS[Math.floor(i / 5) % 3], rule: 'intrusion', phase: 'end' } : {}),
    ...(k === 0 || k === 1 ? { sensorId: `sensor-${i % 8}`, metric: 'level' } : {}),
    hasThumbnail: false,
    payload: { n: i, value: (i % 1000) / 100, note: 'bench' },
  };
}

/** The same rows as eventAt(i), built by the server for i in [from, to). */
const PG_GENERATE = `
WITH g AS (
  SELECT i, i % ${DEVICES} AS d, CASE WHEN (i * 7) % 20 < 14 THEN 0 WHEN (i * 7) % 20 < 16 THEN 1 WHEN (i * 7) % 20 < 19 THEN 2 ELSE 3 END AS k,
         i / ${DEVICES} + 1 AS seq, ${T_END}::bigint - ((i::bigint * 7919) % ${SPAN_S}) * 1000 AS t
  FROM generate_series($1::bigint, $2::bigint - 1) AS i
), r AS (
  SELECT g.*, 'edge-' || d AS dev, (ARRAY['${SITES.join("','")}'])[d % 3 + 1] AS site,
         (ARRAY['${KINDS.join("','")}'])[k + 1] AS kind, (ARRAY['telemetry','alarm','event','telemetry'])[k + 1] AS lane,
         CASE k WHEN 1 THEN (ARRAY['low','medium','high','critical'])[(i / 3) % 4 + 1] WHEN 2 THEN 'medium' END AS sev,
         CASE WHEN k IN (2, 3) THEN 'cam-' || (i / 7) % 4 END AS cam, CASE WHEN k = 2 THEN (ARRAY['person','car','motorbike'])[(i / 5) % 3 + 1] END AS label,
         CASE WHEN k IN (0, 1) THEN 'sensor-' || i % 8 END AS sensor
  FROM g
), e AS (
  SELECT r.*, CASE WHEN k = 2 THEN dev || '.camera.ev-' || i ELSE dev || '.' || lane || '.' || seq END AS id FROM r
)
INSERT INTO events (id, device_id, site, kind, severity, severity_rank, time_ms, camera_id, label, rule, sensor_id, data)
SELECT id, dev, site, kind, sev, array_position(ARRAY['info','low','medium','high','critical'], sev) - 1, t, cam, label,
       CASE WHEN k = 2 THEN 'intrusion' END, sensor,
       (jsonb_strip_nulls(jsonb_build_object('id', id, 'deviceId', dev, 'site', site, 'kind', kind, 'lane', lane, 'seq', seq,
         'edgeTimeMs', t, 'timeMs', t, 'receivedMs', t + 1500, 'clockSynced', true, 'cameraId', cam, 'label', label,
         'rule', CASE WHEN k = 2 THEN 'intrusion' END, 'phase', CASE WHEN k = 2 THEN 'end' END, 'sensorId', sensor,
         'metric', CASE WHEN k IN (0, 1) THEN 'level' END, 'hasThumbnail', false,
         'payload', jsonb_build_object('n', i, 'value', (i % 1000) / 100.0, 'note', 'bench'))) || jsonb_build_object('severity', sev))::json
FROM e`;

async function seedLevel(dir: string, count: number): Promise<void> {
  const store = new LevelStore(dir);
  await store.open();
  const db = store.database;
  const te = new TextEncoder();
  const empty = new Uint8Array(0);
  for (let start = 0; start < count; start += 20_000) {
    const ops: { type: 'put'; key: string; value: Uint8Array }[] = [];
    for (let i = start; i < Math.min(count, start + 20_000); i++) {
      const row = eventAt(i);
      ops.push({ type: 'put', key: K.event(row.id), value: te.encode(JSON.stringify(row)) });
      for (const key of K.eventIndexKeys(row)) ops.push({ type: 'put', key, value: empty });
    }
    await db.batch(ops);
  }
  // A store that gathered 1M events over weeks has been compacted as it went; a bulk load leaves
  // dozens of level-0 files that every read would have to check while compaction catches up.
  await db.compactRange('ev!', 'ix"');
  await store.close();
}

async function seedPostgres(schema: string, count: number): Promise<void> {
  const store = new PostgresStore({ url: DATABASE_URL, schema, poolSize: 4, logger: pino({ level: 'silent' }) });
  await store.open();
  try {
    // Secondary indexes are dropped for the load and rebuilt from their own definitions after.
    const { rows: indexes } = await store.pool.query<{ indexname: string; indexdef: string }>(
      "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = $1 AND tablename = 'events' AND indexname <> 'events_pkey'",
      [schema],
    );
    for (const ix of indexes) await store.pool.query(`DROP INDEX ${schema}.${ix.indexname}`);
    const chunk = Math.ceil(count / 4);
    await Promise.all(Array.from({ length: 4 }, (_, c) => store.pool.query(PG_GENERATE, [c * chunk, Math.min(count, (c + 1) * chunk)])));
    // One at a time: each build already uses the server's parallel maintenance workers.
    for (const ix of indexes) await store.pool.query(ix.indexdef);
    // The steady state of a database that gathered these rows over weeks: visibility map set and
    // dirty pages written, so autovacuum and the checkpointer do not share the cores with the load.
    await store.pool.query('VACUUM (ANALYZE) events');
    await store.pool.query('CHECKPOINT');
    // Both stores must hold the same events: compare a sample with the JS formula.
    for (const i of [0, 1, 7, 8, 14, 17, 19, 12_345 % count, count - 1]) {
      const row = eventAt(i);
      const got = (await store.getEvent(row.id)) as unknown;
      if (JSON.stringify(sortKeys(got)) !== JSON.stringify(sortKeys(row)))
        throw new Error(`seed mismatch at ${i}: ${JSON.stringify(got)} vs ${JSON.stringify(row)}`);
    }
  } finally {
    await store.close();
  }
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.entries(v)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, x]) => [k, sortKeys(x)]),
    );
  return v;
}

// ---- the coordinator and the load ----------------------------------------------------------

/** What the console and IOC tools ask for, in rough proportion. */
const QUERIES: QueryKind<string[]>[] = [
  { name: 'newest', share: 30, url: () => '/api/v1/events?limit=50' },
  { name: 'site', share: 20, url: (n) => `/api/v1/events?site=${SITES[n % 3]}&limit=50` },
  { name: 'device+kind', share: 15, url: (n) => `/api/v1/events?device=edge-${n % DEVICES}&kind=telemetry&limit=100` },
  { name: 'alarms>=high', share: 10, url: () => '/api/v1/events?kind=alarm&min_severity=high&limit=50' },
  {
    name: 'site+day',
    share: 10,
    url: (n) => {
      const until = T_END - (n % 29) * DAY_MS;
      return `/api/v1/events?site=${SITES[n % 3]}&since=${until - DAY_MS}&until=${until}&limit=100`;
    },
  },
  { name: 'next page', share: 10, url: (n, cursors) => `/api/v1/events?limit=50&cursor=${cursors[n % cursors.length]}` },
  { name: 'camera+label', share: 5, url: (n) => `/api/v1/events?camera=cam-${n % 4}&label=person&limit=20` },
];

/** The load generator (second process): cursors of deeper pages first, then the open loop. */
async function generateLoad(base: string, rate: number, seconds: number): Promise<LoadResult> {
  const client = httpGetter(base, { authorization: `Bearer ${TOKEN}` });
  const cursors: string[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 20; page++) {
    const res: { nextCursor: string | null } = JSON.parse((await client.get(`/api/v1/events?limit=50${cursor ? `&cursor=${cursor}` : ''}`)).body) as {
      nextCursor: string | null;
    };
    cursor = res.nextCursor;
    if (!cursor) break;
    cursors.push(cursor);
  }
  try {
    return await openLoop(client, QUERIES, cursors, rate, seconds);
  } finally {
    client.close();
  }
}

const runLoad = (httpPort: number, rate: number, seconds: number) =>
  runLoadProcess(fileURLToPath(import.meta.url), ['--load', `http://127.0.0.1:${httpPort}`, '--rate', String(rate), '--seconds', String(seconds)]);

const round = (v: number) => Math.round(v * 10) / 10;
const pct = (sorted: number[], p: number) => (sorted.length === 0 ? 0 : round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!));

function summarize(r: LoadResult) {
  const all = Object.values(r.latencies)
    .flat()
    .sort((a, b) => a - b);
  const perQuery = Object.fromEntries(
    Object.entries(r.latencies).map(([k, v]) => {
      const s = [...v].sort((a, b) => a - b);
      return [k, { n: s.length, p50Ms: pct(s, 50), p99Ms: pct(s, 99) }];
    }),
  );
  return {
    requests: r.sent,
    errors: r.errors,
    statuses: r.statuses,
    achievedRate: round(r.sent / r.seconds),
    p50Ms: pct(all, 50),
    p90Ms: pct(all, 90),
    p99Ms: pct(all, 99),
    maxMs: pct(all, 100),
    perQuery,
  };
}

async function measure(storeYaml: string, rate: number, seconds: number) {
  const dir = mkdtempSync(join(tmpdir(), 'ioc-bench-api-'));
  const coordinator = await startBenchCoordinator({
    dir,
    env: { DATABASE_URL: withApplicationName(DATABASE_URL, APP_NAME) },
    bodyYaml: `${storeYaml}\napi_tokens: [{ name: bench, role: viewer, token: ${TOKEN} }]`,
  });
  try {
    const cpuBefore = processCpuMs(coordinator.child.pid!);
    const pgBefore = await backendCpuMs(DATABASE_URL, APP_NAME);
    const result = summarize(await runLoad(coordinator.httpPort, rate, seconds));
    // Work per request, whatever else the machine runs (includes the load generator's warm-up).
    const coordinatorMs = processCpuMs(coordinator.child.pid!) - cpuBefore;
    const databaseMs = backendDeltaMs(pgBefore, await backendCpuMs(DATABASE_URL, APP_NAME));
    return { ...result, cpuMsPerRequest: { coordinator: round(coordinatorMs / result.requests), database: round(databaseMs / result.requests) } };
  } finally {
    await stopProcess(coordinator.child);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      events: { type: 'string', default: '1000000' },
      rate: { type: 'string', default: '200' },
      seconds: { type: 'string', default: '15' },
      load: { type: 'string' },
    },
  });
  const rate = Number(values.rate);
  const seconds = Number(values.seconds);
  if (values.load) {
    process.stdout.write(JSON.stringify(await generateLoad(values.load, rate, seconds)));
    return;
  }
  const events = Number(values.events);
  const levelDir = mkdtempSync(join(tmpdir(), 'ioc-bench-level-1m-'));
  const schema = `ioc_bench_api_${randomBytes(4).toString('hex')}`;
  try {
    // Both seeds at once: the level one is this process's CPU, the PostgreSQL one the server's.
    const t0 = performance.now();
    const [levelSeedS, pgSeedS] = await Promise.all([
      seedLevel(join(levelDir, 'store'), events).then(() => (performance.now() - t0) / 1000),
      seedPostgres(schema, events).then(() => (performance.now() - t0) / 1000),
    ]);
    // Both seeds leave hundreds of MB of dirty pages; written back during a measurement they
    // stall whatever touches the disk, so they go out first.
    execFileSync('sync');
    const level = await measure(`store: { kind: level, dir: ${join(levelDir, 'store')} }`, rate, seconds);
    const postgres = await measure(`store: { kind: postgres, schema: ${schema}, pool_size: 10 }`, rate, seconds);
    process.stdout.write(
      `${JSON.stringify({
        bench: 'api-load',
        events,
        rate,
        seconds,
        loadAverage1m: round(loadavg()[0]!),
        seedSeconds: { level: round(levelSeedS), postgres: round(pgSeedS) },
        mix: Object.fromEntries(QUERIES.map((q) => [q.name, `${q.share}%`])),
        level,
        postgres,
      })}\n`,
    );
  } finally {
    rmSync(levelDir, { recursive: true, force: true });
    const client = new pg.Client({ connectionString: DATABASE_URL });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  }
}

await main();
