// Storage contract of the API audit trail: append, list newest first. Level and PostgreSQL pass
// the same contract test (test/cloud/audit/audit-store.test.ts).
import type { AuditQuery, AuditRecord } from './types.js';

export interface AuditStore {
  readonly kind: 'level' | 'postgres';
  init(): Promise<void>;
  close(): Promise<void>;
  append(records: readonly AuditRecord[]): Promise<void>;
  list(query: AuditQuery): Promise<{ items: AuditRecord[]; nextCursor: string | null }>;
}
