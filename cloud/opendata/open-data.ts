// Open data: per-site aggregates of the public sensor types (rain, water level, air quality) for
// anyone, as JSON or CSV. Only telemetry of allow-listed sensor types is read — never images,
// reports, alerts or device details — and answers are cached in memory and by HTTP caches.
// Anyone can ask, so every request is bounded: the window (max_range_days), the readings read
// (max_scan_rows), and parameters normalised into the cache key so varying them hits the cache.
import { Counter, type Registry } from 'prom-client';
import { NotFoundError, ValidationError } from '../../common/errors.js';
import type { CoordinatorConfig } from '../config.js';
import type { EventStore } from '../store/contract/store.js';
import type { EventRow, SeriesPoint } from '../store/contract/types.js';
import { chooseWindow, rebucket } from '../store/series.js';

export interface AggregateQuery {
  type?: string;
  fromMs?: number;
  toMs?: number;
  stepS: number;
}

export interface OpenAnswer {
  body: string;
  contentType: string;
  cacheControl: string;
  /** Served from the in-memory cache (or joined an identical request in flight). */
  cache: 'hit' | 'miss';
}

export interface OpenAggregate {
  site: string;
  sensorType: string;
  metric: string;
  unit: string;
  startMs: number;
  endMs: number;
  sensors: number;
  count: number;
  min: number;
  max: number;
  mean: number;
  sum: number;
}

interface TelemetryPayload {
  sensor_id?: string;
  sensor_type?: string;
  metric?: string;
  unit?: string;
  window_s?: number;
  window_start_ms?: number;
  window_end_ms?: number;
  count?: number;
  min?: number;
  max?: number;
  mean?: number;
  sum?: number;
  last?: number;
}

const MAX_CACHE_ENTRIES = 500;
const DAY_MS = 86_400_000;
const CSV_COLUMNS = ['site', 'sensor_type', 'metric', 'unit', 'start', 'end', 'sensors', 'count', 'min', 'max', 'mean', 'sum'] as const;

type Made = Omit<OpenAnswer, 'cacheControl' | 'cache'>;

export class OpenData {
  private readonly cache = new Map<string, { expiresAt: number; answer: Made }>();
  /** Identical misses in flight share one computation. */
  private readonly pending = new Map<string, Promise<Made>>();
  private readonly types: Set<string>;
  private readonly lookups: Counter<'result'>;

  constructor(
    private readonly events: EventStore,
    private readonly siteList: CoordinatorConfig['sites'],
    private readonly settings: CoordinatorConfig['opendata'],
    registry: Registry,
  ) {
    this.types = new Set(settings.sensor_types);
    this.lookups = new Counter({
      name: 'ioc_opendata_cache_total',
      help: 'Open-data answers by cache result (hit, miss)',
      labelNames: ['result'],
      registers: [registry],
    });
  }

  sites(): Promise<OpenAnswer> {
    return this.cached('sites', async () => {
      const since = Date.now() - DAY_MS;
      const items = [];
      for (const s of this.siteList) {
        const rows = await this.telemetry(s.id, since, Date.now());
        const types = [...new Set(rows.map((r) => (r.payload as TelemetryPayload).sensor_type ?? ''))].filter((t) => this.types.has(t)).sort();
        items.push({ id: s.id, name: s.name, district: s.district ?? null, location: s.location, sensorTypes: types });
      }
      return json({ items });
    });
  }

  async aggregates(site: string, q: AggregateQuery, format: 'json' | 'csv'): Promise<OpenAnswer> {
    if (!this.siteList.some((s) => s.id === site)) throw new NotFoundError(`site ${site}`);
    if (q.type !== undefined && !this.types.has(q.type))
      throw new ValidationError(`type: "${q.type}" is not published; open types: ${[...this.types].join(', ')}`);
    // Normalised before the cache key: bounds rounded outward to whole steps of at least
    // cache_granularity_s, `to` no later than now, the default type spelled once.
    const stepMs = q.stepS * 1000;
    const unitMs = stepMs * Math.ceil((this.settings.cache_granularity_s * 1000) / stepMs);
    const now = Date.now();
    const toMs = Math.ceil(Math.min(q.toMs ?? now, now) / unitMs) * unitMs;
    const fromMs = Math.floor((q.fromMs ?? toMs - DAY_MS) / unitMs) * unitMs;
    if (fromMs >= toMs) throw new ValidationError('from must be before to (and not in the future)');
    if (toMs - fromMs > this.settings.max_range_days * DAY_MS + unitMs) {
      throw new ValidationError(`from/to span ${Math.round((toMs - fromMs) / DAY_MS)} days; at most ${this.settings.max_range_days} days per request`);
    }
    if ((toMs - fromMs) / stepMs > 10_000) throw new ValidationError('more than 10 000 buckets: use a larger step');
    const key = `agg|${site}|${q.type ?? '*'}|${fromMs}|${toMs}|${q.stepS}|${format}`;
    return this.cached(key, async () => {
      const items = this.aggregate(site, await this.telemetry(site, fromMs, toMs), q.type, q.stepS, fromMs, toMs);
      return format === 'csv' ? csv(items) : json({ site, fromMs, toMs, stepS: q.stepS, items });
    });
  }

