// The one schema of an edge site config (firmware-config/<site>.yaml): it validates, fills in
// defaults and generates the config reference in the README (scripts/config-reference.ts).
import { z } from 'zod';
import { Coordinates, HostPort, Identifier, Severity } from './primitives.js';
import { CameraSchema } from './camera-schema.js';
import { LANES, RECORD_KINDS } from '../lanes.js';

export const EDGE_CONFIG_SCHEMA_VERSION = 1;

const SensorMetric = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9_]{0,31}$/, 'lower-case letters, digits and "_"'),
  unit: z.string().default(''),
  valid_range: z.tuple([z.number(), z.number()]).optional().describe('readings outside [min, max] are dropped as out_of_range (a broken probe, not a flood)'),
  windows_s: z.array(z.number().int().min(1).max(86_400)).min(1).default([60]).describe('aggregation windows in seconds'),
});

const Threshold = z.strictObject({
  id: Identifier,
  metric: z.string(),
  condition: z.enum(['above', 'below', 'rate_above', 'rate_below']),
  value: z.number().describe('raise when the watched value crosses this'),
  clear: z.number().optional().describe('hysteresis: clear only when back past this (default: value)'),
  for_s: z.number().min(0).default(0).describe('the condition must hold this long before raising (and clearing)'),
  window_s: z.number().int().min(1).max(86_400).optional().describe('watch a sliding-window statistic instead of each reading, e.g. rainfall sum over 3600 s'),
  stat: z.enum(['sum', 'mean', 'min', 'max']).default('mean'),
  rate_per_s: z.number().positive().default(3600).describe('rate conditions: change per this many seconds'),
  severity: Severity.default('high'),
  message: z.string().optional(),
});
export type ThresholdConfig = z.infer<typeof Threshold>;

const Sensor = z
  .strictObject({
    id: Identifier,
    type: z.string().min(1).describe('e.g. rain_gauge, water_level, temperature, air_quality'),
    name: z.string().optional(),
    credentials: z.strictObject({ username: z.string().min(1), password: z.string().min(8, 'at least 8 characters') }),
    metrics: z.array(SensorMetric).min(1),
    thresholds: z.array(Threshold).default([]),
    stale_after_s: z.number().min(1).default(300).describe('health turns degraded after this long without a reading'),
  })
  .superRefine((sensor, ctx) => {
    const metrics = new Set(sensor.metrics.map((m) => m.name));
    sensor.thresholds.forEach((t, i) => {
      if (!metrics.has(t.metric)) {
        ctx.addIssue({ code: 'custom', path: ['thresholds', i, 'metric'], message: `no metric "${t.metric}" on this sensor` });
      }
      if (t.clear === undefined) return;
      const raisesHigh = t.condition === 'above' || t.condition === 'rate_above';
      if (raisesHigh ? t.clear > t.value : t.clear < t.value) {
        ctx.addIssue({
          code: 'custom',
          path: ['thresholds', i, 'clear'],
          message: `must be ${raisesHigh ? '≤' : '≥'} value (${t.value}) for a ${t.condition} threshold`,
        });
      }
    });
  });
export type SensorConfig = z.infer<typeof Sensor>;

const LaneName = z.enum(LANES as unknown as [string, ...string[]]);

const DAY = 86_400;

