// Alerts as the triage API returns them (types inferred from the coordinator's own schemas,
// type-only: nothing of the server is bundled) and the state machine the queue shows:
// new → verified → dispatched → resolved, or dismissed.
import type { z } from '@hono/zod-openapi';
import type { AlertSchema, AuditEntrySchema } from '../../../cloud/api/routes/alerts.js';
import type { Translate } from '../i18n/i18n.js';
import type { MessageKey } from '../i18n/i18n.js';

export type AlertView = z.infer<typeof AlertSchema>;
export type AuditEntry = z.infer<typeof AuditEntrySchema>;
export type AlertState = AlertView['state'];

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

/**
 * A citizen report's alert is titled "<category code>: <text>" and its rule is the category:
 * both shown in the operator's language.
 */
export function alertCategory(alert: Pick<AlertView, 'kind' | 'rule'>, t: Translate): string | null {
  if (alert.kind !== 'citizen_report' || !alert.rule) return alert.rule ?? null;
  const key = `category.${alert.rule}` as MessageKey;
  const label = t(key);
  return label === key ? alert.rule : label;
}

export function alertTitle(alert: Pick<AlertView, 'kind' | 'rule' | 'title'>, t: Translate): string {
  const prefix = `${alert.rule ?? ''}: `;
  if (alert.kind !== 'citizen_report' || !alert.rule || !alert.title.startsWith(prefix)) return alert.title;
  return `${alertCategory(alert, t)}: ${alert.title.slice(prefix.length)}`;
}
