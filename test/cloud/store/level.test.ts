// The store contract against the embedded level store.
import t from 'tap';
import { join } from 'node:path';
import { LevelStore } from '../../../cloud/store/level/level-store.js';
import { tempDir } from '../../support/tmp.js';
import { runStoreContract } from './contract.js';
import { INDEX_VERSION_KEY, eventIndexKeys, ts } from '../../../cloud/store/level/keys.js';
import { encodeThumbnail, encodeJson as json, decodeJson as parse } from '../../../cloud/store/level/codec.js';
import { cameraRowId, type EventQuery, type EventRow } from '../../../cloud/store/contract/types.js';
import { T0, alarmItem, cameraItem, seriesItem, thumbnailItem } from './fixtures.js';

runStoreContract(t, async (t) => {
  const store = new LevelStore(join(tempDir(t), 'store'));
  await store.open();
  t.teardown(() => store.close());
  return store;
});

t.test('a store written before the camera index gets it on open, and camera pages find old rows', async (t) => {
  const dir = join(tempDir(t), 'store');
  const old = new LevelStore(dir);
  await old.open();
  await old.ingest('edge-a', [cameraItem({ eventId: 'ev-old', seq: 1, phase: 'new', startedMs: T0, edgeTimeMs: T0 })]);
  // Back to the version-1 layout: no camera index keys, no version mark.
  const db = old.database;
  const camKeys = await db.keys({ gte: 'ix!cam!', lt: 'ix!cam"' }).all();
  t.equal(camKeys.length, 1, 'a new row is listed by camera');
  await db.batch([...camKeys.map((key) => ({ type: 'del' as const, key })), { type: 'del', key: INDEX_VERSION_KEY }]);
  t.same(
    (await old.queryEvents({ cameraId: 'cam-1', limit: 10 })).items.map((r) => r.id),
    [],
    'without the index the old row is not found by camera',
  );
  await old.close();

  const upgraded = new LevelStore(dir);
  await upgraded.open();
  t.teardown(() => upgraded.close());
  t.same(
    (await upgraded.queryEvents({ cameraId: 'cam-1', limit: 10 })).items.map((r) => r.id),
    [cameraRowId('edge-a', 'ev-old')],
  );
  t.same((await upgraded.queryEvents({ cameraId: 'cam-2', limit: 10 })).items, []);
});

t.test('a store whose camera rows were keyed by the bare event id is re-keyed by device on open; old ids still resolve', async (t) => {
  const dir = join(tempDir(t), 'store');
  const old = new LevelStore(dir);
  await old.open();
  // The version-2 layout, as an older coordinator wrote it: row, indexes and thumbnail under "ev-old".
  const legacyRow = {
    ...cameraItem({ eventId: 'ev-old', seq: 1, phase: 'new', startedMs: T0, edgeTimeMs: T0 }).event!,
    id: 'ev-old',
    hasThumbnail: true,
    label: 'Mường\u0000Nhé',
  };
  const legacyThumb = { ...thumbnailItem('ev-old', 1, Uint8Array.of(5, 6, 7), 'edge-b').thumbnail!, eventId: 'ev-old' };
  await old.database.batch([
    { type: 'put', key: 'ev!ev-old', value: json(legacyRow) },
    ...eventIndexKeys(legacyRow).map((key) => ({ type: 'put' as const, key, value: new Uint8Array(0) })),
    { type: 'put', key: 'th!ev-old', value: encodeThumbnail(legacyThumb) },
    { type: 'put', key: INDEX_VERSION_KEY, value: json(2) },
  ]);
  await old.close();

  const store = new LevelStore(dir);
  await store.open();
  t.teardown(() => store.close());
  const id = cameraRowId('edge-a', 'ev-old');
  const moved = { ...legacyRow, id };
  t.same(await store.getEvent(id), moved, 'the row now lives under its device-qualified id, unchanged otherwise');
  t.same(await store.getEvent('ev-old'), moved, 'the old id resolves to the same row');
  t.same((await store.queryEvents({ cameraId: 'cam-1', limit: 10 })).items, [moved], 'indexes list it under the new id only');
  t.same((await store.queryEvents({ deviceId: ['edge-a'], limit: 10 })).items, [moved]);
  const thumb = await store.getThumbnail('ev-old');
  t.same(
    [thumb?.eventId, thumb?.deviceId, [...thumb!.data]],
    [cameraRowId('edge-b', 'ev-old'), 'edge-b', [5, 6, 7]],
    "the thumbnail moved to its own device's id, old id resolving",
  );
  t.equal(await store.database.get('ev!ev-old'), undefined, 'nothing is left under the old key');

  // A second device sending the same event id now gets its own row; the old id keeps naming the first.
  await store.ingest('edge-c', [cameraItem({ eventId: 'ev-old', seq: 1, phase: 'new', startedMs: T0 + 1, edgeTimeMs: T0 + 1, deviceId: 'edge-c' })]);
  t.match(await store.getEvent(cameraRowId('edge-c', 'ev-old')), { deviceId: 'edge-c' });
  t.same(await store.getEvent('ev-old'), moved);
  await store.close();
  const reopened = new LevelStore(dir);
  await reopened.open();
  t.teardown(() => reopened.close());
  t.equal((await reopened.queryEvents({ cameraId: 'cam-1', limit: 10 })).items.length, 2, 'a second open changes nothing');
});

