// Open data has no token by design, so each client is rate-limited (by address) and the requests
// served at once are capped on this replica; refusals are counted by reason.
import type { MiddlewareHandler } from 'hono';
import { Counter, type Registry } from 'prom-client';
import type { CoordinatorConfig } from '../config.js';
import type { ApiEnv } from './context.js';
import { clientAddress } from './client-address.js';
import { ConcurrencyGate } from '../../common/concurrency-gate.js';
import { concurrencyCap, rateLimit } from './guards.js';

/** A refused client is told to come back after about one typical query. */
const BUSY_RETRY_AFTER_S = 2;

export function openDataGuards(settings: CoordinatorConfig['opendata'], registry: Registry): MiddlewareHandler<ApiEnv>[] {
  const refused = new Counter({
    name: 'ioc_opendata_refused_total',
    help: 'Open-data requests refused (rate_limited, busy)',
    labelNames: ['reason'],
    registers: [registry],
  });
  return [
    rateLimit({
      limit: settings.rate_limit,
      keyOf: (c) => clientAddress(c, settings.trust_forwarded_for),
      what: 'open-data requests',
      onRefused: () => refused.inc({ reason: 'rate_limited' }),
    }),
    concurrencyCap({
      gate: new ConcurrencyGate({ max: settings.max_concurrent, queue: settings.max_queued }),
      retryAfterS: BUSY_RETRY_AFTER_S,
      what: 'open-data requests',
      onRefused: () => refused.inc({ reason: 'busy' }),
    }),
  ];
}
