// What triage keeps: alerts (from alarms, camera events and citizen reports), their dispatch to
// an agency, and the append-only audit log of every change.
import type { SeverityName } from '../../common/config/primitives.js';

export const ALERT_STATES = ['new', 'verified', 'dispatched', 'resolved', 'dismissed'] as const;
export type AlertState = (typeof ALERT_STATES)[number];

export type AlertSource = 'alarm' | 'camera_event' | 'citizen_report';

export interface Dispatch {
  agency: string;
  /** Webhook endpoint told of the dispatch (undefined: nobody to notify automatically). */
  channel?: string;
  /** The routing rule's choice, kept even when the operator picked another agency. */
  routedAgency?: string;
  atMs: number;
  by: string;
  acknowledgedAtMs?: number;
  acknowledgedBy?: string;
  escalations: number;
  lastEscalatedAtMs?: number;
}

export interface Alert {
  /** ULID: sorts by creation time. */
  id: string;
  source: AlertSource;
  /** Unique per thing that raised it: `alarm:<device>:<alarm_id>`, `camera:<event_id>`, `report:<id>`. */
  sourceKey: string;
  kind: AlertSource;
  state: AlertState;
  severity: SeverityName;
  title: string;
  site: string | null;
  deviceId: string | null;
  /** Alarm threshold id, camera rule, or report category. */
  rule: string | null;
  location: { lat: number; lon: number } | null;
  /** Event rows behind the alert (GET /api/v1/events/{id}). */
  eventIds: string[];
  reportId: string | null;
  /** Latest phase seen from the edge: raised/cleared (alarms), new/update/end (camera events). */
  phase: string | null;
  /** When the edge cleared the alarm or ended the camera event (coordinator time). */
  endedAtMs: number | null;
  createdAtMs: number;
  updatedAtMs: number;
  /** Where routing sends it, computed at creation and when the routing table changes. */
  routing: { agency: string | null; channel: string | null; rule: string | null };
  dispatch: Dispatch | null;
  details: Record<string, unknown>;
}

export type AuditAction = 'created' | 'transition' | 'annotated' | 'commented' | 'escalated' | 'acknowledged';

export interface AlertAuditEntry {
  alertId: string;
  /** 1, 2, 3… per alert: the order of the log. */
  seq: number;
  atMs: number;
  /** Who: an API token name, `edge:<device>` or `system`. */
  actor: string;
  action: AuditAction;
  from?: AlertState;
  to?: AlertState;
  comment?: string;
  detail?: Record<string, unknown>;
}

export type AuditInput = Omit<AlertAuditEntry, 'alertId' | 'seq'>;

export interface AlertQuery {
  state?: AlertState[];
  site?: string[];
  kind?: string[];
  minSeverity?: SeverityName;
  limit: number;
  /** Alert id to continue after (newest first). */
  cursor?: string;
}

export interface AlertPage {
  items: Alert[];
  nextCursor: string | null;
}
