// Fleet simulation: N edge boxes (default 1,000), each a real EdgeLink client (Register, Sync
// stream, heartbeats with backlog every 15 s, 10 sensors' 1-minute aggregates, one camera event
// a minute with a 6 KB thumbnail, a thumbnail now and then evicted and reported as a drop),
// spread over worker processes, against one coordinator process: on the embedded store, then
// on PostgreSQL. Steady state first (records/s, ack latency, coordinator CPU and RSS, API p99 at
// 200 req/s from a second process, the console overview's load time, devices marked offline
// wrongly), then a reconnect storm: 30% of the boxes lose their link, come back with an hour's
// backlog each, all at once (drain time, p99 ack, per-box drain times, and every few seconds the
// records each storm box has had acknowledged so far, min/p50/max, with the coordinator's write
// queue: fairness made visible; no box may starve). Prints one JSON object.
//   node --import tsx bench/fleet.ts [--boxes 1000] [--minutes 10] [--store level|postgres|both]
//     [--workers 4] [--backlog-minutes 60] [--storm-share 0.3] [--api-rate 200] [--api-seconds 60]
//     [--ramp-seconds 30] [--drain-timeout-seconds 600] [--storm-sample-seconds 5] [--ingest-budget 64]
// DATABASE_URL selects the PostgreSQL server (default: local trust auth, database "test"); the
// bench uses a throwaway schema and drops it.
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startBenchCoordinator, stopProcess, type BenchCoordinator } from './support/coordinator.js';
import { backendCpuMs, backendDeltaMs, processCpuMs, withApplicationName } from './support/cpu.js';
import { httpGetter, openLoop, runLoadProcess, type LoadResult, type QueryKind } from './support/open-loop.js';
import { percentile } from './support/stats.js';
import { loadOverview, type OverviewLoad } from './support/console-overview.js';
import type { CollectReply, GroupSample, ProgressReply, ReconnectReply, WorkerCommand, WorkerInit } from './support/fleet-worker.js';

const { values: args } = parseArgs({
  options: {
    boxes: { type: 'string', default: '1000' },
    minutes: { type: 'string', default: '10' },
    store: { type: 'string', default: 'both' },
    workers: { type: 'string', default: '4' },
    'backlog-minutes': { type: 'string', default: '60' },
    'storm-share': { type: 'string', default: '0.3' },
    'api-rate': { type: 'string', default: '200' },
    'api-seconds': { type: 'string', default: '60' },
    'ramp-seconds': { type: 'string', default: '30' },
    'drain-timeout-seconds': { type: 'string', default: '600' },
    'storm-sample-seconds': { type: 'string', default: '5' },
    // The coordinator's write budget (grpc.ingest_inflight_batches); unset keeps its default.
    'ingest-budget': { type: 'string' },
    load: { type: 'string' },
    devices: { type: 'string' },
  },
});
const BOXES = Number(args.boxes);
const MINUTES = Number(args.minutes);
const WORKERS = Math.max(1, Math.min(BOXES, Number(args.workers)));
const BACKLOG_MINUTES = Number(args['backlog-minutes']);
const STORM_SHARE = Number(args['storm-share']);
const API_RATE = Number(args['api-rate']);
const API_SECONDS = Math.min(Number(args['api-seconds']), MINUTES * 30);
const RAMP_MS = Math.min(Number(args['ramp-seconds']) * 1000, BOXES * 30);
const DRAIN_TIMEOUT_MS = Number(args['drain-timeout-seconds']) * 1000;
const STORM_SAMPLE_MS = Number(args['storm-sample-seconds']) * 1000;
const INGEST_BUDGET = args['ingest-budget'] === undefined ? undefined : Number(args['ingest-budget']);
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
const VIEWER_TOKEN = 'fleet-viewer-token-0123456789';
const ADMIN_TOKEN = 'fleet-admin-token-0123456789';
/** The coordinator's PostgreSQL connections carry this name, so their CPU can be measured. */
const APP_NAME = `ioc-bench-fleet-${process.pid}`;
/** A drained box that took this many times the median drain counts as starved. */
const STARVED_FACTOR = 3;

