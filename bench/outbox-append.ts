// Durable append rate of the outbox (disk budget, per-record checksums, lane meta, group commit)
// against the alternatives in the same run, all fsync'd before the producer hears back:
//   plain  — a minimal level outbox: one put per record (encoded the same way), sync
//   raw    — level batched puts of 1000 pre-encoded values, sync (the ceiling for the disk)
// Producers are concurrent, as sensors, cameras and the admin socket are, and each keeps several
// appends in flight (the sensor pipeline does not wait for one window's append before the next):
// 64 producers × 16 in flight. The same with one in flight each is reported too (groups can then
// never exceed 64 records). The variants run in alternating rounds and each reports its median
// round, so load from anything else on the machine hits all alike. Prints one JSON object.
// Then the drain: the uplink's read-batch-and-delete-on-ack against raw level reads and deletes.
//   node --import tsx bench/outbox-append.ts [--seconds 3] [--rounds 5] [--producers 64] [--depth 16] [--drain-records 100000]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ClassicLevel } from 'classic-level';
import { Outbox } from '../edge/outbox/outbox.js';
import { encodeRecord } from '../common/proto.js';
import type { OutboxInput } from '../edge/outbox/types.js';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '5' },
    producers: { type: 'string', default: '64' },
    depth: { type: 'string', default: '16' },
    'drain-records': { type: 'string', default: '100000' },
  },
});
const DRAIN_RECORDS = Number(args['drain-records']);
const DEPTH = Number(args.depth);
const SECONDS = Number(args.seconds);
const ROUNDS = Number(args.rounds);
const PRODUCERS = Number(args.producers);
const DAY = 86_400_000;

/** A one-minute window of a river gauge: the most common record a box makes. */
function telemetry(i: number): OutboxInput {
  const v = 2 + (i % 100) / 100;
  return {
    kind: 'telemetry',
    body: {
      telemetry: {
        sensor_id: `river-${i % 8}`,
        sensor_type: 'water_level',
        metric: 'level',
        unit: 'm',
        window_s: 60,
        window_start_ms: 1_764_000_000_000 + i * 60_000,
        window_end_ms: 1_764_000_060_000 + i * 60_000,
        count: 60,
        min: v - 0.1,
        max: v + 0.1,
        mean: v,
        last: v,
        sum: v * 60,
      },
    },
  };
}

async function concurrently(seconds: number, producers: number, appendOne: (i: number) => Promise<unknown>): Promise<{ records: number; seconds: number }> {
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: producers }, async () => {
      while (performance.now() < deadline) await appendOne(next++);
    }),
  );
  return { records: next, seconds: (performance.now() - started) / 1000 };
}

async function outboxRun(dir: string, depth: number) {
  const outbox = await Outbox.open({
    dir,
    diskBudgetBytes: 512 * 1024 * 1024,
    minFreeDiskBytes: 32 * 1024 * 1024,
    ttlMs: { alarm: DAY, event: DAY, telemetry: DAY, thumbnail: DAY },
    agentNow: () => performance.now(),
  });
  const run = await concurrently(SECONDS, PRODUCERS * depth, (i) => outbox.append(telemetry(i)));
  const stats = outbox.stats();
  await outbox.close();
  return { ...run, stored: stats.records };
}

async function plainRun(dir: string, depth: number) {
  const db = new ClassicLevel<string, Uint8Array>(dir, { valueEncoding: 'view' });
  await db.open();
  let seq = 0;
  const run = await concurrently(SECONDS, PRODUCERS * depth, (i) => {
    const s = ++seq;
    const record = encodeRecord({ lane: 'LANE_TELEMETRY', seq: s, kind: 'telemetry', edge_time_ms: Date.now(), ...telemetry(i).body });
    return db.put(`r:telemetry:${s.toString(16).padStart(16, '0')}`, record, { sync: true });
  });
  await db.close();
  return run;
}

async function rawRun(dir: string) {
  const db = new ClassicLevel<string, Uint8Array>(dir, { valueEncoding: 'view' });
  await db.open();
  const value = encodeRecord({ lane: 'LANE_TELEMETRY', seq: 1, kind: 'telemetry', edge_time_ms: Date.now(), ...telemetry(1).body });
  let seq = 0;
  const deadline = performance.now() + SECONDS * 1000;
  const started = performance.now();
  while (performance.now() < deadline) {
    const ops = Array.from({ length: 1000 }, () => ({ type: 'put' as const, key: `r:telemetry:${(++seq).toString(16).padStart(16, '0')}`, value }));
    await db.batch(ops, { sync: true });
  }
  await db.close();
  return { records: seq, seconds: (performance.now() - started) / 1000 };
}

/**
 * Drain: the uplink's side of the outbox: read the next batch, hand it on, delete it on the
 * ack — against raw level reading 500 keys at a time and deleting them in one batch.
 */
