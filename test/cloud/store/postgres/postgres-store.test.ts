// What only the PostgreSQL store has to show: migrations taken in turn by replicas starting
// together, feature migrations in their own range, two replicas ingesting one device at once,
// and a clear STORAGE error when the server is gone.
import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PostgresStore } from '../../../../cloud/store/postgres/postgres-store.js';
import { loadMigrations } from '../../../../cloud/store/postgres/migrate.js';
import { asStorageError } from '../../../../cloud/store/postgres/pool.js';
import { IocError } from '../../../../common/errors.js';
import { freePort } from '../../../support/ports.js';
import { postgresProblem, TEST_DATABASE_URL, testSchema } from '../../../support/pg.js';
import { tempDir } from '../../../support/tmp.js';
import { alarmItem, cameraItem, seriesItem, T0, thumbnailItem } from '../fixtures.js';
import { cameraRowId, type EventQuery, type IngestItem } from '../../../../cloud/store/contract/types.js';
import { upsertEvents } from '../../../../cloud/store/postgres/event-sql.js';
import { copyFileSync } from 'node:fs';
import { seededRandom } from '../../../../common/seeded-random.js';

const problem = await postgresProblem();
if (problem && process.env.CI === 'true') t.fail(`${problem}: PostgreSQL tests are mandatory under CI`);
const needsPg = { skip: problem ?? false };

function replica(t: { teardown(fn: () => unknown): void }, schema: string, migrationDirs: string[] = []): PostgresStore {
  const store = new PostgresStore({ url: TEST_DATABASE_URL, schema, poolSize: 4, migrationDirs });
  t.teardown(() => store.close());
  return store;
}

t.test('replicas starting at once apply each migration exactly once', needsPg, async (t) => {
  const schema = testSchema(t);
  const stores = [replica(t, schema), replica(t, schema), replica(t, schema)];
  await Promise.all(stores.map((s) => s.open()));
  const { rows } = await stores[0]!.pool.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
  const expected = loadMigrations([join(process.cwd(), 'cloud/store/postgres/migrations')]).map((m) => m.version);
  t.same(
    rows.map((r) => r.version),
    expected,
  );
  t.same(
    expected.filter((v) => v < 100),
    [1, 2, 3, 4, 5, 6, 7],
    'the foundation is 001–007; feature tables sit at 100 and above',
  );
});

t.test('feature migrations (100–199) run after the foundation, once; a reused version is refused', needsPg, async (t) => {
  const schema = testSchema(t);
  const dir = tempDir(t);
  writeFileSync(join(dir, '199_probe.sql'), 'CREATE TABLE probe_rows (id text PRIMARY KEY, device_id text REFERENCES devices (id));');
  writeFileSync(join(dir, 'README.md'), 'not a migration');
  const store = replica(t, schema, [dir]);
  await store.open();
  await store.open();
  const { rows } = await store.pool.query<{ version: number; name: string }>('SELECT version, name FROM schema_migrations WHERE version = 199');
  t.same(rows, [{ version: 199, name: 'probe' }]);
  await store.pool.query("INSERT INTO devices (id, site, data) VALUES ('d1', 's', '{}')");
  await store.pool.query("INSERT INTO probe_rows VALUES ('a1', 'd1')");
  t.pass('the feature table lives in the same schema as the foundation');

  const clash = tempDir(t);
  writeFileSync(join(clash, '001_again.sql'), 'SELECT 1;');
  t.throws(() => loadMigrations([dir, clash, join(process.cwd(), 'cloud/store/postgres/migrations')]), /version 001 used twice/);

  const broken = tempDir(t);
  writeFileSync(join(broken, '150_broken.sql'), 'CREATE TABLE ok_part (x int); SELECT * FROM no_such_table;');
  const bad = replica(t, schema, [dir, broken]);
  await t.rejects(bad.open(), /migration 150_broken failed/);
  const left = await store.pool.query("SELECT to_regclass('ok_part') AS t");
  t.equal(left.rows[0].t, null, 'a failed migration leaves nothing behind');
});

