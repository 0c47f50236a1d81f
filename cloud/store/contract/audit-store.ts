// Storage contract of the API audit trail: append, list newest first. Level and PostgreSQL pass
// the same contract test (test/cloud/audit/audit-store.test.ts).
import type { AuditQuery, AuditRecord } from '../../audit/types.js';
import type { StoreKind } from './store.js';

export interface AuditStore {
  readonly kind: StoreKind;
  init(): Promise<void>;
  close(): Promise<void>;
  append(records: readonly AuditRecord[]): Promise<void>;
  list(query: AuditQuery): Promise<{ items: AuditRecord[]; nextCursor: string | null }>;
}