async function outboxDrain(dir: string, records: number) {
  const outbox = await Outbox.open({
    dir,
    diskBudgetBytes: 512 * 1024 * 1024,
    minFreeDiskBytes: 32 * 1024 * 1024,
    ttlMs: { alarm: DAY, event: DAY, telemetry: DAY, thumbnail: DAY },
    agentNow: () => performance.now(),
  });
  let next = 0;
  await Promise.all(
    Array.from({ length: 256 }, async () => {
      while (next < records) await outbox.append(telemetry(next++));
    }),
  );
  const started = performance.now();
  let drained = 0;
  for (;;) {
    const batch = await outbox.nextBatch({ maxRecords: 500, maxBytes: 1024 * 1024 });
    if (batch.length === 0) break;
    drained += await outbox.acknowledge([{ lane: 'telemetry', seq: batch.at(-1)!.seq }]);
  }
  const seconds = (performance.now() - started) / 1000;
  const left = outbox.stats().records;
  await outbox.close();
  return { records: drained, seconds, left };
}

async function rawDrain(dir: string, records: number) {
  const db = new ClassicLevel<string, Uint8Array>(dir, { valueEncoding: 'view' });
  await db.open();
  const value = encodeRecord({ lane: 'LANE_TELEMETRY', seq: 1, kind: 'telemetry', edge_time_ms: Date.now(), ...telemetry(1).body });
  for (let seq = 0; seq < records; ) {
    const ops = Array.from({ length: Math.min(1000, records - seq) }, () => ({
      type: 'put' as const,
      key: `r:telemetry:${(++seq).toString(16).padStart(16, '0')}`,
      value,
    }));
    await db.batch(ops, { sync: true });
  }
  const started = performance.now();
  let drained = 0;
  for (;;) {
    const entries = await db.iterator({ gte: 'r:telemetry:', lt: 'r:telemetry;', limit: 500 }).all();
    if (entries.length === 0) break;
    await db.batch(entries.map(([key]) => ({ type: 'del' as const, key })));
    drained += entries.length;
  }
  const seconds = (performance.now() - started) / 1000;
  await db.close();
  return { records: drained, seconds };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ioc-bench-append-'));
  try {
    const rates = {
      outbox: [] as number[],
      plain: [] as number[],
      raw: [] as number[],
      outbox_one_in_flight: [] as number[],
      plain_one_in_flight: [] as number[],
    };
    let storedCheck = true;
    for (let round = 0; round < ROUNDS; round++) {
      const o = await outboxRun(join(dir, `outbox-${round}`), DEPTH);
      storedCheck &&= o.stored === o.records;
      rates.outbox.push(o.records / o.seconds);
      const p = await plainRun(join(dir, `plain-${round}`), DEPTH);
      rates.plain.push(p.records / p.seconds);
      const r = await rawRun(join(dir, `raw-${round}`));
      rates.raw.push(r.records / r.seconds);
      const o1 = await outboxRun(join(dir, `outbox1-${round}`), 1);
      rates.outbox_one_in_flight.push(o1.records / o1.seconds);
      const p1 = await plainRun(join(dir, `plain1-${round}`), 1);
      rates.plain_one_in_flight.push(p1.records / p1.seconds);
    }
    const drainRates = { outbox: [] as number[], raw: [] as number[] };
    let drainedAll = true;
    for (let round = 0; round < ROUNDS; round++) {
      const o = await outboxDrain(join(dir, `drain-outbox-${round}`), DRAIN_RECORDS);
      drainedAll &&= o.records === DRAIN_RECORDS && o.left === 0;
      drainRates.outbox.push(o.records / o.seconds);
      const r = await rawDrain(join(dir, `drain-raw-${round}`), DRAIN_RECORDS);
      drainRates.raw.push(r.records / r.seconds);
    }
    const outbox = median(rates.outbox);
    const plain = median(rates.plain);
    const raw = median(rates.raw);
    const outbox1 = median(rates.outbox_one_in_flight);
    const plain1 = median(rates.plain_one_in_flight);
    console.log(
      JSON.stringify({
        bench: 'outbox-append',
        rounds: ROUNDS,
        seconds_per_round: SECONDS,
        producers: PRODUCERS,
        in_flight_per_producer: DEPTH,
        outbox_records_per_s: Math.round(outbox),
        plain_level_put_records_per_s: Math.round(plain),
        raw_level_batch_records_per_s: Math.round(raw),
        outbox_vs_plain: +(outbox / plain).toFixed(2),
        outbox_vs_raw_batched: +(outbox / raw).toFixed(2),
        one_in_flight: {
          outbox_records_per_s: Math.round(outbox1),
          plain_level_put_records_per_s: Math.round(plain1),
          outbox_vs_plain: +(outbox1 / plain1).toFixed(2),
          outbox_vs_raw_batched: +(outbox1 / raw).toFixed(2),
        },
        rounds_records_per_s: Object.fromEntries(Object.entries(rates).map(([k, v]) => [k, v.map(Math.round)])),
        targets: { vs_plain: 0.8, records_per_s: 20_000, vs_raw_batched: 0.5 },
        outbox_every_record_stored: storedCheck,
        drain: {
          records: DRAIN_RECORDS,
          batch: 500,
          outbox_records_per_s: Math.round(median(drainRates.outbox)),
          raw_level_records_per_s: Math.round(median(drainRates.raw)),
          outbox_vs_raw: +(median(drainRates.outbox) / median(drainRates.raw)).toFixed(2),
          every_record_drained: drainedAll,
        },
      }),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
