// The IOC feature stores (triage, webhooks, reports, device admin, audit) on both backends, for
// their contract tests: the level store in a temp dir, PostgreSQL in a throwaway schema. Under
// CI=true an unreachable PostgreSQL fails the test; elsewhere its half is skipped with the reason.
import type t from 'tap';
import { join } from 'node:path';
import { LevelStore } from '../../cloud/store/level/level-store.js';
import { PostgresStore } from '../../cloud/store/postgres/postgres-store.js';
import type { CoordinatorStore } from '../../cloud/store/contract/store.js';
import type { FeatureStores } from '../../cloud/store/contract/backend.js';
import { levelBackendOf } from '../../cloud/store/level/backend.js';
import { postgresBackendOf } from '../../cloud/store/postgres/backend.js';
import { postgresProblem, TEST_DATABASE_URL, testSchema } from './pg.js';
import { tempDir } from './tmp.js';
import { makeRootLogger } from '../../common/log.js';

const quiet = makeRootLogger('test');
quiet.level = process.env.LOG_LEVEL ?? 'warn';

export type TapTest = Parameters<Parameters<typeof t.test>[0]>[0];
export type Backend = 'level' | 'postgres';

export type OpenedStores = {
  store: CoordinatorStore;
  features: FeatureStores;
  /** Closes and opens the same data again (restart), returning new handles. */
  reopen(): Promise<OpenedStores>;
} & (
  | { backend: 'level' }
  /** `pool`: for tests of what the database itself enforces. */
  | { backend: 'postgres'; pool: PostgresStore['pool'] }
);

async function open(t: TapTest, backend: Backend, place: string): Promise<OpenedStores> {
  const postgres = backend === 'postgres' ? new PostgresStore({ url: TEST_DATABASE_URL, schema: place, poolSize: 4, logger: quiet }) : undefined;
  const plugged = postgres ? postgresBackendOf(postgres) : levelBackendOf(new LevelStore(place));
  await plugged.open();
  const { store, features } = plugged;
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await plugged.close();
  };
  t.teardown(close);
  const handles = {
    store,
    features,
    async reopen() {
      await close();
      return open(t, backend, place);
    },
  };
  return postgres ? { ...handles, backend: 'postgres', pool: postgres.pool } : { ...handles, backend: 'level' };
}

/** Runs `suite` once per backend as subtests named after it. */
export async function forEachBackend(tap: TapTest, suite: (t: TapTest, make: (t: TapTest) => Promise<OpenedStores>) => void): Promise<void> {
  tap.test('level', async (t) => suite(t, (tt) => open(tt, 'level', join(tempDir(tt), 'store'))));
  const problem = await postgresProblem();
  if (problem && process.env.CI === 'true') {
    tap.fail(`${problem}: the PostgreSQL half of this contract is mandatory under CI`);
    return;
  }
  tap.test('postgres', { skip: problem ? `${problem}; set DATABASE_URL to run it` : false }, async (t) =>
    suite(t, (tt) => open(tt, 'postgres', testSchema(tt, 'ioc_feat'))),
  );
}
