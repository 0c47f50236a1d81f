// The coordinator's HTTP API: Hono with zod-openapi; auth, metrics and errors as middleware,
// thin route handlers, and the OpenAPI document generated from the same schemas that validate.
import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import type { Logger } from '../../common/log.js';
import { AccessPolicy, type ApiTokens, requireAccess } from './auth.js';
import { errorBody, onError, validationHook } from './errors.js';
import type { ApiDeps, ApiEnv } from './context.js';
import { LiveTickets } from './tickets.js';
import { routeTable } from './routes/index.js';
import type { Services } from '../services/services.js';
import type { ApiWrite } from '../audit/types.js';

export interface AppOptions {
  deps: ApiDeps;
  tokens: ApiTokens;
  logger: Logger;
  /** The feature services the route table serves (triage, reports, webhooks…). */
  services: Services;
  /** Told of every API write after it is answered (who, what, when, outcome): the audit trail. */
  onWrite?: (write: ApiWrite) => void;
}

const MAX_BODY_BYTES = 16 * 1024 * 1024;

export function createApp({ deps, tokens, logger, services, onWrite }: AppOptions): OpenAPIHono<ApiEnv> {
  const app = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });
  app.onError(onError(logger));
  app.notFound((c) => c.json(errorBody('NOT_FOUND', `no route ${c.req.method} ${c.req.path}`), 404));

  app.use('*', async (c, next) => {
    const started = performance.now();
    await next();
    const route = c.req.routePath || 'unmatched';
    deps.metrics.httpRequests.inc({ method: c.req.method, route, status: String(c.res.status) });
    deps.metrics.httpSeconds.observe({ route }, (performance.now() - started) / 1000);
  });
  if (deps.config.http.cors_origins.length > 0) app.use('/api/*', cors({ origin: deps.config.http.cors_origins }));
  // Before authentication, so refused writes are in the audit trail too.
  if (onWrite) {
    app.use('/api/*', async (c, next) => {
      await next();
      if (c.req.method === 'GET' || c.req.method === 'HEAD' || c.req.method === 'OPTIONS') return;
      const principal = c.get('principal') as { name: string; role: string } | undefined;
      onWrite({
        atMs: Date.now(),
        actor: principal?.name ?? 'anonymous',
        role: principal?.role ?? 'public',
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
      });
    });
  }
  // Each route's role comes from its own declaration ('x-required-role'), learned once all routes are registered.
  const access = new AccessPolicy();
  const tickets = new LiveTickets(deps.config.live.ticket_ttl_s * 1000);
  app.use('/api/v1/*', requireAccess(tokens, access, tickets));
  // After authentication: nobody unauthenticated makes the server buffer a body (chunked ones
  // included: counted as they arrive). Public uploads limit themselves after their rate limit.
  const defaultBodyLimit = bodyLimit({ maxSize: MAX_BODY_BYTES, onError: (c) => c.json(errorBody('PAYLOAD_TOO_LARGE', 'body larger than 16 MiB'), 413) });
  app.use('/api/*', (c, next) => (access.of(c.req.method, c.req.path).ownBodyLimit ? next() : defaultBodyLimit(c, next)));

  // Every route, the health routes, the OpenAPI document and the console's catch-all included.
  for (const register of routeTable({ core: deps, services, tickets, tokens, logger })) register(app);
  access.learn(app.openAPIRegistry.definitions);
  return app;
}