t.test('two replicas ingesting one device at once store each record once and ack correctly', needsPg, async (t) => {
  const schema = testSchema(t);
  const a = replica(t, schema);
  const b = replica(t, schema);
  await a.open();
  await b.open();
  // The edge re-sends after a failover: both replicas get overlapping batches at the same time.
  const batches: IngestItem[][] = [];
  for (let i = 0; i < 20; i++) batches.push(Array.from({ length: 50 }, (_, k) => alarmItem(1 + ((i * 30 + k) % 500))));
  const results = await Promise.all(batches.map((batch, i) => (i % 2 === 0 ? a : b).ingest('edge-a', batch)));
  const stored = results.flatMap((r) => r.stored.map((x) => x.seq));
  t.equal(stored.length, new Set(stored).size, 'no record stored by both replicas');
  t.equal(stored.length, 500);
  const state = (await b.laneStates('edge-a')).find((s) => s.lane === 'alarm');
  t.same([state?.contiguousSeq, state?.storedRecords], [500, 500]);
  const count = await a.pool.query<{ n: number }>("SELECT count(*)::bigint AS n FROM events WHERE device_id = 'edge-a'");
  t.equal(count.rows[0]!.n, 500);
});

t.test('an unreachable server is a STORAGE error, not a crash', async (t) => {
  const port = await freePort();
  const store = new PostgresStore({ url: `postgresql://postgres@127.0.0.1:${port}/test`, schema: 'ioc_unreachable', poolSize: 2 });
  t.teardown(() => store.close());
  const err = await store.open().then(
    () => undefined,
    (e: unknown) => e,
  );
  t.ok(err instanceof IocError && err.code === 'STORAGE', `open fails with STORAGE (${String(err)})`);
  const q = await store.queryEvents({ limit: 5 }).then(
    () => undefined,
    (e: unknown) => e,
  );
  t.ok(q instanceof IocError && q.code === 'STORAGE', 'a query fails with STORAGE too');
});

t.test('schema names are checked before they reach SQL', async (t) => {
  t.throws(() => new PostgresStore({ url: TEST_DATABASE_URL, schema: 'x; DROP TABLE y', poolSize: 2 }), /lower-case letters/);
});

t.test('a NUL in any text parameter on the shared pool is stored and matched, never a 503', needsPg, async (t) => {
  const store = replica(t, testSchema(t));
  await store.open();
  await store.pool.query('CREATE TABLE feature_rows (k text PRIMARY KEY, tags text[])');
  await store.pool.query('INSERT INTO feature_rows VALUES ($1, $2)', ['a\u0000b', ['x\u0000', 'y']]);
  const client = await store.pool.connect();
  try {
    const { rows } = await client.query({ text: 'SELECT k, tags FROM feature_rows WHERE k = $1', values: ['a\u0000b'] });
    t.same(rows, [{ k: 'a\uFFFDb', tags: ['x\uFFFD', 'y'] }], 'looked up with the same NUL, through a checked-out client too');
  } finally {
    client.release();
  }
  const json = await store.pool.query<{ v: { s: string } }>('SELECT $1::json AS v', [JSON.stringify({ s: 'keep\u0000me' })]);
  t.equal(json.rows[0]!.v.s, 'keep\u0000me', 'JSON parameters keep their NUL exactly');
});

t.test('devices naming the same camera events at once neither deadlock nor fail', needsPg, async (t) => {
  const store = replica(t, testSchema(t));
  await store.open();
  const random = seededRandom(7);
  const batch = (deviceId: string) => {
    const ids = Array.from({ length: 30 }, (_, i) => `ev-shared-${i}`).sort(() => random() - 0.5);
    return ids.flatMap((eventId, i): IngestItem[] => [
      cameraItem({ eventId, seq: i + 1, phase: 'new', startedMs: T0, edgeTimeMs: T0, deviceId }),
      thumbnailItem(eventId, i + 1, Buffer.from([i]), deviceId),
    ]);
  };
  const results = await Promise.all(Array.from({ length: 8 }, (_, d) => store.ingest(`edge-${d}`, batch(`edge-${d}`))));
  t.same(
    results.map((r) => r.stored.length),
    Array(8).fill(60),
    'every batch stored',
  );
  t.equal((await store.queryEvents({ kind: ['camera_event'], limit: 1000 })).items.length, 8 * 30, 'one row per device and event id');
});