/** The province's districts and towns: the boxes are spread over them. */
const SITES = [
  { id: 'dien-bien-phu', name: 'Điện Biên Phủ', lat: 21.386, lon: 103.023 },
  { id: 'muong-lay', name: 'Mường Lay', lat: 22.064, lon: 103.152 },
  { id: 'dien-bien', name: 'Điện Biên', lat: 21.31, lon: 103.0 },
  { id: 'dien-bien-dong', name: 'Điện Biên Đông', lat: 21.253, lon: 103.24 },
  { id: 'muong-ang', name: 'Mường Ảng', lat: 21.52, lon: 103.2 },
  { id: 'muong-cha', name: 'Mường Chà', lat: 21.81, lon: 103.05 },
  { id: 'muong-nhe', name: 'Mường Nhé', lat: 22.1833, lon: 102.4667 },
  { id: 'nam-po', name: 'Nậm Pồ', lat: 21.98, lon: 102.7 },
  { id: 'tua-chua', name: 'Tủa Chùa', lat: 21.86, lon: 103.346 },
  { id: 'tuan-giao', name: 'Tuần Giáo', lat: 21.59, lon: 103.42 },
];

interface Box {
  index: number;
  deviceId: string;
  token: string;
  site: string;
  outage: boolean;
}

const boxes: Box[] = Array.from({ length: BOXES }, (_, index) => ({
  index,
  deviceId: `fleet-${String(index + 1).padStart(4, '0')}`,
  token: `fleet-device-token-${index + 1}-${'x'.repeat(16)}`,
  site: SITES[index % SITES.length]!.id,
  // Every tenth box in three (at 0.3) goes down in the storm: spread over sites and workers.
  outage: index % 10 < Math.round(STORM_SHARE * 10),
}));

const round = (v: number, digits = 1) => Math.round(v * 10 ** digits) / 10 ** digits;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Progress on stderr: a long run shows where it is (stdout carries only the JSON). */
const progress = (label: string, what: string) =>
  process.stderr.write(`fleet ${label}: ${what} (${new Date().toISOString().slice(11, 19)}, load ${round(loadavg()[0]!, 1)})\n`);

// ---- the worker processes -------------------------------------------------------------------

class WorkerHandle {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private constructor(readonly child: ChildProcess) {
    child.on('message', (msg: { id: number; data?: unknown; error?: string }) => {
      const w = this.waiting.get(msg.id);
      this.waiting.delete(msg.id);
      if (msg.error) w?.reject(new Error(msg.error));
      else w?.resolve(msg.data);
    });
    child.once('exit', (code) => {
      for (const w of this.waiting.values()) w.reject(new Error(`fleet worker exited with ${code}`));
      this.waiting.clear();
    });
  }

  static async start(init: WorkerInit): Promise<WorkerHandle> {
    const script = fileURLToPath(new URL('./support/fleet-worker.ts', import.meta.url));
    const child = fork(script, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    const handle = new WorkerHandle(child);
    await handle.request({ init });
    return handle;
  }

  run<T>(command: WorkerCommand): Promise<T> {
    return this.request({ command }) as Promise<T>;
  }

  private request(body: object): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.child.send({ id, ...body });
    });
  }
}

