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
import { alarmItem, cameraItem, T0, thumbnailItem } from '../fixtures.js';
import type { IngestItem } from '../../../../cloud/store/types.js';
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
  t.same(rows.map((r) => r.version), expected);
  t.same(expected.filter((v) => v < 100), [1, 2, 3, 4], 'the foundation is 001–004; feature tables sit at 100 and above');
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
  const err = await store.open().then(() => undefined, (e: unknown) => e);
  t.ok(err instanceof IocError && err.code === 'STORAGE', `open fails with STORAGE (${String(err)})`);
  const q = await store.queryEvents({ limit: 5 }).then(() => undefined, (e: unknown) => e);
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
  t.same(results.map((r) => r.stored.length), Array(8).fill(60), 'every batch stored');
  t.equal((await store.queryEvents({ kind: ['camera_event'], limit: 100 })).items.length, 30, 'one row per event id');
});

t.test('errors about the data are the request\'s (400, 409), not the database\'s (503)', needsPg, async (t) => {
  const store = replica(t, testSchema(t));
  await store.open();
  const codeOf = (p: Promise<unknown>) => p.then(() => 'resolved', (err: unknown) => asStorageError(err).code);
  t.equal(await codeOf(store.pool.query('SELECT $1::int', ['2147483648'])), 'VALIDATION', 'integer out of range');
  t.equal(await codeOf(store.pool.query('SELECT $1::jsonb', ['{"a":"\\u0000"}'])), 'VALIDATION', 'jsonb refusing \\u0000');
  await store.pool.query('CREATE TABLE uniq (k text PRIMARY KEY)');
  await store.pool.query("INSERT INTO uniq VALUES ('a')");
  t.equal(await codeOf(store.pool.query("INSERT INTO uniq VALUES ('a')")), 'CONFLICT', 'unique violation');
  t.equal(await codeOf(store.pool.query('SELECT * FROM no_such_table')), 'STORAGE', 'anything else is the database\'s');
});
