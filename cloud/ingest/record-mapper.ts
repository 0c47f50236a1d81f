// Turns one decoded EdgeLink record into what the store keeps (event row, thumbnail, series
// point), or a rejection with a code and reason. Pure: no I/O.
import { laneFromProto, type LaneName } from '../../common/lanes.js';
import { severityFromProto } from '../../common/severity.js';
import type { Record__Output } from '../../common/proto.js';
import type { SeverityName } from '../../common/config/primitives.js';
import { cameraRowId, seqRowId, type EventRow, type IngestItem } from '../store/contract/types.js';

export interface DeviceContext {
  deviceId: string;
  site: string;
  /** Current estimate of coordinator-minus-edge clock offset, for records made before sync. */
  sessionOffsetMs: number;
  receivedMs: number;
}

export type MapResult = { ok: true; item: IngestItem } | { ok: false; lane?: LaneName; seq: number; code: string; reason: string };

const EVENT_ID = /^[A-Za-z0-9_-]{1,64}$/;
const THUMBNAIL_TYPES = new Set(['image/jpeg', 'image/webp', 'image/png']);
export const MAX_THUMBNAIL_BYTES = 256 * 1024;

export function mapRecord(record: Record__Output, ctx: DeviceContext): MapResult {
  const lane = laneFromProto(record.lane);
  if (!lane) return { ok: false, seq: record.seq, code: 'BAD_LANE', reason: `unknown lane ${String(record.lane)}` };
  if (!Number.isSafeInteger(record.seq) || record.seq < 1) return { ok: false, lane, seq: record.seq, code: 'BAD_SEQ', reason: 'seq must be ≥ 1' };
  const offset = record.clock_synced ? record.clock_offset_ms : ctx.sessionOffsetMs;
  // Telemetry windows are most records: built on their own path, each row in one literal.
  if (record.body === 'telemetry') return mapTelemetry(record, lane, ctx, offset);
  const base: Omit<EventRow, 'id' | 'kind' | 'severity' | 'payload' | 'timeMs'> = {
    deviceId: ctx.deviceId,
    site: ctx.site,
    lane,
    seq: record.seq,
    edgeTimeMs: record.edge_time_ms,
    receivedMs: ctx.receivedMs,
    clockSynced: record.clock_synced,
    hasThumbnail: false,
  };
  const recordId = seqRowId(ctx.deviceId, lane, record.seq);
  const corrected = (edgeMs: number) => edgeMs + offset;
  const reject = (code: string, reason: string): MapResult => ({ ok: false, lane, seq: record.seq, code, reason });

  switch (record.body) {
    case 'alarm': {
      const a = record.alarm!;
      if (!a.alarm_id || !a.state) return reject('VALIDATION', 'alarm needs alarm_id and state');
      const event: EventRow = {
        ...base,
        id: recordId,
        kind: 'alarm',
        severity: severityOrNull(a.severity),
        timeMs: corrected(record.edge_time_ms),
        sensorId: a.sensor_id,
        metric: a.metric,
        rule: a.rule_id,
        phase: a.state,
        payload: { ...a },
      };
      return { ok: true, item: { lane, seq: record.seq, event } };
    }
    case 'camera_event': {
      const e = record.camera_event!;
      if (!EVENT_ID.test(e.event_id)) return reject('VALIDATION', 'camera_event.event_id must be 1–64 letters, digits, "-" or "_"');
      const kind = record.kind === 'camera_status' ? 'camera_status' : 'camera_event';
      const event: EventRow = {
        ...base,
        id: cameraRowId(ctx.deviceId, e.event_id),
        kind,
        severity: severityOrNull(e.severity),
        timeMs: corrected(e.started_ms || record.edge_time_ms),
        cameraId: e.camera_id,
        label: e.label || undefined,
        rule: e.rule || undefined,
        zone: e.zone || undefined,
        phase: e.phase,
        payload: { ...e },
      };
      return { ok: true, item: { lane, seq: record.seq, event } };
    }
    case 'thumbnail': {
      const t = record.thumbnail!;
      if (!EVENT_ID.test(t.event_id)) return reject('VALIDATION', 'thumbnail.event_id must be 1–64 letters, digits, "-" or "_"');
      if (!THUMBNAIL_TYPES.has(t.content_type)) return reject('VALIDATION', `thumbnail content_type ${t.content_type || '(empty)'} is not an image type`);
      if (t.data.length === 0 || t.data.length > MAX_THUMBNAIL_BYTES) return reject('VALIDATION', `thumbnail must be 1 B–${MAX_THUMBNAIL_BYTES / 1024} KiB`);
      return {
        ok: true,
        item: {
          lane,
          seq: record.seq,
          thumbnail: {
            eventId: cameraRowId(ctx.deviceId, t.event_id),
            deviceId: ctx.deviceId,
            contentType: t.content_type,
            data: t.data,
            width: t.width,
            height: t.height,
            score: t.score,
          },
        },
      };
    }
    case 'traffic_count': {
      const c = record.traffic_count!;
      const event: EventRow = {
        ...base,
        id: recordId,
        kind: 'traffic_count',
        severity: null,
        timeMs: corrected(c.interval_end_ms || record.edge_time_ms),
        cameraId: c.camera_id,
        rule: 'vehicle_count',
        payload: { ...c },
      };
      return { ok: true, item: { lane, seq: record.seq, event } };
    }
    case 'notice': {
      const n = record.notice!;
      const event: EventRow = {
        ...base,
        id: recordId,
        kind: 'notice',
        severity: severityOrNull(n.severity),
        timeMs: corrected(record.edge_time_ms),
        rule: n.code,
        payload: { ...n },
      };
      return { ok: true, item: { lane, seq: record.seq, event } };
    }
    default: {
      // A body this coordinator does not know (newer edge): keep the envelope, acknowledge it.
      const event: EventRow = { ...base, id: recordId, kind: record.kind || 'unknown', severity: null, timeMs: corrected(record.edge_time_ms), payload: {} };
      return { ok: true, item: { lane, seq: record.seq, event } };
    }
  }
}

