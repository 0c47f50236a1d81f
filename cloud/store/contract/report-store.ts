// Storage contract of citizen reports and their (already re-encoded) photos. Level and
// PostgreSQL pass the same contract test (test/cloud/reports/report-store.test.ts).
import type { CitizenReport, ReportQuery } from '../../reports/types.js';
import type { StoreKind } from './store.js';

export interface ReportStore {
  readonly kind: StoreKind;
  init(): Promise<void>;
  close(): Promise<void>;
  /** Stores the report with its images (images[i] belongs to report.images[i]). */
  createReport(report: CitizenReport, images: readonly Uint8Array[]): Promise<void>;
  setAlert(reportId: string, alertId: string): Promise<void>;
  getReport(id: string): Promise<CitizenReport | undefined>;
  /** Newest first. */
  listReports(query: ReportQuery): Promise<{ items: CitizenReport[]; nextCursor: string | null }>;
  getImage(reportId: string, index: number): Promise<Uint8Array | undefined>;
}
