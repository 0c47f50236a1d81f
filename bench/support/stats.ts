// Latency summaries for the benches: nearest-rank percentiles of measured samples.

/** The p-th percentile (nearest rank) of ascending `sorted`; NaN when there is nothing. */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** How many samples, and their p50, p95 and maximum. */
export function latencySummary(values: readonly number[]) {
  const s = [...values].sort((a, b) => a - b);
  return { samples: s.length, p50Ms: percentile(s, 50), p95Ms: percentile(s, 95), maxMs: s.at(-1) ?? Number.NaN };
}
