// Token buckets per client key (an address or an API token): `burst` requests at once, then
// `per_minute` sustained. In memory, per replica: behind N replicas a client gets up to N times
// the rate, which is still a strict bound for public routes (citizen reports, open data).
export interface RateLimit {
  per_minute: number;
  burst: number;
}

interface Bucket {
  tokens: number;
  atMs: number;
}

export type RateDecision = { ok: true } | { ok: false; retryAfterS: number };

const MAX_KEYS = 100_000;

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly limit: RateLimit,
    private readonly now: () => number = () => performance.now(),
  ) {}

  take(key: string): RateDecision {
    const now = this.now();
    const perMs = this.limit.per_minute / 60_000;
    const previous = this.buckets.get(key);
    const tokens = previous ? Math.min(this.limit.burst, previous.tokens + (now - previous.atMs) * perMs) : this.limit.burst;
    if (tokens < 1) {
      this.buckets.set(key, { tokens, atMs: now });
      return { ok: false, retryAfterS: Math.max(1, Math.ceil((1 - tokens) / perMs / 1000)) };
    }
    this.buckets.set(key, { tokens: tokens - 1, atMs: now });
    if (this.buckets.size > MAX_KEYS) this.prune(now);
    return { ok: true };
  }

  /** Forgets clients whose bucket has refilled: they are indistinguishable from new ones. */
  private prune(now: number): void {
    const refillMs = (this.limit.burst / this.limit.per_minute) * 60_000;
    for (const [key, b] of this.buckets) if (now - b.atMs > refillMs) this.buckets.delete(key);
  }
}
