// GET /api/v1/sites: configured sites plus any site a device reports, with device counts.
import { createRoute, z } from '@hono/zod-openapi';
import { SiteSchema, errorResponses } from '../schemas.js';
import type { ApiDeps } from '../context.js';
import type { RouteModule } from '../route-module.js';

const list = createRoute({
  method: 'get',
  path: '/api/v1/sites',
  tags: ['sites'],
  summary: 'Sites (districts) with their devices',
  responses: { 200: { description: 'Sites', content: { 'application/json': { schema: z.object({ items: z.array(SiteSchema) }) } } }, ...errorResponses },
});

export function siteRoutes(deps: ApiDeps): RouteModule {
  return (app) => {
    app.openapi(list, async (c) => {
      const devices = await deps.store.listDevices();
      const ids = new Set([...deps.config.sites.map((s) => s.id), ...devices.map((d) => d.site)]);
      const items = [...ids].sort().map((id) => {
        const site = deps.config.sites.find((s) => s.id === id);
        const own = devices.filter((d) => d.site === id);
        return {
          id,
          name: site?.name ?? id,
          district: site?.district ?? null,
          location: site?.location ?? null,
          devices: own.map((d) => d.id),
          devicesOnline: own.filter((d) => deps.presence.view(d.id).online).length,
        };
      });
      return c.json({ items }, 200);
    });
  };
}
