// Coordinator ingest throughput over real gRPC: several edges send batches exactly as the uplink
// does (gzip bodies of encoded records, 4 batches in flight, each acked after the store made it
// durable) to a coordinator process, first on the embedded level store, then on PostgreSQL, in
// the same run. Prints one JSON object.
//   node --import tsx bench/coordinator-ingest.ts [--records 120000] [--devices 4] [--batch 500]
// DATABASE_URL selects the server (default: local trust auth, database "test"); the bench uses
// a throwaway schema and drops it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { loadavg } from 'node:os';
import type { ProtoRecord } from '../common/proto.js';
import { EdgeSender, encodeBatch, records, type EncodedBatch } from './support/edge-sender.js';
import { startBenchCoordinator, stopProcess, type BenchCoordinator } from './support/coordinator.js';
import { backendCpuMs, backendDeltaMs, processCpuMs, withApplicationName } from './support/cpu.js';
import { percentile } from './support/stats.js';

const { values: args } = parseArgs({
  options: {
    records: { type: 'string', default: '120000' },
    devices: { type: 'string', default: '4' },
    batch: { type: 'string', default: '500' },
    window: { type: 'string', default: '4' },
  },
});
const TOTAL = Number(args.records);
const DEVICES = Number(args.devices);
const BATCH = Number(args.batch);
const WINDOW = Number(args.window);
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
const token = (id: string) => `bench-device-token-${id}-0123456789`;
const deviceIds = Array.from({ length: DEVICES }, (_, i) => `bench-${i + 1}`);
/** The coordinator's PostgreSQL connections carry this name, so their CPU can be measured. */
const APP_NAME = `ioc-bench-ingest-${process.pid}`;

/** What an edge sends: mostly telemetry windows, some alarms, camera events with small thumbnails. */
function makeBatches(deviceId: string, firstSeq: Record<string, number>, count: number): EncodedBatch[] {
  const now = Date.now();
  const batches: EncodedBatch[] = [];
  let recs: ProtoRecord[] = [];
  for (let i = 0; i < count; i++) {
    const r = i % 100;
    const lane = r < 80 ? 'telemetry' : r < 88 ? 'alarm' : r < 98 ? 'event' : 'thumbnail';
    const seq = firstSeq[lane]!;
    firstSeq[lane] = seq + 1;
    const t = now - (count - i) * 10;
    if (lane === 'telemetry') recs.push(records.telemetry(seq, t, `sensor-${i % 12}`, i % 2 ? 'level' : 'flow'));
    else if (lane === 'alarm') recs.push(records.alarm(seq, t));
    else if (lane === 'event') recs.push(records.cameraEvent(seq, t, `${deviceId}-ev-${Math.floor(seq / 3)}`, (['new', 'update', 'end'] as const)[seq % 3]!));
    else recs.push(records.thumbnail(seq, t, `${deviceId}-ev-${seq}`, randomBytes(2048)));
    if (recs.length === BATCH) {
      batches.push(encodeBatch(recs, 'COMPRESSION_GZIP'));
      recs = [];
    }
  }
  if (recs.length > 0) batches.push(encodeBatch(recs, 'COMPRESSION_GZIP'));
  return batches;
}

async function storedRecords(c: BenchCoordinator): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${c.httpPort}/metrics`, { headers: { authorization: 'Bearer bench-admin-token-0123456789' } })).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith('ioc_ingest_records_total{'))
    .reduce((n, l) => n + Number(l.split(' ').pop()), 0);
}

async function run(label: string, storeYaml: string): Promise<Record<string, number | string>> {
  const dir = mkdtempSync(join(tmpdir(), `ioc-bench-ingest-${label}-`));
  const coordinator = await startBenchCoordinator({
    dir,
    grpcExtra: 'max_batch_records: 20000',
    env: { DATABASE_URL: withApplicationName(DATABASE_URL, APP_NAME) },
    bodyYaml: `${storeYaml}
