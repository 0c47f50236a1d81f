// Rows the coordinator stores, independent of the backend (level or PostgreSQL).
import type { WindowStats } from '../../../common/window-stats.js';
import type { LaneName } from '../../../common/lanes.js';
import type { SeverityName } from '../../../common/config/primitives.js';

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
  /** Camera events: device.camera.event_id (one row per lifecycle, see cameraRowId); others: device.lane.seq. */
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
  /** The id of the camera event row it belongs to (cameraRowId). */
  eventId: string;
  deviceId: string;
  contentType: string;
  data: Uint8Array;
  width: number;
  height: number;
  score: number;
}

export interface SeriesPoint extends WindowStats {
  deviceId: string;
  site: string;
  sensorId: string;
  metric: string;
  unit: string;
  windowS: number;
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
 * The row id of a camera event, and the id its thumbnail is stored and served under: the edge's
 * event id qualified by its device, so two devices sending the same event id keep two rows.
 * Unambiguous: event ids have no ".", and "camera" is no lane name, so no seq row id and no
 * other device's camera row id can be spelled the same.
 */
export function cameraRowId(deviceId: string, eventId: string): string {
  return `${deviceId}.camera.${eventId}`;
}

/** Camera rows stored before their ids carried the device were named by the bare event id. */
export const isLegacyCameraId = (id: string): boolean => !id.includes('.');

/** Whether `id` is one of `deviceId`'s camera row ids (one device's ingest writes no other rows). */
export function ownsCameraRow(deviceId: string, id: string): boolean {
  const prefix = `${deviceId}.camera.`;
  return id.startsWith(prefix) && id.length > prefix.length && !id.includes('.', prefix.length);
}

/**
 * The item as a device's ingest may apply it: an event row or thumbnail that is not the device's
 * own (another device's id, a bare id) is left out, so it can never overwrite another device's
 * record; the seq itself is still stored. The same item back when it is all the device's own.
 */
export function ownPart(deviceId: string, item: IngestItem): IngestItem {
  const foreignEvent =
    item.event !== undefined && (item.event.deviceId !== deviceId || (!hasSeqRowId(deviceId, item) && !ownsCameraRow(deviceId, item.event.id)));
  const foreignThumbnail = item.thumbnail !== undefined && (item.thumbnail.deviceId !== deviceId || !ownsCameraRow(deviceId, item.thumbnail.eventId));
  if (!foreignEvent && !foreignThumbnail) return item;
  return { ...item, event: foreignEvent ? undefined : item.event, thumbnail: foreignThumbnail ? undefined : item.thumbnail };
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

export type SeriesBucket = WindowStats;
