// /healthz (open, for load balancers and probes) and /metrics (Prometheus text). Plain routes,
// outside /api and so outside the OpenAPI document and its access policy.
import { softwareVersion } from '../../../common/paths.js';
import { type ApiTokens, requireRole } from '../auth.js';
import type { ApiDeps } from '../context.js';
import type { RouteModule } from '../route-module.js';

export function healthRoutes(core: ApiDeps, tokens: ApiTokens): RouteModule {
  return (app) => {
    app.get('/healthz', (c) =>
      c.json({
        status: 'ok',
        version: softwareVersion(),
        store: core.store.kind,
        uptimeS: Math.round((Date.now() - core.startedAtMs) / 1000),
        devicesOnline: core.presence.onlineCount(),
      }),
    );
    // Metrics name devices, sites and error rates: any API token (a viewer token for the scraper).
    app.get('/metrics', requireRole(tokens, 'viewer'), async (c) =>
      c.text(await core.metrics.registry.metrics(), 200, { 'content-type': core.metrics.registry.contentType }),
    );
  };
}
