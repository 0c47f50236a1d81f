// GET /api/v1/devices, /api/v1/devices/{id}: registry, presence, backlog, drops, completeness.
import { createRoute, z } from '@hono/zod-openapi';
import { NotFoundError } from '../../../common/errors.js';
import { deviceView } from '../../services/device-view.js';
import { DeviceSchema, errorResponses } from '../schemas.js';
import { IdParam } from '../params.js';
import type { ApiDeps } from '../context.js';
import type { RouteModule } from '../route-module.js';

const list = createRoute({
  method: 'get',
  path: '/api/v1/devices',
  tags: ['devices'],
  summary: 'All devices with presence, backlog, drops and completeness',
  request: { query: z.object({ site: z.string().optional() }) },
  responses: { 200: { description: 'Devices', content: { 'application/json': { schema: z.object({ items: z.array(DeviceSchema) }) } } }, ...errorResponses },
});

const one = createRoute({
  method: 'get',
  path: '/api/v1/devices/{id}',
  tags: ['devices'],
  summary: 'One device',
  request: { params: z.object({ id: IdParam }) },
  responses: { 200: { description: 'Device', content: { 'application/json': { schema: DeviceSchema } } }, ...errorResponses },
});

export function deviceRoutes(deps: ApiDeps): RouteModule {
  return (app) => {
    app.openapi(list, async (c) => {
      const { site } = c.req.valid('query');
      const devices = (await deps.store.listDevices()).filter((d) => !site || d.site === site);
      const items = await Promise.all(devices.map((d) => deviceView(deps.store, deps.presence, d)));
      items.sort((a, b) => a.site.localeCompare(b.site) || a.id.localeCompare(b.id));
      return c.json({ items }, 200);
    });
    app.openapi(one, async (c) => {
      const { id } = c.req.valid('param');
      const device = await deps.store.getDevice(id);
      if (!device) throw new NotFoundError(`device ${id}`);
      return c.json(await deviceView(deps.store, deps.presence, device), 200);
    });
  };
}