export const EdgeConfigSchema = z
  .strictObject({
    version: z.literal(EDGE_CONFIG_SCHEMA_VERSION).describe('schema version; older files are migrated on load'),
    device: z.strictObject({
      id: Identifier,
      site: Identifier.describe('site id, e.g. muong-nhe'),
      site_name: z.string().min(1),
      location: Coordinates,
      district: z.string().optional(),
    }),
    coordinator: z.strictObject({
      address: HostPort.describe('gRPC address of the coordinator'),
      token: z.string().min(16, 'at least 16 characters').optional().describe('device token; prefer token_file or ${ENV} substitution'),
      token_file: z.string().optional().describe('file holding the device token (written by edgectl provision)'),
      tls: z
        .strictObject({
          enabled: z.boolean().default(true).describe('TLS to the coordinator; turn off only for a loopback or lab link'),
          ca_file: z.string().optional().describe('CA that signed the coordinator certificate (default: the system CAs)'),
          cert_file: z.string().optional().describe('client certificate for a coordinator that requires mTLS (its CN or a SAN is this device id)'),
          key_file: z.string().optional().describe('private key of cert_file'),
        })
        .prefault({}),
      allow_remote_change: z
        .boolean()
        .default(false)
        .describe('let a config pushed by the coordinator change address, token, token_file or tls (a wrong push could cut the box off)'),
    }),
    data_dir: z.string().default('/var/lib/ioc-edge').describe('outbox, clock, dead letters and logs live here'),
    broker: z
      .strictObject({
        host: z
          .string()
          .min(1)
          .optional()
          .describe('address to listen on; write 0.0.0.0 explicitly to listen on every interface (default: the address of `interface`, else 127.0.0.1)'),
        interface: z
          .string()
          .regex(/^[A-Za-z0-9_.:@-]{1,15}$/, 'a network interface name, e.g. eth1')
          .optional()
          .describe('the sensor network interface (e.g. eth1): the broker listens on its IPv4 address'),
        port: z.number().int().min(0).max(65_535).default(1883).describe('MQTT over TCP; 0 picks a free port'),
        websocket_port: z.number().int().min(0).max(65_535).optional(),
        max_payload_bytes: z.number().int().min(16).max(1_048_576).default(4096),
        max_unauthenticated: z.number().int().min(1).max(10_000).default(64).describe('connections waiting to authenticate at once; more are refused'),
        connect_timeout_s: z.number().min(1).max(120).default(10).describe('a connection that has not sent CONNECT by then is closed'),
      })
      .refine((b) => !(b.host && b.interface), { message: 'set host or interface, not both', path: ['interface'] })
      .prefault({}),
    sensors: z.array(Sensor).default([]),
    cameras: z.array(CameraSchema).default([]),
    outbox: z
      .strictObject({
        disk_budget_mb: z.number().positive().default(512).describe('bytes the outbox may hold before evicting (lowest lane, oldest first)'),
        ttl_s: z
          .strictObject({
            alarm: z
              .number()
              .positive()
              .default(30 * DAY),
            event: z
              .number()
              .positive()
              .default(7 * DAY),
            telemetry: z
              .number()
              .positive()
              .default(7 * DAY),
            thumbnail: z
              .number()
              .positive()
              .default(2 * DAY),
          })
          .prefault({})
          .describe('age limit per lane on the agent clock (monotonic, survives reboots)'),
        kind_lanes: z.partialRecord(z.enum(RECORD_KINDS), LaneName).default({}).describe('override which lane a record kind rides'),
        max_rejections: z.number().int().min(1).max(1000).default(5).describe('rejections before a record goes to dead letters'),
        min_free_disk_mb: z
          .number()
          .min(0)
          .default(32)
          .describe('disk space to leave free; when the disk has less, the budget shrinks and thumbnails go first (0 = trust disk_budget_mb)'),
        ttl_sweep_s: z.number().min(1).max(3600).default(60).describe('how often expired records are dropped'),
      })
      .prefault({}),
    uplink: z
      .strictObject({
        rate_kbps: z.number().min(0).default(0).describe('uplink rate cap for records (0 = unlimited)'),
        daily_budget_mb: z.number().min(0).default(0).describe('records sent per UTC day (0 = unlimited); alarms always pass'),
        batch_max_records: z.number().int().min(1).max(10_000).default(500),
        batch_max_bytes: z
          .number()
          .int()
          .min(1024)
          .max(4 * 1024 * 1024)
          .default(256 * 1024),
        inflight_batches: z.number().int().min(1).max(64).default(4),
        compression: z.enum(['gzip', 'none']).default('gzip'),
        heartbeat_s: z.number().min(1).max(3600).default(15),
        connect_timeout_s: z.number().min(1).max(300).default(20),
        ack_timeout_s: z.number().min(1).max(3600).default(60).describe('reconnect when an ack takes longer'),
        reconnect_initial_s: z
          .number()
          .min(0.1)
          .max(600)
          .default(1)
          .describe('reconnect waits are random in [0, reconnect_initial_s·2^n] (full jitter), capped at reconnect_max_s'),
        reconnect_max_s: z.number().min(0.1).max(3600).default(60),
      })
      .prefault({}),
    admin: z
      .strictObject({
        socket: z.string().optional().describe('edgectl socket (default <data_dir>/edgectl.sock)'),
        metrics_host: z.string().default('127.0.0.1').describe('Prometheus /metrics listens here (local only by default)'),
        metrics_port: z.number().int().min(0).max(65_535).default(9464).describe('0 picks a free port'),
        metrics_enabled: z.boolean().default(true),
      })
      .prefault({}),
    log: z
      .strictObject({
        level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
        file: z.boolean().default(true).describe('also write JSON logs under <data_dir>/logs with rotation'),
        max_file_mb: z.number().positive().default(10),
        max_files: z.number().int().min(1).max(100).default(5),
      })
      .prefault({}),
  })
  .superRefine((config, ctx) => {
    if (!config.coordinator.token && !config.coordinator.token_file) {
      ctx.addIssue({ code: 'custom', path: ['coordinator', 'token'], message: 'set token or token_file' });
    }
    const tls = config.coordinator.tls;
    if ((tls.cert_file === undefined) !== (tls.key_file === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['coordinator', 'tls', tls.cert_file ? 'key_file' : 'cert_file'], message: 'set cert_file and key_file together' });
    }
    if (!tls.enabled && (tls.cert_file || tls.ca_file)) {
      ctx.addIssue({ code: 'custom', path: ['coordinator', 'tls', 'enabled'], message: 'ca_file and cert_file need TLS enabled' });
    }
    uniqueIds(config.sensors, ['sensors'], ctx);
    uniqueIds(config.cameras, ['cameras'], ctx);
    const usernames = new Map<string, number>();
    config.sensors.forEach((s, i) => {
      const first = usernames.get(s.credentials.username);
      if (first !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['sensors', i, 'credentials', 'username'], message: `already used by sensors[${first}]` });
      } else usernames.set(s.credentials.username, i);
    });
  });

function uniqueIds(items: readonly { id: string }[], path: (string | number)[], ctx: z.RefinementCtx): void {
  const seen = new Map<string, number>();
  items.forEach((item, i) => {
    const first = seen.get(item.id);
    if (first !== undefined)
      ctx.addIssue({ code: 'custom', path: [...path, i, 'id'], message: `duplicate id "${item.id}" (also ${path.join('.')}[${first}])` });
    else seen.set(item.id, i);
  });
}

export type EdgeConfig = z.infer<typeof EdgeConfigSchema>;
export type EdgeConfigInput = z.input<typeof EdgeConfigSchema>;
