// The store contract against PostgreSQL, each test in its own schema. Under CI=true an
// unreachable server fails this file; elsewhere it is skipped with the reason.
import t from 'tap';
import { PostgresStore } from '../../../cloud/store/postgres/postgres-store.js';
import { postgresProblem, TEST_DATABASE_URL, testSchema } from '../../support/pg.js';
import { runStoreContract } from './contract.js';

const problem = await postgresProblem();
if (problem && process.env.CI === 'true') {
  t.fail(`${problem}: the PostgreSQL store contract is mandatory under CI`);
} else if (problem) {
  t.skip(`${problem}; set DATABASE_URL to run the PostgreSQL store contract`, () => undefined);
} else {
  runStoreContract(t, async (t) => {
    const store = new PostgresStore({ url: TEST_DATABASE_URL, schema: testSchema(t), poolSize: 4 });
    t.teardown(() => store.close());
    await store.open();
    return store;
  });
}
