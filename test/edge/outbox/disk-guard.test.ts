// A real full disk: a small tmpfs (needs root to mount; skipped otherwise). The outbox must keep
// alarms flowing when the disk, not the budget, runs short, and survive ENOSPC itself: refuse
// writes without crashing, then reopen and carry on once space is back, losing nothing durable.
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Outbox } from '../../../edge/outbox/outbox.js';
import { createEdgeMetrics } from '../../../edge/metrics.js';
import { decodeRecord } from '../../../common/proto.js';
import { sumMetric } from '../../support/system.js';
import { tempDir } from '../../support/tmp.js';
import { waitFor } from '../../support/wait.js';

const DAY = 86_400_000;
const MB = 1024 * 1024;

function mountTmpfs(t: { teardown(fn: () => unknown): void }, sizeMb: number): string | undefined {
  const dir = join(tempDir(t), 'disk');
  mkdirSync(dir);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m`, 'tmpfs', dir], { stdio: 'ignore' });
  } catch {
    return undefined;
  }
  t.teardown(() => execFileSync('umount', ['-l', dir], { stdio: 'ignore' }));
  return dir;
}

const thumb = (i: number) => ({ kind: 'thumbnail' as const, body: { thumbnail: { event_id: `t${i}`, data: Buffer.alloc(16 * 1024, i % 256) } } });
const alarm = (i: number) => ({ kind: 'alarm' as const, body: { alarm: { alarm_id: `a${i}`, state: 'raised' } } });

t.test('when the disk is shorter than the budget, thumbnails make room and alarms get in', async (t) => {
  const disk = mountTmpfs(t, 16);
  if (!disk) return t.skip('cannot mount a tmpfs here (needs root)', () => undefined);
  writeFileSync(join(disk, 'camera-clips.bin'), Buffer.alloc(8 * MB)); // the rest of the box's data
  const box = await Outbox.open({
    dir: join(disk, 'outbox'),
    diskBudgetBytes: 512 * MB,
    minFreeDiskBytes: 3 * MB,
    ttlMs: { alarm: DAY, event: DAY, telemetry: DAY, thumbnail: DAY },
    agentNow: () => 0,
  });
  t.teardown(() => box.close());
  const budget = box.stats().effectiveBudgetBytes;
  t.ok(budget < 6 * MB, `budget in force ${(budget / MB).toFixed(1)} MB, not the configured 512 MB`);
  for (let i = 0; i < 400; i++) await box.append(thumb(i)); // 6.4 MB of thumbnails
  for (let i = 0; i < 100; i++) t.notOk((await box.append(alarm(i))).dropped, `alarm ${i} stored`);
  const s = box.stats();
  const lane = (n: string) => s.lanes.find((l) => l.lane === n)!;
  t.equal(lane('alarm').records, 100);
  t.ok(lane('thumbnail').dropped.budget > 0, `${lane('thumbnail').dropped.budget} thumbnails evicted`);
  t.equal(lane('thumbnail').records + lane('thumbnail').dropped.budget, 400, 'every thumbnail stored or counted');
  t.equal(s.writeErrors, 0, 'the disk never filled');
});

t.test('ENOSPC: writes are refused, nothing crashes, and the outbox carries on once space is back', async (t) => {
  const disk = mountTmpfs(t, 8);
  if (!disk) return t.skip('cannot mount a tmpfs here (needs root)', () => undefined);
  const metrics = createEdgeMetrics();
  const box = await Outbox.open({
    dir: join(disk, 'outbox'),
    diskBudgetBytes: 512 * MB,
    minFreeDiskBytes: 0,
    metrics,
    ttlMs: { alarm: DAY, event: DAY, telemetry: DAY, thumbnail: DAY },
    agentNow: () => 0,
  });
  t.teardown(() => box.close());
  for (let i = 0; i < 20; i++) await box.append(alarm(i));
  // Something else fills the disk to the last byte.
  const filler = join(disk, 'filler');
  try {
    writeFileSync(filler, Buffer.alloc(8 * MB));
  } catch {
    // ENOSPC part-way: the file holds all it could
  }
  let failures = 0;
  for (let i = 0; i < 50; i++) {
    await box.append(thumb(i)).catch((err: { code?: string }) => {
      failures++;
      t.equal(err.code, 'STORAGE', 'a typed storage error, not a crash');
    });
  }
  t.ok(failures > 0, `${failures} appends refused on a full disk`);
  t.equal(box.stats().stalled, true, 'the outbox reports itself stalled');
  t.ok(sumMetric(await metrics.registry.metrics(), 'ioc_edge_outbox_write_errors_total') >= 1, 'write errors counted');
  t.equal(sumMetric(await metrics.registry.metrics(), 'ioc_edge_outbox_stalled'), 1);
  await t.rejects(box.append(alarm(99)), { code: 'STORAGE' }, 'further appends fail fast while stalled');

  rmSync(filler);
  await waitFor('the outbox to reopen', () => !box.stats().stalled, { timeoutMs: 20_000 });
  const r = await box.append(alarm(100));
  t.notOk(r.dropped, 'appends work again');
  const sent = [];
  for (;;) {
    const batch = await box.nextBatch({ maxRecords: 1000, maxBytes: 64 * MB });
    if (batch.length === 0) break;
    sent.push(...batch);
  }
  const alarms = sent.filter((b) => b.lane === 'alarm').map((b) => decodeRecord(b.record).alarm!.alarm_id);
  for (let i = 0; i < 20; i++) t.ok(alarms.includes(`a${i}`), `durable alarm a${i} survived`);
  t.ok(alarms.includes('a100'), 'the new alarm is there');
  t.equal(new Set(sent.map((b) => `${b.lane}:${b.seq}`)).size, sent.length, 'no sequence number used twice');
  t.equal(sumMetric(await metrics.registry.metrics(), 'ioc_edge_outbox_recovered_total', { what: 'reopened' }), 1);
});
