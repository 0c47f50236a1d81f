// /api/open/v1: open data without authentication — per-site aggregates of public sensor types
// (rain, water level, air quality) as JSON or CSV. No images, no device tokens, no reports.
import { createRoute, z } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import type { OpenData, AggregateQuery, OpenAnswer } from '../../opendata/open-data.js';
import { errorResponses } from '../schemas.js';
import { IdParam, TimeParam } from '../params.js';
import { jsonContent } from './kit.js';
import type { ApiEnv } from '../context.js';
import type { RouteModule } from '../route-module.js';

const OpenSiteSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    district: z.string().nullable(),
    location: z.object({ lat: z.number(), lon: z.number() }).nullable(),
    sensorTypes: z.array(z.string()),
  })
  .openapi('OpenSite');

export const OpenAggregateSchema = z
  .object({
    site: z.string(),
    sensorType: z.string().openapi({ example: 'rain_gauge' }),
    metric: z.string().openapi({ example: 'rainfall' }),
    unit: z.string(),
    startMs: z.number(),
    endMs: z.number(),
    sensors: z.number().openapi({ description: 'sensors of this type that reported in the bucket' }),
    count: z.number(),
    min: z.number(),
    max: z.number(),
    mean: z.number(),
    sum: z.number().openapi({ description: 'e.g. rainfall total over the bucket (sum over sensors is averaged per sensor)' }),
  })
  .openapi('OpenAggregate');

const query = z.object({
  type: z.string().max(64).optional().openapi({ description: 'one sensor type, e.g. rain_gauge; default: all public types' }),
  from: TimeParam.optional().openapi({ description: 'default: 24 h before `to`' }),
  to: TimeParam.optional().openapi({ description: 'default: now' }),
  step: z.coerce
    .number()
    .int()
    .min(60)
    .max(31 * 86_400)
    .default(3600)
    .openapi({ description: 'seconds per bucket' }),
  format: z.enum(['json', 'csv']).default('json'),
});

const cacheNote =
  'Cached (Cache-Control: public, max-age=opendata.cache_ttl_s; X-Cache: hit or miss). from/to are rounded outward to whole steps ' +
  'of at least opendata.cache_granularity_s and `to` to no later than now. Rate-limited per client address (429 + Retry-After) and ' +
  'capped in flight per replica (503 + Retry-After).';

const sites = createRoute({
  method: 'get',
  path: '/api/open/v1/sites',
  tags: ['open data'],
  summary: 'Sites with the public sensor types they report',
  description: cacheNote,
  security: [],
  'x-required-role': 'public',
  responses: { 200: jsonContent('Sites', z.object({ items: z.array(OpenSiteSchema) })), ...errorResponses },
});

const aggregates = createRoute({
  method: 'get',
  path: '/api/open/v1/sites/{site}/sensors',
  tags: ['open data'],
  summary: 'Per-site sensor aggregates by sensor type and metric (?format=csv for CSV)',
  description: cacheNote,
  security: [],
  'x-required-role': 'public',
  request: { params: z.object({ site: IdParam }), query },
  responses: {
    200: {
      description: 'Aggregates',
      content: {
        'application/json': {
          schema: z.object({ site: z.string(), fromMs: z.number(), toMs: z.number(), stepS: z.number(), items: z.array(OpenAggregateSchema) }),
        },
        'text/csv': { schema: z.string() },
      },
    },
    ...errorResponses,
  },
});

const aggregatesCsv = createRoute({
  method: 'get',
  path: '/api/open/v1/sites/{site}/sensors.csv',
  tags: ['open data'],
  summary: 'The same aggregates as CSV',
  description: cacheNote,
  security: [],
  'x-required-role': 'public',
  request: { params: z.object({ site: IdParam }), query: query.omit({ format: true }) },
  responses: { 200: { description: 'CSV', content: { 'text/csv': { schema: z.string() } } }, ...errorResponses },
});

/** `guards` (rate limit, in-flight cap) run before every open-data route. */
export function openDataRoutes(open: OpenData, guards: MiddlewareHandler<ApiEnv>[] = []): RouteModule {
  const send = (c: Context<ApiEnv>, result: OpenAnswer) =>
    c.body(result.body, 200, { 'content-type': result.contentType, 'cache-control': result.cacheControl, 'x-cache': result.cache });
  const answer = async (c: Context<ApiEnv>, site: string, q: AggregateQuery, format: 'json' | 'csv') => send(c, await open.aggregates(site, q, format));
  return (app) => {
    for (const guard of guards) app.use('/api/open/*', guard);
    app.openapi(sites, async (c) => send(c, await open.sites()) as never);
    app.openapi(aggregatesCsv, async (c) => {
      const q = c.req.valid('query');
      return (await answer(c, c.req.valid('param').site, { type: q.type, fromMs: q.from, toMs: q.to, stepS: q.step }, 'csv')) as never;
    });
    app.openapi(aggregates, async (c) => {
      const q = c.req.valid('query');
      return (await answer(c, c.req.valid('param').site, { type: q.type, fromMs: q.from, toMs: q.to, stepS: q.step }, q.format)) as never;
    });
  };
}
