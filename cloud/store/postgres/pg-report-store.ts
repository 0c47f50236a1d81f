// Citizen reports on PostgreSQL (migration 102_reports.sql).
import type pg from 'pg';
import { asStorageError, inTransaction } from './pool.js';
import type { ReportStore } from '../contract/report-store.js';
import type { CitizenReport, ReportQuery } from '../../reports/types.js';

export class PgReportStore implements ReportStore {
  readonly kind = 'postgres' as const;

  constructor(private readonly pool: pg.Pool) {}

  async init(): Promise<void> {}

  async close(): Promise<void> {}

  async createReport(report: CitizenReport, images: readonly Uint8Array[]): Promise<void> {
    await inTransaction(this.pool, async (client) => {
      await client.query('INSERT INTO citizen_reports (id, category, data) VALUES ($1, $2, $3::jsonb)', [report.id, report.category, JSON.stringify(report)]);
      for (const [i, data] of images.entries()) {
        await client.query('INSERT INTO citizen_report_images (report_id, idx, data) VALUES ($1, $2, $3)', [report.id, i, Buffer.from(data)]);
      }
    });
  }

  async setAlert(reportId: string, alertId: string): Promise<void> {
    await this.run(`UPDATE citizen_reports SET data = jsonb_set(data, '{alertId}', to_jsonb($2::text)) WHERE id = $1`, [reportId, alertId]);
  }

  async getReport(id: string): Promise<CitizenReport | undefined> {
    const { rows } = await this.run<{ data: CitizenReport }>('SELECT data FROM citizen_reports WHERE id = $1', [id]);
    return rows[0]?.data;
  }

  async listReports(q: ReportQuery): Promise<{ items: CitizenReport[]; nextCursor: string | null }> {
    const { rows } = await this.run<{ data: CitizenReport }>(
      `SELECT data FROM citizen_reports WHERE ($1::text IS NULL OR id < $1) AND ($2::text[] IS NULL OR category = ANY($2)) ORDER BY id DESC LIMIT $3`,
      [q.cursor ?? null, q.category ?? null, q.limit + 1],
    );
    const page = rows.slice(0, q.limit).map((r) => r.data);
    return { items: page, nextCursor: rows.length > q.limit ? page.at(-1)!.id : null };
  }

  async getImage(reportId: string, index: number): Promise<Uint8Array | undefined> {
    const { rows } = await this.run<{ data: Buffer }>('SELECT data FROM citizen_report_images WHERE report_id = $1 AND idx = $2', [reportId, index]);
    return rows[0]?.data;
  }

  private async run<R extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<pg.QueryResult<R>> {
    try {
      return await this.pool.query<R>(sql, params);
    } catch (err) {
      throw asStorageError(err);
    }
  }
}
