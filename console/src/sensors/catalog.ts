// Which sensors a site has and where their thresholds lie, learned from the public API alone:
// sensors from the site's recent telemetry events, thresholds from its alarm events (each
// alarm carries the threshold it crossed: the raise level on "raised", the clear level on
// "cleared"). The coordinator has no sensor registry endpoint yet.
import type { ApiClient } from '../api/client.js';
import type { IocEvent, Page } from '../api/types.js';

export interface SensorMetric {
  deviceId: string;
  site: string;
  sensorId: string;
  metric: string;
  unit: string;
  sensorType: string;
}

export interface Threshold {
  ruleId: string;
  value: number;
  /** raise: crossing it raises the alarm; clear: crossing back clears it. */
  role: 'raise' | 'clear';
  severity: string | null;
  condition: string;
}

export const sensorKey = (s: { deviceId: string; sensorId: string; metric: string }) => `${s.deviceId}/${s.sensorId}/${s.metric}`;

/** The metrics operators glance at on the overview, in this order. */
const KEY_METRICS = ['rainfall', 'level', 'temperature'];

/** Rain is read as a total per interval; everything else as its mean. */
export function displayStat(metric: string): 'sum' | 'mean' {
  return metric === 'rainfall' || metric.startsWith('rain') ? 'sum' : 'mean';
}

export async function sensorsOfSite(api: ApiClient, site: string, signal?: AbortSignal): Promise<SensorMetric[]> {
  const page = await api.get<Page<IocEvent>>('/api/v1/events', { site, kind: 'telemetry', limit: 500 }, signal);
  const found = new Map<string, SensorMetric>();
  for (const e of page.items) {
    if (!e.sensorId || !e.metric) continue;
    const s: SensorMetric = {
      deviceId: e.deviceId,
      site: e.site,
      sensorId: e.sensorId,
      metric: e.metric,
      unit: String(e.payload.unit ?? ''),
      sensorType: String(e.payload.sensor_type ?? ''),
    };
    if (!found.has(sensorKey(s))) found.set(sensorKey(s), s);
  }
  return [...found.values()].sort((a, b) => metricOrder(a.metric) - metricOrder(b.metric) || a.sensorId.localeCompare(b.sensorId));
}

function metricOrder(metric: string): number {
  const i = KEY_METRICS.indexOf(metric);
  return i < 0 ? KEY_METRICS.length : i;
}

export function keyMetrics(sensors: SensorMetric[], max = 3): SensorMetric[] {
  const key = sensors.filter((s) => KEY_METRICS.includes(s.metric));
  return (key.length > 0 ? key : sensors).slice(0, max);
}

export async function thresholdsOfSite(api: ApiClient, site: string, signal?: AbortSignal): Promise<Map<string, Threshold[]>> {
  const page = await api.get<Page<IocEvent>>('/api/v1/events', { site, kind: 'alarm', limit: 1000 }, signal);
  const out = new Map<string, Threshold[]>();
  for (const e of page.items) {
    const value = Number(e.payload.threshold);
    if (!e.sensorId || !e.metric || !Number.isFinite(value)) continue;
    const key = sensorKey({ deviceId: e.deviceId, sensorId: e.sensorId, metric: e.metric });
    const list = out.get(key) ?? [];
    const role = e.phase === 'cleared' ? 'clear' : 'raise';
    const ruleId = e.rule ?? String(e.payload.rule_id ?? '');
    // Newest first: the first seen per rule and role is the one in force now.
    if (!list.some((t) => t.ruleId === ruleId && t.role === role)) {
      list.push({ ruleId, value, role, severity: e.severity, condition: String(e.payload.condition ?? '') });
    }
    out.set(key, list);
  }
  return out;
}
