// Triage: raises alerts (once per source), moves them through the state machine with an audit
// entry for every change, dispatches them to agencies and escalates unacknowledged dispatches.
// Every change is published on the bus (live feed) and offered to the webhooks; the store
// journals it for JetStream in the same write as the change (AlertChange.type).
import { newId } from '../../common/ids.js';
import { IocError, NotFoundError, ValidationError } from '../../common/errors.js';
import type { Logger } from '../../common/log.js';
import type { SeverityName } from '../../common/config/primitives.js';
import type { EventBus } from '../live/bus.js';
import type { TriageStore } from '../store/contract/triage-store.js';
import type { RoutingTable } from './routing.js';
import { checkTransition } from './transitions.js';
import type { TriageMetrics } from './metrics.js';
import type { Alert, AlertAuditEntry, AlertPage, AlertQuery, AlertSource, AlertState, AuditInput } from './types.js';

/** Where alert changes go besides the bus: the webhooks. */
export interface AlertNotifier {
  /** `channel`: also deliver to this endpoint even if it did not subscribe to the event type. */
  notify(event: string, data: unknown, options?: { channels?: (string | null | undefined)[] }): Promise<void>;
}

export interface NewAlert {
  source: AlertSource;
  sourceKey: string;
  severity: SeverityName;
  title: string;
  site: string | null;
  deviceId: string | null;
  rule: string | null;
  location: { lat: number; lon: number } | null;
  eventIds: string[];
  reportId?: string | null;
  phase?: string | null;
  details?: Record<string, unknown>;
}

/** The message published on the bus topic `alerts`. */
export interface AlertBusMessage {
  type: string;
  alert: Alert;
}

export interface TriageServiceOptions {
  store: TriageStore;
  routing: RoutingTable;
  bus: EventBus;
  notifier: AlertNotifier;
  metrics: TriageMetrics;
  escalation: { ack_timeout_s: number; max_escalations: number; channel?: string };
  logger: Logger;
  now?: () => number;
}

export class TriageService {
  private readonly now: () => number;

  constructor(private readonly o: TriageServiceOptions) {
    this.now = o.now ?? Date.now;
  }

  /** Creates the alert unless its source already raised one; returns whichever exists. */
  async raise(input: NewAlert, actor: string): Promise<{ alert: Alert; created: boolean }> {
    const now = this.now();
    const routing = await this.o.routing.route({ kind: input.source, rule: input.rule, site: input.site, severity: input.severity });
    const alert: Alert = {
      id: newId(now),
      source: input.source,
      sourceKey: input.sourceKey,
      kind: input.source,
      state: 'new',
      severity: input.severity,
      title: input.title,
      site: input.site,
      deviceId: input.deviceId,
      rule: input.rule,
      location: input.location,
      eventIds: input.eventIds,
      reportId: input.reportId ?? null,
      phase: input.phase ?? null,
      endedAtMs: null,
      createdAtMs: now,
      updatedAtMs: now,
      routing,
      dispatch: null,
      details: input.details ?? {},
    };
    const result = await this.o.store.createAlert(alert, { atMs: now, actor, action: 'created', to: 'new', detail: { routing } });
    if (result.created) {
      this.o.metrics.created.inc({ kind: alert.kind, severity: alert.severity });
      await this.announce('alert.created', result.alert);
    }
    return result;
  }

  /**
   * A later record about the same source (alarm cleared, camera event updated or ended).
   * `change` returns the patch and the audit note, or undefined when it is already known.
   */
  async annotate(
    sourceKey: string,
    actor: string,
    change: (a: Alert) => { patch: Partial<Alert>; note: string; detail?: Record<string, unknown> } | undefined,
  ): Promise<Alert | undefined> {
    const existing = await this.o.store.getAlertBySource(sourceKey);
    if (!existing) return undefined;
    let changed = false;
    const alert = await this.o.store.mutateAlert(existing.id, (current) => {
      const c = change(current);
      if (!c) return undefined;
      changed = true;
      const now = this.now();
      return {
        alert: { ...current, ...c.patch, updatedAtMs: now },
        audit: [{ atMs: now, actor, action: 'annotated', comment: c.note, detail: c.detail }],
        type: 'alert.updated',
      };
    });
    if (changed) await this.announce('alert.updated', alert);
    return alert;
  }

  async get(id: string): Promise<Alert> {
    const alert = await this.o.store.getAlert(id);
    if (!alert) throw new NotFoundError(`alert ${id}`);
    return alert;
  }

  list(query: AlertQuery): Promise<AlertPage> {
    return this.o.store.listAlerts(query);
  }

  async auditLog(id: string): Promise<AlertAuditEntry[]> {
    await this.get(id);
    return this.o.store.auditLog(id);
  }

  /** An operator's move; 409 with the reason when the state machine does not allow it. */
  async transition(id: string, to: AlertState, actor: string, options: { comment?: string; agency?: string } = {}): Promise<Alert> {
    await this.get(id);
    const agencyChoice = to === 'dispatched' ? await this.chooseAgency(id, options.agency) : undefined;
    const alert = await this.o.store.mutateAlert(id, (current) => {
      checkTransition(current.state, to);
      const now = this.now();
      const next: Alert = { ...current, state: to, updatedAtMs: now };
      const detail: Record<string, unknown> = {};
      if (agencyChoice) {
        next.dispatch = {
          agency: agencyChoice.agency,
          channel: agencyChoice.channel ?? undefined,
          atMs: now,
          by: actor,
          escalations: 0,
          routedAgency: current.routing.agency && current.routing.agency !== agencyChoice.agency ? current.routing.agency : undefined,
        };
        Object.assign(detail, { agency: agencyChoice.agency, channel: agencyChoice.channel, routedAgency: current.routing.agency });
      }
      const entry: AuditInput = {
        atMs: now,
        actor,
        action: 'transition',
        from: current.state,
        to,
        comment: options.comment,
        detail: Object.keys(detail).length ? detail : undefined,
      };
      return { alert: next, audit: [entry], type: `alert.${to}` };
    });
    this.o.metrics.transitions.inc({ to });
    await this.announce(`alert.${to}`, alert, to === 'dispatched' ? [alert.dispatch?.channel] : []);
    return alert;
  }

