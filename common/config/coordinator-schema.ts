// Schema of the coordinator's config (one YAML file, ${ENV} substitution like the edge's).
import { z } from 'zod';
import { Coordinates, Identifier } from './primitives.js';
import { OperationsConfigShape, checkOperationsReferences } from './operations-schema.js';
import { NatsSchema } from './nats-schema.js';
import { SensorThingsSchema } from './sensorthings-schema.js';

/** A site's area as a closed ring (CAP <polygon>: at least four points, the last repeating the first). */
const SiteBoundary = z
  .array(Coordinates)
  .min(4)
  // Runs even when .min failed: an empty list must not reach ring[0].
  .refine(
    (ring) => ring.length === 0 || (ring[0]!.lat === ring.at(-1)!.lat && ring[0]!.lon === ring.at(-1)!.lon),
    'a closed ring: the last point repeats the first',
  )
  .describe("the site's area, lat/lon points of a closed ring; CAP alerts about the site carry it as <polygon> instead of a circle");

export const COORDINATOR_CONFIG_SCHEMA_VERSION = 1;

export const ROLES = ['viewer', 'operator', 'admin'] as const;
export const Role = z.enum(ROLES);
export type RoleName = z.infer<typeof Role>;

// A token or its sha256, merged into each entry's own strict object (an intersection of two
// strict objects would reject each other's keys).
const SecretShape = {
  token: z.string().min(16, 'at least 16 characters').optional(),
  token_sha256: z
    .string()
    .regex(/^[a-f0-9]{64}$/, 'hex sha256')
    .optional(),
};
const hasSecret = [
  (s: { token?: string; token_sha256?: string }) => s.token !== undefined || s.token_sha256 !== undefined,
  { message: 'set token or token_sha256' },
] as const;

export const CoordinatorConfigSchema = z
  .strictObject({
    version: z.literal(COORDINATOR_CONFIG_SCHEMA_VERSION),
    http: z
      .strictObject({
        host: z.string().default('0.0.0.0'),
        port: z.number().int().min(0).max(65_535).default(8080).describe('HTTP API; 0 picks a free port'),
        cors_origins: z.array(z.string()).default([]),
        tls: z
          .strictObject({ cert_file: z.string(), key_file: z.string() })
          .optional()
          .describe('serve the API over HTTPS; unset: plain HTTP (behind a TLS reverse proxy, see docs/reverse-proxy.md)'),
      })
      .prefault({}),
    grpc: z
      .strictObject({
        host: z.string().default('0.0.0.0'),
        port: z.number().int().min(0).max(65_535).default(50051).describe('EdgeLink gRPC; 0 picks a free port'),
        tls: z
          .strictObject({
            cert_file: z.string(),
            key_file: z.string(),
            client_ca_file: z
              .string()
              .optional()
              .describe('mTLS: edges must present a certificate signed by this CA whose CN or a SAN is their device id (checked alongside the token)'),
          })
          .optional()
          .describe('TLS of EdgeLink; unset: plaintext (loopback or lab only)'),
        max_batch_bytes: z
          .number()
          .int()
          .min(1024)
          .default(8 * 1024 * 1024),
        max_batch_records: z.number().int().min(1).default(20_000),
        ingest_inflight_batches: z
          .number()
          .int()
          .min(1)
          .default(64)
          .describe('batches decoded and written at once across all devices; the others wait their turn, one batch per device per turn'),
        ingest_inflight_bytes: z
          .number()
          .int()
          .min(1024)
          .default(16 * 1024 * 1024)
          .describe('compressed batch bytes decoded and written at once (a larger single batch runs alone)'),
      })
      .prefault({}),
    store: z
      .discriminatedUnion('kind', [
        z.strictObject({ kind: z.literal('level'), dir: z.string().default('./data/coordinator') }),
        z.strictObject({
          kind: z.literal('postgres'),
          url: z.string().optional().describe('postgresql://user@host:5432/db; unset: the DATABASE_URL environment variable'),
          schema: z
            .string()
            .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'lower-case letters, digits and "_" (at most 63), not starting with a digit')
            .default('public')
            .describe('PostgreSQL schema holding the tables; replicas of one deployment share it'),
          pool_size: z.number().int().min(2).max(200).default(10).describe('connections per coordinator replica'),
        }),
      ])
      .default({ kind: 'level', dir: './data/coordinator' }),
    sites: z
      .array(
        z.strictObject({
          id: Identifier,
          name: z.string(),
          district: z.string().optional(),
          location: Coordinates,
          boundary: SiteBoundary.optional(),
        }),
      )
      .default([]),
    devices: z
      .array(
        z
          .strictObject({
            id: Identifier,
            site: Identifier,
            name: z.string().optional(),
            token_source: z
              .enum(['seed', 'config'])
              .default('seed')
              .describe(
                "seed: the token only seeds the device's first start, a token rotated through the API stays valid across restarts; config: this token is reset at every start and rotation through the API is refused",
              ),
            ...SecretShape,
          })
          .refine(...hasSecret),
      )
      .default([])
      .describe('devices known at first start (more can be provisioned through the API)'),
    api_tokens: z
      .array(z.strictObject({ name: z.string().min(1), role: Role, ...SecretShape }).refine(...hasSecret))
      .default([])
      .describe('bearer tokens of the HTTP API and their roles'),
    presence: z
      .strictObject({
        offline_after_s: z.number().min(5).default(90).describe('a device with no message for this long is offline even if its stream looks open'),
      })
      .prefault({}),
    console: z
      .strictObject({
        tile_url: z
          .string()
          .regex(/\{z\}.*\{x\}.*\{y\}/, 'a tile URL template with {z}, {x} and {y}')
          .optional()
          .describe('map tiles for the operator console, e.g. an IOC-internal tile server; none: the built-in offline map only'),
      })
      .prefault({}),
    sensorthings: SensorThingsSchema.describe('read-only OGC SensorThings API 1.1 over the open sensor data'),
    nats: NatsSchema.describe('NATS JetStream publishing of stored records and alert changes (off by default)'),
    ...OperationsConfigShape,
  })
  .superRefine(checkOperationsReferences);

export type CoordinatorConfig = z.infer<typeof CoordinatorConfigSchema>;
