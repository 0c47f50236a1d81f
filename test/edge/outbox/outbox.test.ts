import t from 'tap';
import { join } from 'node:path';
import { appendFileSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { ClassicLevel } from 'classic-level';
import { Outbox, type OutboxOptions } from '../../../edge/outbox/outbox.js';
import { decodeRecord } from '../../../common/proto.js';
import { createEdgeMetrics } from '../../../edge/metrics.js';
import { sumMetric } from '../../support/system.js';
import { tempDir } from '../../support/tmp.js';

const DAY = 86_400_000;

function options(dir: string, over: Partial<OutboxOptions> = {}): OutboxOptions {
  return {
    dir: join(dir, 'outbox'),
    diskBudgetBytes: 10 * 1024 * 1024,
    ttlMs: { alarm: DAY, event: DAY, telemetry: DAY, thumbnail: DAY },
    agentNow: () => 0,
    minFreeDiskBytes: 0,
    ...over,
  };
}

const telemetry = (i: number, edgeTimeMs?: number) => ({
  kind: 'telemetry' as const,
  body: { telemetry: { sensor_id: 's1', metric: 'level', count: 1, min: i, max: i, mean: i, last: i } },
  edgeTimeMs,
});
const alarm = (id: string) => ({ kind: 'alarm' as const, body: { alarm: { alarm_id: id, state: 'raised' } } });
const thumb = (kb: number, id = 'e') => ({ kind: 'thumbnail' as const, body: { thumbnail: { event_id: id, data: Buffer.alloc(kb * 1024, 7) } } });
const lane = (box: Outbox, name: string) => box.stats().lanes.find((l) => l.lane === name)!;

t.test('append is durable and sequence numbers are per lane and survive reopen', async (t) => {
  const dir = tempDir(t);
  const box = await Outbox.open(options(dir));
  const results = await Promise.all([telemetry(1), alarm('a1'), telemetry(2)].map((r) => box.append(r)));
  t.same(
    results.map((r) => [r.lane, r.seq]),
    [
      ['telemetry', 1],
      ['alarm', 1],
      ['telemetry', 2],
    ],
  );
  await box.close();
  const again = await Outbox.open(options(dir));
  t.equal(again.recovery.uncleanShutdown, false);
  t.equal(again.recovery.walTailBytes, 0, 'a clean log has no torn tail');
  const r = await again.append(telemetry(3));
  t.same([r.lane, r.seq], ['telemetry', 3]);
  t.equal(again.stats().records, 4);
  await again.close();
});

t.test('a record that does not encode is refused alone; its group is stored', async (t) => {
  const dir = tempDir(t);
  const box = await Outbox.open(options(dir));
  t.teardown(() => box.close());
  const bad = { kind: 'telemetry' as const, body: { telemetry: { sensor_id: 's1', metric: 'm', count: 5n as unknown as number } } };
  const unknownKind = { kind: 'hologram' as never, body: {} };
  const results = await Promise.allSettled([telemetry(1), bad, unknownKind, telemetry(2)].map((r) => box.append(r)));
  t.same(
    results.map((r) => r.status),
    ['fulfilled', 'rejected', 'rejected', 'fulfilled'],
  );
  t.same(
    results.filter((r) => r.status === 'fulfilled').map((r) => (r as PromiseFulfilledResult<{ seq: number }>).value.seq),
    [1, 2],
    'no sequence number is burnt on a refused record',
  );
  t.equal((results[1] as PromiseRejectedResult).reason.code, 'VALIDATION');
});

t.test('batches drain the highest lane first and acks remove records', async (t) => {
  const dir = tempDir(t);
  const box = await Outbox.open(options(dir));
  for (let i = 0; i < 5; i++) await box.append(thumb(1));
  for (let i = 0; i < 5; i++) await box.append(telemetry(i));
  await box.append(alarm('x'));
  const batch = await box.nextBatch({ maxRecords: 3, maxBytes: 1e6 });
  t.same(
    batch.map((b) => b.lane),
    ['alarm', 'telemetry', 'telemetry'],
  );
  t.equal(decodeRecord(batch[0]!.record).alarm?.alarm_id, 'x');
  const next = await box.nextBatch({ maxRecords: 100, maxBytes: 1e6 });
  t.same(
    next.map((b) => `${b.lane}${b.seq}`),
    ['telemetry3', 'telemetry4', 'telemetry5', 'thumbnail1', 'thumbnail2', 'thumbnail3', 'thumbnail4', 'thumbnail5'],
  );
  await box.acknowledge([
    { lane: 'alarm', seq: 1 },
    { lane: 'telemetry', seq: 5 },
  ]);
  t.equal(box.stats().records, 5);
  await box.rewind();
  const resent = await box.nextBatch({ maxRecords: 100, maxBytes: 1e6 });
  t.same(
    resent.map((b) => b.lane),
    Array(5).fill('thumbnail'),
    'only unacked records are resent after rewind',
  );
  await box.close();
});

t.test('a batch stops at the first record that does not fit: a lower lane never jumps ahead', async (t) => {
  const dir = tempDir(t);
  const box = await Outbox.open(options(dir));
  t.teardown(() => box.close());
  await box.append(telemetry(1));
  await box.append(alarm('a'));
  await box.append({ kind: 'camera_event', body: { camera_event: { event_id: 'ev1', camera_id: 'c', detail: 'x'.repeat(3000) } } });
  const order: string[][] = [];
  for (;;) {
    const batch = await box.nextBatch({ maxRecords: 10, maxBytes: 2000 });
    if (batch.length === 0) break;
    order.push(batch.map((b) => b.lane));
  }
  t.same(order, [['alarm'], ['event'], ['telemetry']], 'the telemetry record waits behind the event that did not fit');
});

t.test('disk budget evicts thumbnails first and alarms still get in', async (t) => {
  const dir = tempDir(t);
  const metrics = createEdgeMetrics();
  const box = await Outbox.open(options(dir, { diskBudgetBytes: 64 * 1024, metrics }));
  for (let i = 0; i < 20; i++) await box.append(thumb(4));
  const before = box.stats();
  t.ok(before.bytes <= 64 * 1024, 'budget holds');
  t.ok(lane(box, 'thumbnail').dropped.budget > 0, 'thumbnails were evicted');
  for (let i = 0; i < 50; i++) {
    const r = await box.append(alarm(`a${i}`));
    t.notOk(r.dropped, `alarm ${i} kept`);
  }
  t.equal(lane(box, 'alarm').records, 50);
  t.equal(lane(box, 'thumbnail').records + lane(box, 'thumbnail').dropped.budget, 20, 'every thumbnail is stored or counted');
  const reported = box
    .pendingDropReports()
    .flatMap((r) => r.ranges)
    .filter((r) => r.lane === 'thumbnail')
    .reduce((n, r) => n + r.lastSeq - r.firstSeq + 1, 0);
  t.equal(reported, lane(box, 'thumbnail').dropped.budget, 'drop reports cover every eviction');
  t.equal(
    sumMetric(await metrics.registry.metrics(), 'ioc_edge_outbox_dropped_total', { lane: 'thumbnail', reason: 'budget' }),
    reported,
    'and so does the metric',
  );
  await box.close();
});

t.test('drops behind a cut link collapse into one range; a report once handed out never changes', async (t) => {
  const dir = tempDir(t);
  const box = await Outbox.open(options(dir, { diskBudgetBytes: 20 * 1024 }));
  t.teardown(() => box.close());
  for (let i = 0; i < 40; i++) await box.append(thumb(4, `t${i}`)); // one eviction per write
  const first = box.pendingDropReports();
  t.equal(first.length, 1, 'one report for the whole outage');
  t.same(
    first[0]!.ranges.map((r) => [r.firstSeq, r.lastSeq, r.reason]),
    [[1, 36, 'budget']],
    'with one range',
  );
  const sealed = JSON.stringify(first[0]);
  for (let i = 0; i < 5; i++) await box.append(thumb(4, `u${i}`));
  const second = box.pendingDropReports();
  t.equal(JSON.stringify(second[0]), sealed, 'the report handed out is unchanged');
  t.same(
    second
      .slice(1)
      .flatMap((r) => r.ranges)
      .map((r) => [r.firstSeq, r.lastSeq]),
    [[37, 41]],
    'later drops go into a new report',
  );
});

t.test('records in flight are not evicted: their ack settles them', async (t) => {
  const dir = tempDir(t);
  const box = await Outbox.open(options(dir, { diskBudgetBytes: 40 * 1024 }));
  t.teardown(() => box.close());
  for (let i = 0; i < 8; i++) await box.append(thumb(4, `t${i}`));
  const sent = await box.nextBatch({ maxRecords: 3, maxBytes: 1e6 });
  t.same(
    sent.map((r) => r.seq),
    [1, 2, 3],
  );
  for (let i = 0; i < 8; i++) await box.append(thumb(4, `n${i}`));
  const reports = box.pendingDropReports().flatMap((r) => r.ranges);
  const dropped = reports.flatMap((r) => Array.from({ length: r.lastSeq - r.firstSeq + 1 }, (_, k) => r.firstSeq + k));
  t.notOk(
    dropped.some((s) => s <= 3),
    `in-flight thumbnails 1–3 were not evicted (evicted: ${dropped.join(',')})`,
  );
  t.same(dropped.slice(0, 2), [4, 5], 'the oldest unsent ones went first');
  const inFlightBytes = 3 * 4200;
  t.ok(box.stats().bytes <= 40 * 1024 + inFlightBytes, 'the budget is exceeded by at most the in-flight bytes');
  t.ok(box.stats().bytes > 40 * 1024, 'and is, while they are in flight');
  await box.acknowledge([{ lane: 'thumbnail', seq: 3 }]);
  await box.append(thumb(4, 'after'));
  t.ok(box.stats().bytes <= 40 * 1024, 'once acknowledged the budget holds again');
});

t.test('in-flight protection survives a restart (sent but unsettled records may be at the coordinator)', async (t) => {
  const dir = tempDir(t);
  const box = await Outbox.open(options(dir, { diskBudgetBytes: 40 * 1024 }));
  for (let i = 0; i < 8; i++) await box.append(thumb(4));
  await box.nextBatch({ maxRecords: 2, maxBytes: 1e6 });
  await box.close();
  const again = await Outbox.open(options(dir, { diskBudgetBytes: 40 * 1024 }));
  t.teardown(() => again.close());
  for (let i = 0; i < 3; i++) await again.append(thumb(4));
  const dropped = again
    .pendingDropReports()
    .flatMap((r) => r.ranges)
    .map((r) => [r.firstSeq, r.lastSeq]);
  t.notOk(
    dropped.some(([first]) => first! <= 2),
    `records 1–2 kept (dropped: ${JSON.stringify(dropped)})`,
  );
});

t.test('TTL drops old records on the agent clock and reports them; in-flight ones wait', async (t) => {
  const dir = tempDir(t);
  let agent = 1000;
  const box = await Outbox.open(options(dir, { agentNow: () => agent, ttlMs: { alarm: DAY, event: DAY, telemetry: 5000, thumbnail: DAY } }));
  t.teardown(() => box.close());
  await box.append(telemetry(1));
  await box.append(telemetry(2));
  await box.append(telemetry(3));
  await box.nextBatch({ maxRecords: 1, maxBytes: 1e6 });
  agent += 3000;
  await box.append(telemetry(4));
  agent += 3000;
  t.equal(await box.sweepExpired(), 2, 'records 2 and 3 expired; 1 is in flight');
  t.same(
    box
      .pendingDropReports()
      .at(-1)!
      .ranges.map((r) => [r.firstSeq, r.lastSeq, r.reason]),
    [[2, 3, 'ttl']],
  );
  t.equal(lane(box, 'telemetry').records, 2);
  await box.rewind();
  await box.acknowledge([{ lane: 'telemetry', seq: 0 }]);
  t.equal(await box.sweepExpired(), 0, 'still unsettled after a reconnect: may be at the coordinator');
});

t.test('complete-before follows the earliest unsettled edge time, not the head', async (t) => {
  const dir = tempDir(t);
  let wall = 1_000_000;
  const box = await Outbox.open(options(dir, { wallNow: () => wall, productionLagMs: 2000 }));
  t.teardown(() => box.close());
  t.equal(lane(box, 'telemetry').completeBeforeMs, wall - 2000, 'an empty lane is complete up to now minus the production lag');
  await box.append(telemetry(1, 900_000));
  await box.append(telemetry(2, 800_000)); // clock stepped back, or a window stamped with its end
  await box.append(telemetry(3, 950_000));
  t.equal(lane(box, 'telemetry').completeBeforeMs, 800_000, 'the earliest record counts even when it is not the head');
  await box.acknowledge([{ lane: 'telemetry', seq: 2 }]);
  wall += 1000;
  t.ok(lane(box, 'telemetry').completeBeforeMs <= 950_000, 'record 3 still pending');
  await box.acknowledge([{ lane: 'telemetry', seq: 3 }]);
  t.equal(lane(box, 'telemetry').completeBeforeMs, wall - 2000);
  t.equal(lane(box, 'alarm').completeBeforeMs, wall - 2000, 'other lanes are independent');
});

t.test('complete-before waits for the coordinator to acknowledge a drop report', async (t) => {
  const dir = tempDir(t);
  const wall = 5_000_000;
  const box = await Outbox.open(options(dir, { wallNow: () => wall, diskBudgetBytes: 12 * 1024, productionLagMs: 0 }));
  t.teardown(() => box.close());
  for (let i = 0; i < 4; i++) await box.append({ ...thumb(4), edgeTimeMs: 4_000_000 + i });
  const thumbs = lane(box, 'thumbnail');
  t.ok(thumbs.dropped.budget >= 1);
  t.equal(thumbs.completeBeforeMs, 4_000_000, 'the evicted record is not settled until the coordinator has the report');
  const all = thumbs.nextSeq - 1;
  await box.acknowledge([{ lane: 'thumbnail', seq: all }]);
  t.equal(box.pendingDropReports().length, 0, 'report settled by the ack');
  t.equal(lane(box, 'thumbnail').completeBeforeMs, wall);
});

t.test('complete-before through a dead letter and its resend', async (t) => {
  const dir = tempDir(t);
  const wall = 9_000_000;
  const box = await Outbox.open(options(dir, { wallNow: () => wall, maxRejections: 1, productionLagMs: 0 }));
  t.teardown(() => box.close());
  await box.append({ ...alarm('poison'), edgeTimeMs: 7_000_000 });
  await box.append({ ...alarm('fine'), edgeTimeMs: 8_000_000 });
  await box.nextBatch({ maxRecords: 10, maxBytes: 1e6 });
  t.equal(await box.reject('alarm', 1, 'VALIDATION', 'bad'), 'dead_lettered');
  t.equal(lane(box, 'alarm').completeBeforeMs, 7_000_000, 'the dead letter is unsettled until the coordinator has its drop report');
  await box.acknowledge([{ lane: 'alarm', seq: 2 }]);
  t.equal(lane(box, 'alarm').completeBeforeMs, wall, 'counted as dropped and acknowledged: the lane is complete');
  await box.resendDeadLetter('alarm', 1);
  t.equal(lane(box, 'alarm').completeBeforeMs, 7_000_000, 'the resent record keeps its time, and the lane waits for it again');
});

t.test('a record rejected max times is dead-lettered and can be resent once', async (t) => {
  const dir = tempDir(t);
  const box = await Outbox.open(options(dir, { maxRejections: 2 }));
  await box.append(alarm('poison'));
  await box.append(alarm('fine'));
  t.equal(await box.reject('alarm', 1, 'VALIDATION', 'bad'), 'retry');
  t.equal(await box.reject('alarm', 1, 'VALIDATION', 'bad'), 'dead_lettered');
  const letters = await box.listDeadLetters();
  t.same(
    letters.map((l) => [l.lane, l.seq, l.kind, l.rejections, l.code]),
    [['alarm', 1, 'alarm', 2, 'VALIDATION']],
  );
  t.same(
    box
      .pendingDropReports()
      .at(-1)!
      .ranges.map((r) => [r.firstSeq, r.reason]),
    [[1, 'dead_letter']],
  );
  const [first, second] = await Promise.allSettled([box.resendDeadLetter('alarm', 1), box.resendDeadLetter('alarm', 1)]);
  t.equal(first.status, 'fulfilled');
  t.equal((second as PromiseRejectedResult).reason.code, 'CONFLICT', 'a second resend of the same letter is refused');
  t.equal((first as PromiseFulfilledResult<{ seq: number }>).value.seq, 3);
  t.same(await box.listDeadLetters(), []);
  await t.rejects(box.resendDeadLetter('alarm', 1), { code: 'NOT_FOUND' });
  t.equal(box.stats().deadLetters, 0);
  const batch = await box.nextBatch({ maxRecords: 10, maxBytes: 1e6 });
  t.same(
    batch.map((b) => decodeRecord(b.record).alarm?.alarm_id),
    ['fine', 'poison'],
    'the resent record keeps its content',
  );
  await box.close();
});

t.test('coordinator acked beyond the outbox: sequence numbers jump, never reused', async (t) => {
  const dir = tempDir(t);
  const box = await Outbox.open(options(dir));
  await box.reconcile([{ lane: 'telemetry', seq: 500 }]);
  const r = await box.append(telemetry(1));
  t.equal(r.seq, 501);
  await box.close();
});

t.test('a coordinator that lost data gets the gap reported as lost, and the report survives until it acks past it', async (t) => {
  const dir = tempDir(t);
  const box = await Outbox.open(options(dir));
  t.teardown(() => box.close());
  for (let i = 0; i < 10; i++) await box.append(telemetry(i));
  await box.acknowledge([{ lane: 'telemetry', seq: 10 }]);
  t.equal(box.pendingDropReports().length, 0);
  await box.reconcile([{ lane: 'telemetry', seq: 6 }]); // restored from an older backup
  const lost = box.pendingDropReports().flatMap((r) => r.ranges);
  t.same(
    lost.map((r) => [r.firstSeq, r.lastSeq, r.reason]),
    [[7, 10, 'lost']],
    'the lost range is reported',
  );
  await box.acknowledge([{ lane: 'telemetry', seq: 6 }]);
  t.equal(box.pendingDropReports().length, 1, 'still pending: the coordinator has not passed it');
  await box.acknowledge([{ lane: 'telemetry', seq: 10 }]);
  t.equal(box.pendingDropReports().length, 0, 'settled once the coordinator acknowledges past it');
  t.equal(lane(box, 'telemetry').dropped.lost, 4);
});

t.test('a lost outbox database restarts above the reserved floor; the coordinator learns the gap', async (t) => {
  const dir = tempDir(t);
  const box = await Outbox.open(options(dir));
  for (let i = 0; i < 5; i++) await box.append(telemetry(i));
  await box.close();
  rmSync(join(dir, 'outbox'), { recursive: true }); // as a quarantine does
  const fresh = await Outbox.open(options(dir));
  t.teardown(() => fresh.close());
  const r = await fresh.append(telemetry(99));
  t.ok(r.seq > 5, `new records start above the old ones (seq ${r.seq})`);
  await fresh.reconcile([{ lane: 'telemetry', seq: 3 }]);
  const lost = fresh
    .pendingDropReports()
    .flatMap((x) => x.ranges)
    .filter((x) => x.reason === 'lost');
  t.equal(lost[0]?.firstSeq, 4, 'what the coordinator lacks is reported lost');
  t.equal(lost.at(-1)?.lastSeq, r.seq - 1, 'up to the first new record');
  const batch = await fresh.nextBatch({ maxRecords: 10, maxBytes: 1e6 });
  t.same(
    batch.map((b) => b.seq),
    [r.seq],
  );
});

t.test('garbage appended to the LevelDB log is detected, counted and skipped', async (t) => {
  const dir = tempDir(t);
  const box = await Outbox.open(options(dir));
  for (let i = 0; i < 20; i++) await box.append(telemetry(i));
  await box.close();
  const logs = readdirSync(join(dir, 'outbox')).filter((n) => n.endsWith('.log'));
  appendFileSync(join(dir, 'outbox', logs.at(-1)!), Buffer.from('\x00\x13garbage after a torn write'.repeat(20)));
  const metrics = createEdgeMetrics();
  const again = await Outbox.open(options(dir, { metrics }));
  t.teardown(() => again.close());
  t.ok(again.recovery.walTailBytes >= 500, `torn tail of ${again.recovery.walTailBytes} bytes reported`);
  t.equal(lane(again, 'telemetry').records, 20, 'every durable record is still there');
  t.ok(sumMetric(await metrics.registry.metrics(), 'ioc_edge_outbox_recovered_total', { what: 'wal_tail_bytes' }) >= 500, 'and counted in a metric');
  t.equal((await again.append(telemetry(20))).seq, 21, 'appends carry on');
});

t.test('a flipped byte in a stored record is caught by its checksum: counted, reported, skipped', async (t) => {
  const dir = tempDir(t);
  const box = await Outbox.open(options(dir));
  for (let i = 0; i < 6; i++) {
    // Random image bytes do not compress, so the table file holds them as they are.
    const data = randomBytes(400);
    data.write(`MARK-${i}-`, 100);
    await box.append({ kind: 'thumbnail', body: { thumbnail: { event_id: `ev${i}`, data } } });
  }
  await box.close();
  // Move everything into a table file (LevelDB checks table blocks only when asked to), then flip
  // one byte inside record 3's image.
  const db = new ClassicLevel(join(dir, 'outbox'));
  await db.open();
  await db.compactRange('\x00', '\xff');
  await db.close();
  const table = readdirSync(join(dir, 'outbox')).find((n) => n.endsWith('.ldb'))!;
  const file = join(dir, 'outbox', table);
  const bytes = readFileSync(file);
  const at = bytes.indexOf('MARK-3-');
  t.ok(at > 0, 'record found in the table file');
  bytes.writeUInt8(bytes.readUInt8(at + 2) ^ 0x20, at + 2);
  writeFileSync(file, bytes);
  const metrics = createEdgeMetrics();
  const again = await Outbox.open(options(dir, { metrics }));
  t.teardown(() => again.close());
  t.equal(again.recovery.corruptRecords, 1);
  t.same(
    again
      .pendingDropReports()
      .flatMap((r) => r.ranges)
      .map((r) => [r.lane, r.firstSeq, r.lastSeq, r.reason]),
    [['thumbnail', 4, 4, 'corrupt']],
  );
  t.equal(sumMetric(await metrics.registry.metrics(), 'ioc_edge_outbox_dropped_total', { reason: 'corrupt' }), 1);
  const batch = await again.nextBatch({ maxRecords: 10, maxBytes: 1e6 });
  t.same(
    batch.map((b) => b.seq),
    [1, 2, 3, 5, 6],
    'the others are sent',
  );
});