async function collect(workers: WorkerHandle[], command: WorkerCommand = { cmd: 'collect' }) {
  const replies = await Promise.all(workers.map((w) => w.run<CollectReply>(command)));
  const merge = (pick: (r: CollectReply) => GroupSample): GroupSample => ({
    ackLatenciesMs: replies.flatMap((r) => pick(r).ackLatenciesMs),
    batches: replies.reduce((n, r) => n + pick(r).batches, 0),
    records: replies.reduce((n, r) => n + pick(r).records, 0),
  });
  const sum = (pick: (r: CollectReply) => number) => replies.reduce((n, r) => n + pick(r), 0);
  return {
    steady: merge((r) => r.steady),
    outage: merge((r) => r.outage),
    refused: replies.flatMap((r) => r.refused),
    produced: sum((r) => r.produced),
    dropped: sum((r) => r.dropped),
    backlogRecords: sum((r) => r.backlogRecords),
    connected: sum((r) => r.connected),
    streamsLost: sum((r) => r.streamsLost),
  };
}

function ackSummary(samples: GroupSample[]) {
  const all = samples.flatMap((s) => s.ackLatenciesMs).sort((a, b) => a - b);
  return { batches: all.length, p50Ms: round(percentile(all, 50)), p99Ms: round(percentile(all, 99)), maxMs: round(all.at(-1) ?? Number.NaN) };
}

// ---- what the coordinator says ----------------------------------------------------------------

async function storedRecords(c: BenchCoordinator): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${c.httpPort}/metrics`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith('ioc_ingest_records_total{'))
    .reduce((n, l) => n + Number(l.split(' ').pop()), 0);
}

/** Devices the API shows offline that should be online (their box's link is up). */
async function offlineWrongly(c: BenchCoordinator, expectOnline: (b: Box) => boolean) {
  const res = await fetch(`http://127.0.0.1:${c.httpPort}/api/v1/devices`, { headers: { authorization: `Bearer ${VIEWER_TOKEN}` } });
  const devices = ((await res.json()) as { items: { id: string; online: boolean }[] }).items;
  const online = new Map(devices.map((d) => [d.id, d.online]));
  const wrong = boxes.filter((b) => expectOnline(b) && online.get(b.deviceId) !== true).map((b) => b.deviceId);
  const wronglyOnline = boxes.filter((b) => !expectOnline(b) && online.get(b.deviceId) === true).map((b) => b.deviceId);
  return { offlineWrongly: wrong.length, onlineWrongly: wronglyOnline.length, examples: [...wrong, ...wronglyOnline].slice(0, 5) };
}

/** The coordinator's write queue (cloud/ingest/fair-queue.ts) and how long /metrics took to answer. */
async function writeQueue(c: BenchCoordinator) {
  const started = performance.now();
  try {
    const res = await fetch(`http://127.0.0.1:${c.httpPort}/metrics`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    const gauge = (name: string) => Number(/^(\S+) (\S+)$/m.exec(text.split('\n').find((l) => l.startsWith(`${name} `)) ?? '')?.[2] ?? Number.NaN);
    return {
      waitingBatches: gauge('ioc_ingest_queue_batches'),
      waitingBoxes: gauge('ioc_ingest_queue_devices'),
      writingBatches: gauge('ioc_ingest_inflight_batches'),
      writingKiB: round(gauge('ioc_ingest_inflight_bytes') / 1024),
      // Where the coordinator's memory is: V8 heap in use, and Buffers outside it (batch bodies, thumbnails).
      heapUsedMb: round(gauge('ioc_coordinator_process_nodejs_heap_size_used_bytes') / 2 ** 20),
      externalMb: round(gauge('ioc_coordinator_process_nodejs_external_memory_bytes') / 2 ** 20),
      metricsAnswerMs: round(performance.now() - started),
    };
  } catch (err) {
    return { error: (err as Error).message, metricsAnswerMs: round(performance.now() - started) };
  }
}

const spread = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return { min: round(sorted[0] ?? Number.NaN), p50: round(percentile(sorted, 50)), max: round(sorted.at(-1) ?? Number.NaN) };
};

/**
 * Every few seconds of the storm, and once more when it has drained: records acked per storm box
 * so far (min/p50/max), share of its backlog, the write queue. The last sample is taken even when
 * the storm drained faster than one interval.
 */
