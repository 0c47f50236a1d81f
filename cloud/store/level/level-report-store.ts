// Citizen reports on the coordinator's LevelDB (key prefix "rp!").
import { LevelFeatureStore, pad, scanJson, writeBatch } from './level-records.js';
import { decodeJson, encodeJson, type LevelOp } from './codec.js';
import type { ReportStore } from '../contract/report-store.js';
import type { CitizenReport, ReportQuery } from '../../reports/types.js';

const reportKey = (id: string) => `rp!r!${id}`;
const REPORTS = { gte: 'rp!r!', lt: 'rp!r"' };
const imageKey = (id: string, index: number) => `rp!img!${id}!${pad(index, 3)}`;

export class LevelReportStore extends LevelFeatureStore implements ReportStore {
  async createReport(report: CitizenReport, images: readonly Uint8Array[]): Promise<void> {
    const ops: LevelOp[] = [{ type: 'put', key: reportKey(report.id), value: encodeJson(report) }];
    images.forEach((data, i) => {
      ops.push({ type: 'put', key: imageKey(report.id, i), value: data });
    });
    await writeBatch(this.db, ops);
  }

  setAlert(reportId: string, alertId: string): Promise<void> {
    return this.lock.run(reportId, async () => {
      const report = await this.getReport(reportId);
      if (report) await writeBatch(this.db, [{ type: 'put', key: reportKey(reportId), value: encodeJson({ ...report, alertId }) }]);
    });
  }

  async getReport(id: string): Promise<CitizenReport | undefined> {
    return decodeJson<CitizenReport>(await this.db.get(reportKey(id)));
  }

  async listReports(q: ReportQuery): Promise<{ items: CitizenReport[]; nextCursor: string | null }> {
    const range = { ...REPORTS, ...(q.cursor ? { lt: reportKey(q.cursor) } : {}), reverse: true };
    const items = await scanJson<CitizenReport>(this.db, range, (r) => !q.category || q.category.includes(r.category), q.limit + 1);
    const page = items.slice(0, q.limit);
    return { items: page, nextCursor: items.length > q.limit ? page.at(-1)!.id : null };
  }

  async getImage(reportId: string, index: number): Promise<Uint8Array | undefined> {
    return this.db.get(imageKey(reportId, index));
  }
}
