// placeholder
import type { MiddlewareHandler } from 'hono';
import { IocError } from '../../common/errors.js';
import type { CitizenReport, ReportQuery } from './types.js';
const notYet = () => new IocError('UNAVAILABLE', 'not built yet');
export interface ReportSubmission { text: string; category: string; lat: number; lon: number; images: File[] }
export class ReportService {
  limiter(): MiddlewareHandler { return async (_c, next) => next(); }
  async submit(_s: ReportSubmission, _actor: string): Promise<{ report: CitizenReport; alertId: string | null }> { throw notYet(); }
  async list(_q: ReportQuery): Promise<{ items: CitizenReport[]; nextCursor: string | null }> { throw notYet(); }
  async get(_id: string): Promise<CitizenReport> { throw notYet(); }
  async image(_id: string, _index: number): Promise<Uint8Array> { throw notYet(); }
}
