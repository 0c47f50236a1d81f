// Rows the coordinator stores, independent of the backend (level or PostgreSQL).
import type { LaneName } from '../../common/lanes.js';
import type { SeverityName } from '../../common/config/primitives.js';

export interface DeviceRow {
  id: string;
  site: string;
  name?: string;
  tokenSha256: string;
  revoked: boolean;
  createdAtMs: number;
  softwareVersion?: string;
  configVersion?: string;
  lastSeenMs?: number;
  clockOffsetMs?: number;
  heartbeat?: HeartbeatRow;
}

export interface LaneHeartbeat {
  lane: LaneName;
  records: number;
  bytes: number;
  oldestAgeMs: number;
  droppedBudget: number;
  droppedTtl: number;
  deadLettered: number;
  /** Coordinator time before which this lane is complete (edge time corrected by the offset); 0 = unknown. */
  completeBeforeMs: number;
  /** The same instant on the edge's clock, as the edge reported it; 0 = unknown. */
  completeBeforeEdgeMs?: number;
  droppedCorrupt?: number;
  droppedLost?: number;
}

export interface HeartbeatRow {
  receivedMs: number;
  edgeTimeMs: number;
  uptimeS: number;
  outboxRecords: number;
  outboxBytes: number;
  oldestUnsentAgeMs: number;
  cpuPercent: number;
  rssBytes: number;
  diskFreeBytes: number;
  diskBudgetBytes: number;
  clockOffsetMs: number;
  configVersion: string;
  softwareVersion: string;
  lanes: LaneHeartbeat[];
  components: { name: string; state: string; detail: string; restarts: number; lastSeenMs: number }[];
}

/** One row of /api/v1/events: an alarm, telemetry window, camera event, traffic count or notice. */
export interface EventRow {
  /** Camera events: the edge's event_id (one row per lifecycle); others: device.lane.seq. */
  id: string;
  deviceId: string;
  site: string;
  kind: string;
  lane: LaneName;
  seq: number;
  severity: SeverityName | null;
  /** Edge wall clock at production, as the edge saw it. */
  edgeTimeMs: number;
  /** Edge time corrected by the edge's clock offset: the time to show and sort by. */
  timeMs: number;
  receivedMs: number;
  clockSynced: boolean;
  cameraId?: string;
  label?: string;
  rule?: string;
  zone?: string;
  sensorId?: string;
  metric?: string;
  phase?: string;
  hasThumbnail: boolean;
  payload: Record<string, unknown>;
}

export interface ThumbnailRow {
  eventId: string;
  deviceId: string;
  contentType: string;
  data: Uint8Array;
  width: number;
  height: number;
  score: number;
}

export interface SeriesPoint {
  deviceId: string;
  site: string;
  sensorId: string;
  metric: string;
  unit: string;
  windowS: number;
  startMs: number;
  endMs: number;
  count: number;
  min: number;
  max: number;
  mean: number;
  sum: number;
  last: number;
}

/** What ingest makes of one record before it is stored. */
export interface IngestItem {
  lane: LaneName;
  seq: number;
  /** Row to insert (or, for camera events, to merge into the event's row). */
  event?: EventRow;
  thumbnail?: ThumbnailRow;
  series?: SeriesPoint;
}

/** The row id of every record but a camera event: its own (device, lane, seq). */
export function seqRowId(deviceId: string, lane: LaneName, seq: number): string {
  return `${deviceId}.${lane}.${seq}`;
}

/**
 * A row named after its own (device, lane, seq) is new whenever the seq is; only camera events,
 * named by the edge's event id, can have an earlier row or a thumbnail.
 */
export function hasSeqRowId(deviceId: string, item: IngestItem): boolean {
  return item.event?.id === seqRowId(deviceId, item.lane, item.seq);
}

export interface DropRangeRow {
  lane: LaneName;
  firstSeq: number;
  lastSeq: number;
  reason: string;
  firstEdgeTimeMs: number;
  lastEdgeTimeMs: number;
  receivedMs: number;
}

export interface LaneState {
  lane: LaneName;
  /** Highest seq such that every seq ≤ it is stored or reported dropped. */
  contiguousSeq: number;
  storedRecords: number;
  /** Reported dropped and never received, by reason. */
  dropped: Record<string, number>;
}

export interface EventQuery {
  site?: string[];
  deviceId?: string[];
  kind?: string[];
  severity?: SeverityName[];
  minSeverity?: SeverityName;
  cameraId?: string;
  label?: string;
  rule?: string;
  sensorId?: string;
  sinceMs?: number;
  untilMs?: number;
  limit: number;
  /** Opaque cursor from a previous page. */
  cursor?: string;
}

export interface EventPage {
  items: EventRow[];
  nextCursor: string | null;
}

export interface SeriesQuery {
  deviceId: string;
  sensorId: string;
  metric: string;
  fromMs: number;
  toMs: number;
  stepS: number;
}

/** One stored series window size: what listSeries returns. */
export interface SeriesKey {
  deviceId: string;
  sensorId: string;
  metric: string;
  windowS: number;
}

export interface SeriesBucket {
  startMs: number;
  endMs: number;
  count: number;
  min: number;
  max: number;
  mean: number;
  sum: number;
  last: number;
}
