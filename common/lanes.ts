// Priority classes ("lanes") of the outbox, highest priority first.
import type { Lane__Output } from '../proto/generated/ioc/edgelink/v1/Lane.js';

export type LaneName = 'alarm' | 'event' | 'telemetry' | 'thumbnail';

/** Sending order: a backlog of a lower lane never delays a higher one. */
export const LANES: readonly LaneName[] = ['alarm', 'event', 'telemetry', 'thumbnail'];

/** Eviction order when the disk budget is full: alarms go last of all. */
export const EVICTION_ORDER: readonly LaneName[] = ['thumbnail', 'telemetry', 'event', 'alarm'];

const TO_PROTO: Record<LaneName, Lane__Output> = {
  alarm: 'LANE_ALARM',
  event: 'LANE_EVENT',
  telemetry: 'LANE_TELEMETRY',
  thumbnail: 'LANE_THUMBNAIL',
};

export function laneToProto(lane: LaneName): Lane__Output {
  return TO_PROTO[lane];
}

export function laneFromProto(lane: string | number | undefined): LaneName | undefined {
  switch (lane) {
    case 'LANE_ALARM':
    case 1:
      return 'alarm';
    case 'LANE_EVENT':
    case 2:
      return 'event';
    case 'LANE_TELEMETRY':
    case 3:
      return 'telemetry';
    case 'LANE_THUMBNAIL':
    case 4:
      return 'thumbnail';
    default:
      return undefined;
  }
}

export function isLaneName(value: string): value is LaneName {
  return (LANES as readonly string[]).includes(value);
}

/** Record kinds the edge produces, and the lane each rides by default (configurable). */
export const RECORD_KINDS = ['alarm', 'camera_event', 'camera_status', 'telemetry', 'traffic_count', 'thumbnail', 'notice'] as const;
export type RecordKind = (typeof RECORD_KINDS)[number];

export const DEFAULT_KIND_LANES: Record<RecordKind, LaneName> = {
  alarm: 'alarm',
  camera_event: 'event',
  camera_status: 'event',
  notice: 'event',
  telemetry: 'telemetry',
  traffic_count: 'telemetry',
  thumbnail: 'thumbnail',
};
