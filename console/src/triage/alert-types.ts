// Alerts as the triage API returns them (/openapi.json: Alert, AlertAuditEntry) and the state
// machine the queue shows: new → verified → dispatched → resolved, or dismissed.
// TODO: infer these from cloud/api/routes/alerts.ts (as api/types.ts does) once that module is
// part of every build; until then they mirror its schemas field for field.
export const ALERT_STATES = ['new', 'verified', 'dispatched', 'resolved', 'dismissed'] as const;
export type AlertState = (typeof ALERT_STATES)[number];

export interface AlertView {
  id: string;
  kind: 'alarm' | 'camera_event' | 'citizen_report';
  state: AlertState;
  severity: 'info' | 'low' | 'medium' | 'high' | 'critical';
  title: string;
  site: string | null;
  deviceId: string | null;
  rule: string | null;
  location: { lat: number; lon: number } | null;
  eventIds: string[];
  reportId: string | null;
  phase: string | null;
  endedAtMs: number | null;
  createdAtMs: number;
  updatedAtMs: number;
  routing: { agency: string | null; channel: string | null; rule: string | null };
  dispatch: {
    agency: string;
    channel?: string;
    routedAgency?: string;
    atMs: number;
    by: string;
    acknowledgedAtMs?: number;
    acknowledgedBy?: string;
    escalations: number;
    lastEscalatedAtMs?: number;
  } | null;
  details: Record<string, unknown>;
}

export interface AuditEntry {
  alertId: string;
  seq: number;
  atMs: number;
  actor: string;
  action: 'created' | 'transition' | 'annotated' | 'commented' | 'escalated' | 'acknowledged';
  from?: AlertState;
  to?: AlertState;
  comment?: string;
  detail?: Record<string, unknown>;
}

export const OPEN_STATES: readonly AlertState[] = ['new', 'verified', 'dispatched'];
export const CLOSED_STATES: readonly AlertState[] = ['resolved', 'dismissed'];

export type TriageAction = 'verify' | 'dispatch' | 'resolve' | 'dismiss';

/** Which actions the server accepts from each state (it answers 409 otherwise). */
export const ACTIONS_FROM: Record<AlertState, readonly TriageAction[]> = {
  new: ['verify', 'dismiss'],
  verified: ['dispatch', 'dismiss'],
  dispatched: ['resolve'],
  resolved: [],
  dismissed: [],
};
