// The PostgreSQL connection pool of the coordinator: every connection starts in the configured
// schema (search_path), 64-bit integers come back as numbers, idle-connection errors are logged
// instead of crashing the process.
import pg from 'pg';
import { createHash } from 'node:crypto';
import { IocError, StorageError, errorMessage } from '../../../common/errors.js';
import { RateLimitedLog, type Logger } from '../../../common/log.js';

export interface PgOptions {
  url: string;
  /** Schema holding the tables; created when missing. */
  schema: string;
  poolSize: number;
  applicationName?: string;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Seqs and millisecond times stay far below 2^53, so int8 and sums parse to plain numbers. */
const TYPES = {
  getTypeParser(oid: number, format?: string): (value: string) => unknown {
    if (oid === 20 || oid === 1700) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

export function assertSchemaName(schema: string): void {
  if (!SCHEMA_NAME.test(schema)) throw new IocError('CONFIG_INVALID', `store.schema "${schema}": lower-case letters, digits and "_" only`);
}

function clientConfig(options: PgOptions): pg.ClientConfig {
  assertSchemaName(options.schema);
  return {
    connectionString: options.url,
    // The name is checked above, so it needs no quoting; "public" stays reachable for extensions.
    options: `-c search_path=${options.schema}${options.schema === 'public' ? '' : ',public'}`,
    application_name: options.applicationName ?? 'ioc-coordinator',
    types: TYPES,
    connectionTimeoutMillis: 10_000,
  };
}

/**
 * A client whose text parameters never carry NUL: PostgreSQL refuses it in text ("invalid byte
 * sequence"), which would turn a stray NUL in a query string into a 503 for every store on this
 * pool (the feature stores too). Stored and looked-up values are mapped the same way (pgText), so
 * they still match. JSON text is unaffected: JSON.stringify writes NUL as the escape \u0000.
 */
class NulSafeClient extends pg.Client {
  override query(...args: unknown[]): never {
    const [first, second] = args;
    if (Array.isArray(second)) args[1] = nulSafe(second);
    else if (first && typeof first === 'object' && Array.isArray((first as { values?: unknown }).values)) {
      const values = (first as { values: unknown[] }).values;
      const safe = nulSafe(values);
      if (safe !== values) args[0] = { ...(first as object), values: safe };
    }
    return (super.query as (...a: unknown[]) => never)(...args);
  }
}

/** The value with NUL mapped out of its strings; the same value (no copy) when it has none. */
function nulSafe(value: unknown): unknown {
  if (typeof value === 'string') return pgText(value);
  if (!Array.isArray(value)) return value;
  // Ingest sends arrays of thousands of strings, nearly never with a NUL: copy only on change.
  let copy: unknown[] | undefined;
  for (let i = 0; i < value.length; i++) {
    const item: unknown = value[i];
    const safe = nulSafe(item);
    if (safe !== item) {
      copy ??= value.slice();
      copy[i] = safe;
    }
  }
  return copy ?? value;
}

export function createPool(options: PgOptions, logger: Logger): pg.Pool {
  const pool = new pg.Pool({ ...clientConfig(options), max: options.poolSize, idleTimeoutMillis: 30_000, Client: NulSafeClient });
  const rateLimited = new RateLimitedLog(logger);
  // An idle connection dropped by the server emits here; unhandled it would end the process.
  pool.on('error', (err) => rateLimited.warn('pg-idle', { err: err.message }, 'PostgreSQL connection lost; the pool reconnects'));
  return pool;
}

/** One connection outside the pool (LISTEN needs a connection of its own for its lifetime). */
export function createClient(options: PgOptions): pg.Client {
  return new pg.Client(clientConfig(options));
}

/** A 32-bit advisory-lock key for a name: locks of different schemas never collide by design. */
export function lockKey(name: string): number {
  return createHash('sha256').update(name).digest().readInt32BE(0);
}

/** SQLSTATEs after which the whole transaction may simply run again. */
const RETRYABLE = new Set(['40P01', '40001']); // deadlock_detected, serialization_failure

/**
 * Runs fn in one transaction on one connection; rolls back on any failure. A transaction the
 * server chose as a deadlock victim is run again (a few times): fn must only touch the database.
 */
export async function inTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await transactionOnce(pool, fn);
    } catch (err) {
      const code = (err as { cause?: { code?: string } }).cause?.code;
      if (attempt >= 4 || !code || !RETRYABLE.has(code)) throw err;
      await new Promise((r) => setTimeout(r, 5 * attempt * Math.random()));
    }
  }
}

async function transactionOnce<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (err) {
    throw new StorageError(`PostgreSQL unreachable: ${errorMessage(err)}`, err);
  }
  let broken = false;
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {
      broken = true;
    });
    throw asStorageError(err);
  } finally {
    client.release(broken);
  }
}

/**
 * Database failures become STORAGE errors (503 / UNAVAILABLE), except those about the data
 * itself: SQLSTATE class 22 (a value out of range, malformed, too long) is the request's fault
 * and retrying will not help, so VALIDATION (400); class 23 (a constraint refused the row) is
 * CONFLICT (409). Coded errors pass through.
 */
export function asStorageError(err: unknown): IocError {
  if (err instanceof IocError) return err;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && code.startsWith('22')) return new IocError('VALIDATION', `invalid value: ${errorMessage(err)}`, { cause: err });
  if (typeof code === 'string' && code.startsWith('23')) return new IocError('CONFLICT', `refused by the database: ${errorMessage(err)}`, { cause: err });
  return new StorageError(`PostgreSQL: ${errorMessage(err)}`, err);
}

/** PostgreSQL text cannot hold NUL; the stored JSON keeps the original, filter columns this. */
export function pgText(value: string): string {
  return value.includes('\u0000') ? value.replaceAll('\u0000', '\uFFFD') : value;
}

/** A millisecond time or seq as a bigint column: whole, ≥ 0, within what a number holds exactly. */
export function pgInt(value: number): number {
  if (!Number.isFinite(value)) return value > 0 ? Number.MAX_SAFE_INTEGER : 0;
  return Math.min(Number.MAX_SAFE_INTEGER, Math.max(0, Math.floor(value)));
}
