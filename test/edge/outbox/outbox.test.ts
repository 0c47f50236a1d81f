import t from 'tap';
import { join } from 'node:path';
import { Outbox, type OutboxOptions } from '../../../edge/outbox/outbox.js';
import { decodeRecord } from '../../../common/proto.js';
import { tempDir } from '../../support/tmp.js';

const DAY = 86_400_000;

function options(dir: string, over: Partial<OutboxOptions> = {}): OutboxOptions {
  return {
    dir: join(dir, 'outbox'),
    diskBudgetBytes: 10 * 1024 * 1024,
    ttlMs: { alarm: DAY, event: DAY, telemetry: DAY, thumbnail: DAY },
    agentNow: () => 0,
    ...over,
  };
}

const telemetry = (i: number) => ({
  kind: 'telemetry' as const,
  body: { telemetry: { sensor_id: 's1', metric: 'level', count: 1, min: i, max: i, mean: i, last: i } },
});
const alarm = (id: string) => ({ kind: 'alarm' as const, body: { alarm: { alarm_id: id, state: 'raised' } } });
const thumb = (kb: number) => ({ kind: 'thumbnail' as const, body: { thumbnail: { event_id: 'e', data: Buffer.alloc(kb * 1024, 7) } } });

t.test('append is durable and sequence numbers are per lane and survive reopen', async (t) => {
  const dir = tempDir(t);
  const box = await Outbox.open(options(dir));
  const results = await Promise.all([telemetry(1), alarm('a1'), telemetry(2)].map((r) => box.append(r)));
  t.same(results.map((r) => [r.lane, r.seq]), [['telemetry', 1], ['alarm', 1], ['telemetry', 2]]);
  await box.close();
  const again = await Outbox.open(options(dir));
  t.equal(again.recovery.uncleanShutdown, false);
  const r = await again.append(telemetry(3));
  t.same([r.lane, r.seq], ['telemetry', 3]);
  t.equal(again.stats().records, 4);
  await again.close();
});

t.test('batches drain the highest lane first and acks remove records', async (t) => {
  const dir = tempDir(t);
  const box = await Outbox.open(options(dir));
  for (let i = 0; i < 5; i++) await box.append(thumb(1));
  for (let i = 0; i < 5; i++) await box.append(telemetry(i));
  await box.append(alarm('x'));
  const batch = await box.nextBatch({ maxRecords: 3, maxBytes: 1e6 });
  t.same(batch.map((b) => b.lane), ['alarm', 'telemetry', 'telemetry']);
  t.equal(decodeRecord(batch[0]!.record).alarm?.alarm_id, 'x');
  const next = await box.nextBatch({ maxRecords: 100, maxBytes: 1e6 });
  t.same(next.map((b) => `${b.lane}${b.seq}`), ['telemetry3', 'telemetry4', 'telemetry5', 'thumbnail1', 'thumbnail2', 'thumbnail3', 'thumbnail4', 'thumbnail5']);
  await box.acknowledge([{ lane: 'alarm', seq: 1 }, { lane: 'telemetry', seq: 5 }]);
  t.equal(box.stats().records, 5);
  box.rewind();
  const resent = await box.nextBatch({ maxRecords: 100, maxBytes: 1e6 });
  t.same(resent.map((b) => b.lane), Array(5).fill('thumbnail'), 'only unacked records are resent after rewind');
  await box.close();
});

t.test('disk budget evicts thumbnails first and alarms still get in', async (t) => {
  const dir = tempDir(t);
  const box = await Outbox.open(options(dir, { diskBudgetBytes: 64 * 1024 }));
  for (let i = 0; i < 20; i++) await box.append(thumb(4));
  const before = box.stats();
  t.ok(before.bytes <= 64 * 1024, 'budget holds');
  t.ok(before.lanes.find((l) => l.lane === 'thumbnail')!.dropped.budget > 0, 'thumbnails were evicted');
  for (let i = 0; i < 50; i++) {
    const r = await box.append(alarm(`a${i}`));
    t.notOk(r.dropped, `alarm ${i} kept`);
  }
  const s = box.stats();
  const lane = (n: string) => s.lanes.find((l) => l.lane === n)!;
  t.equal(lane('alarm').records, 50);
  t.equal(lane('thumbnail').records + lane('thumbnail').dropped.budget, 20, 'every thumbnail is stored or counted');
  const reports = box.pendingDropReports();
  const reported = reports.flatMap((r) => r.ranges).filter((r) => r.lane === 'thumbnail').reduce((n, r) => n + r.lastSeq - r.firstSeq + 1, 0);
  t.equal(reported, lane('thumbnail').dropped.budget, 'drop reports cover every eviction');
  await box.close();
});

t.test('TTL drops old records on the agent clock and reports them', async (t) => {
  const dir = tempDir(t);
  let agent = 1000;
  const box = await Outbox.open(options(dir, { agentNow: () => agent, ttlMs: { alarm: DAY, event: DAY, telemetry: 5000, thumbnail: DAY } }));
  await box.append(telemetry(1));
  await box.append(telemetry(2));
  agent += 3000;
  await box.append(telemetry(3));
  agent += 3000;
  t.equal(await box.sweepExpired(), 2);
  t.equal(box.stats().lanes.find((l) => l.lane === 'telemetry')!.records, 1);
  t.same(box.pendingDropReports().at(-1)!.ranges.map((r) => [r.firstSeq, r.lastSeq, r.reason]), [[1, 2, 'ttl']]);
  await box.close();
});

t.test('a record rejected max times is dead-lettered and can be resent', async (t) => {
  const dir = tempDir(t);
  const box = await Outbox.open(options(dir, { maxRejections: 2 }));
  await box.append(alarm('poison'));
  await box.append(alarm('fine'));
  t.equal(await box.reject('alarm', 1, 'VALIDATION', 'bad'), 'retry');
  t.equal(await box.reject('alarm', 1, 'VALIDATION', 'bad'), 'dead_lettered');
  const letters = await box.listDeadLetters();
  t.same(letters.map((l) => [l.lane, l.seq, l.kind, l.rejections]), [['alarm', 1, 'alarm', 2]]);
  const resent = await box.resendDeadLetter('alarm', 1);
  t.equal(resent.seq, 3);
  t.same(await box.listDeadLetters(), []);
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
