// Turns an MQTT publish into a typed sensor reading, or a rejection with a reason.
// Accepted payloads: a bare number ("12.5") or JSON {"value": 12.5, "ts": <ms or ISO>}.
import type { SensorConfig } from '../../common/config/edge-schema.js';

export interface SensorReading {
  sensorId: string;
  metric: string;
  value: number;
  /** Edge wall time the reading is filed under (the sensor's own ts when plausible). */
  wallMs: number;
  /** Monotonic time of arrival: durations (for_s, rates) never follow wall-clock jumps. */
  monoMs: number;
}

export const REJECT_REASONS = [
  'unknown_client',
  'bad_credentials',
  'acl_denied',
  'subscribe_denied',
  'off_topic',
  'unknown_metric',
  'oversized',
  'malformed',
  'non_finite',
  'out_of_range',
  // Connection-level refusals (edge/sensors/packet-guard.ts) and readings not stored.
  'oversized_packet',
  'preauth_bytes',
  'malformed_header',
  'not_connect_first',
  'too_many_unauthenticated',
  'not_stored',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

export type ParseResult = { ok: true; reading: SensorReading } | { ok: false; reason: RejectReason; detail: string };

/** A sensor clock more than this far from the edge clock is ignored (boxes and sensors drift). */
const MAX_SENSOR_CLOCK_SKEW_MS = 10 * 60_000;

export function parseTopic(topic: string): { sensorId: string; metric: string } | undefined {
  const parts = topic.split('/');
  if (parts.length !== 3 || parts[0] !== 'sensors' || !parts[1] || !parts[2]) return undefined;
  return { sensorId: parts[1], metric: parts[2] };
}

export function parseReading(
  sensor: SensorConfig,
  topic: string,
  payload: Buffer,
  limits: { maxPayloadBytes: number },
  now: { wallMs: number; monoMs: number },
): ParseResult {
  const where = parseTopic(topic);
  if (!where || where.sensorId !== sensor.id) return { ok: false, reason: 'off_topic', detail: `topic ${topic} is not sensors/${sensor.id}/<metric>` };
  const metric = sensor.metrics.find((m) => m.name === where.metric);
  if (!metric) return { ok: false, reason: 'unknown_metric', detail: `sensor ${sensor.id} has no metric "${where.metric}"` };
  if (payload.length > limits.maxPayloadBytes) {
    return { ok: false, reason: 'oversized', detail: `${payload.length} bytes > ${limits.maxPayloadBytes}` };
  }
  const parsed = parsePayload(payload.toString('utf8').trim());
  if (!parsed.ok) return parsed;
  const { value } = parsed;
  if (!Number.isFinite(value)) return { ok: false, reason: 'non_finite', detail: `value ${String(value)} is not finite` };
  if (metric.valid_range && (value < metric.valid_range[0] || value > metric.valid_range[1])) {
    return { ok: false, reason: 'out_of_range', detail: `${value} outside [${metric.valid_range.join(', ')}]` };
  }
  let wallMs = now.wallMs;
  if (parsed.ts !== undefined && Math.abs(parsed.ts - now.wallMs) <= MAX_SENSOR_CLOCK_SKEW_MS) wallMs = parsed.ts;
  return { ok: true, reading: { sensorId: sensor.id, metric: metric.name, value, wallMs, monoMs: now.monoMs } };
}

function parsePayload(text: string): { ok: true; value: number; ts?: number } | { ok: false; reason: RejectReason; detail: string } {
  if (text === '') return { ok: false, reason: 'malformed', detail: 'empty payload' };
  if (/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) return { ok: true, value: Number(text) };
  if (/^[-+]?(inf|infinity|nan)$/i.test(text)) return { ok: false, reason: 'non_finite', detail: `value ${text} is not finite` };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'malformed', detail: 'neither a number nor JSON' };
  }
  if (typeof json === 'number') return { ok: true, value: json };
  if (!json || typeof json !== 'object' || Array.isArray(json))
    return { ok: false, reason: 'malformed', detail: 'JSON payload must be an object {"value": n}' };
  const { value, ts } = json as { value?: unknown; ts?: unknown };
  if (typeof value === 'string' && /^[-+]?(inf|infinity|nan)$/i.test(value)) return { ok: false, reason: 'non_finite', detail: `value ${value} is not finite` };
  if (typeof value !== 'number') return { ok: false, reason: 'malformed', detail: '"value" must be a number' };
  const tsMs = typeof ts === 'number' ? ts : typeof ts === 'string' ? Date.parse(ts) : undefined;
  return { ok: true, value, ts: tsMs !== undefined && Number.isFinite(tsMs) ? tsMs : undefined };
}
