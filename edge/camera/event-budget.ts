// How many plain object events a camera may send: a token bucket filled at the configured rate
// per hour and holding a sixth of it, so a quiet camera reports each passer-by at once, while a
// busy street sends a trickle (one a minute at the default 60) and the rest is summarised.
// Rule events never ask it: they are what the IOC watches for.

export class ObjectEventBudget {
  private tokens: number;
  private lastMonoMs: number | undefined;
  private readonly capacity: number;
  private readonly perMs: number;

  constructor(perHour: number) {
    this.capacity = perHour > 0 ? Math.max(1, Math.round(perHour / 6)) : 0;
    this.perMs = perHour / 3_600_000;
    this.tokens = this.capacity;
  }

  /** Takes one event from the budget if there is one left at this (monotonic) time. */
  take(monoMs: number): boolean {
    this.refill(monoMs);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Whole events left now (tests, health). */
  available(monoMs: number): number {
    this.refill(monoMs);
    return Math.floor(this.tokens);
  }

  private refill(monoMs: number): void {
    if (this.lastMonoMs !== undefined && monoMs > this.lastMonoMs) {
      this.tokens = Math.min(this.capacity, this.tokens + (monoMs - this.lastMonoMs) * this.perMs);
    }
    if (this.lastMonoMs === undefined || monoMs > this.lastMonoMs) this.lastMonoMs = monoMs;
  }
}
