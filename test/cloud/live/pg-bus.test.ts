// The bus between replicas: a message published on one replica reaches the subscribers of every
// replica once, in order, with one id; large payloads travel by reference; a dropped listener
// connection comes back by itself.
import t from 'tap';
import { PostgresStore } from '../../../cloud/store/postgres/postgres-store.js';
import { PgBus } from '../../../cloud/live/pg-bus.js';
import type { BusMessage } from '../../../cloud/live/bus.js';
import { postgresProblem, TEST_DATABASE_URL, testSchema } from '../../support/pg.js';
import { waitFor } from '../../support/wait.js';

const problem = await postgresProblem();
if (problem && process.env.CI === 'true') t.fail(`${problem}: PostgreSQL tests are mandatory under CI`);
const needsPg = { skip: problem ?? false };

type Teardown = { teardown(fn: () => unknown): void };

async function replica(t: Teardown, schema: string): Promise<{ store: PostgresStore; bus: PgBus }> {
  const store = new PostgresStore({ url: TEST_DATABASE_URL, schema, poolSize: 3 });
  t.teardown(() => store.close());
  await store.open();
  const bus = new PgBus({ pool: store.pool, connect: () => store.dedicatedClient(), schema });
  t.teardown(() => bus.close());
  await bus.start();
  return { store, bus };
}

t.test('a message published on one replica reaches both, once, in order, with the same id', needsPg, async (t) => {
  const schema = testSchema(t);
  const a = await replica(t, schema);
  const b = await replica(t, schema);
  const onA: BusMessage<{ n: number }>[] = [];
  const onB: BusMessage<{ n: number }>[] = [];
  const alertsOnB: BusMessage[] = [];
  a.bus.subscribe<{ n: number }>('records', (m) => onA.push(m));
  b.bus.subscribe<{ n: number }>('records', (m) => onB.push(m));
  b.bus.subscribe('alerts', (m) => alertsOnB.push(m));
  for (let n = 0; n < 50; n++) await (n % 2 === 0 ? a : b).bus.publish('records', { n, text: 'Mường Nhé \u0000 ok' });
  await a.bus.publish('alerts', { id: 'al-1' });
  await waitFor('50 records on both replicas', () => onA.length === 50 && onB.length === 50 && alertsOnB.length === 1);
  t.same(
    onB.map((m) => m.data.n),
    Array.from({ length: 50 }, (_, n) => n),
    'publish order kept',
  );
  t.same(
    onA.map((m) => m.id),
    onB.map((m) => m.id),
    'one id per message on every replica',
  );
  const ids = onA.map((m) => Number(m.id));
  t.ok(
    ids.every((id, i) => i === 0 || id > ids[i - 1]!),
    'ids grow',
  );
  t.same(onB[0]!.data, { n: 0, text: 'Mường Nhé \u0000 ok' }, 'payload round-trips, NUL included');
  t.same(
    alertsOnB.map((m) => m.topic),
    ['alerts'],
    'topics are kept apart',
  );
});

t.test('a payload above the NOTIFY limit arrives whole, in order with small ones', needsPg, async (t) => {
  const schema = testSchema(t);
  const a = await replica(t, schema);
  const b = await replica(t, schema);
  const got: BusMessage<{ blob?: string; n: number }>[] = [];
  b.bus.subscribe<{ blob?: string; n: number }>('reports', (m) => got.push(m));
  const blob = 'x'.repeat(50_000);
  await a.bus.publish('reports', { n: 1 });
  await a.bus.publish('reports', { n: 2, blob });
  await a.bus.publish('reports', { n: 3 });
  await waitFor('three reports', () => got.length === 3);
  t.same(
    got.map((m) => m.data.n),
    [1, 2, 3],
  );
  t.equal(got[1]!.data.blob, blob, '50 kB payload delivered by reference');
});

t.test('unsubscribe stops delivery; a killed listener connection reconnects', needsPg, async (t) => {
  const schema = testSchema(t);
  const a = await replica(t, schema);
  const got: number[] = [];
  const off = a.bus.subscribe<{ n: number }>('devices', (m) => got.push(m.data.n));
  await a.bus.publish('devices', { n: 1 });
  await waitFor('first', () => got.length === 1);
  const killed = await a.store.pool.query<{ ok: boolean }>('SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE query = $1', [
    `LISTEN ${a.bus.channel}`,
  ]);
  t.equal(killed.rows.length, 1, 'the listener connection was terminated by the server');
  await waitFor(
    'listener back',
    async () => {
      await a.bus.publish('devices', { n: 2 });
      return got.includes(2);
    },
    { timeoutMs: 20_000, intervalMs: 300 },
  );
  off();
  await a.bus.publish('devices', { n: 3 });
  await a.bus.publish('alerts', { marker: true });
  const seen: BusMessage[] = [];
  a.bus.subscribe('alerts', (m) => seen.push(m));
  await a.bus.publish('alerts', { marker: 2 });
  await waitFor('marker', () => seen.length > 0);
  t.notOk(got.includes(3), 'nothing delivered after unsubscribe');
});

t.test('a burst published without waiting goes out in batches, in publish order, large ones included', needsPg, async (t) => {
  const schema = testSchema(t);
  const a = await replica(t, schema);
  const b = await replica(t, schema);
  const got: number[] = [];
  b.bus.subscribe<{ n: number }>('records', (m) => got.push(m.data.n));
  const sends = Array.from({ length: 1200 }, (_, n) => a.bus.publish('records', n % 100 === 0 ? { n, blob: 'y'.repeat(9000) } : { n }));
  await Promise.all(sends);
  await waitFor('1200 messages', () => got.length === 1200, { timeoutMs: 30_000 });
  t.same(
    got,
    Array.from({ length: 1200 }, (_, n) => n),
    'in publish order across flushes and parked payloads',
  );
});

t.test('parked payloads are deleted once every listener has long had them', needsPg, async (t) => {
  const schema = testSchema(t);
  const store = new PostgresStore({ url: TEST_DATABASE_URL, schema, poolSize: 3 });
  t.teardown(() => store.close());
  await store.open();
  const bus = new PgBus({ pool: store.pool, connect: () => store.dedicatedClient(), schema, overflowKeepMs: 1000 });
  t.teardown(() => bus.close());
  await bus.start();
  const got: BusMessage[] = [];
  bus.subscribe('records', (m) => got.push(m));
  await bus.publish('records', { blob: 'z'.repeat(20_000) });
  await waitFor('delivered', () => got.length === 1);
  const parked = async () => Number((await store.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM bus_overflow')).rows[0]!.n);
  t.equal(await parked(), 1, 'parked while fresh');
  await waitFor('parked payload cleaned up', async () => (await parked()) === 0, { timeoutMs: 5000 });
});
