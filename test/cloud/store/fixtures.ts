// Ingest items as the record mapper makes them, for the store contract suite.
import type { LaneName } from '../../../common/lanes.js';
import type { SeverityName } from '../../../common/config/primitives.js';
import { cameraRowId, type DeviceRow, type DropRangeRow, type EventRow, type IngestItem, type SeriesPoint } from '../../../cloud/store/contract/types.js';

export const T0 = Date.UTC(2026, 10, 25, 0, 0, 0);

export function device(id: string, site = 'muong-nhe', over: Partial<DeviceRow> = {}): DeviceRow {
  return { id, site, tokenSha256: 'a'.repeat(64), revoked: false, createdAtMs: T0, ...over };
}

interface EventOptions {
  deviceId?: string;
  site?: string;
  lane?: LaneName;
  seq: number;
  timeMs?: number;
  kind?: string;
  severity?: SeverityName | null;
  over?: Partial<EventRow>;
}

/** An event row with the id the mapper gives non-camera records: device.lane.seq. */
export function eventRow(o: EventOptions): EventRow {
  const deviceId = o.deviceId ?? 'edge-a';
  const lane = o.lane ?? 'alarm';
  const timeMs = o.timeMs ?? T0 + o.seq * 1000;
  return {
    id: `${deviceId}.${lane}.${o.seq}`,
    deviceId,
    site: o.site ?? 'muong-nhe',
    kind: o.kind ?? 'alarm',
    lane,
    seq: o.seq,
    severity: o.severity === undefined ? 'high' : o.severity,
    edgeTimeMs: timeMs,
    timeMs,
    receivedMs: timeMs + 500,
    clockSynced: true,
    hasThumbnail: false,
    payload: { alarm_id: `a${o.seq}`, state: 'raised', value: o.seq / 10 },
    ...o.over,
  };
}

export function alarmItem(seq: number, o: Partial<EventOptions> = {}): IngestItem {
  const event = eventRow({ seq, lane: 'alarm', kind: 'alarm', ...o });
  return { lane: event.lane, seq, event };
}

/** A camera event record of `deviceId` (default edge-a), with the row id the mapper gives it. */
export function cameraItem(o: {
  eventId: string;
  seq: number;
  phase: 'new' | 'update' | 'end';
  startedMs: number;
  edgeTimeMs: number;
  label?: string;
  score?: number;
  deviceId?: string;
}): IngestItem {
  const deviceId = o.deviceId ?? 'edge-a';
  const event: EventRow = {
    id: cameraRowId(deviceId, o.eventId),
    deviceId,
    site: 'muong-nhe',
    kind: 'camera_event',
    lane: 'event',
    seq: o.seq,
    severity: 'medium',
    edgeTimeMs: o.edgeTimeMs,
    timeMs: o.startedMs,
    receivedMs: o.edgeTimeMs + 300,
    clockSynced: true,
    cameraId: 'cam-1',
    label: o.label ?? 'person',
    rule: 'intrusion',
    zone: 'gate',
    phase: o.phase,
    hasThumbnail: false,
    payload: { event_id: o.eventId, phase: o.phase, score: o.score ?? 0.5, started_ms: o.startedMs },
  };
  return { lane: 'event', seq: o.seq, event };
}

export function thumbnailItem(eventId: string, seq: number, bytes: Uint8Array, deviceId = 'edge-a'): IngestItem {
  return {
    lane: 'thumbnail',
    seq,
    thumbnail: { eventId: cameraRowId(deviceId, eventId), deviceId, contentType: 'image/jpeg', data: bytes, width: 320, height: 240, score: 0.9 },
  };
}

export function seriesItem(seq: number, p: Partial<SeriesPoint> & { startMs: number; windowS: number; values: number[] }): IngestItem {
  const { values, ...rest } = p;
  const sum = values.reduce((a, b) => a + b, 0);
  const series: SeriesPoint = {
    deviceId: 'edge-a',
    site: 'muong-nhe',
    sensorId: 'river-1',
    metric: 'level',
    unit: 'm',
    endMs: p.startMs + p.windowS * 1000,
    count: values.length,
    min: Math.min(...values),
    max: Math.max(...values),
    mean: sum / values.length,
    sum,
    last: values.at(-1)!,
    ...rest,
  };
  const event = eventRow({
    seq,
    lane: 'telemetry',
    kind: 'telemetry',
    severity: null,
    deviceId: series.deviceId,
    timeMs: series.endMs,
    over: { sensorId: series.sensorId, metric: series.metric, payload: { sensor_id: series.sensorId, metric: series.metric, count: series.count } },
  });
  return { lane: 'telemetry', seq, event, series };
}

export function dropRange(lane: LaneName, firstSeq: number, lastSeq: number, reason = 'disk_budget'): DropRangeRow {
  return { lane, firstSeq, lastSeq, reason, firstEdgeTimeMs: T0, lastEdgeTimeMs: T0 + 1000, receivedMs: T0 + 2000 };
}

/** Newest first, ties by id in byte order: the order of /api/v1/events. */
export function newestFirst(a: EventRow, b: EventRow): number {
  if (a.timeMs !== b.timeMs) return b.timeMs - a.timeMs;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}
