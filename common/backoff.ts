// Exponential backoff with jitter: spreads reconnects of many boxes after a coordinator restart
// instead of a synchronized stampede. Proportional jitter (as in grpc-js backoff-timeout) keeps
// each delay near its step; full jitter (AWS: uniform in [0, min(cap, initial·2^n)]) spreads a
// fleet that failed at the same instant over the whole window.
export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  multiplier?: number;
  jitter?: number; // 0..1 share of the delay that is randomized
  /** Uniform in [0, step] instead of step ± jitter. */
  fullJitter?: boolean;
  random?: () => number;
}

export class Backoff {
  private attempt = 0;
  private readonly multiplier: number;
  private readonly jitter: number;
  private readonly random: () => number;

  constructor(private readonly options: BackoffOptions) {
    this.multiplier = options.multiplier ?? 2;
    this.jitter = options.jitter ?? 0.3;
    this.random = options.random ?? Math.random;
  }

  /** Delay before the next attempt; each call grows it up to maxMs. */
  nextDelayMs(): number {
    const base = Math.min(this.options.maxMs, this.options.initialMs * this.multiplier ** this.attempt);
    this.attempt++;
    if (this.options.fullJitter) return Math.round(this.random() * base);
    const spread = base * this.jitter;
    return Math.max(0, Math.round(base - spread + this.random() * 2 * spread));
  }

  reset(): void {
    this.attempt = 0;
  }

  get attempts(): number {
    return this.attempt;
  }
}

/** Resolves after ms, or early (without throwing) when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