t.test("errors about the data are the request's (400, 409), not the database's (503)", needsPg, async (t) => {
  const store = replica(t, testSchema(t));
  await store.open();
  const codeOf = (p: Promise<unknown>) =>
    p.then(
      () => 'resolved',
      (err: unknown) => asStorageError(err).code,
    );
  t.equal(await codeOf(store.pool.query('SELECT $1::int', ['2147483648'])), 'VALIDATION', 'integer out of range');
  t.equal(await codeOf(store.pool.query('SELECT $1::jsonb', ['{"a":"\\u0000"}'])), 'VALIDATION', 'jsonb refusing \\u0000');
  await store.pool.query('CREATE TABLE uniq (k text PRIMARY KEY)');
  await store.pool.query("INSERT INTO uniq VALUES ('a')");
  t.equal(await codeOf(store.pool.query("INSERT INTO uniq VALUES ('a')")), 'CONFLICT', 'unique violation');
  t.equal(await codeOf(store.pool.query('SELECT * FROM no_such_table')), 'STORAGE', "anything else is the database's");
});

t.test('the event upsert never reassigns a row to another device', needsPg, async (t) => {
  const store = replica(t, testSchema(t));
  await store.open();
  const row = cameraItem({ eventId: 'ev-1', seq: 1, phase: 'new', startedMs: T0, edgeTimeMs: T0, label: 'person' }).event!;
  await upsertEvents(store.pool, [row]);
  await upsertEvents(store.pool, [{ ...row, deviceId: 'edge-b', label: 'car' }]);
  t.same(await store.getEvent(row.id), row, 'the first device keeps its row');
  const { rows } = await store.pool.query<{ device_id: string }>('SELECT device_id FROM events WHERE id = $1', [row.id]);
  t.same(rows, [{ device_id: 'edge-a' }]);
  await upsertEvents(store.pool, [{ ...row, label: 'bicycle' }]);
  t.equal((await store.getEvent(row.id))?.label, 'bicycle', 'its own device still updates it');
});

t.test('migration 005 re-keys camera rows and thumbnails by device; old ids still resolve', needsPg, async (t) => {
  const schema = testSchema(t);
  // The schema as the previous version left it: migrations 001–004 only, with rows keyed by the bare event id.
  const before = tempDir(t);
  for (const m of loadMigrations([join(process.cwd(), 'cloud/store/postgres/migrations')]).filter((m) => m.version <= 4))
    copyFileSync(m.file, join(before, `${String(m.version).padStart(3, '0')}_${m.name}.sql`));
  const old = new PostgresStore({ url: TEST_DATABASE_URL, schema, poolSize: 2 });
  // Only the old foundation: a store opened with an empty directory list would apply 005 too.
  const { migrate } = await import('../../../../cloud/store/postgres/migrate.js');
  await migrate(old.pool, { schema, dirs: [before] });
  const legacy = {
    ...cameraItem({ eventId: 'ev-old', seq: 1, phase: 'new', startedMs: T0, edgeTimeMs: T0 }).event!,
    id: 'ev-old',
    hasThumbnail: true,
    label: 'Mường\u0000"id":"ev-old"',
  };
  await old.pool.query(
    `INSERT INTO events (id, device_id, site, kind, time_ms, camera_id, label, data) VALUES ('ev-old', 'edge-a', 'muong-nhe', 'camera_event', $1, 'cam-1', 'x', $2::json)`,
    [T0, JSON.stringify(legacy)],
  );
  await old.pool.query(`INSERT INTO thumbnails (event_id, device_id, meta, data) VALUES ('ev-old', 'edge-b', $1::json, $2)`, [
    JSON.stringify({ eventId: 'ev-old', deviceId: 'edge-b', contentType: 'image/jpeg', width: 1, height: 1, score: 1 }),
    Buffer.from([5, 6]),
  ]);
  await old.pool.query(
    `INSERT INTO events (id, device_id, site, kind, time_ms, data) VALUES ('edge-a.alarm.7', 'edge-a', 'muong-nhe', 'alarm', $1, '{"id":"edge-a.alarm.7"}')`,
    [T0],
  );
  await old.close();

  const store = replica(t, schema);
  await store.open();
  const id = cameraRowId('edge-a', 'ev-old');
  const moved = { ...legacy, id };
  t.same(await store.getEvent(id), moved, 'the row lives under its device-qualified id, its json exact (NUL included)');
  t.same(await store.getEvent('ev-old'), moved, 'the old id resolves to the same row');
  t.same((await store.queryEvents({ cameraId: 'cam-1', limit: 10 })).items, [moved]);
  t.match(await store.getEvent('edge-a.alarm.7'), { id: 'edge-a.alarm.7' }, 'seq-named rows are untouched');
  const thumb = await store.getThumbnail('ev-old');
  t.same(
    [thumb?.eventId, thumb?.deviceId, [...thumb!.data]],
    [cameraRowId('edge-b', 'ev-old'), 'edge-b', [5, 6]],
    "the thumbnail moved to its own device's id, old id resolving",
  );
  t.same(await store.getThumbnail(cameraRowId('edge-b', 'ev-old')), thumb);

  await store.ingest('edge-c', [cameraItem({ eventId: 'ev-old', seq: 1, phase: 'new', startedMs: T0 + 1, edgeTimeMs: T0 + 1, deviceId: 'edge-c' })]);
  t.match(await store.getEvent(cameraRowId('edge-c', 'ev-old')), { deviceId: 'edge-c' }, 'another device sending the same id gets its own row');
  t.same(await store.getEvent('ev-old'), moved, 'and the old id keeps naming the first');
});