function stormSampler(workers: WorkerHandle[], coordinator: BenchCoordinator) {
  const samples: Record<string, unknown>[] = [];
  const started = performance.now();
  let stopped = false;
  let wake = () => {};
  const takeSample = async () => {
    const replies = await Promise.all(workers.map((w) => w.run<ProgressReply>({ cmd: 'progress' })));
    // Stamped when the boxes answered: /metrics may take seconds to answer in a storm.
    const atSeconds = round((performance.now() - started) / 1000);
    const queue = await writeQueue(coordinator);
    const boxes = replies.flatMap((r) => r.boxes);
    samples.push({
      atSeconds,
      ackedRecordsPerBox: spread(boxes.map((b) => b.ackedRecords)),
      drainedPercentPerBox: spread(boxes.map((b) => (b.backlogRecords > 0 ? (100 * Math.min(b.ackedRecords, b.backlogRecords)) / b.backlogRecords : 100))),
      queue,
    });
  };
  const loop = (async () => {
    while (!stopped) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, STORM_SAMPLE_MS);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      await takeSample();
    }
  })();
  return async () => {
    stopped = true;
    wake();
    await loop;
    return samples;
  };
}

function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** Peak and last RSS of a process, sampled every second until stopped. */
function rssSampler(pid: number) {
  let peak = 0;
  let last = 0;
  const timer = setInterval(() => {
    last = rssMb(pid);
    peak = Math.max(peak, last);
  }, 1000);
  return {
    stop: () => {
      clearInterval(timer);
      return { peakMb: round(Math.max(peak, rssMb(pid))), lastMb: round(rssMb(pid) || last) };
    },
  };
}

async function cpuWindow(c: BenchCoordinator, postgres: boolean) {
  const pid = c.child.pid!;
  const t0 = performance.now();
  const cpu0 = processCpuMs(pid);
  const pg0 = postgres ? await backendCpuMs(DATABASE_URL, APP_NAME) : new Map<number, number>();
  return async () => {
    const wallMs = performance.now() - t0;
    const coordinatorMs = processCpuMs(pid) - cpu0;
    const databaseMs = postgres ? backendDeltaMs(pg0, await backendCpuMs(DATABASE_URL, APP_NAME)) : 0;
    return {
      seconds: round(wallMs / 1000),
      coordinatorCpuPercentOfOneCore: round((coordinatorMs / wallMs) * 100),
      databaseCpuPercentOfOneCore: round((databaseMs / wallMs) * 100),
    };
  };
}

// ---- the API load (second process) -------------------------------------------------------------

/** What the console and IOC tools ask for while the fleet reports in. */
const QUERIES: QueryKind<string[]>[] = [
  { name: 'newest', share: 30, url: () => '/api/v1/events?limit=50' },
  { name: 'site', share: 20, url: (n) => `/api/v1/events?site=${SITES[n % SITES.length]!.id}&limit=50` },
  { name: 'device+kind', share: 15, url: (n, ids) => `/api/v1/events?device=${ids[(n * 7) % ids.length]}&kind=telemetry&limit=100` },
  { name: 'camera events', share: 10, url: () => '/api/v1/events?kind=camera_event&limit=50' },
  {
    name: 'series',
    share: 10,
    url: (n, ids) => `/api/v1/sensors/${ids[(n * 13) % ids.length]}/river-1/level/series?from=${Date.now() - 3_600_000}&to=${Date.now()}&step=60`,
  },
  { name: 'device', share: 10, url: (n, ids) => `/api/v1/devices/${ids[(n * 11) % ids.length]}` },
  { name: 'alerts', share: 5, url: () => '/api/v1/alerts?limit=50' },
];

async function generateLoad(base: string, rate: number, seconds: number, ids: string[]): Promise<LoadResult> {
  const client = httpGetter(base, { authorization: `Bearer ${VIEWER_TOKEN}` });
  try {
    return await openLoop(client, QUERIES, ids, rate, seconds);
  } finally {
    client.close();
  }
}

