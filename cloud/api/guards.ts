// Middleware factories for public routes: a per-client rate limit (429) and a cap on requests in
// flight (503), both with Retry-After and the JSON error shape. Route files only wire them.
import type { Context, MiddlewareHandler } from 'hono';
import { errorBody } from './errors.js';
import type { ApiEnv } from './context.js';
import { RateLimiter, type RateLimit } from '../../common/rate-limiter.js';
import type { ConcurrencyGate } from '../../common/concurrency-gate.js';

export interface RateLimitOptions {
  limit: RateLimit;
  /** The client the bucket belongs to, e.g. its address. */
  keyOf: (c: Context<ApiEnv>) => string;
  /** Named in the error message: "too many open-data requests…". */
  what: string;
  onRefused?: () => void;
}

export function rateLimit(o: RateLimitOptions): MiddlewareHandler<ApiEnv> {
  const limiter = new RateLimiter(o.limit);
  return async (c, next) => {
    const decision = limiter.take(o.keyOf(c));
    if (!decision.ok) {
      o.onRefused?.();
      c.header('Retry-After', String(decision.retryAfterS));
      return c.json(errorBody('RATE_LIMITED', `too many ${o.what} from this client; retry in ${decision.retryAfterS} s`), 429);
    }
    await next();
  };
}

export interface ConcurrencyCapOptions {
  gate: ConcurrencyGate;
  /** What a refused client is told to wait. */
  retryAfterS: number;
  what: string;
  onRefused?: () => void;
}

export function concurrencyCap(o: ConcurrencyCapOptions): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const release = await o.gate.enter();
    if (!release) {
      o.onRefused?.();
      c.header('Retry-After', String(o.retryAfterS));
      return c.json(errorBody('UNAVAILABLE', `too many ${o.what} in progress on this replica; retry in ${o.retryAfterS} s`), 503);
    }
    try {
      await next();
    } finally {
      release();
    }
  };
}
