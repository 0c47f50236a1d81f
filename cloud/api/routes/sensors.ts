// GET /api/v1/sensors/{device}/{sensor}/{metric}/series: aggregates re-bucketed to a step.
import { createRoute, z } from '@hono/zod-openapi';
import { NotFoundError, ValidationError } from '../../../common/errors.js';
import { errorResponses } from '../schemas.js';
import { IdParam, TimeParam } from '../params.js';
import type { ApiDeps } from '../context.js';
import type { RouteModule } from '../route-module.js';

const MAX_BUCKETS = 10_000;

const BucketSchema = z.object({
  startMs: z.number(),
  endMs: z.number(),
  count: z.number(),
  min: z.number(),
  max: z.number(),
  mean: z.number(),
  sum: z.number(),
  last: z.number(),
});

const series = createRoute({
  method: 'get',
  path: '/api/v1/sensors/{device}/{sensor}/{metric}/series',
  tags: ['sensors'],
  summary: 'Sensor aggregates over time (count, min, max, mean, sum, last per step)',
  request: {
    params: z.object({ device: IdParam, sensor: IdParam, metric: z.string().regex(/^[a-z][a-z0-9_]{0,31}$/, 'metric name') }),
    query: z.object({
      from: TimeParam.optional().openapi({ description: 'default: 24 h before `to`' }),
      to: TimeParam.optional().openapi({ description: 'default: now' }),
      step: z.coerce
        .number()
        .int()
        .min(1)
        .max(31 * 86_400)
        .optional()
        .openapi({ description: 'seconds per bucket; default: the stored window' }),
    }),
  },
  responses: {
    200: {
      description: 'Series',
      content: {
        'application/json': {
          schema: z.object({
            device: z.string(),
            sensor: z.string(),
            metric: z.string(),
            fromMs: z.number(),
            toMs: z.number(),
            stepS: z.number(),
            points: z.array(BucketSchema),
          }),
        },
      },
    },
    ...errorResponses,
  },
});

export function sensorRoutes(deps: ApiDeps): RouteModule {
  return (app) => {
    app.openapi(series, async (c) => {
      const { device, sensor, metric } = c.req.valid('param');
      const q = c.req.valid('query');
      const toMs = q.to ?? Date.now();
      const fromMs = q.from ?? toMs - 86_400_000;
      if (fromMs >= toMs) throw new ValidationError('from must be before to');
      const stepS = q.step ?? 60;
      if ((toMs - fromMs) / (stepS * 1000) > MAX_BUCKETS) throw new ValidationError(`more than ${MAX_BUCKETS} buckets: use a larger step`);
      if (!(await deps.store.getDevice(device))) throw new NotFoundError(`device ${device}`);
      const points = await deps.store.querySeries({ deviceId: device, sensorId: sensor, metric, fromMs, toMs, stepS });
      return c.json({ device, sensor, metric, fromMs, toMs, stepS, points }, 200);
    });
  };
}
