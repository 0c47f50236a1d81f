// Schema migrations: migrations/NNN_name.sql applied in version order, each in its own
// transaction, recorded in schema_migrations. A session advisory lock makes replicas that start
// together take turns: the first applies, the others find everything applied.
// Versions 001–099: the coordinator's foundation tables; 100–199: the IOC feature tables.
import type pg from 'pg';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectPath } from '../../../common/paths.js';
import { IocError, StorageError, errorMessage } from '../../../common/errors.js';
import type { Logger } from '../../../common/log.js';
import { assertSchemaName, lockKey } from './pool.js';

export const FOUNDATION_MIGRATIONS = projectPath('cloud', 'store', 'postgres', 'migrations');

export interface Migration {
  version: number;
  name: string;
  file: string;
  sql: string;
  sha256: string;
}

const FILE_NAME = /^(\d{3})_([a-z0-9_]+)\.sql$/;

/** Every NNN_name.sql in the directories, in version order; a version used twice is an error. */
export function loadMigrations(dirs: readonly string[]): Migration[] {
  const byVersion = new Map<number, Migration>();
  for (const dir of dirs) {
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).sort()) {
      const m = FILE_NAME.exec(name);
      if (!m) continue;
      const file = join(dir, name);
      const sql = readFileSync(file, 'utf8');
      const migration = { version: Number(m[1]), name: m[2]!, file, sql, sha256: createHash('sha256').update(sql).digest('hex') };
      const clash = byVersion.get(migration.version);
      if (clash) throw new IocError('CONFIG_INVALID', `migration version ${m[1]} used twice: ${clash.file} and ${file}`);
      byVersion.set(migration.version, migration);
    }
  }
  return [...byVersion.values()].sort((a, b) => a.version - b.version);
}

export interface MigrateResult {
  applied: number[];
  alreadyApplied: number[];
}

/**
 * Brings `schema` up to date. Safe to call from several processes at once. A migration that
 * fails is rolled back and stops the run (later ones are not tried).
 */
export async function migrate(pool: pg.Pool, options: { schema: string; dirs?: readonly string[]; logger?: Logger }): Promise<MigrateResult> {
  assertSchemaName(options.schema);
  const migrations = loadMigrations(options.dirs ?? [FOUNDATION_MIGRATIONS]);
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (err) {
    throw new StorageError(`PostgreSQL unreachable: ${errorMessage(err)}`, err);
  }
  const key = lockKey(`ioc:migrate:${options.schema}`);
  let locked = false;
  try {
    await client.query('SELECT pg_advisory_lock($1)', [key]);
    locked = true;
    // Under the lock: two replicas creating the same schema at once would otherwise race.
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${options.schema}`);
    await client.query(`SET search_path TO ${options.schema}`);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY, name text NOT NULL, sha256 text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = new Map<number, string>(
      (await client.query<{ version: number; sha256: string }>('SELECT version, sha256 FROM schema_migrations')).rows.map((r) => [r.version, r.sha256]),
    );
    const result: MigrateResult = { applied: [], alreadyApplied: [] };
    for (const m of migrations) {
      const sha = done.get(m.version);
      if (sha !== undefined) {
        // An edited, already applied file is not re-run: a new numbered file is the way to change a schema.
        if (sha !== m.sha256) options.logger?.warn({ version: m.version, file: m.file }, 'applied migration changed on disk since; not re-applied');
        result.alreadyApplied.push(m.version);
        continue;
      }
      await applyOne(client, m);
      options.logger?.info({ version: m.version, name: m.name, schema: options.schema }, 'migration applied');
      result.applied.push(m.version);
    }
    return result;
  } finally {
    if (locked) await client.query('SELECT pg_advisory_unlock($1)', [key]).catch(() => undefined);
    await client.query('RESET search_path').catch(() => undefined);
    client.release();
  }
}

async function applyOne(client: pg.PoolClient, m: Migration): Promise<void> {
  try {
    await client.query('BEGIN');
    await client.query(m.sql);
    await client.query('INSERT INTO schema_migrations (version, name, sha256) VALUES ($1, $2, $3)', [m.version, m.name, m.sha256]);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw new StorageError(`migration ${m.version}_${m.name} failed: ${errorMessage(err)}`, err);
  }
}
