// The store contract against the embedded level store.
import t from 'tap';
import { join } from 'node:path';
import { LevelStore } from '../../../cloud/store/level/level-store.js';
import { tempDir } from '../../support/tmp.js';
import { runStoreContract } from './contract.js';
import { INDEX_VERSION_KEY } from '../../../cloud/store/level/keys.js';
import { T0, cameraItem } from './fixtures.js';

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
  t.same((await old.queryEvents({ cameraId: 'cam-1', limit: 10 })).items.map((r) => r.id), [], 'without the index the old row is not found by camera');
  await old.close();

  const upgraded = new LevelStore(dir);
  await upgraded.open();
  t.teardown(() => upgraded.close());
  t.same((await upgraded.queryEvents({ cameraId: 'cam-1', limit: 10 })).items.map((r) => r.id), ['ev-old']);
  t.same((await upgraded.queryEvents({ cameraId: 'cam-2', limit: 10 })).items, []);
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
  t.same(entries.map((e) => (e.data.type === 'records' ? e.data.items.map((i) => i.seq) : [])), [[1], [2]], 'two entries, in write order');
});
