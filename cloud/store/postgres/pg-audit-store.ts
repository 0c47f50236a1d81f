// The API audit trail on PostgreSQL (migration 105_api_audit.sql).
import type pg from 'pg';
import { asStorageError } from './pool.js';
import type { AuditStore } from '../contract/audit-store.js';
import type { AuditQuery, AuditRecord } from '../../audit/types.js';

export class PgAuditStore implements AuditStore {
  readonly kind = 'postgres' as const;

  constructor(private readonly pool: pg.Pool) {}

  async init(): Promise<void> {}

  async close(): Promise<void> {}

  async append(records: readonly AuditRecord[]): Promise<void> {
    if (records.length === 0) return;
    const values = records.map((_, i) => `($${i * 4 + 1}, $${i * 4 + 2}, $${i * 4 + 3}, $${i * 4 + 4}::jsonb)`).join(', ');
    await this.run(
      `INSERT INTO api_audit (id, at_ms, actor, data) VALUES ${values} ON CONFLICT (id) DO NOTHING`,
      records.flatMap((r) => [r.id, r.atMs, r.actor, JSON.stringify(r, withoutNul)]),
    );
  }

  async list(q: AuditQuery): Promise<{ items: AuditRecord[]; nextCursor: string | null }> {
    const { rows } = await this.run<{ data: AuditRecord }>(
      `SELECT data FROM api_audit WHERE ($1::text IS NULL OR id < $1) AND ($2::text IS NULL OR actor = $2) AND ($3::bigint IS NULL OR at_ms >= $3)
        ORDER BY id DESC LIMIT $4`,
      [q.cursor ?? null, q.actor ?? null, q.sinceMs ?? null, q.limit + 1],
    );
    const page = rows.slice(0, q.limit).map((r) => r.data);
    return { items: page, nextCursor: rows.length > q.limit ? page.at(-1)!.id : null };
  }

  private async run<R extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<pg.QueryResult<R>> {
    try {
      return await this.pool.query<R>(sql, params);
    } catch (err) {
      throw asStorageError(err);
    }
  }
}

/**
 * jsonb refuses \u0000 and lone UTF-16 surrogates, both of which a fuzzed request path may
 * carry: such a record would block the trail.
 */
function withoutNul(_key: string, value: unknown): unknown {
  return typeof value === 'string' ? value.replaceAll('\u0000', '\uFFFD').replace(LONE_SURROGATE, '\uFFFD') : value;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
