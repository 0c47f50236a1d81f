// Shapes of the coordinator's API as the console reads them. Where the coordinator exports a
// response schema, the type is inferred from it (type-only import: nothing of the server is
// bundled), so the two cannot drift apart.
import type { z } from '@hono/zod-openapi';
import type { DeviceSchema, EventSchema, SiteSchema } from '../../../cloud/api/schemas.js';
import type { WindowStats } from '../../../common/window-stats.js';
import type { PrincipalSchema } from '../../../cloud/api/routes/me.js';

export type Site = z.infer<typeof SiteSchema>;
export type Device = z.infer<typeof DeviceSchema>;
export type IocEvent = z.infer<typeof EventSchema>;
export type Principal = z.infer<typeof PrincipalSchema>;
export type Role = Principal['role'];

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export type SeriesBucket = WindowStats;

export interface Series {
  device: string;
  sensor: string;
  metric: string;
  fromMs: number;
  toMs: number;
  stepS: number;
  points: SeriesBucket[];
}

export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const EVENT_KINDS = ['alarm', 'camera_event', 'camera_status', 'traffic_count', 'notice', 'telemetry'] as const;

export function severityRank(s: string | null | undefined): number {
  return s ? SEVERITIES.indexOf(s as Severity) : -1;
}
