// Event lifecycle of one camera: new → update → end under one ULID, written to the outbox.
// Object events (one per confirmed track, within the hourly budget; the rest counted in
// activity summaries), rule events (one per alert key, never limited or delayed), motion-only
// episodes (detector down) and camera status (offline/online, tamper). A picture goes as a
// separate, lower-lane `thumbnail` record: once per event — at once for rule and motion events,
// for a plain object its best view after a few seconds or at its end — and again only when a
// much better one appears. Updates are sent only when something other than the picture
// changed, and at most once per update interval. The event's state is open-event.ts, when its
// picture goes event-shots.ts, the records it becomes event-records.ts.
import type { SeverityName } from '../../common/config/primitives.js';
import type { Logger } from '../../common/log.js';
import type { TrafficCount } from '../../proto/generated/ioc/edgelink/v1/TrafficCount.js';
import type { EdgeMetrics } from '../metrics.js';
import type { RecordSink } from '../outbox/types.js';
import { ActivitySummary } from './activity.js';
import { ObjectEventBudget } from './event-budget.js';
import { EventRecords } from './event-records.js';
import { takeDueShot, takeShotIfBetter } from './event-shots.js';
import { DEFAULT_EVENT_TIMINGS, newEvent, type EventFields, type EventTimings, type EventType, type OpenEvent } from './open-event.js';
import { medianScore, type Track } from './tracker.js';
import type { RuleAlert } from './rules/index.js';
import { isBetterShot, OBJECT_THUMBNAIL, takeShot, type Shot } from './thumbnail.js';
import { unionBox, type Box, type Frame } from './types.js';

export { DEFAULT_EVENT_TIMINGS, type EventTimings, type EventType };

export interface CameraEventsDeps {
  cameraId: string;
  sink: RecordSink;
  metrics: EdgeMetrics;
  logger: Logger;
  /** Whether a confirmed track's median score is high enough to report (per-label filter). */
  trackPasses: (label: string, medianScore: number) => boolean;
  /** False: no plain object events, only rule, motion and status events. */
  objectEvents?: boolean;
  /** Plain object events per hour on average; beyond it objects go into activity summaries. */
  maxObjectEventsPerHour?: number;
  /** Length of an activity summary interval. */
  activityIntervalMs?: number;
  timings?: Partial<EventTimings>;
}

export class CameraEvents {
  private readonly open = new Map<string, OpenEvent>();
  private readonly trackShots = new Map<string, Shot>();
  /** Reportable tracks held back by the budget: counted once, pictured in the summary only. */
  private readonly heldBack = new Set<string>();
  private readonly budget: ObjectEventBudget;
  private readonly activity: ActivitySummary;
  private readonly timings: EventTimings;
  private readonly records: EventRecords;

  constructor(private readonly deps: CameraEventsDeps) {
    this.timings = { ...DEFAULT_EVENT_TIMINGS, ...deps.timings };
    this.records = new EventRecords(deps);
    this.budget = new ObjectEventBudget(deps.maxObjectEventsPerHour ?? 60);
    this.activity = new ActivitySummary(deps.activityIntervalMs ?? 300_000);
  }

  /** Events currently open, by type (for health and tests). */
  openCount(type?: EventType): number {
    return [...this.open.values()].filter((e) => !type || e.type === type).length;
  }

  /** Records queued for the sink and not yet written. */
  get backlog(): number {
    return this.records.backlog;
  }

  /** One detection cycle: object events for reportable tracks, rule events for active alerts. */
  cycle(frame: Frame, tracks: readonly Track[], ended: readonly Track[], alerts: readonly RuleAlert[]): void {
    const now = frame.monoMs;
    for (const t of tracks) {
      if (!t.seenThisCycle) continue;
      const shot = takeShotIfBetter(frame, t, this.trackShots.get(t.id));
      if (shot) this.trackShots.set(t.id, shot);
    }
    for (const t of tracks) {
      if (!t.confirmed) continue;
      const key = `track:${t.id}`;
      const event = this.open.get(key);
      if (event) {
        event.score = medianScore(t);
        event.box = t.box;
        event.shot = this.trackShots.get(t.id);
        event.lastActivityMonoMs = now;
        this.maybeUpdate(key, event, frame);
        this.offerShot(event, now);
      } else if (this.heldBack.has(t.id)) {
        this.activity.offer(t.label, t.id, t.box, this.trackShots.get(t.id));
      } else if (this.deps.objectEvents !== false && this.deps.trackPasses(t.label, medianScore(t))) {
        this.reportObject(key, t, frame);
      }
    }
    this.alertCycle(frame, tracks, alerts);
    for (const t of ended) {
      this.close(`track:${t.id}`, frame.wallMs);
      this.trackShots.delete(t.id);
      this.heldBack.delete(t.id);
    }
    for (const id of this.trackShots.keys()) if (!tracks.some((t) => t.id === id)) this.trackShots.delete(id);
    for (const id of this.heldBack) if (!tracks.some((t) => t.id === id)) this.heldBack.delete(id);
  }

