// One API write as the audit trail keeps it: who, what, when, and how it ended.
export interface AuditRecord {
  /** ULID: sorts by time. */
  id: string;
  atMs: number;
  actor: string;
  role: string;
  method: string;
  path: string;
  status: number;
}

export interface AuditQuery {
  actor?: string;
  sinceMs?: number;
  limit: number;
  cursor?: string;
}

/** A write made through the API, as the app reports it; the trail gives it an id. */
export type ApiWrite = Omit<AuditRecord, 'id'>;