function mapTelemetry(record: Record__Output, lane: LaneName, ctx: DeviceContext, offset: number): MapResult {
  const t = record.telemetry!;
  if (!t.sensor_id || !t.metric) return { ok: false, lane, seq: record.seq, code: 'VALIDATION', reason: 'telemetry needs sensor_id and metric' };
  if (!(Number.isFinite(t.min) && Number.isFinite(t.max) && Number.isFinite(t.mean) && Number.isFinite(t.sum) && Number.isFinite(t.last))) {
    return { ok: false, lane, seq: record.seq, code: 'VALIDATION', reason: 'telemetry values must be finite' };
  }
  // The payload is the decoded message itself, not a copy: nothing else holds it.
  const event: EventRow = {
    deviceId: ctx.deviceId,
    site: ctx.site,
    lane,
    seq: record.seq,
    edgeTimeMs: record.edge_time_ms,
    receivedMs: ctx.receivedMs,
    clockSynced: record.clock_synced,
    hasThumbnail: false,
    id: seqRowId(ctx.deviceId, lane, record.seq),
    kind: record.kind || 'telemetry',
    severity: null,
    timeMs: (t.window_end_ms || record.edge_time_ms) + offset,
    sensorId: t.sensor_id,
    metric: t.metric,
    payload: t as unknown as Record<string, unknown>,
  };
  const series = {
    deviceId: ctx.deviceId,
    site: ctx.site,
    sensorId: t.sensor_id,
    metric: t.metric,
    unit: t.unit,
    windowS: t.window_s,
    startMs: t.window_start_ms + offset,
    endMs: t.window_end_ms + offset,
    count: t.count,
    min: t.min,
    max: t.max,
    mean: t.mean,
    sum: t.sum,
    last: t.last,
  };
  return { ok: true, item: { lane, seq: record.seq, event, series } };
}

function severityOrNull(s: string | number | undefined): SeverityName | null {
  return severityFromProto(s) ?? null;
}
