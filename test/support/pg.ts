// PostgreSQL for tests: the server from DATABASE_URL (default: local trust auth), one throwaway
// schema per test so parallel test files never see each other's rows. Test files check
// postgresProblem(): under CI=true an unreachable server fails them, elsewhere they skip with it.
import pg from 'pg';
import { randomBytes } from 'node:crypto';

export const TEST_DATABASE_URL = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';

type Teardown = { teardown(fn: () => unknown): void };

let reachable: Promise<string | undefined> | undefined;

/** undefined when the server answers, else why not. */
export function postgresProblem(): Promise<string | undefined> {
  reachable ??= (async () => {
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return undefined;
    } catch (err) {
      return `PostgreSQL at ${TEST_DATABASE_URL.replace(/:[^:@/]*@/, ':***@')} unreachable: ${(err as Error).message}`;
    } finally {
      await client.end().catch(() => undefined);
    }
  })();
  return reachable;
}

/** A fresh schema name, dropped (with everything in it) at teardown. */
export function testSchema(t: Teardown, prefix = 'ioc_test'): string {
  const schema = `${prefix}_${randomBytes(6).toString('hex')}`;
  t.teardown(() => dropSchema(schema));
  return schema;
}

export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  try {
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end().catch(() => undefined);
  }
}
