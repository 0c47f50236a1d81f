// Storage contract of triage. Implementations (level, PostgreSQL) pass the same contract test
// (test/cloud/triage/triage-store.test.ts).
import type { Alert, AlertAuditEntry, AlertPage, AlertQuery, AlertState, AuditInput } from '../../triage/types.js';
import type { StoreKind } from './store.js';

/** What a mutation returns: the new alert and the audit entries to append with it, atomically. */
export interface AlertChange {
  alert: Alert;
  audit: AuditInput[];
  /**
   * The change's name when it is announced (alert.verified, alert.escalated…): journaled for the
   * external bus in the same write when the journal is on. Unannounced changes (comments) have none.
   */
  type?: string;
}

export interface TriageStore {
  readonly kind: StoreKind;
  init(): Promise<void>;
  close(): Promise<void>;
  /**
   * Creates the alert unless one with the same sourceKey exists (also across restarts and
   * replicas); `created: false` returns the existing one untouched. A created alert is
   * journaled as alert.created in the same write.
   */
  createAlert(alert: Alert, audit: AuditInput): Promise<{ alert: Alert; created: boolean }>;
  getAlert(id: string): Promise<Alert | undefined>;
  getAlertBySource(sourceKey: string): Promise<Alert | undefined>;
  /**
   * Read-modify-write of one alert, serialized against every other writer of it. `mutate` may
   * throw (e.g. a 409 for an invalid transition) to change nothing, or return undefined for no
   * change. The alert, its audit entries and its journal entry (when typed) are written together.
   */
  mutateAlert(id: string, mutate: (current: Alert) => AlertChange | undefined): Promise<Alert>;
  listAlerts(query: AlertQuery): Promise<AlertPage>;
  /** Dispatched alerts whose agency has not acknowledged yet (the escalation watch list). */
  unacknowledgedDispatches(): Promise<Alert[]>;
  countByState(): Promise<Record<AlertState, number>>;
  auditLog(alertId: string): Promise<AlertAuditEntry[]>;
  /** Small settings documents (the routing table replaced through the API). */
  getSetting<T>(key: string): Promise<T | undefined>;
  putSetting<T>(key: string, value: T | undefined): Promise<void>;
}