t.test('migration 007 takes telemetry out of the site, device and kind indexes; rows stored before page the same', needsPg, async (t) => {
  const schema = testSchema(t);
  const before = tempDir(t);
  for (const m of loadMigrations([join(process.cwd(), 'cloud/store/postgres/migrations')]).filter((m) => m.version <= 6))
    copyFileSync(m.file, join(before, `${String(m.version).padStart(3, '0')}_${m.name}.sql`));
  const old = new PostgresStore({ url: TEST_DATABASE_URL, schema, poolSize: 2 });
  const { migrate } = await import('../../../../cloud/store/postgres/migrate.js');
  await migrate(old.pool, { schema, dirs: [before] });
  const items = Array.from({ length: 30 }, (_, i) =>
    i % 3 === 0 ? alarmItem(i + 1, { timeMs: T0 + i * 1000 }) : seriesItem(i + 1, { startMs: T0 + i * 1000 - 60_000, windowS: 60, values: [i] }),
  );
  await old.ingest('edge-a', items);
  await old.close();

  const store = replica(t, schema);
  await store.open();
  const indexes = await store.pool.query<{ indexname: string; indexdef: string }>(
    "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = $1 AND indexname IN ('events_site', 'events_device', 'events_kind') ORDER BY 1",
    [schema],
  );
  t.equal(indexes.rows.length, 3);
  t.ok(
    indexes.rows.every((r) => r.indexdef.includes("WHERE (kind <> 'telemetry'")),
    'each is partial now',
  );
  const newest = items
    .map((i) => i.event!)
    .sort((a, b) => b.timeMs - a.timeMs)
    .map((r) => r.id);
  const ids = async (q: Omit<EventQuery, 'limit' | 'cursor'>, limit: number) => {
    const out: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.queryEvents({ ...q, limit, cursor });
      out.push(...page.items.map((r) => r.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return out;
  };
  for (const limit of [1, 4, 100]) {
    t.same(await ids({ deviceId: ['edge-a'] }, limit), newest, `by device, pages of ${limit}: every row once, newest first`);
    t.same(await ids({ site: ['muong-nhe'] }, limit), newest, `by site, pages of ${limit}`);
  }
  t.same(
    await ids({ kind: ['alarm'] }, 100),
    newest.filter((id) => id.includes('.alarm.')),
  );
});
