// Series arithmetic shared by the stores: picking the stored window for a requested step and
// re-bucketing stored windows into steps.
import type { SeriesBucket, SeriesPoint } from './contract/types.js';

/** The largest stored window that is not coarser than the step (else the finest stored one). */
export function chooseWindow(available: readonly number[], stepS: number): number | undefined {
  if (available.length === 0) return undefined;
  const sorted = [...available].sort((a, b) => a - b);
  const fitting = sorted.filter((w) => w <= stepS);
  return fitting.length > 0 ? fitting[fitting.length - 1] : sorted[0];
}

/** Merges stored windows into buckets of stepS aligned to the epoch. Points arrive oldest first. */
export function rebucket(points: Iterable<SeriesPoint>, stepS: number): SeriesBucket[] {
  const stepMs = stepS * 1000;
  const buckets = new Map<number, SeriesBucket>();
  for (const p of points) {
    const start = Math.floor(p.startMs / stepMs) * stepMs;
    const b = buckets.get(start);
    if (!b) {
      buckets.set(start, { startMs: start, endMs: start + stepMs, count: p.count, min: p.min, max: p.max, mean: p.mean, sum: p.sum, last: p.last });
      continue;
    }
    const count = b.count + p.count;
    b.mean = count > 0 ? (b.mean * b.count + p.mean * p.count) / count : 0;
    b.count = count;
    b.min = Math.min(b.min, p.min);
    b.max = Math.max(b.max, p.max);
    b.sum += p.sum;
    b.last = p.last;
  }
  return [...buckets.values()].sort((a, b) => a.startMs - b.startMs);
}