  private async chooseAgency(id: string, requested: string | undefined): Promise<{ agency: string; channel: string | null }> {
    const current = await this.get(id);
    const agencyId = requested ?? current.routing.agency;
    if (!agencyId) throw new ValidationError('no agency: routing found none for this alert; give "agency"');
    const agency = this.o.routing.agency(agencyId);
    if (!agency) {
      const known = this.o.routing.agencies.map((a) => a.id).join(', ') || 'none configured';
      throw new ValidationError(`unknown agency "${agencyId}"; known: ${known}`);
    }
    // The routed channel belongs to the routed agency; another agency gets its own channel.
    const channel = agencyId === current.routing.agency && current.routing.channel ? current.routing.channel : (agency.channel ?? null);
    return { agency: agencyId, channel };
  }

  /** The agency confirms it has the dispatch: stops escalation. */
  async acknowledge(id: string, actor: string, options: { agency?: string; comment?: string } = {}): Promise<Alert> {
    await this.get(id);
    const alert = await this.o.store.mutateAlert(id, (current) => {
      const d = current.dispatch;
      if (current.state !== 'dispatched' || !d) throw new IocError('CONFLICT', `the alert is ${current.state}: only a dispatched alert can be acknowledged`);
      if (options.agency && options.agency !== d.agency) throw new IocError('CONFLICT', `the alert was dispatched to ${d.agency}, not ${options.agency}`);
      if (d.acknowledgedAtMs !== undefined) throw new IocError('CONFLICT', `already acknowledged by ${d.acknowledgedBy ?? d.agency}`);
      const now = this.now();
      return {
        alert: { ...current, updatedAtMs: now, dispatch: { ...d, acknowledgedAtMs: now, acknowledgedBy: actor } },
        audit: [
          { atMs: now, actor, action: 'acknowledged', comment: options.comment, detail: { agency: d.agency, afterS: Math.round((now - d.atMs) / 1000) } },
        ],
        type: 'alert.acknowledged',
      };
    });
    await this.announce('alert.acknowledged', alert);
    return alert;
  }

  async comment(id: string, actor: string, comment: string): Promise<Alert> {
    await this.get(id);
    return this.o.store.mutateAlert(id, (current) => {
      const now = this.now();
      return { alert: { ...current, updatedAtMs: now }, audit: [{ atMs: now, actor, action: 'commented', comment }] };
    });
  }

  /** Escalates every dispatch whose agency has been silent too long; returns how many. */
  async escalateDue(): Promise<number> {
    let escalated = 0;
    for (const candidate of await this.o.store.unacknowledgedDispatches()) {
      if (!this.due(candidate, this.now())) continue;
      let changed = false;
      // Re-checked inside the write: another replica may have escalated it a moment ago.
      const alert = await this.o.store.mutateAlert(candidate.id, (current) => {
        const now = this.now();
        if (!this.due(current, now)) return undefined;
        const d = current.dispatch!;
        changed = true;
        const level = d.escalations + 1;
        return {
          alert: { ...current, updatedAtMs: now, dispatch: { ...d, escalations: level, lastEscalatedAtMs: now } },
          audit: [
            {
              atMs: now,
              actor: 'system',
              action: 'escalated',
              comment: `${d.agency} has not acknowledged after ${Math.round((now - d.atMs) / 1000)} s (escalation ${level})`,
              detail: { agency: d.agency, level, waitedS: Math.round((now - d.atMs) / 1000) },
            },
          ],
          type: 'alert.escalated',
        };
      });
      if (!changed) continue;
      escalated++;
      this.o.metrics.escalations.inc({ agency: alert.dispatch!.agency });
      this.o.logger.warn({ alert: alert.id, agency: alert.dispatch!.agency, level: alert.dispatch!.escalations }, 'dispatch escalated');
      await this.announce('alert.escalated', alert, [alert.dispatch!.channel, this.o.escalation.channel]);
    }
    return escalated;
  }

  private due(a: Alert, now: number): boolean {
    const d = a.dispatch;
    if (a.state !== 'dispatched' || !d || d.acknowledgedAtMs !== undefined) return false;
    if (d.escalations >= this.o.escalation.max_escalations) return false;
    const timeoutS = this.o.routing.agency(d.agency)?.ack_timeout_s ?? this.o.escalation.ack_timeout_s;
    return now - (d.lastEscalatedAtMs ?? d.atMs) >= timeoutS * 1000;
  }

  /** Publishes a change on the bus and offers it to the webhooks; neither may fail the change. */
  private async announce(type: string, alert: Alert, channels: (string | null | undefined)[] = []): Promise<void> {
    try {
      await this.o.bus.publish<AlertBusMessage>('alerts', { type, alert });
    } catch (err) {
      this.o.logger.error({ err: (err as Error).message, type }, 'alert change not published on the bus');
    }
    try {
      await this.o.notifier.notify(type, { alert }, { channels });
    } catch (err) {
      this.o.logger.error({ err: (err as Error).message, type }, 'alert change not queued for webhooks');
    }
  }
}
