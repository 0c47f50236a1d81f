// Response schemas: they validate nothing at run time but document the API (OpenAPI).
import { z } from '@hono/zod-openapi';

export const ErrorSchema = z.object({ error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }) }).openapi('Error');

export const errorResponses = {
  400: { description: 'Invalid request', content: { 'application/json': { schema: ErrorSchema } } },
  401: { description: 'Missing or unknown token', content: { 'application/json': { schema: ErrorSchema } } },
  403: { description: 'Role not allowed', content: { 'application/json': { schema: ErrorSchema } } },
  404: { description: 'Not found', content: { 'application/json': { schema: ErrorSchema } } },
} as const;

export const LaneViewSchema = z.object({
  lane: z.enum(['alarm', 'event', 'telemetry', 'thumbnail']),
  backlogRecords: z.number(),
  backlogBytes: z.number(),
  oldestAgeMs: z.number(),
  receivedRecords: z.number(),
  contiguousSeq: z.number(),
  dropped: z.record(z.string(), z.number()),
  completeUpToMs: z
    .number()
    .nullable()
    .openapi({ description: 'every record of this lane stamped before this coordinator time has arrived or is counted dropped; null = unknown' }),
  completeUpToEdgeMs: z.number().nullable().openapi({ description: 'the same instant on the device clock (edge wall time)' }),
  deviceDropped: z.record(z.string(), z.number()).nullable().openapi({ description: 'drops by reason as the device counts them (last heartbeat)' }),
});

export const DeviceSchema = z
  .object({
    id: z.string(),
    site: z.string(),
    name: z.string().nullable(),
    revoked: z.boolean(),
    online: z.boolean(),
    connectedSinceMs: z.number().nullable(),
    lastSeenMs: z.number().nullable(),
    lastHeartbeatMs: z.number().nullable(),
    softwareVersion: z.string().nullable(),
    configVersion: z.string().nullable(),
    clockOffsetMs: z.number().nullable(),
    backlog: z.object({ records: z.number(), bytes: z.number(), oldestAgeMs: z.number() }),
    dropped: z.record(z.string(), z.number()),
    completeUpToMs: z.number().nullable().openapi({ description: 'every lane is complete up to this coordinator time' }),
    completeUpToEdgeMs: z.number().nullable().openapi({ description: 'the same instant on the device clock (edge wall time)' }),
    lanes: z.array(LaneViewSchema),
    health: z
      .object({
        cpuPercent: z.number(),
        rssBytes: z.number(),
        diskFreeBytes: z.number(),
        diskBudgetBytes: z.number(),
        uptimeS: z.number(),
        components: z.array(z.object({ name: z.string(), state: z.string(), detail: z.string(), restarts: z.number(), lastSeenMs: z.number() })),
      })
      .nullable(),
  })
  .openapi('Device');

export const EventSchema = z
  .object({
    id: z.string(),
    deviceId: z.string(),
    site: z.string(),
    kind: z.string().openapi({ example: 'alarm' }),
    lane: z.string(),
    seq: z.number(),
    severity: z.string().nullable(),
    edgeTimeMs: z.number(),
    timeMs: z.number().openapi({ description: 'edge time corrected by the edge clock offset' }),
    receivedMs: z.number(),
    clockSynced: z.boolean(),
    cameraId: z.string().optional(),
    label: z.string().optional(),
    rule: z.string().optional(),
    zone: z.string().optional(),
    sensorId: z.string().optional(),
    metric: z.string().optional(),
    phase: z.string().optional(),
    hasThumbnail: z.boolean(),
    payload: z.record(z.string(), z.unknown()),
  })
  .openapi('Event');

export const SiteSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    district: z.string().nullable(),
    location: z.object({ lat: z.number(), lon: z.number() }).nullable(),
    devices: z.array(z.string()),
    devicesOnline: z.number(),
  })
  .openapi('Site');
