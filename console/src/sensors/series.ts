// A sensor metric's series from the API, shaped for a chart: one value per step (the rain total
// or the mean), with the per-step min and max as a band.
import type { ApiClient } from '../api/client.js';
import type { Series } from '../api/types.js';
import type { ChartSeries } from '../components/series-chart.js';
import { displayStat, type SensorMetric } from './catalog.js';

/** A step that keeps a range to about `buckets` points (the API refuses more than 10 000). */
export function stepFor(rangeMs: number, buckets = 240): number {
  const raw = rangeMs / 1000 / buckets;
  const steps = [10, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400];
  return steps.find((s) => s >= raw) ?? 86_400;
}

export async function loadSeries(
  api: ApiClient,
  s: SensorMetric,
  fromMs: number,
  toMs: number,
  signal?: AbortSignal,
  stepS = stepFor(toMs - fromMs),
): Promise<ChartSeries> {
  const series = await api.get<Series>(
    `/api/v1/sensors/${encodeURIComponent(s.deviceId)}/${encodeURIComponent(s.sensorId)}/${encodeURIComponent(s.metric)}/series`,
    { from: Math.floor(fromMs), to: Math.ceil(toMs), step: stepS },
    signal,
  );
  const stat = displayStat(s.metric);
  // Empty steps stay null so the line breaks where the sensor was silent (a gap, not a zero).
  const byStart = new Map(series.points.map((p) => [p.startMs, p]));
  const stepMs = series.stepS * 1000;
  const first = Math.floor(series.fromMs / stepMs) * stepMs;
  const out: ChartSeries = { timesMs: [], values: [], min: [], max: [] };
  for (let t = first; t < series.toMs; t += stepMs) {
    const p = byStart.get(t);
    out.timesMs.push(t);
    out.values.push(p ? p[stat] : null);
    out.min!.push(p && stat === 'mean' ? p.min : null);
    out.max!.push(p && stat === 'mean' ? p.max : null);
  }
  if (stat === 'sum') {
    delete out.min;
    delete out.max;
  }
  return out;
}