  /** A track just became reportable: its own event while the budget lasts, else counted only. */
  private reportObject(key: string, t: Track, frame: Frame): void {
    const score = medianScore(t);
    const sent = this.budget.take(frame.monoMs);
    this.activity.count(t.label, sent, score, frame.wallMs);
    if (!sent) {
      this.heldBack.add(t.id);
      this.deps.metrics.cameraObjectsHeldBack.inc({ camera: this.deps.cameraId, label: t.label });
      this.activity.offer(t.label, t.id, t.box, this.trackShots.get(t.id));
      return;
    }
    this.openEvent(key, frame, {
      type: 'object',
      rule: '',
      zone: '',
      label: t.label,
      trackId: t.id,
      severity: 'info',
      startedWallMs: t.firstSeenWallMs,
      score,
      box: t.box,
      objectCount: 1,
      motionOnly: false,
      detail: `${t.label} seen`,
      shot: this.trackShots.get(t.id),
    });
  }

  /**
   * Writes the activity summaries of the intervals that have closed (every interval so far
   * when `final`): one `activity` event per label, complete in one record, with one picture.
   */
  summarise(wallMs: number, final = false): void {
    for (const interval of this.activity.close(wallMs, final)) {
      const minutes = Math.max(1, Math.round((interval.endedMs - interval.startedMs) / 60_000));
      // Complete in one record: never open, so its bookkeeping times stay 0.
      const event = newEvent(
        {
          type: 'activity',
          rule: '',
          zone: '',
          label: interval.label,
          trackId: interval.trackId,
          severity: 'info',
          startedWallMs: interval.startedMs,
          score: interval.score,
          box: interval.box,
          objectCount: interval.objects,
          motionOnly: false,
          detail: `${interval.objects} ${interval.label} in ${minutes} min, ${interval.sent} of them as their own events (hourly event budget reached)`,
        },
        0,
      );
      this.records.event(event, 'end', 'camera_event', interval.endedMs);
      if (interval.shot) this.records.thumbnail(event.id, interval.shot, OBJECT_THUMBNAIL);
    }
  }

  private alertCycle(frame: Frame, tracks: readonly Track[], alerts: readonly RuleAlert[]): void {
    const active = new Set<string>();
    const byId = new Map(tracks.map((t) => [t.id, t]));
    for (const alert of alerts) {
      const key = `alert:${alert.key}`;
      active.add(key);
      const involved = alert.trackIds.map((id) => byId.get(id)).filter((t): t is Track => !!t);
      const box = unionBox(involved.map((t) => t.box));
      const score = involved.length > 0 ? Math.max(...involved.map(medianScore)) : 0;
      const shot = involved.length === 1 ? this.trackShots.get(involved[0]!.id) : box ? takeShot(frame, box, score) : undefined;
      const event = this.open.get(key);
      if (!event) {
        this.openEvent(key, frame, {
          type: 'object',
          rule: alert.rule,
          zone: alert.zone,
          label: alert.label,
          trackId: alert.trackIds[0] ?? '',
          severity: alert.severity,
          startedWallMs: frame.wallMs,
          score,
          box,
          objectCount: alert.objectCount,
          motionOnly: false,
          detail: alert.detail,
          shot,
        });
        for (const t of involved) this.noteRuleOnObject(t.id, alert, frame);
        continue;
      }
      if (event.objectCount !== alert.objectCount) event.dirty = true;
      Object.assign(event, { objectCount: alert.objectCount, detail: alert.detail, score, box: box ?? event.box, lastActivityMonoMs: frame.monoMs });
      if (shot && isBetterShot(shot, event.shot)) event.shot = shot;
      this.maybeUpdate(key, event, frame);
      this.offerShot(event, frame.monoMs);
    }
    for (const key of [...this.open.keys()]) {
      if (key.startsWith('alert:') && !active.has(key)) this.close(key, frame.wallMs);
    }
  }

  /** The object's own event notes that a rule fired on it (sent at the next allowed update). */
  private noteRuleOnObject(trackId: string, alert: RuleAlert, frame: Frame): void {
    const event = this.open.get(`track:${trackId}`);
    if (!event) return;
    event.detail = `${event.label} seen; ${alert.rule} (${alert.zone})`;
    event.dirty = true;
    this.maybeUpdate(`track:${trackId}`, event, frame);
  }

