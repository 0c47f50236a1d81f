// The backend factory: `store.kind` picks one plug, which opens its store and feature stores
// together, keeps what it stored across a restart, and shares the bus and presence the way its
// deployment needs (in one process for level, across replicas for PostgreSQL).
import t from 'tap';
import { join } from 'node:path';
import { createBackend } from '../../../cloud/store/backends.js';
import type { Sharing, StoreBackend } from '../../../cloud/store/contract/backend.js';
import type { BusMessage } from '../../../cloud/live/bus.js';
import type { LiveSession } from '../../../cloud/ingest/presence.js';
import { createCoordinatorMetrics } from '../../../cloud/metrics.js';
import { makeRootLogger } from '../../../common/log.js';
import { postgresProblem, TEST_DATABASE_URL, testSchema } from '../../support/pg.js';
import { tempDir } from '../../support/tmp.js';
import { waitFor } from '../../support/wait.js';

const logger = makeRootLogger('test');
logger.level = process.env.LOG_LEVEL ?? 'warn';
const metrics = createCoordinatorMetrics();

type Teardown = { teardown(fn: () => unknown): void };

async function opened(t: Teardown, backend: StoreBackend): Promise<StoreBackend> {
  await backend.open();
  t.teardown(() => backend.close());
  return backend;
}

async function sharing(t: Teardown, backend: StoreBackend): Promise<Sharing> {
  const shared = await backend.startSharing({ offlineAfterMs: 30_000, metrics, logger });
  t.teardown(() => shared.close());
  return shared;
}

const session = (deviceId: string): LiveSession => ({
  deviceId,
  sessionId: `s-${deviceId}`,
  connectedAtMs: Date.now(),
  lastMessageMs: Date.now(),
  close: () => undefined,
});

const device = (id: string) => ({ id, site: 'muong-nhe', tokenSha256: 'x'.repeat(64), revoked: false, createdAtMs: 1 });

t.test('level: one plug for the store and its feature stores, data kept across a restart', async (t) => {
  const settings = { kind: 'level' as const, dir: join(tempDir(t), 'store') };
  const first = createBackend(settings);
  await first.open();
  t.equal(first.store.kind, 'level');
  t.same(
    Object.values(first.features).map((f) => f.kind),
    ['level', 'level', 'level', 'level', 'level'],
    'every feature store on the same backend',
  );
  await first.store.putDevice(device('edge-a'));
  await first.features.audit.append([{ id: 'au-1', atMs: 1, actor: 'ops', role: 'operator', method: 'POST', path: '/x', status: 200 }]);
  await first.close();

  const again = await opened(t, createBackend(settings));
  t.equal((await again.store.getDevice('edge-a'))?.site, 'muong-nhe', 'the coordinator store reopens its data');
  t.equal((await again.features.audit.list({ limit: 10 })).items.length, 1, 'the feature stores reopen theirs');
});

t.test('level: the bus and presence stay in this process', async (t) => {
  const backend = await opened(t, createBackend({ kind: 'level', dir: join(tempDir(t), 'store') }));
  const { bus, presence } = await sharing(t, backend);
  const got: BusMessage[] = [];
  bus.subscribe('records', (m) => got.push(m));
  await bus.publish('records', { n: 1 });
  t.equal(got.length, 1, 'a subscriber hears a publish');
  presence.attach(session('edge-a'));
  t.ok(presence.view('edge-a').online, 'an attached device is online');
});

const problem = await postgresProblem();
if (problem && process.env.CI === 'true') t.fail(`${problem}: PostgreSQL tests are mandatory under CI`);

t.test('postgres', { skip: problem ?? false }, async (t) => {
  t.test('without a url anywhere the config is refused with the setting to fix', async (t) => {
    const saved = process.env.DATABASE_URL;
    delete process.env.DATABASE_URL;
    t.teardown(() => {
      if (saved !== undefined) process.env.DATABASE_URL = saved;
    });
    t.throws(() => createBackend({ kind: 'postgres', schema: 'public', pool_size: 2 }), { code: 'CONFIG_INVALID', message: /store\.url/ });
  });

  t.test('two replicas on one schema share the bus and presence', async (t) => {
    const settings = { kind: 'postgres' as const, url: TEST_DATABASE_URL, schema: testSchema(t, 'ioc_plug'), pool_size: 3 };
    const a = await opened(t, createBackend(settings));
    const b = await opened(t, createBackend(settings));
    t.equal(a.store.kind, 'postgres');
    t.same(
      Object.values(a.features).map((f) => f.kind),
      ['postgres', 'postgres', 'postgres', 'postgres', 'postgres'],
      'every feature store on the same backend',
    );
    const onA = await sharing(t, a);
    const onB = await sharing(t, b);

    const heardOnB: BusMessage[] = [];
    onB.bus.subscribe('alerts', (m) => heardOnB.push(m));
    await onA.bus.publish('alerts', { id: 'al-1' });
    await waitFor('the other replica hears the publish', () => heardOnB.length === 1);

    onA.presence.attach(session('edge-p'));
    await waitFor('the other replica sees the device online', () => onB.presence.view('edge-p').online);
    t.pass('presence is shared');
  });
});
