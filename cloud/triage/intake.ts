// Turns stored records into alerts: a raised alarm or a camera event at or above the configured
// severity raises one (once per alarm_id / event_id, also across restarts); the alarm's clear
// and the camera event's later phases annotate it. Idempotent, so the start-up catch-up can
// replay recent records safely.
import { errorMessage } from '../../common/errors.js';
import { RateLimitedLog, type Logger } from '../../common/log.js';
import { severityRank } from '../../common/severity.js';
import type { SeverityName } from '../../common/config/primitives.js';
import type { EventRow } from '../store/contract/types.js';
import type { EventStore } from '../store/contract/store.js';
import type { NewAlert, TriageService } from './triage-service.js';
import type { Alert } from './types.js';

type AlertChange = NonNullable<ReturnType<Parameters<TriageService['annotate']>[2]>>;

export interface IntakeOptions {
  triage: TriageService;
  minSeverity: SeverityName;
  kinds: readonly ('alarm' | 'camera_event')[];
  /** Site locations from the coordinator config (alerts of a site are shown there). */
  siteLocation: (site: string) => { lat: number; lon: number } | null;
  logger: Logger;
}

export const alarmSourceKey = (deviceId: string, alarmId: string) => `alarm:${deviceId}:${alarmId}`;
export const cameraSourceKey = (eventId: string) => `camera:${eventId}`;

export class AlertIntake {
  private readonly rateLimited: RateLimitedLog;
  private chain: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(private readonly o: IntakeOptions) {
    this.rateLimited = new RateLimitedLog(o.logger);
  }

  /** IngestHooks.onStored: handled in arrival order, never throwing into ingest. */
  onStored(rows: readonly EventRow[]): Promise<void> {
    const relevant = rows.filter((r) => (r.kind === 'alarm' || r.kind === 'camera_event') && this.o.kinds.includes(r.kind));
    if (relevant.length === 0) return this.chain;
    this.chain = this.chain.then(async () => {
      for (const row of relevant) {
        if (this.closed) return; // left to the next start's catch-up
        try {
          await this.handle(row);
        } catch (err) {
          this.rateLimited.warn(`intake:${row.kind}`, { event: row.id, err: errorMessage(err) }, 'record not turned into an alert');
        }
      }
    });
    return this.chain;
  }

  /**
   * Shutdown: finishes what was handed over, for at most `timeoutMs`; anything left is picked
   * up by the catch-up at the next start rather than failing against a closed store.
   */
  async close(timeoutMs: number): Promise<void> {
    await Promise.race([this.chain, new Promise((resolve) => setTimeout(resolve, timeoutMs).unref())]);
    this.closed = true;
  }

