// placeholder
import { IocError } from '../../common/errors.js';
import type { AuditQuery, AuditRecord } from './types.js';
export class AuditTrail {
  async list(_q: AuditQuery): Promise<{ items: AuditRecord[]; nextCursor: string | null }> { throw new IocError('UNAVAILABLE', 'not built yet'); }
}
