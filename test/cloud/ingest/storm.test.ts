// A reconnect storm against a coordinator with a tight write budget (one batch at a time): 20
// real EdgeLink clients come back at once, four with two hours of backlog each, the others with a
// minute. Every box drains; the writes go in turns, so a box with a minute of backlog is not kept
// waiting behind the big backlogs (each big box gets at most one batch per turn); a big box
// losing its stream mid-drain resends what was unacknowledged and nothing is stored twice.
import t from 'tap';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { FleetBox, type BoxSink } from '../../../bench/support/fleet-box.js';
import { EdgeLinkServer } from '../../../cloud/ingest/edgelink-server.js';
import { Presence } from '../../../cloud/ingest/presence.js';
import { createCoordinatorMetrics } from '../../../cloud/metrics.js';
import { LevelStore } from '../../../cloud/store/level/level-store.js';
import { hashToken } from '../../../common/secrets.js';
import { tempDir } from '../../support/tmp.js';
import { waitFor } from '../../support/wait.js';

const BOXES = 20;
const BIG = 4;
const BIG_BACKLOG_MINUTES = 120;

const counterTotal = async (metric: { get(): Promise<{ values: { value: number }[] }> }) => (await metric.get()).values.reduce((n, v) => n + v.value, 0);

t.test('a reconnect storm drains every box in fair turns, each record stored once', async (t) => {
  const store = new LevelStore(join(tempDir(t), 'store'));
  await store.open();
  const metrics = createCoordinatorMetrics();
  /** The order batches were written in (one at a time under this budget): device ids. */
  const served: string[] = [];
  const server = new EdgeLinkServer({
    host: '127.0.0.1',
    port: 0,
    store,
    presence: new Presence(30_000, metrics),
    metrics,
    maxBatchBytes: 8 << 20,
    maxBatchRecords: 20_000,
    ingestBudget: { batches: 1, bytes: 128 * 1024 },
    hooks: { onStored: (deviceId) => served.push(deviceId) },
  });
  const port = await server.start();
  const sink: BoxSink = { acked: () => undefined, refused: (id, reason) => t.fail(`${id} refused: ${reason}`) };
  const thumbnail = randomBytes(6 * 1024);
  const boxes: FleetBox[] = [];
  for (let i = 0; i < BOXES; i++) {
    const identity = { deviceId: `storm-${String(i).padStart(2, '0')}`, token: `storm-token-${i}-0123456789abcdef`, site: 'muong-nhe' };
    await store.putDevice({ id: identity.deviceId, site: identity.site, tokenSha256: hashToken(identity.token), revoked: false, createdAtMs: Date.now() });
    const box = new FleetBox(identity, `127.0.0.1:${port}`, thumbnail, sink, (i * 997) % 60_000);
    box.addBacklog(i < BIG ? BIG_BACKLOG_MINUTES : 1);
    boxes.push(box);
  }
  t.teardown(async () => {
    for (const box of boxes) box.close();
    await server.stop();
    await store.close();
  });
  const big = boxes.slice(0, BIG);
  const small = boxes.slice(BIG);

  const started = performance.now();
  await Promise.all(boxes.map((box) => box.reconnectAndDrain()));
  // One big box loses its stream mid-drain: what was in flight is sent again on the new stream.
  await waitFor('the first big box half served', () => served.filter((id) => id === big[0]!.identity.deviceId).length >= 3, {
    timeoutMs: 20_000,
    intervalMs: 5,
  });
  big[0]!.disconnect();
  await big[0]!.reconnectAndDrain();
  await waitFor('every box drained', () => boxes.every((b) => b.drainedMs > 0), { timeoutMs: 25_000, intervalMs: 50 });
  t.comment(`drained in ${Math.round(performance.now() - started)} ms; ${served.length} batches written`);

  // Fair turns: before a small box's last batch was written, no big box had more than one batch
  // written per batch of the small box (plus the one that may have been under way as it came in).
  for (const box of small) {
    const id = box.identity.deviceId;
    const last = served.lastIndexOf(id);
    const own = served.filter((s) => s === id).length;
    t.ok(own > 0 && own <= 3, `${id}: its minute is ${own} batches, one per lane`);
    for (const b of big) {
      const before = served.slice(0, last).filter((s) => s === b.identity.deviceId).length;
      t.ok(before <= own + 1, `${id} (${own} batches) waited for ${before} of ${b.identity.deviceId}'s`);
    }
  }
  const smallDone = Math.max(...small.map((b) => b.drainedMs));
  t.ok(
    big.slice(1).every((b) => b.drainedMs >= smallDone),
    'the minute-long backlogs are all drained before any two-hour one',
  );
  t.equal(server.port, port);

  // Exactly once: each lane's acknowledged position covers every record made, and the counter of
  // stored records equals what the boxes produced (drops are positions, not records).
  for (const box of boxes) {
    const positions = (await store.laneStates(box.identity.deviceId)).reduce((n, l) => n + l.contiguousSeq, 0);
    t.equal(positions, box.produced + box.dropped, `${box.identity.deviceId}: every position acknowledged`);
    t.equal(box.backlogRecords(), 0);
  }
  const produced = boxes.reduce((n, b) => n + b.produced, 0);
  t.equal(await counterTotal(metrics.ingestRecords), produced, `${produced} records stored, none twice`);
  t.comment(`${await counterTotal(metrics.ingestDuplicates)} records received again after the cut, acknowledged without storing`);
  t.same(
    { waiting: (await metrics.ingestQueueBatches.get()).values[0]?.value, running: (await metrics.ingestInflightBatches.get()).values[0]?.value },
    { waiting: 0, running: 0 },
    'the queue is empty and the budget returned',
  );
});