  /** Motion-only episodes while the detector is unavailable (or disabled for this camera). */
  motion(frame: Frame, regions: readonly Box[]): void {
    const key = 'motion';
    const event = this.open.get(key);
    const box = unionBox(regions);
    if (box) {
      const shot = takeShot(frame, box, 0);
      if (!event) {
        this.openEvent(key, frame, {
          type: 'motion',
          rule: '',
          zone: '',
          label: '',
          trackId: '',
          severity: 'low',
          startedWallMs: frame.wallMs,
          score: 0,
          box,
          objectCount: regions.length,
          motionOnly: true,
          detail: 'motion (object detection unavailable)',
          shot,
        });
        return;
      }
      event.lastActivityMonoMs = frame.monoMs;
      event.box = box;
      event.objectCount = Math.max(event.objectCount, regions.length);
      if (isBetterShot(shot, event.shot)) event.shot = shot;
      this.maybeUpdate(key, event, frame);
      this.offerShot(event, frame.monoMs);
      return;
    }
    if (event && frame.monoMs - event.lastActivityMonoMs > this.timings.motionQuietMs) this.close(key, frame.wallMs);
  }

  /** Ends a motion-only episode at once (the detector is back). */
  endMotion(wallMs: number): void {
    this.close('motion', wallMs);
  }

  /** Camera status: offline opens an event; online ends it (same id, type "online"). */
  offline(wallMs: number, monoMs: number, detail: string): void {
    if (this.open.has('status:offline')) return;
    this.openStatus('status:offline', 'offline', 'medium', wallMs, monoMs, detail);
  }

  online(wallMs: number): void {
    const event = this.open.get('status:offline');
    if (!event) return;
    event.type = 'online';
    event.detail = 'frames are back';
    this.close('status:offline', wallMs);
  }

  tamper(active: boolean, wallMs: number, monoMs: number, detail: string): void {
    if (active) {
      if (!this.open.has('status:tamper')) this.openStatus('status:tamper', 'tamper', 'high', wallMs, monoMs, detail);
      return;
    }
    const event = this.open.get('status:tamper');
    if (event) event.detail = detail;
    this.close('status:tamper', wallMs);
  }

  /** Ends every object, rule and motion event (camera offline or stopping); status events stay. */
  endScene(wallMs: number): void {
    for (const key of [...this.open.keys()]) if (!key.startsWith('status:')) this.close(key, wallMs);
    this.trackShots.clear();
    this.heldBack.clear();
  }

  /** Writes traffic telemetry of counting rules. */
  traffic(counts: readonly TrafficCount[]): void {
    for (const count of counts) this.records.traffic(count);
  }

  /** Resolves once every queued record has been handed to the sink. */
  async flush(): Promise<void> {
    await this.records.flush();
  }

  private openStatus(key: string, type: EventType, severity: SeverityName, wallMs: number, monoMs: number, detail: string): void {
    const event = newEvent(
      {
        type,
        rule: '',
        zone: '',
        label: '',
        trackId: '',
        severity,
        startedWallMs: wallMs,
        score: 0,
        box: undefined,
        objectCount: 0,
        motionOnly: false,
        detail,
      },
      monoMs,
    );
    this.open.set(key, event);
    this.records.event(event, 'new', 'camera_status');
  }

  private openEvent(key: string, frame: Frame, fields: EventFields): void {
    const event = newEvent(fields, frame.monoMs);
    this.open.set(key, event);
    this.records.event(event, 'new', 'camera_event');
    this.offerShot(event, frame.monoMs);
  }

  /** Sends the event's picture when it is due (event-shots.ts). */
  private offerShot(event: OpenEvent, monoMs: number, ending = false): void {
    const due = takeDueShot(event, monoMs, this.timings, ending);
    if (due) this.records.thumbnail(event.id, due.shot, due.limits);
  }

  private maybeUpdate(key: string, event: OpenEvent, frame: Frame): void {
    if (!event.dirty) return;
    if (frame.monoMs - event.lastUpdateMonoMs < this.timings.minUpdateIntervalMs) return;
    event.lastUpdateMonoMs = frame.monoMs;
    event.dirty = false;
    if (this.open.get(key) === event) this.records.event(event, 'update', 'camera_event');
  }

  private close(key: string, wallMs: number): void {
    const event = this.open.get(key);
    if (!event) return;
    this.open.delete(key);
    this.offerShot(event, performance.now(), true);
    this.records.event(event, 'end', event.type === 'offline' || event.type === 'online' || event.type === 'tamper' ? 'camera_status' : 'camera_event', wallMs);
  }
}