function loadSummary(r: LoadResult) {
  const all = Object.values(r.latencies)
    .flat()
    .sort((a, b) => a - b);
  return {
    rate: API_RATE,
    requests: r.sent,
    errors: r.errors,
    p50Ms: round(percentile(all, 50)),
    p99Ms: round(percentile(all, 99)),
    maxMs: round(all.at(-1) ?? Number.NaN),
  };
}

// ---- one store ----------------------------------------------------------------------------------

function coordinatorBody(storeYaml: string): string {
  return `${storeYaml}
sites:
${SITES.map((s) => `  - { id: ${s.id}, name: ${s.name}, location: { lat: ${s.lat}, lon: ${s.lon} } }`).join('\n')}
devices:
${boxes.map((b) => `  - { id: ${b.deviceId}, site: ${b.site}, token: ${b.token} }`).join('\n')}
api_tokens:
  - { name: viewer, role: viewer, token: ${VIEWER_TOKEN} }
  - { name: admin, role: admin, token: ${ADMIN_TOKEN} }`;
}

async function run(label: string, storeYaml: string): Promise<Record<string, unknown>> {
  const postgres = label === 'postgres';
  const dir = mkdtempSync(join(tmpdir(), `ioc-bench-fleet-${label}-`));
  const coordinator = await startBenchCoordinator({
    dir,
    bodyYaml: coordinatorBody(storeYaml),
    grpcExtra: INGEST_BUDGET === undefined ? undefined : `ingest_inflight_batches: ${INGEST_BUDGET}`,
    env: { DATABASE_URL: withApplicationName(DATABASE_URL, APP_NAME) },
  });
  const address = `127.0.0.1:${coordinator.grpcPort}`;
  const base = `http://127.0.0.1:${coordinator.httpPort}`;
  const workers: WorkerHandle[] = [];
  try {
    for (let w = 0; w < WORKERS; w++) {
      workers.push(await WorkerHandle.start({ address, rampMs: RAMP_MS, boxes: boxes.filter((b) => b.index % WORKERS === w) }));
    }
    const connectStarted = performance.now();
    const connects = await Promise.all(workers.map((w) => w.run<{ connected: number; failed: string[] }>({ cmd: 'connect' })));
    const connectSeconds = round((performance.now() - connectStarted) / 1000);
    progress(label, `${BOXES} boxes connected in ${connectSeconds} s`);
    const failed = connects.flatMap((c) => c.failed);
    if (failed.length > 0) throw new Error(`${failed.length} boxes could not connect, e.g. ${failed[0]}`);

    // ---- steady state: the fleet alone, then with the API load and the console overview on top
    await collect(workers);
    const stored0 = await storedRecords(coordinator);
    const rss = rssSampler(coordinator.child.pid!);
    const fleetOnlyMs = MINUTES * 60_000 - API_SECONDS * 1000;
    const fleetCpu = await cpuWindow(coordinator, postgres);
    await sleep(fleetOnlyMs / 2);
    const midCheck = await offlineWrongly(coordinator, () => true);
    await sleep(fleetOnlyMs / 2);
    const fleetOnly = await fleetCpu();
    progress(label, 'API load and console overview');
    const withApiCpu = await cpuWindow(coordinator, postgres);
    const load = runLoadProcess(fileURLToPath(import.meta.url), [
      '--load',
      base,
      '--api-rate',
      String(API_RATE),
      '--api-seconds',
      String(API_SECONDS),
      '--devices',
      boxes.map((b) => b.deviceId).join(','),
    ]);
    const overviews: OverviewLoad[] = [];
    // A page that fails to load is a result (e.g. 503 when the store's pool is exhausted), not a crash.
    const overviewErrors: string[] = [];
    for (let i = 0; i < 3; i++) {
      await sleep((API_SECONDS * 1000) / 4);
      await loadOverview(base, VIEWER_TOKEN).then(
        (o) => overviews.push(o),
        (err: unknown) => overviewErrors.push((err as Error).message),
      );
    }
    const api = loadSummary(await load);
    const withApi = await withApiCpu();
    const steadySample = await collect(workers);
    const steadyStored = (await storedRecords(coordinator)) - stored0;
    const endCheck = await offlineWrongly(coordinator, () => true);
    const steadySeconds = fleetOnly.seconds + withApi.seconds;
    const steady = {
      seconds: round(steadySeconds),
      boxesConnected: steadySample.connected,
      streamsLost: steadySample.streamsLost,
      recordsPerSecond: round(steadyStored / steadySeconds),
      batchesAcked: steadySample.steady.batches + steadySample.outage.batches,
      ack: ackSummary([steadySample.steady, steadySample.outage]),
      fleetOnly,
      withApi,
      coordinatorRss: rss.stop(),
      api,
      consoleOverview: {
        loads: overviews.length,
        requests: overviews[0]?.requests,
        devicesListed: overviews[0]?.devices,
        cardsMs: overviews.map((o) => round(o.cardsMs)),
        totalMs: overviews.map((o) => round(o.totalMs)),
        errors: overviewErrors,
      },
      offlineWrongly: { midway: midCheck, end: endCheck, inOverview: Math.max(0, ...overviews.map((o) => o.offlineDevices.length)) },
      refused: steadySample.refused,
    };

    // ---- the reconnect storm ------------------------------------------------------------------
    progress(label, `steady done: ${JSON.stringify({ recordsPerSecond: steady.recordsPerSecond, ack: steady.ack, cpu: fleetOnly, api: api.p99Ms })}`);
    const outageBoxes = boxes.filter((b) => b.outage).length;
    const beforeOutage = await collect(workers, { cmd: 'outage', backlogMinutes: BACKLOG_MINUTES });
    await sleep(3000);
    const duringOutage = await offlineWrongly(coordinator, (b) => !b.outage);
    const stormCpu = await cpuWindow(coordinator, postgres);
    const stormRss = rssSampler(coordinator.child.pid!);
    const stormStored0 = await storedRecords(coordinator);
    await collect(workers);
    progress(label, `${outageBoxes} boxes reconnect with ${BACKLOG_MINUTES} min of backlog`);
    const stormStarted = performance.now();
    const stopSampling = stormSampler(workers, coordinator);
    const reconnects = await Promise.all(workers.map((w) => w.run<ReconnectReply>({ cmd: 'reconnect', timeoutMs: DRAIN_TIMEOUT_MS })));
    const stormSeconds = (performance.now() - stormStarted) / 1000;
    const progressSamples = await stopSampling();
    const stormStored = (await storedRecords(coordinator)) - stormStored0;
    progress(label, `storm drained in ${round(stormSeconds)} s`);
    const stormResources = await stormCpu();
    const stormSample = await collect(workers);
    const drains = reconnects.flatMap((r) => r.boxes);
    const drainMs = drains
      .map((d) => d.drainMs)
      .filter((ms) => Number.isFinite(ms))
      .sort((a, b) => a - b);
    const medianDrain = percentile(drainMs, 50);
    const perBoxRate = drains
      .filter((d) => Number.isFinite(d.drainMs))
      .map((d) => d.backlogRecords / (d.drainMs / 1000))
      .sort((a, b) => a - b);
    const starved = drains.filter((d) => !Number.isFinite(d.drainMs) || d.drainMs > STARVED_FACTOR * medianDrain).map((d) => d.deviceId);
    const afterStorm = await offlineWrongly(coordinator, () => true);

    // ---- every record produced is stored once (drops excepted) ---------------------------------
    let final = await collect(workers);
    for (let i = 0; i < 60 && final.backlogRecords > 0; i++) {
      await sleep(1000);
      final = await collect(workers);
    }
    const storedTotal = await storedRecords(coordinator);
    const storm = {
      boxes: outageBoxes,
      backlogMinutes: BACKLOG_MINUTES,
      backlogRecords: drains.reduce((n, d) => n + d.backlogRecords, 0),
      backlogAtOutage: beforeOutage.backlogRecords,
      drainSeconds: round(stormSeconds),
      recordsPerSecond: round(stormStored / stormSeconds),
      ack: { stormBoxes: ackSummary([stormSample.outage]), otherBoxes: ackSummary([stormSample.steady]) },
      perBoxDrainSeconds: {
        min: round(drainMs[0]! / 1000),
        p50: round(medianDrain / 1000),
        p90: round(percentile(drainMs, 90) / 1000),
        p99: round(percentile(drainMs, 99) / 1000),
        max: round(drainMs.at(-1)! / 1000),
        notDrained: drains.length - drainMs.length,
      },
      perBoxRecordsPerSecond: { min: round(perBoxRate[0]!), median: round(percentile(perBoxRate, 50)), max: round(perBoxRate.at(-1)!) },
      // The fairness picture: every storm box's acknowledged records, sampled as the storm drains.
      progress: { everySeconds: STORM_SAMPLE_MS / 1000, samples: progressSamples },
      starved: {
        count: starved.length,
        rule: `not drained in ${DRAIN_TIMEOUT_MS / 1000} s or over ${STARVED_FACTOR}× the median drain`,
        examples: starved.slice(0, 5),
      },
      ...stormResources,
      coordinatorRss: stormRss.stop(),
      presence: { duringOutage, afterStorm },
      refused: stormSample.refused,
    };
    const exactlyOnce = {
      produced: final.produced,
      droppedAndReported: final.dropped,
      stored: storedTotal,
      missing: final.produced - storedTotal,
      stillQueued: final.backlogRecords,
    };
    return { connectSeconds, steady, storm, exactlyOnce };
  } finally {
    await Promise.all(workers.map((w) => w.run({ cmd: 'stop' }).catch(() => undefined)));
    await stopProcess(coordinator.child);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  if (args.load) {
    process.stdout.write(JSON.stringify(await generateLoad(args.load, API_RATE, API_SECONDS, (args.devices ?? '').split(','))));
    return;
  }
  const stores = args.store === 'both' ? ['level', 'postgres'] : [args.store!];
  const results: Record<string, unknown> = {};
  const loadAverage1m: Record<string, number> = { start: round(loadavg()[0]!, 2) };
  for (const store of stores) {
    if (store === 'level') {
      const dir = mkdtempSync(join(tmpdir(), 'ioc-bench-fleet-store-'));
      try {
        results.level = await run('level', `store: { kind: level, dir: ${join(dir, 'store')} }`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    } else if (store === 'postgres') {
      const schema = `ioc_bench_fleet_${randomBytes(4).toString('hex')}`;
      try {
        results.postgres = await run('postgres', `store: { kind: postgres, schema: ${schema}, pool_size: 10 }`);
      } finally {
        const client = new pg.Client({ connectionString: DATABASE_URL });
        await client.connect();
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await client.end();
      }
    } else {
      throw new Error(`--store: level, postgres or both, not ${store}`);
    }
    loadAverage1m[`after${store === 'level' ? 'Level' : 'Postgres'}`] = round(loadavg()[0]!, 2);
  }
  process.stdout.write(
    `${JSON.stringify({
      bench: 'fleet',
      loadAverage1m,
      setup: {
        boxes: BOXES,
        workers: WORKERS,
        steadyMinutes: MINUTES,
        sites: SITES.length,
        perBoxPerMinute: '10 telemetry windows, 1 camera event + 6 KB thumbnail (1 in 10 evicted and reported as a drop)',
        heartbeatSeconds: 15,
        storm: { share: STORM_SHARE, backlogMinutes: BACKLOG_MINUTES },
        api: { rate: API_RATE, seconds: API_SECONDS },
      },
      ...results,
    })}\n`,
  );
}

await main();