  /** Replays recent alarms and camera events (after a crash between ingest and intake). */
  async catchUp(events: EventStore, sinceMs: number): Promise<number> {
    let cursor: string | undefined;
    let seen = 0;
    do {
      const page = await events.queryEvents({ kind: [...this.o.kinds], sinceMs, limit: 500, cursor });
      // Oldest first, so a raise is handled before its clear.
      await this.onStored([...page.items].reverse());
      seen += page.items.length;
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return seen;
  }

  private severe(severity: SeverityName | null): severity is SeverityName {
    return severity !== null && severityRank(severity) >= severityRank(this.o.minSeverity);
  }

  private async handle(row: EventRow): Promise<void> {
    if (row.kind === 'alarm') return this.alarm(row);
    return this.cameraEvent(row);
  }

  private async alarm(row: EventRow): Promise<void> {
    const p = row.payload as {
      alarm_id?: string;
      state?: string;
      rule_id?: string;
      sensor_id?: string;
      metric?: string;
      value?: number;
      threshold?: number;
      condition?: string;
      message?: string;
      unit?: string;
    };
    if (!p.alarm_id) return;
    const key = alarmSourceKey(row.deviceId, p.alarm_id);
    const actor = `edge:${row.deviceId}`;
    if (p.state === 'raised') {
      if (!this.severe(row.severity)) return;
      await this.o.triage.raise(
        this.alertOf(row, key, {
          title:
            p.message || `${p.sensor_id ?? 'sensor'} ${p.metric ?? ''} ${p.condition ?? ''} ${p.threshold ?? ''}${p.unit ?? ''}`.replace(/\s+/g, ' ').trim(),
          rule: p.rule_id || null,
          details: { sensorId: p.sensor_id, metric: p.metric, value: p.value, threshold: p.threshold, condition: p.condition, unit: p.unit },
        }),
        actor,
      );
      return;
    }
    if (p.state === 'cleared') {
      await this.o.triage.annotate(key, actor, (a) => {
        if (a.eventIds.includes(row.id)) return undefined;
        return {
          patch: { phase: 'cleared', endedAtMs: row.timeMs, eventIds: [...a.eventIds, row.id], details: { ...a.details, clearedValue: p.value } },
          note: `alarm cleared at the edge (value ${p.value ?? '?'}${p.unit ?? ''})`,
          detail: { event: row.id, value: p.value },
        };
      });
    }
  }

  private async cameraEvent(row: EventRow): Promise<void> {
    const p = row.payload as {
      camera_id?: string;
      type?: string;
      rule?: string;
      label?: string;
      detail?: string;
      object_count?: number;
      score?: number;
      started_ms?: number;
      ended_ms?: number;
    };
    const key = cameraSourceKey(row.id);
    const actor = `edge:${row.deviceId}`;
    const phase = row.phase ?? 'new';
    // The row's time is the corrected start; the end is as far after it as on the edge clock.
    const endedAt = p.ended_ms && p.started_ms ? row.timeMs + Math.max(0, p.ended_ms - p.started_ms) : row.receivedMs;
    const update = (a: Alert): AlertChange | undefined => {
      if (a.phase === phase || a.phase === 'end') return undefined;
      return {
        patch: { phase, endedAtMs: phase === 'end' ? endedAt : a.endedAtMs, details: { ...a.details, objectCount: p.object_count, score: p.score } },
        note: phase === 'end' ? 'camera event ended' : `camera event ${phase}`,
        detail: { phase, objectCount: p.object_count },
      };
    };
    const existing = (await this.o.triage.annotate(key, actor, update)) ?? (await this.legacyCameraAlert(row, actor, update));
    if (existing) return;
    // A later phase can be the first seen (the "new" record was below the threshold, or lost).
    if (!this.severe(row.severity)) return;
    const what = p.rule || p.label || p.type || 'camera event';
    await this.o.triage.raise(
      this.alertOf(row, key, {
        title: p.detail || `${what} at ${p.camera_id ?? 'camera'}`,
        rule: p.rule || p.type || null,
        details: { cameraId: p.camera_id, type: p.type, label: p.label, objectCount: p.object_count, score: p.score },
      }),
      actor,
    );
  }

  /**
   * Alerts raised before camera row ids named the device are keyed by the bare edge event id:
   * the same device's later phases (and the start-up catch-up) still find them, another
   * device's event of the same id does not.
   */
  private async legacyCameraAlert(row: EventRow, actor: string, update: (a: Alert) => AlertChange | undefined): Promise<Alert | undefined> {
    const eventId = (row.payload as { event_id?: unknown }).event_id;
    if (typeof eventId !== 'string' || eventId === row.id) return undefined;
    let sameDevice = false;
    const alert = await this.o.triage.annotate(cameraSourceKey(eventId), actor, (a) => {
      sameDevice = a.deviceId === row.deviceId;
      return sameDevice ? update(a) : undefined;
    });
    return sameDevice ? alert : undefined;
  }

  private alertOf(row: EventRow, sourceKey: string, what: { title: string; rule: string | null; details: Record<string, unknown> }): NewAlert {
    return {
      source: row.kind === 'alarm' ? 'alarm' : 'camera_event',
      sourceKey,
      severity: row.severity!,
      title: what.title,
      site: row.site,
      deviceId: row.deviceId,
      rule: what.rule,
      location: this.o.siteLocation(row.site),
      eventIds: [row.id],
      phase: row.phase ?? null,
      details: what.details,
    };
  }
}
