// The conformance suite of CoordinatorStore: every implementation (level, PostgreSQL) runs it.
// Assertions are on what the coordinator and the API rely on: ingest is idempotent, acks only
// cover what is durable or reported dropped, camera events are one row per lifecycle (per device:
// one device never overwrites another's rows or thumbnails), pages
// neither repeat nor miss rows, series arithmetic is exact.
import type t from 'tap';
import type { CoordinatorStore } from '../../../cloud/store/contract/store.js';
import { cameraRowId, type EventQuery, type EventRow, type IngestItem } from '../../../cloud/store/contract/types.js';
import { matchesQuery } from '../../../cloud/store/event-filter.js';
import { SEVERITIES } from '../../../common/config/primitives.js';
import { IocError } from '../../../common/errors.js';
import { alarmItem, cameraItem, device, dropRange, eventRow, newestFirst, seriesItem, T0, thumbnailItem } from './fixtures.js';
import { seededRandom } from '../../../common/seeded-random.js';

export type TapTest = Parameters<Parameters<typeof t.test>[0]>[0];
/** A fresh, opened, empty store; the factory registers its own teardown. */
export type StoreFactory = (t: TapTest) => Promise<CoordinatorStore>;

const laneState = async (store: CoordinatorStore, deviceId: string, lane: string) => (await store.laneStates(deviceId)).find((s) => s.lane === lane)!;

async function allPages(store: CoordinatorStore, q: Omit<EventQuery, 'cursor'>): Promise<EventRow[]> {
  const out: EventRow[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 10_000; page++) {
    const res = await store.queryEvents({ ...q, cursor });
    out.push(...res.items);
    if (res.items.length > q.limit) throw new Error(`page of ${res.items.length} > limit ${q.limit}`);
    if (!res.nextCursor) return out;
    cursor = res.nextCursor;
  }
  throw new Error('pagination did not end');
}

async function errorCode(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'resolved';
  } catch (err) {
    return err instanceof IocError ? err.code : `untyped: ${String(err)}`;
  }
}

/** edge-a's row id of a camera event id. */
const A = (eventId: string) => cameraRowId('edge-a', eventId);