t.test('a store written with every row in the site, device and kind indexes drops telemetry from them on open; pages are unchanged', async (t) => {
  const dir = join(tempDir(t), 'store');
  const old = new LevelStore(dir);
  await old.open();
  // The version-3 layout, as an older coordinator wrote it: six index keys for every row.
  const rows: EventRow[] = [];
  for (let seq = 1; seq <= 40; seq++) {
    const item =
      seq % 4 === 0 ? alarmItem(seq / 4, { timeMs: T0 + seq * 1000 }) : seriesItem(seq, { startMs: T0 + seq * 1000 - 60_000, windowS: 60, values: [seq] });
    rows.push(item.event!);
  }
  const v3Keys = (row: EventRow) => {
    const suffix = `${ts(row.timeMs)}!${row.id}`;
    return [
      `all!${suffix}`,
      `site!${row.site}!${suffix}`,
      `dev!${row.deviceId}!${suffix}`,
      `kind!${row.kind}!${suffix}`,
      `sk!${row.site}!${row.kind}!${suffix}`,
      `dk!${row.deviceId}!${row.kind}!${suffix}`,
    ].map((k) => `ix!${k}`);
  };
  await old.database.batch([
    ...rows.flatMap((row) => [
      { type: 'put' as const, key: `ev!${row.id}`, value: json(row) },
      ...v3Keys(row).map((key) => ({ type: 'put' as const, key, value: new Uint8Array(0) })),
    ]),
    { type: 'put', key: INDEX_VERSION_KEY, value: json(3) },
  ]);
  await old.close();

  const store = new LevelStore(dir);
  await store.open();
  t.teardown(() => store.close());
  const ids = async (q: Omit<EventQuery, 'limit'>) => (await store.queryEvents({ ...q, limit: 100 })).items.map((r) => r.id);
  const newest = [...rows].sort((a, b) => b.timeMs - a.timeMs);
  t.same(
    await ids({ deviceId: ['edge-a'] }),
    newest.map((r) => r.id),
    'by device: every row once, newest first',
  );
  t.same(
    await ids({ site: ['muong-nhe'] }),
    newest.map((r) => r.id),
    'by site: the same',
  );
  t.same(
    await ids({ kind: ['telemetry'] }),
    newest.filter((r) => r.kind === 'telemetry').map((r) => r.id),
  );
  t.same(
    await ids({ kind: ['alarm'] }),
    newest.filter((r) => r.kind === 'alarm').map((r) => r.id),
  );
  const narrow = await store.database.keys({ gte: 'ix!dev!', lt: 'ix!dev"' }).all();
  t.equal(narrow.length, 10, 'only the alarms are left in the device index');
  t.equal((await store.database.keys({ gte: 'ix!kind!telemetry!', lt: 'ix!kind!telemetry"' }).all()).length, 0);
  t.equal(parse<number>(await store.database.get(INDEX_VERSION_KEY)), 4);

  // New telemetry goes in the new layout and pages across old and new rows.
  await store.ingest('edge-a', [seriesItem(41, { startMs: T0 + 41_000 - 60_000, windowS: 60, values: [41] })]);
  t.same((await ids({ deviceId: ['edge-a'] }))[0], 'edge-a.telemetry.41');
  t.equal((await store.database.keys({ gte: 'ix!dev!', lt: 'ix!dev"' }).all()).length, 10, 'a new telemetry row is not in the device index');
});

t.test('after a restart, dedup and acks pick up where they were: stored seqs above a gap and drop ranges', async (t) => {
  const dir = join(tempDir(t), 'store');
  const before = new LevelStore(dir);
  await before.open();
  await before.ingest('edge-a', [alarmItem(1), alarmItem(2), alarmItem(4), alarmItem(5)]);
  await before.recordDrops('edge-a', [{ lane: 'alarm', firstSeq: 7, lastSeq: 8, reason: 'ttl', firstEdgeTimeMs: T0, lastEdgeTimeMs: T0, receivedMs: T0 }]);
  await before.close();
  const after = new LevelStore(dir);
  await after.open();
  t.teardown(() => after.close());
  const again = await after.ingest('edge-a', [alarmItem(2), alarmItem(4)]);
  t.same([again.stored.length, again.acked], [0, [{ lane: 'alarm', seq: 2 }]], 'seqs stored before the restart, below and above the gap, are duplicates');
  t.same(
    (await after.ingest('edge-a', [alarmItem(3), alarmItem(6)])).acked,
    [{ lane: 'alarm', seq: 8 }],
    'the gap closes over the stored seqs and the drop range',
  );
  t.equal((await after.ingest('edge-a', [alarmItem(8)])).stored.length, 1, 'a dropped seq arriving late is stored');
  t.equal((await after.laneStates('edge-a')).find((s) => s.lane === 'alarm')?.storedRecords, 7);
});

t.test('the record journal continues after a restart: new entries sort after ones left from before', async (t) => {
  const dir = join(tempDir(t), 'store');
  const before = new LevelStore(dir);
  await before.open();
  before.enableJournal();
  await before.ingest('edge-a', [cameraItem({ eventId: 'ev-1', seq: 1, phase: 'new', startedMs: T0, edgeTimeMs: T0 })]);
  await before.close();
  const after = new LevelStore(dir);
  await after.open();
  t.teardown(() => after.close());
  after.enableJournal();
  await after.ingest('edge-a', [cameraItem({ eventId: 'ev-1', seq: 2, phase: 'end', startedMs: T0, edgeTimeMs: T0 + 5 })]);
  const entries = await after.readJournal(10);
  t.same(
    entries.map((e) => (e.data.type === 'records' ? e.data.items.map((i) => i.seq) : [])),
    [[1], [2]],
    'two entries, in write order',
  );
});