  private async telemetry(site: string, fromMs: number, toMs: number): Promise<EventRow[]> {
    const out: EventRow[] = [];
    let cursor: string | undefined;
    let read = 0;
    do {
      const page = await this.events.queryEvents({ site: [site], kind: ['telemetry'], sinceMs: fromMs, untilMs: toMs, limit: 1000, cursor });
      read += page.items.length;
      if (read > this.settings.max_scan_rows) {
        throw new ValidationError(`this window holds more than ${this.settings.max_scan_rows} readings: narrow from/to or pick a type`);
      }
      for (const row of page.items) if (this.types.has((row.payload as TelemetryPayload).sensor_type ?? '')) out.push(row);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return out;
  }

  /** Per sensor: one stored window size, re-bucketed; then per type and metric across sensors. */
  private aggregate(site: string, rows: readonly EventRow[], type: string | undefined, stepS: number, fromMs: number, toMs: number): OpenAggregate[] {
    const series = new Map<string, { type: string; metric: string; unit: string; points: Map<number, SeriesPoint[]> }>();
    for (const row of rows) {
      const p = row.payload as TelemetryPayload;
      if (!p.sensor_type || !p.metric || (type && p.sensor_type !== type)) continue;
      const offset = row.timeMs - (p.window_end_ms ?? row.timeMs);
      const point: SeriesPoint = {
        deviceId: row.deviceId,
        site,
        sensorId: p.sensor_id ?? '',
        metric: p.metric,
        unit: p.unit ?? '',
        windowS: p.window_s ?? 0,
        startMs: (p.window_start_ms ?? 0) + offset,
        endMs: (p.window_end_ms ?? 0) + offset,
        count: p.count ?? 0,
        min: p.min ?? 0,
        max: p.max ?? 0,
        mean: p.mean ?? 0,
        sum: p.sum ?? 0,
        last: p.last ?? 0,
      };
      if (point.startMs < fromMs || point.startMs >= toMs) continue;
      const key = `${row.deviceId}|${point.sensorId}|${p.metric}`;
      const s = series.get(key) ?? { type: p.sensor_type, metric: p.metric, unit: point.unit, points: new Map() };
      const byWindow = s.points.get(point.windowS) ?? [];
      byWindow.push(point);
      s.points.set(point.windowS, byWindow);
      series.set(key, s);
    }
    const combined = new Map<string, OpenAggregate>();
    for (const s of series.values()) {
      const windowS = chooseWindow([...s.points.keys()], stepS)!;
      const points = s.points.get(windowS)!.sort((a, b) => a.startMs - b.startMs);
      for (const b of rebucket(points, stepS)) {
        const key = `${s.type}|${s.metric}|${b.startMs}`;
        const c = combined.get(key);
        if (!c) {
          combined.set(key, {
            site,
            sensorType: s.type,
            metric: s.metric,
            unit: s.unit,
            startMs: b.startMs,
            endMs: b.endMs,
            sensors: 1,
            count: b.count,
            min: b.min,
            max: b.max,
            mean: b.mean,
            sum: b.sum,
          });
          continue;
        }
        const count = c.count + b.count;
        c.mean = count > 0 ? (c.mean * c.count + b.mean * b.count) / count : 0;
        c.count = count;
        c.min = Math.min(c.min, b.min);
        c.max = Math.max(c.max, b.max);
        // A site's rainfall is the average of its gauges, not their total.
        c.sum = (c.sum * c.sensors + b.sum) / (c.sensors + 1);
        c.sensors++;
      }
    }
    return [...combined.values()].sort((a, b) => a.sensorType.localeCompare(b.sensorType) || a.metric.localeCompare(b.metric) || a.startMs - b.startMs);
  }

  private async cached(key: string, make: () => Promise<Made>): Promise<OpenAnswer> {
    const ttlMs = this.settings.cache_ttl_s * 1000;
    const cacheControl = ttlMs > 0 ? `public, max-age=${this.settings.cache_ttl_s}` : 'no-store';
    const hit = this.cache.get(key);
    if (hit && hit.expiresAt > Date.now()) {
      this.lookups.inc({ result: 'hit' });
      return { ...hit.answer, cacheControl, cache: 'hit' };
    }
    const joined = this.pending.get(key);
    if (joined) {
      this.lookups.inc({ result: 'hit' });
      return { ...(await joined), cacheControl, cache: 'hit' };
    }
    this.lookups.inc({ result: 'miss' });
    const making = make();
    this.pending.set(key, making);
    try {
      const answer = await making;
      if (ttlMs > 0) {
        if (this.cache.size >= MAX_CACHE_ENTRIES) this.cache.delete(this.cache.keys().next().value!);
        this.cache.set(key, { expiresAt: Date.now() + ttlMs, answer });
      }
      return { ...answer, cacheControl, cache: 'miss' };
    } finally {
      this.pending.delete(key);
    }
  }
}

function json(value: unknown): Made {
  return { body: JSON.stringify(value), contentType: 'application/json; charset=utf-8' };
}

function csv(items: readonly OpenAggregate[]): Made {
  const round = (n: number) => String(Math.round(n * 1000) / 1000);
  const lines = [CSV_COLUMNS.join(',')];
  for (const a of items) {
    lines.push(
      [
        a.site,
        a.sensorType,
        a.metric,
        a.unit,
        new Date(a.startMs).toISOString(),
        new Date(a.endMs).toISOString(),
        String(a.sensors),
        String(a.count),
        round(a.min),
        round(a.max),
        round(a.mean),
        round(a.sum),
      ]
        .map(csvCell)
        .join(','),
    );
  }
  return { body: `${lines.join('\r\n')}\r\n`, contentType: 'text/csv; charset=utf-8' };
}

/** RFC 4180 quoting; a leading = + - @ is neutralized so spreadsheets do not run it as a formula. */
function csvCell(v: string): string {
  const safe = /^[=+\-@]/.test(v) && !/^-?\d/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}
