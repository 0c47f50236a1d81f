// The records a camera's events become, written to the outbox in one ordered chain: an event
// record is durable before its thumbnail and its next phase.
import { errorMessage } from '../../common/errors.js';
import type { RecordKind } from '../../common/lanes.js';
import { RateLimitedLog, type Logger } from '../../common/log.js';
import { severityToProto } from '../../common/severity.js';
import type { CameraEvent } from '../../proto/generated/ioc/edgelink/v1/CameraEvent.js';
import type { TrafficCount } from '../../proto/generated/ioc/edgelink/v1/TrafficCount.js';
import type { EdgeMetrics } from '../metrics.js';
import type { RecordSink } from '../outbox/types.js';
import type { OpenEvent, Phase } from './open-event.js';
import { encodeThumbnail, type Shot, type ThumbnailLimits } from './thumbnail.js';

export interface EventRecordsDeps {
  cameraId: string;
  sink: RecordSink;
  metrics: EdgeMetrics;
  logger: Logger;
}

export class EventRecords {
  private readonly rateLog: RateLimitedLog;
  private writes: Promise<void> = Promise.resolve();
  private pendingWrites = 0;

  constructor(private readonly deps: EventRecordsDeps) {
    this.rateLog = new RateLimitedLog(deps.logger, 60_000);
  }

  /** Records queued for the sink and not yet written. */
  get backlog(): number {
    return this.pendingWrites;
  }

  /** One phase of an event, as a `camera_event` or `camera_status` record. */
  event(event: OpenEvent, phase: Phase, kind: RecordKind, endedWallMs = 0): void {
    const body: CameraEvent = {
      event_id: event.id,
      camera_id: this.deps.cameraId,
      phase,
      type: event.type,
      rule: event.rule,
      zone: event.zone,
      label: event.label,
      score: event.score,
      box: event.box ?? null,
      severity: severityToProto(event.severity),
      started_ms: event.startedWallMs,
      ended_ms: endedWallMs,
      object_count: event.objectCount,
      motion_only: event.motionOnly,
      track_id: event.trackId,
      detail: event.detail,
    };
    this.deps.metrics.cameraEvents.inc({ camera: this.deps.cameraId, type: event.type, phase });
    this.enqueue(kind, { camera_event: body });
  }

  traffic(count: TrafficCount): void {
    this.enqueue('traffic_count', { traffic_count: count });
  }

  /** An event's picture, encoded when its turn in the chain comes. */
  thumbnail(eventId: string, shot: Shot, limits: ThumbnailLimits): void {
    this.chain(async () => {
      const thumb = await encodeThumbnail(shot, limits);
      this.deps.metrics.thumbnailBytes.observe(thumb.data.length);
      await this.deps.sink.append({
        kind: 'thumbnail',
        body: {
          thumbnail: {
            event_id: eventId,
            camera_id: this.deps.cameraId,
            content_type: thumb.contentType,
            data: thumb.data,
            width: thumb.width,
            height: thumb.height,
            score: shot.score,
          },
        },
      });
    });
  }

  /** Resolves once every queued record has been handed to the sink. */
  async flush(): Promise<void> {
    await this.writes;
  }

  private enqueue(kind: RecordKind, body: Parameters<RecordSink['append']>[0]['body']): void {
    this.chain(async () => {
      await this.deps.sink.append({ kind, body });
    });
  }

  private chain(write: () => Promise<void>): void {
    this.pendingWrites++;
    this.writes = this.writes
      .then(write)
      .catch((err: unknown) => this.rateLog.warn('write', { err: errorMessage(err) }, 'camera record not written'))
      .finally(() => this.pendingWrites--);
  }
}
