// A per-second rate over roughly the last two seconds (decode and detect fps in status and gauges).

export class RateWindow {
  /** Occurrences per second over the last completed window (~2 s). */
  rate = 0;
  private startMs = 0;
  private count = 0;

  /** Counts `n` occurrences at `nowMs` (n = 0 just rolls the window). */
  add(nowMs: number, n = 1): void {
    if (this.startMs === 0) this.startMs = nowMs;
    this.count += n;
    const elapsed = nowMs - this.startMs;
    if (elapsed >= 2_000) {
      this.rate = (this.count * 1000) / elapsed;
      this.startMs = nowMs;
      this.count = 0;
    }
  }
}
