// Triage on PostgreSQL (tables from migration 101_triage.sql). Replicas share it: the source
// key is UNIQUE, so two replicas seeing the same alarm raise one alert; a mutation holds the
// alert's row lock, so concurrent changes serialize. Announced changes go into the record journal
// in the same transaction.
import type pg from 'pg';
import { IocError } from '../../../common/errors.js';
import { severityRank } from '../../../common/severity.js';
import { asStorageError, inTransaction, pgText } from './pool.js';
import { journalAlert } from '../contract/journal.js';
import type { PgJournal } from './pg-journal.js';
import type { AlertChange, TriageStore } from '../contract/triage-store.js';
import { ALERT_STATES, type Alert, type AlertAuditEntry, type AlertPage, type AlertQuery, type AlertState, type AuditInput } from '../../triage/types.js';

type Queryable = Pick<pg.PoolClient, 'query'>;

const openDispatch = (a: Alert) => a.state === 'dispatched' && a.dispatch !== null && a.dispatch.acknowledgedAtMs === undefined;

export class PgTriageStore implements TriageStore {
  readonly kind = 'postgres' as const;

  constructor(
    private readonly pool: pg.Pool,
    private readonly journal: PgJournal,
  ) {}

  async init(): Promise<void> {}

  async close(): Promise<void> {}

  createAlert(alert: Alert, audit: AuditInput): Promise<{ alert: Alert; created: boolean }> {
    return inTransaction(this.pool, async (client) => {
      const inserted = await client.query(
        `INSERT INTO triage_alerts (id, source_key, state, kind, site, severity_rank, open_dispatch, data)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb) ON CONFLICT (source_key) DO NOTHING`,
        [alert.id, pgText(alert.sourceKey), alert.state, alert.kind, alert.site, severityRank(alert.severity), openDispatch(alert), JSON.stringify(alert)],
      );
      if (inserted.rowCount === 0) {
        const { rows } = await client.query<{ data: Alert }>('SELECT data FROM triage_alerts WHERE source_key = $1', [pgText(alert.sourceKey)]);
        return { alert: rows[0]!.data, created: false };
      }
      await this.appendAudit(client, alert.id, 0, [audit]);
      await this.journal.insert(client, journalAlert('alert.created', alert));
      return { alert, created: true };
    });
  }

  private async appendAudit(client: Queryable, alertId: string, lastSeq: number, entries: readonly AuditInput[]): Promise<void> {
    let seq = lastSeq;
    for (const entry of entries) {
      seq++;
      const row: AlertAuditEntry = { ...entry, alertId, seq };
      await client.query('INSERT INTO triage_audit (alert_id, seq, at_ms, data) VALUES ($1, $2, $3, $4::jsonb)', [
        alertId,
        seq,
        entry.atMs,
        JSON.stringify(row),
      ]);
    }
  }

  async getAlert(id: string): Promise<Alert | undefined> {
    const { rows } = await this.run<{ data: Alert }>('SELECT data FROM triage_alerts WHERE id = $1', [pgText(id)]);
    return rows[0]?.data;
  }

  async getAlertBySource(sourceKey: string): Promise<Alert | undefined> {
    const { rows } = await this.run<{ data: Alert }>('SELECT data FROM triage_alerts WHERE source_key = $1', [pgText(sourceKey)]);
    return rows[0]?.data;
  }

  mutateAlert(id: string, mutate: (current: Alert) => AlertChange | undefined): Promise<Alert> {
    return inTransaction(this.pool, async (client) => {
      const { rows } = await client.query<{ data: Alert }>('SELECT data FROM triage_alerts WHERE id = $1 FOR UPDATE', [pgText(id)]);
      const current = rows[0]?.data;
      if (!current) throw new IocError('NOT_FOUND', `alert ${id} not found`);
      const change = mutate(current);
      if (!change) return current;
      const a = change.alert;
      await client.query('UPDATE triage_alerts SET state = $2, site = $3, severity_rank = $4, open_dispatch = $5, data = $6::jsonb WHERE id = $1', [
        id,
        a.state,
        a.site,
        severityRank(a.severity),
        openDispatch(a),
        JSON.stringify(a),
      ]);
      const last = await client.query<{ seq: number | null }>('SELECT max(seq) AS seq FROM triage_audit WHERE alert_id = $1', [id]);
      await this.appendAudit(client, id, last.rows[0]?.seq ?? 0, change.audit);
      if (change.type) await this.journal.insert(client, journalAlert(change.type, a));
      return a;
    });
  }

  async listAlerts(q: AlertQuery): Promise<AlertPage> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('$?', `$${params.length}`));
    };
    if (q.cursor) add('id < $?', q.cursor);
    if (q.state) add('state = ANY($?)', q.state);
    if (q.site) add('site = ANY($?)', q.site);
    if (q.kind) add('kind = ANY($?)', q.kind);
    if (q.minSeverity) add('severity_rank >= $?', severityRank(q.minSeverity));
    params.push(q.limit + 1);
    const { rows } = await this.run<{ data: Alert }>(
      `SELECT data FROM triage_alerts ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT $${params.length}`,
      params,
    );
    const page = rows.slice(0, q.limit).map((r) => r.data);
    return { items: page, nextCursor: rows.length > q.limit ? page.at(-1)!.id : null };
  }

  async unacknowledgedDispatches(): Promise<Alert[]> {
    const { rows } = await this.run<{ data: Alert }>('SELECT data FROM triage_alerts WHERE open_dispatch ORDER BY id');
    return rows.map((r) => r.data);
  }

  async countByState(): Promise<Record<AlertState, number>> {
    const counts = Object.fromEntries(ALERT_STATES.map((s) => [s, 0])) as Record<AlertState, number>;
    const { rows } = await this.run<{ state: AlertState; n: number }>('SELECT state, count(*)::int AS n FROM triage_alerts GROUP BY state');
    for (const r of rows) counts[r.state] = r.n;
    return counts;
  }

  async auditLog(alertId: string): Promise<AlertAuditEntry[]> {
    const { rows } = await this.run<{ data: AlertAuditEntry }>('SELECT data FROM triage_audit WHERE alert_id = $1 ORDER BY seq', [pgText(alertId)]);
    return rows.map((r) => r.data);
  }

  async getSetting<T>(key: string): Promise<T | undefined> {
    const { rows } = await this.run<{ data: T }>('SELECT data FROM triage_settings WHERE key = $1', [key]);
    return rows[0]?.data;
  }

  async putSetting<T>(key: string, value: T | undefined): Promise<void> {
    if (value === undefined) await this.run('DELETE FROM triage_settings WHERE key = $1', [key]);
    else
      await this.run('INSERT INTO triage_settings (key, data) VALUES ($1, $2::jsonb) ON CONFLICT (key) DO UPDATE SET data = EXCLUDED.data', [
        key,
        JSON.stringify(value),
      ]);
  }

  private async run<R extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<pg.QueryResult<R>> {
    try {
      return await this.pool.query<R>(sql, params);
    } catch (err) {
      throw asStorageError(err);
    }
  }
}