devices:
${deviceIds.map((id) => `  - { id: ${id}, site: muong-nhe, token: ${token(id)} }`).join('\n')}
api_tokens: [{ name: bench, role: admin, token: bench-admin-token-0123456789 }]`,
  });
  try {
    const perDevice = Math.floor(TOTAL / DEVICES);
    const seqs = deviceIds.map(() => ({ alarm: 1, event: 1, telemetry: 1, thumbnail: 1 }) as Record<string, number>);
    // Warm-up (JIT, connections, first pages of the indexes), not timed.
    const warm = deviceIds.map((id, i) => makeBatches(id, seqs[i]!, BATCH * 2));
    const timed = deviceIds.map((id, i) => makeBatches(id, seqs[i]!, perDevice));
    const senders = await Promise.all(deviceIds.map((id) => EdgeSender.connect(`127.0.0.1:${coordinator.grpcPort}`, id, token(id))));
    await Promise.all(senders.map((s, i) => s.sendAll(warm[i]!, WINDOW)));
    const before = await storedRecords(coordinator);
    const latencies: number[] = [];
    const cpuBefore = processCpuMs(coordinator.child.pid!);
    const pgBefore = await backendCpuMs(DATABASE_URL, APP_NAME);
    const started = performance.now();
    await Promise.all(
      senders.map(async (s, i) => {
        const batches = timed[i]!;
        let next = 0;
        const lane = async () => {
          while (next < batches.length) {
            const b = batches[next++]!;
            const t0 = performance.now();
            const ack = await s.send(b);
            latencies.push(performance.now() - t0);
            if (ack.error || ack.rejected.length > 0) throw new Error(`batch refused: ${ack.error || ack.rejected[0]?.reason}`);
          }
        };
        await Promise.all(Array.from({ length: WINDOW }, lane));
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const coordinatorCpuS = (processCpuMs(coordinator.child.pid!) - cpuBefore) / 1000;
    const databaseCpuS = backendDeltaMs(pgBefore, await backendCpuMs(DATABASE_URL, APP_NAME)) / 1000;
    const stored = (await storedRecords(coordinator)) - before;
    for (const s of senders) s.close();
    latencies.sort((a, b) => a - b);
    const sent = timed.flat().reduce((n, b) => n + b.records, 0);
    return {
      records: sent,
      stored,
      seconds: round(seconds),
      recordsPerSecond: Math.round(sent / seconds),
      // Work done, whatever else the machine runs: CPU of the coordinator and of its database backends.
      coordinatorCpuS: round(coordinatorCpuS),
      databaseCpuS: round(databaseCpuS),
      recordsPerCpuSecond: Math.round(sent / (coordinatorCpuS + databaseCpuS)),
      ackP50Ms: round(percentile(latencies, 50)),
      ackP99Ms: round(percentile(latencies, 99)),
      bodyBytesPerRecord: Math.round(timed.flat().reduce((n, b) => n + b.body.length, 0) / sent),
    };
  } finally {
    await stopProcess(coordinator.child);
    rmSync(dir, { recursive: true, force: true });
  }
}

const round = (v: number) => Math.round(v * 100) / 100;

async function main(): Promise<void> {
  const level = await run('level', 'store: { kind: level, dir: ./store }'.replace('./store', join(tmpdir(), `ioc-bench-level-${process.pid}`)));
  rmSync(join(tmpdir(), `ioc-bench-level-${process.pid}`), { recursive: true, force: true });
  const schema = `ioc_bench_${randomBytes(4).toString('hex')}`;
  let postgres: Record<string, number | string>;
  try {
    postgres = await run('postgres', `store: { kind: postgres, schema: ${schema}, pool_size: 10 }`);
  } finally {
    const client = new pg.Client({ connectionString: DATABASE_URL });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  }
  process.stdout.write(
    `${JSON.stringify({
      bench: 'coordinator-ingest',
      loadAverage1m: round(loadavg()[0]!),
      setup: {
        devices: DEVICES,
        batchRecords: BATCH,
        inflightBatches: WINDOW,
        compression: 'gzip',
        mix: '80% telemetry, 8% alarms, 10% camera events, 2% 2-KiB thumbnails',
      },
      level,
      postgres,
      postgresVsLevel: round(Number(postgres.recordsPerSecond) / Number(level.recordsPerSecond)),
    })}\n`,
  );
}

await main();
