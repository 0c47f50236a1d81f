import t from 'tap';
import { join } from 'node:path';
import { ClassicLevel } from 'classic-level';
import { Outbox, type OutboxOptions } from '../../../edge/outbox/outbox.js';
import { recordKey } from '../../../edge/outbox/keys.js';
import { createEdgeMetrics } from '../../../edge/metrics.js';
import type { DropReason } from '../../../edge/outbox/types.js';
import { sumMetric } from '../../support/system.js';
import { tempDir } from '../../support/tmp.js';

const DAY = 86_400_000;
const REASONS: DropReason[] = ['budget', 'ttl', 'dead_letter', 'corrupt', 'lost'];

const telemetry = (i: number) => ({
  kind: 'telemetry' as const,
  body: { telemetry: { sensor_id: 's1', metric: 'level', count: 1, min: i, max: i, mean: i, last: i } },
});
const alarm = (id: string) => ({ kind: 'alarm' as const, body: { alarm: { alarm_id: id, state: 'raised' } } });
const event = (id: string) => ({ kind: 'camera_event' as const, body: { camera_event: { event_id: id, camera_id: 'c1' } } });
const thumb = (id: string) => ({ kind: 'thumbnail' as const, body: { thumbnail: { event_id: id, data: Buffer.alloc(4096, 7) } } });

/** Per reason: the lanes' counters, the ranges of the pending drop reports, and the metric. */
async function tally(box: Outbox, metrics: ReturnType<typeof createEdgeMetrics>) {
  const text = await metrics.registry.metrics();
  const ranges = box.pendingDropReports().flatMap((r) => r.ranges);
  return Object.fromEntries(
    REASONS.map((reason) => [
      reason,
      {
        counted: box.stats().lanes.reduce((n, l) => n + l.dropped[reason], 0),
        reported: ranges.filter((r) => r.reason === reason).reduce((n, r) => n + r.lastSeq - r.firstSeq + 1, 0),
        metric: sumMetric(text, 'ioc_edge_outbox_dropped_total', { reason }),
      },
    ]),
  );
}

t.test('every drop path counts the same in lane counters, drop reports and metrics', async (t) => {
  const dir = tempDir(t);
  const metrics = createEdgeMetrics();
  let agent = 1000;
  const options: OutboxOptions = {
    dir: join(dir, 'outbox'),
    diskBudgetBytes: 40 * 1024,
    minFreeDiskBytes: 0,
    metrics,
    maxRejections: 1,
    agentNow: () => agent,
    ttlMs: { alarm: DAY, event: DAY, telemetry: 5000, thumbnail: DAY },
  };
  const box = await Outbox.open(options);
  for (let i = 0; i < 20; i++) await box.append(thumb(`t${i}`)); // budget
  for (let i = 0; i < 3; i++) await box.append(telemetry(i));
  agent += 6000;
  t.equal(await box.sweepExpired(), 3, 'ttl');
  await box.append(telemetry(3)); // telemetry seq 4, damaged below
  await box.append(alarm('poison'));
  t.equal(await box.reject('alarm', 1, 'VALIDATION', 'bad'), 'dead_lettered');
  for (let i = 0; i < 3; i++) await box.append(event(`e${i}`));
  await box.acknowledge([{ lane: 'event', seq: 3 }]);
  await box.reconcile([{ lane: 'event', seq: 1 }]); // lost: 2–3
  await box.close();

  const db = new ClassicLevel<string, Uint8Array>(options.dir, { keyEncoding: 'utf8', valueEncoding: 'view' });
  await db.open();
  t.ok(await db.get(recordKey('telemetry', 4)), 'the record to damage is stored');
  await db.put(recordKey('telemetry', 4), Buffer.from('not a record'));
  await db.close();

  const again = await Outbox.open(options);
  t.teardown(() => again.close());
  const counts = await tally(again, metrics);
  t.ok(counts.budget!.counted > 0, 'thumbnails were evicted');
  t.same(
    { ttl: counts.ttl!.counted, dead_letter: counts.dead_letter!.counted, corrupt: counts.corrupt!.counted, lost: counts.lost!.counted },
    { ttl: 3, dead_letter: 1, corrupt: 1, lost: 2 },
  );
  for (const reason of REASONS) {
    const c = counts[reason]!;
    t.equal(c.reported, c.counted, `${reason}: drop reports cover every drop`);
    t.equal(c.metric, c.counted, `${reason}: and so does the metric`);
  }
});
