// Original file: proto/edgelink.proto

export const Lane = {
  LANE_UNSPECIFIED: 'LANE_UNSPECIFIED',
  LANE_ALARM: 'LANE_ALARM',
  LANE_EVENT: 'LANE_EVENT',
  LANE_TELEMETRY: 'LANE_TELEMETRY',
  LANE_THUMBNAIL: 'LANE_THUMBNAIL',
} as const;

export type Lane =
  | 'LANE_UNSPECIFIED'
  | 0
  | 'LANE_ALARM'
  | 1
  | 'LANE_EVENT'
  | 2
  | 'LANE_TELEMETRY'
  | 3
  | 'LANE_THUMBNAIL'
  | 4

export type Lane__Output = typeof Lane[keyof typeof Lane]