export function runStoreContract(tap: TapTest, makeStore: StoreFactory): void {
  tap.test('listSeries: every stored (device, sensor, metric, window) once', async (t) => {
    const store = await makeStore(t);
    t.same(await store.listSeries(), []);
    await store.ingest('edge-a', [
      seriesItem(1, { startMs: T0, windowS: 60, values: [1] }),
      seriesItem(2, { startMs: T0 + 60_000, windowS: 60, values: [2] }),
      seriesItem(3, { startMs: T0, windowS: 900, values: [1, 2] }),
      seriesItem(4, { startMs: T0, windowS: 60, values: [5], sensorId: 'rain-1', metric: 'rainfall', unit: 'mm' }),
    ]);
    const key = (k: { deviceId: string; sensorId: string; metric: string; windowS: number }) => `${k.deviceId}/${k.sensorId}/${k.metric}/${k.windowS}`;
    t.same((await store.listSeries()).map(key).sort(), ['edge-a/rain-1/rainfall/60', 'edge-a/river-1/level/60', 'edge-a/river-1/level/900']);
  });

  tap.test('record journal: off by default; when on, ingest journals what it stored (thumbnails as metadata) until removed', async (t) => {
    const store = await makeStore(t);
    await store.ingest('edge-a', [alarmItem(1)]);
    t.same(await store.readJournal(10), [], 'nothing journaled while off');
    store.enableJournal();
    await store.ingest('edge-a', [
      alarmItem(1),
      alarmItem(2),
      thumbnailItem('ev-1', 1, new Uint8Array(700)),
      cameraItem({ eventId: 'ev-1', seq: 1, phase: 'new', startedMs: T0, edgeTimeMs: T0 }),
    ]);
    await store.ingest('edge-a', [alarmItem(2)]);
    await store.ingest('edge-a', [alarmItem(3)]);
    const entries = await store.readJournal(10);
    t.equal(entries.length, 2, 'one entry per ingest that stored something');
    const first = entries[0]!.data;
    if (first.type !== 'records') throw new Error('records first');
    t.same(
      first.items.map((i) => `${i.lane}.${i.seq}`),
      ['alarm.2', 'thumbnail.1', 'event.1'],
      'only what this ingest stored (alarm 1 was there before)',
    );
    const thumb = first.items.find((i) => i.thumbnail)!.thumbnail!;
    t.equal(thumb.bytes, 700);
    t.notOk('data' in thumb, 'no image bytes in the journal');
    t.equal(first.items.find((i) => i.lane === 'event')!.event!.hasThumbnail, true, 'camera rows as merged by ingest');
    t.equal(entries[1]!.data.type, 'records');
    t.same(
      (await store.readJournal(1)).map((e) => e.id),
      [entries[0]!.id],
      'oldest first, limited',
    );
    await store.removeJournal([entries[0]!.id]);
    t.same(
      (await store.readJournal(10)).map((e) => e.id),
      [entries[1]!.id],
    );
    await store.removeJournal([entries[1]!.id]);
    t.same(await store.readJournal(10), []);
  });

  tap.test('devices: put, get, list, and status merges only what was reported', async (t) => {
    const store = await makeStore(t);
    t.equal(await store.getDevice('nope'), undefined);
    await store.putDevice(device('edge-b', 'tua-chua', { name: 'Tủa Chùa box' }));
    await store.putDevice(device('edge-a'));
    t.same((await store.listDevices()).map((d) => d.id).sort(), ['edge-a', 'edge-b']);
    t.same(await store.getDevice('edge-b'), device('edge-b', 'tua-chua', { name: 'Tủa Chùa box' }));

    await store.updateDeviceStatus('edge-a', { softwareVersion: '1.2.0', configVersion: 'c7', lastSeenMs: T0 + 5 });
    await store.updateDeviceStatus('edge-a', { lastSeenMs: T0 + 9, configVersion: undefined, clockOffsetMs: -120 });
    const a = await store.getDevice('edge-a');
    t.equal(a?.softwareVersion, '1.2.0');
    t.equal(a?.configVersion, 'c7', 'a field left undefined in the patch keeps its stored value');
    t.equal(a?.lastSeenMs, T0 + 9);
    t.equal(a?.clockOffsetMs, -120);
    t.equal(a?.tokenSha256, 'a'.repeat(64), 'registry fields survive a status update');

    await store.updateDeviceStatus('ghost', { lastSeenMs: 1 });
    t.equal(await store.getDevice('ghost'), undefined, 'status of an unknown device creates nothing');

    await store.putDevice(device('edge-a', 'muong-nhe', { revoked: true }));
    t.equal((await store.getDevice('edge-a'))?.revoked, true, 'put replaces the registry row');
  });

  tap.test('ingest is idempotent on (device, lane, seq), within a batch and across batches', async (t) => {
    const store = await makeStore(t);
    const batch = [alarmItem(1), alarmItem(2), alarmItem(2), alarmItem(3)];
    const first = await store.ingest('edge-a', batch);
    t.same(
      first.stored.map((i) => i.seq),
      [1, 2, 3],
      'a seq twice in one batch is stored once',
    );
    t.same(first.acked, [{ lane: 'alarm', seq: 3 }]);
    const again = await store.ingest('edge-a', [alarmItem(2), alarmItem(3)]);
    t.same(again.stored, [], 'a redelivered batch stores nothing');
    t.same(again.acked, [{ lane: 'alarm', seq: 3 }], 'and is acknowledged at the current position');
    t.equal((await laneState(store, 'edge-a', 'alarm')).storedRecords, 3);
    const other = await store.ingest('edge-b', [alarmItem(1, { deviceId: 'edge-b' })]);
    t.equal(other.stored.length, 1, 'the same seq of another device is another record');
    t.same(await store.ingest('edge-a', []), { acked: [], stored: [] });
    const page = await store.queryEvents({ deviceId: ['edge-a'], limit: 100 });
    t.same(
      page.items.map((e) => e.seq),
      [3, 2, 1],
      'each record is one row',
    );
    t.same(await store.getEvent('edge-a.alarm.2'), alarmItem(2).event, 'the row comes back as stored');
  });

  tap.test('concurrent ingest of overlapping batches of one device stores each record once', async (t) => {
    const store = await makeStore(t);
    const batches: IngestItem[][] = [];
    for (let b = 0; b < 8; b++) batches.push(Array.from({ length: 40 }, (_, i) => alarmItem(1 + ((b * 25 + i) % 200))));
    const results = await Promise.all(batches.map((batch) => store.ingest('edge-a', batch)));
    const stored = results.flatMap((r) => r.stored.map((i) => i.seq)).sort((a, b) => a - b);
    const unique = [...new Set(batches.flat().map((i) => i.seq))].sort((a, b) => a - b);
    t.same(stored, unique, 'every seq stored by exactly one call');
    const state = await laneState(store, 'edge-a', 'alarm');
    t.equal(state.storedRecords, unique.length);
    t.equal(state.contiguousSeq, 200);
    t.equal((await allPages(store, { deviceId: ['edge-a'], limit: 1000 })).length, unique.length);
  });

  tap.test('acks: contiguous per lane across gaps and out-of-order arrival', async (t) => {
    const store = await makeStore(t);
    t.same((await store.ingest('edge-a', [alarmItem(1), alarmItem(2), alarmItem(4)])).acked, [{ lane: 'alarm', seq: 2 }], 'a gap stops the ack');
    t.same((await store.ingest('edge-a', [alarmItem(6)])).acked, [{ lane: 'alarm', seq: 2 }]);
    t.same((await store.ingest('edge-a', [alarmItem(3)])).acked, [{ lane: 'alarm', seq: 4 }], 'filling the gap moves over stored records');
    t.same((await store.ingest('edge-a', [alarmItem(5)])).acked, [{ lane: 'alarm', seq: 6 }]);
    const mixed = await store.ingest('edge-a', [seriesItem(1, { startMs: T0, windowS: 60, values: [1] }), alarmItem(8)]);
    t.same(
      mixed.acked.sort((a, b) => a.lane.localeCompare(b.lane)),
      [
        { lane: 'alarm', seq: 6 },
        { lane: 'telemetry', seq: 1 },
      ],
      'every touched lane is acked, each on its own',
    );
    const states = await store.laneStates('edge-a');
    t.same(
      states.map((s) => s.lane),
      ['alarm', 'event', 'telemetry', 'thumbnail'],
      'every lane is reported',
    );
    t.same(
      states.find((s) => s.lane === 'event'),
      { lane: 'event', contiguousSeq: 0, storedRecords: 0, dropped: {} },
    );
    t.equal(states.find((s) => s.lane === 'alarm')?.storedRecords, 7);
    const fresh = await store.laneStates('never-seen');
    t.ok(
      fresh.every((s) => s.contiguousSeq === 0 && s.storedRecords === 0),
      'a device with nothing stored starts at 0',
    );
  });

  tap.test('acks: reported drop ranges count as done; drops are counted minus late arrivals', async (t) => {
    const store = await makeStore(t);
    t.same(await store.recordDrops('edge-a', [dropRange('telemetry', 1, 3)]), [{ lane: 'telemetry', seq: 3 }], 'drops at the start of a lane');
    await store.ingest(
      'edge-a',
      [4, 5, 6].map((s) => seriesItem(s, { startMs: T0 + s * 60_000, windowS: 60, values: [s] })),
    );
    t.same(
      await store.recordDrops('edge-a', [dropRange('telemetry', 10, 19, 'ttl')]),
      [{ lane: 'telemetry', seq: 6 }],
      'a drop range after a hole does not move the ack',
    );
    const late = await store.ingest(
      'edge-a',
      [7, 8, 9, 12, 15].map((s) => seriesItem(s, { startMs: T0 + s * 60_000, windowS: 60, values: [s] })),
    );
    t.same(late.acked, [{ lane: 'telemetry', seq: 19 }], 'closing the hole jumps over the drop range');
    t.same((await store.ingest('edge-a', [seriesItem(20, { startMs: T0 + 20 * 60_000, windowS: 60, values: [1] })])).acked, [{ lane: 'telemetry', seq: 20 }]);
    t.same(await store.recordDrops('edge-a', [dropRange('telemetry', 10, 19, 'ttl')]), [{ lane: 'telemetry', seq: 20 }], 'a repeated report is idempotent');
    await store.recordDrops('edge-a', [dropRange('telemetry', 10, 19, 'disk_budget')]);
    await store.recordDrops('edge-a', [dropRange('alarm', 2, 2, 'disk_budget')]);
    const states = await store.laneStates('edge-a');
    const tel = states.find((s) => s.lane === 'telemetry')!;
    t.same(tel.dropped, { disk_budget: 3, ttl: 8 }, 'records 12 and 15 arrived after all: 10 reported, 8 lost; a range reported again keeps its first reason');
    t.equal(tel.storedRecords, 9);
    t.equal(tel.contiguousSeq, 20);
    const alarm = states.find((s) => s.lane === 'alarm')!;
    t.same([alarm.contiguousSeq, alarm.dropped], [0, { disk_budget: 1 }], 'a drop that does not start at the ack leaves it');
    t.same((await store.ingest('edge-a', [alarmItem(1)])).acked, [{ lane: 'alarm', seq: 2 }], 'then the record before it closes the gap');
    const tel13 = () => seriesItem(13, { startMs: T0 + 13 * 60_000, windowS: 60, values: [13] });
    t.equal((await store.ingest('edge-a', [tel13(), tel13()])).stored.length, 1, 'a dropped record arriving after the ack passed it is stored, once');
    t.equal((await store.ingest('edge-a', [tel13()])).stored.length, 0, 'and not again');
    t.equal(
      (await store.ingest('edge-a', [seriesItem(5, { startMs: T0 + 5 * 60_000, windowS: 60, values: [5] })])).stored.length,
      0,
      'a stored seq below the ack is a duplicate',
    );
    t.same((await store.laneStates('edge-a')).find((s) => s.lane === 'telemetry')?.dropped, { disk_budget: 3, ttl: 7 });
  });

  tap.test('camera events: one row per lifecycle, first time kept, thumbnail before or after', async (t) => {
    const store = await makeStore(t);
    const jpeg = Uint8Array.from({ length: 2048 }, (_, i) => (i * 31) % 256);
    // Lifecycle across batches, thumbnail after the event.
    const n = await store.ingest('edge-a', [cameraItem({ eventId: 'ev-1', seq: 1, phase: 'new', startedMs: T0, edgeTimeMs: T0, score: 0.4 })]);
    t.equal(n.stored[0]?.event?.phase, 'new');
    await store.ingest('edge-a', [cameraItem({ eventId: 'ev-1', seq: 2, phase: 'update', startedMs: T0 + 900, edgeTimeMs: T0 + 1000, score: 0.8 })]);
    t.equal((await store.getEvent(A('ev-1')))?.hasThumbnail, false);
    const withThumb = await store.ingest('edge-a', [thumbnailItem('ev-1', 1, jpeg)]);
    t.equal(withThumb.stored.length, 1);
    const end = await store.ingest('edge-a', [cameraItem({ eventId: 'ev-1', seq: 3, phase: 'end', startedMs: T0 + 900, edgeTimeMs: T0 + 5000, score: 0.7 })]);
    const row = await store.getEvent(A('ev-1'));
    t.match(
      row,
      { id: A('ev-1'), phase: 'end', seq: 3, timeMs: T0, edgeTimeMs: T0, hasThumbnail: true, payload: { phase: 'end', score: 0.7 } },
      'latest phase, first time, thumbnail flag',
    );
    t.same(end.stored[0]?.event, row, 'ingest returns the row as merged');
    const thumb = await store.getThumbnail(A('ev-1'));
    t.same([thumb?.contentType, thumb?.width, thumb?.height, thumb?.deviceId], ['image/jpeg', 320, 240, 'edge-a']);
    t.same(Buffer.from(thumb!.data), Buffer.from(jpeg), 'thumbnail bytes round-trip');
    t.equal((await store.queryEvents({ kind: ['camera_event'], limit: 10 })).items.length, 1, 'three phases, one row');

    // Thumbnail before the event, whole lifecycle in one batch.
    await store.ingest('edge-a', [thumbnailItem('ev-2', 2, jpeg.subarray(0, 100))]);
    const one = await store.ingest('edge-a', [
      cameraItem({ eventId: 'ev-2', seq: 4, phase: 'new', startedMs: T0 + 10_000, edgeTimeMs: T0 + 10_000 }),
      cameraItem({ eventId: 'ev-2', seq: 5, phase: 'update', startedMs: T0 + 10_000, edgeTimeMs: T0 + 11_000, label: 'car' }),
      cameraItem({ eventId: 'ev-2', seq: 6, phase: 'end', startedMs: T0 + 10_000, edgeTimeMs: T0 + 12_000, label: 'car' }),
    ]);
    t.same(
      one.stored.map((i) => i.event?.phase),
      ['new', 'update', 'end'],
      'each phase is a stored record',
    );
    t.same(
      one.stored.map((i) => i.event?.hasThumbnail),
      [true, true, true],
      'the thumbnail that came first marks the event',
    );
    const ev2 = await store.getEvent(A('ev-2'));
    t.match(ev2, { phase: 'end', label: 'car', hasThumbnail: true, timeMs: T0 + 10_000, edgeTimeMs: T0 + 10_000 });
    t.equal((await store.getThumbnail(A('ev-2')))?.data.length, 100);
    t.same(
      (await store.ingest('edge-a', [cameraItem({ eventId: 'ev-2', seq: 5, phase: 'update', startedMs: 0, edgeTimeMs: 0 })])).stored,
      [],
      'a redelivered phase changes nothing',
    );
    t.match(await store.getEvent(A('ev-2')), { phase: 'end', timeMs: T0 + 10_000 });
    t.equal(await store.getThumbnail('missing'), undefined);
    t.equal(await store.getEvent('missing'), undefined);
    t.equal(await store.getEvent('ev-1'), undefined, 'the bare edge event id names no row');
    const page = await store.queryEvents({ cameraId: 'cam-1', limit: 10 });
    t.same(
      page.items.map((e) => e.id),
      [A('ev-2'), A('ev-1')],
      'lifecycle rows sort by their start time',
    );

    // Same batch, either order; a later thumbnail of the same event replaces the earlier one.
    await store.ingest('edge-a', [
      cameraItem({ eventId: 'ev-3', seq: 7, phase: 'new', startedMs: T0, edgeTimeMs: T0 }),
      thumbnailItem('ev-3', 3, jpeg.subarray(0, 10)),
    ]);
    t.equal((await store.getEvent(A('ev-3')))?.hasThumbnail, true, 'thumbnail right after its event in one batch');
    await store.ingest('edge-a', [
      thumbnailItem('ev-4', 4, jpeg.subarray(0, 20)),
      cameraItem({ eventId: 'ev-4', seq: 8, phase: 'new', startedMs: T0, edgeTimeMs: T0 }),
    ]);
    t.equal((await store.getEvent(A('ev-4')))?.hasThumbnail, true, 'thumbnail right before its event in one batch');
    await store.ingest('edge-a', [thumbnailItem('ev-3', 5, jpeg.subarray(0, 30)), thumbnailItem('ev-3', 6, jpeg.subarray(0, 40))]);
    t.equal((await store.getThumbnail(A('ev-3')))?.data.length, 40, 'the latest thumbnail of an event is kept');
  });

  tap.test('two devices sending the same camera event id and thumbnail id keep two records, neither overwritten', async (t) => {
    const store = await makeStore(t);
    const camera = (deviceId: string, seq: number, phase: 'new' | 'update', label: string) =>
      cameraItem({ eventId: 'ev-1', seq, phase, startedMs: T0 + seq, edgeTimeMs: T0 + seq, label, deviceId });
    await store.ingest('edge-a', [camera('edge-a', 1, 'new', 'person'), thumbnailItem('ev-1', 1, Uint8Array.of(1, 1, 1), 'edge-a')]);
    await store.ingest('edge-b', [camera('edge-b', 1, 'new', 'car'), thumbnailItem('ev-1', 1, Uint8Array.of(2, 2), 'edge-b')]);
    const a = cameraRowId('edge-a', 'ev-1');
    const b = cameraRowId('edge-b', 'ev-1');
    t.not(a, b);
    t.match(await store.getEvent(a), { id: a, deviceId: 'edge-a', label: 'person', hasThumbnail: true }, "the first device's row is intact");
    t.match(await store.getEvent(b), { id: b, deviceId: 'edge-b', label: 'car', hasThumbnail: true }, "the second device's is its own");
    t.same(Buffer.from((await store.getThumbnail(a))!.data), Buffer.from([1, 1, 1]), "the first device's thumbnail is intact");
    t.same(Buffer.from((await store.getThumbnail(b))!.data), Buffer.from([2, 2]), "the second device's is its own");
    t.same((await store.getThumbnail(a))?.deviceId, 'edge-a');
    t.same((await store.queryEvents({ kind: ['camera_event'], limit: 10 })).items.map((e) => e.deviceId).sort(), ['edge-a', 'edge-b'], 'two rows');

    const before = await store.getEvent(b);
    const again = await store.ingest('edge-a', [camera('edge-a', 1, 'new', 'person'), thumbnailItem('ev-1', 1, Uint8Array.of(1, 1, 1), 'edge-a')]);
    t.same(again.stored, [], 'a re-send by the same device stores nothing');
    await store.ingest('edge-a', [camera('edge-a', 2, 'update', 'bicycle')]);
    t.match(await store.getEvent(a), { deviceId: 'edge-a', label: 'bicycle', phase: 'update' }, "a later phase merges into its own device's row");
    t.same(await store.getEvent(b), before, "and leaves the other device's row alone");
  });

  tap.test("a device's ingest never writes another device's camera row or thumbnail", async (t) => {
    const store = await makeStore(t);
    await store.ingest('edge-a', [
      cameraItem({ eventId: 'ev-1', seq: 1, phase: 'new', startedMs: T0, edgeTimeMs: T0, label: 'person' }),
      thumbnailItem('ev-1', 1, Uint8Array.of(1)),
    ]);
    const a = cameraRowId('edge-a', 'ev-1');
    const row = await store.getEvent(a);
    const thumb = await store.getThumbnail(a);
    // Items edge-b has no business sending: edge-a's row id, and a bare id from before ids carried the device.
    const mine = (seq: number, id: string): IngestItem => {
      const item = cameraItem({ eventId: 'ev-1', seq, phase: 'update', startedMs: T0, edgeTimeMs: T0 + seq, label: 'car', deviceId: 'edge-b' });
      return { ...item, event: { ...item.event!, id } };
    };
    const foreignThumb = (seq: number, eventId: string): IngestItem => {
      const item = thumbnailItem('ev-1', seq, Uint8Array.of(9, 9), 'edge-b');
      return { ...item, thumbnail: { ...item.thumbnail!, eventId } };
    };
    const res = await store.ingest('edge-b', [
      mine(1, a),
      mine(2, 'ev-1'),
      { ...cameraItem({ eventId: 'ev-1', seq: 3, phase: 'end', startedMs: T0, edgeTimeMs: T0 + 3 }) },
      foreignThumb(1, a),
      foreignThumb(2, 'ev-1'),
      thumbnailItem('ev-1', 3, Uint8Array.of(7)),
    ]);
    t.same(
      res.acked.sort((x, y) => x.lane.localeCompare(y.lane)),
      [
        { lane: 'event', seq: 3 },
        { lane: 'thumbnail', seq: 3 },
      ],
      'the records still count as received',
    );
    t.same(await store.getEvent(a), row, "edge-a's row is unchanged");
    t.same(Buffer.from((await store.getThumbnail(a))!.data), Buffer.from(thumb!.data), "edge-a's thumbnail is unchanged");
    t.equal((await store.getThumbnail(a))?.deviceId, 'edge-a');
    t.equal(await store.getEvent('ev-1'), undefined, 'no row under a bare id');
    t.equal(await store.getThumbnail('ev-1'), undefined, 'no thumbnail under a bare id');
    t.same((await store.queryEvents({ deviceId: ['edge-b'], limit: 10 })).items, [], 'edge-b got no row from them');
  });

  tap.test('event filters and pagination match a reference and never repeat or miss rows', async (t) => {
    const store = await makeStore(t);
    const random = seededRandom(20261125);
    const devices = [
      ['edge-a', 'muong-nhe'],
      ['edge-b', 'tua-chua'],
      ['edge-c', 'dien-bien-dong'],
      ['edge-d', 'muong-nhe'],
    ] as const;
    const kinds = ['alarm', 'telemetry', 'notice', 'traffic_count'];
    const all: EventRow[] = [];
    for (const [deviceId, site] of devices) {
      const items: IngestItem[] = [];
      for (let seq = 1; seq <= 90; seq++) {
        const kind = kinds[Math.floor(random() * kinds.length)]!;
        // Coarse times make many ties, so ordering by id inside one millisecond is exercised.
        const timeMs = T0 + Math.floor(random() * 40) * 1000;
        const severity = kind === 'telemetry' ? null : SEVERITIES[Math.floor(random() * SEVERITIES.length)]!;
        const event = eventRow({
          deviceId,
          site,
          lane: 'event',
          seq,
          kind,
          severity,
          timeMs,
          over: {
            sensorId: random() < 0.5 ? 'river-1' : 'rain-2',
            cameraId: random() < 0.3 ? 'cam-1' : undefined,
            label: random() < 0.3 ? 'person' : undefined,
            rule: random() < 0.5 ? 'flood' : 'slide',
          },
        });
        items.push({ lane: 'event', seq, event });
        all.push(event);
      }
      await store.ingest(deviceId, items);
    }
    const queries: Omit<EventQuery, 'cursor' | 'limit'>[] = [
      {},
      { site: ['muong-nhe'] },
      { site: ['tua-chua', 'dien-bien-dong'] },
      { deviceId: ['edge-b'] },
      { deviceId: ['edge-b'], kind: ['alarm'] },
      { site: ['muong-nhe'], kind: ['notice'] },
      { kind: ['telemetry', 'notice'] },
      { kind: ['telemetry'] },
      { deviceId: ['edge-c'], kind: ['telemetry'] },
      { site: ['tua-chua'], untilMs: T0 + 30_000 },
      { severity: ['high', 'critical'] },
      { minSeverity: 'medium', site: ['muong-nhe'] },
      { cameraId: 'cam-1', label: 'person' },
      { rule: 'flood', sensorId: 'river-1' },
      { sinceMs: T0 + 10_000, untilMs: T0 + 25_000 },
      { deviceId: ['edge-a'], sinceMs: T0 + 5_000 },
      { kind: ['alarm'], untilMs: T0 + 20_000 },
      { site: [] },
      { deviceId: ['nobody'] },
    ];
    for (const q of queries) {
      const expected = all
        .filter((row) => matchesQuery(row, { ...q, limit: 1 }))
        .sort(newestFirst)
        .map((e) => e.id);
      for (const limit of [1, 7, 1000]) {
        const got = (await allPages(store, { ...q, limit })).map((e) => e.id);
        t.same(got, expected, `${JSON.stringify(q)} limit ${limit}: ${expected.length} rows, in order, once each`);
      }
    }
    const first = await store.queryEvents({ limit: 5 });
    t.equal(first.items.length, 5);
    t.type(first.nextCursor, 'string');
    const last = await store.queryEvents({ limit: all.length });
    t.equal(last.nextCursor, null, 'no cursor when the page holds the rest');
  });

  tap.test('a cursor stays valid while newer rows arrive', async (t) => {
    const store = await makeStore(t);
    await store.ingest(
      'edge-a',
      Array.from({ length: 30 }, (_, i) => alarmItem(i + 1)),
    );
    const p1 = await store.queryEvents({ limit: 10 });
    await store.ingest(
      'edge-a',
      Array.from({ length: 10 }, (_, i) => alarmItem(i + 31)),
    );
    const p2 = await store.queryEvents({ limit: 10, cursor: p1.nextCursor! });
    t.same(
      p2.items.map((e) => e.seq),
      [20, 19, 18, 17, 16, 15, 14, 13, 12, 11],
      'continues where the first page ended',
    );
    for (const cursor of ['bm90IGEgY3Vyc29y', '%%%', Buffer.from('["1","x"]').toString('base64url')]) {
      t.equal(await errorCode(store.queryEvents({ limit: 10, cursor })), 'VALIDATION', `cursor ${cursor} is refused as invalid input`);
    }
  });

  tap.test('series: window choice and exact min/max/mean/sum/count/last per step', async (t) => {
    const store = await makeStore(t);
    // 60-s windows over 10 minutes and 300-s windows over the same span.
    const items: IngestItem[] = [];
    let seq = 0;
    const minute: number[][] = [];
    for (let m = 0; m < 10; m++) {
      const values = [m, m + 0.5, m * 2 - 3];
      minute.push(values);
      items.push(seriesItem(++seq, { startMs: T0 + m * 60_000, windowS: 60, values }));
    }
    for (let f = 0; f < 2; f++) items.push(seriesItem(++seq, { startMs: T0 + f * 300_000, windowS: 300, values: minute.slice(f * 5, f * 5 + 5).flat() }));
    items.push(seriesItem(++seq, { startMs: T0, windowS: 60, values: [100], sensorId: 'other' }));
    await store.ingest('edge-a', items);

    const q = { deviceId: 'edge-a', sensorId: 'river-1', metric: 'level', fromMs: T0, toMs: T0 + 600_000 };
    const byFive = await store.querySeries({ ...q, stepS: 300 });
    t.equal(byFive.length, 2);
    const flat = minute.slice(0, 5).flat();
    t.same(
      byFive[0],
      {
        startMs: T0,
        endMs: T0 + 300_000,
        count: 15,
        min: Math.min(...flat),
        max: Math.max(...flat),
        mean: flat.reduce((a, b) => a + b, 0) / 15,
        sum: flat.reduce((a, b) => a + b, 0),
        last: flat.at(-1),
      },
      'the 300-s window answers a 300-s step',
    );

    const byTwo = await store.querySeries({ ...q, stepS: 120 });
    t.equal(byTwo.length, 5, '60-s windows merged two by two');
    const pair = [...minute[2]!, ...minute[3]!];
    t.equal(byTwo[1]!.count, 6);
    t.equal(byTwo[1]!.min, Math.min(...pair));
    t.equal(byTwo[1]!.max, Math.max(...pair));
    t.equal(
      byTwo[1]!.sum,
      pair.reduce((a, b) => a + b, 0),
    );
    t.ok(Math.abs(byTwo[1]!.mean - pair.reduce((a, b) => a + b, 0) / 6) < 1e-12);
    t.equal(byTwo[1]!.last, minute[3]!.at(-1));

    const fine = await store.querySeries({ ...q, stepS: 10 });
    t.equal(fine.length, 10, 'a step finer than every window uses the finest window');
    const window = await store.querySeries({ ...q, fromMs: T0 + 120_000, toMs: T0 + 240_000, stepS: 60 });
    t.same(
      window.map((b) => b.startMs),
      [T0 + 120_000, T0 + 180_000],
      'from is inclusive, to exclusive',
    );
    t.same(await store.querySeries({ ...q, metric: 'nothing', stepS: 60 }), []);
    t.same(
      (await store.querySeries({ ...q, sensorId: 'other', stepS: 60 })).map((b) => b.sum),
      [100],
    );
  });

  tap.test('text that PostgreSQL text columns refuse (NUL, emoji, Vietnamese) round-trips', async (t) => {
    const store = await makeStore(t);
    const odd = 'Mường Nhé\u0000 🌧 \\u0000 "q"';
    const item = alarmItem(1, { over: { rule: odd, label: odd, payload: { note: odd, nested: { a: [odd] } } } });
    const res = await store.ingest('edge-a', [item]);
    t.equal(res.stored.length, 1);
    t.same(await store.getEvent('edge-a.alarm.1'), item.event);
    t.same(
      (await store.queryEvents({ rule: odd, limit: 5 })).items.map((e) => e.id),
      ['edge-a.alarm.1'],
      'filter by the same odd text',
    );
    await store.putDevice(device('edge-a'));
    await store.updateDeviceStatus('edge-a', { softwareVersion: odd });
    t.equal((await store.getDevice('edge-a'))?.softwareVersion, odd);
    await store.recordDrops('edge-a', [dropRange('event', 1, 2, 'disk\u0000budget')]);
    t.same((await laneState(store, 'edge-a', 'event')).contiguousSeq, 2);
  });
}
