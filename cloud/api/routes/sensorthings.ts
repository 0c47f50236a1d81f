// /api/open/sta/v1.1: the read-only OGC SensorThings API over the open sensor data, without
// authentication like the other open routes. Paths carry OData-style keys (`Things('x')`), so
// the service parses them itself behind one wildcard route; sensorthings-openapi.ts puts each
// path in the OpenAPI document; docs/sensorthings.md.
import type { Context } from 'hono';
import type { SensorThings } from '../../sensorthings/service.js';
import type { ApiEnv } from '../context.js';
import type { RouteModule } from '../route-module.js';
import { documentSensorThings } from './sensorthings-openapi.js';

export const STA_ROOT = '/api/open/sta/v1.1';

export function sensorThingsRoutes(sta: SensorThings, options: { baseUrl?: string; cacheTtlS: number }): RouteModule {
  return (app) => {
    const answer = async (c: Context<ApiEnv>) => {
      const url = new URL(c.req.url);
      const base = options.baseUrl?.replace(/\/+$/, '') ?? `${url.origin}${STA_ROOT}`;
      const body = await sta.answer(base, url.pathname.slice(STA_ROOT.length), url.searchParams);
      return c.json(body, 200, { 'cache-control': options.cacheTtlS > 0 ? `public, max-age=${options.cacheTtlS}` : 'no-store' });
    };
    documentSensorThings(app, STA_ROOT);
    app.get(STA_ROOT, answer);
    app.get(`${STA_ROOT}/*`, answer);
  };
}
