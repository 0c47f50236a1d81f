// GET /api/v1/events (filters + cursor pagination), /api/v1/events/{id}, its thumbnail.
import { createRoute, z } from '@hono/zod-openapi';
import { NotFoundError, ValidationError } from '../../../common/errors.js';
import { SEVERITIES } from '../../../common/config/primitives.js';
import { EventSchema, errorResponses } from '../schemas.js';
import { IdParam, LimitParam, ListParam, SeverityList, TimeParam } from '../params.js';
import type { ApiDeps } from '../context.js';
import type { RouteModule } from '../route-module.js';

const EventQuerySchema = z.object({
  site: ListParam.optional(),
  device: ListParam.optional(),
  kind: ListParam.optional().openapi({ example: 'alarm,camera_event' }),
  severity: SeverityList.optional(),
  min_severity: z.enum(SEVERITIES).optional(),
  camera: z.string().max(64).optional(),
  label: z.string().max(64).optional(),
  rule: z.string().max(64).optional(),
  sensor: z.string().max(64).optional(),
  since: TimeParam.optional(),
  until: TimeParam.optional(),
  limit: LimitParam,
  cursor: z.string().max(512).optional(),
});

const list = createRoute({
  method: 'get',
  path: '/api/v1/events',
  tags: ['events'],
  summary: 'Events newest first: alarms, telemetry, camera events, traffic counts, notices',
  request: { query: EventQuerySchema },
  responses: {
    200: {
      description: 'A page of events',
      content: { 'application/json': { schema: z.object({ items: z.array(EventSchema), nextCursor: z.string().nullable() }) } },
    },
    ...errorResponses,
  },
});

const one = createRoute({
  method: 'get',
  path: '/api/v1/events/{id}',
  tags: ['events'],
  summary:
    'One event (camera events: the whole new → update → end lifecycle in one row, id <device>.camera.<edge event id>; a bare edge event id stored before ids named the device still resolves)',
  request: { params: z.object({ id: IdParam }) },
  responses: { 200: { description: 'Event', content: { 'application/json': { schema: EventSchema } } }, ...errorResponses },
});

const thumbnail = createRoute({
  method: 'get',
  path: '/api/v1/events/{id}/thumbnail',
  tags: ['events'],
  summary: "The event's best thumbnail",
  request: { params: z.object({ id: IdParam }) },
  responses: {
    200: {
      description: 'Image',
      content: { 'image/jpeg': { schema: z.string().openapi({ format: 'binary' }) }, 'image/webp': { schema: z.string().openapi({ format: 'binary' }) } },
    },
    ...errorResponses,
  },
});

export function eventRoutes(deps: ApiDeps): RouteModule {
  return (app) => {
    app.openapi(list, async (c) => {
      const q = c.req.valid('query');
      if (q.since !== undefined && q.until !== undefined && q.since >= q.until) throw new ValidationError('since must be before until');
      const page = await deps.store.queryEvents({
        site: q.site,
        deviceId: q.device,
        kind: q.kind,
        severity: q.severity,
        minSeverity: q.min_severity,
        cameraId: q.camera,
        label: q.label,
        rule: q.rule,
        sensorId: q.sensor,
        sinceMs: q.since,
        untilMs: q.until,
        limit: q.limit,
        cursor: q.cursor,
      });
      return c.json({ items: page.items, nextCursor: page.nextCursor }, 200);
    });
    app.openapi(one, async (c) => {
      const { id } = c.req.valid('param');
      const row = await deps.store.getEvent(id);
      if (!row) throw new NotFoundError(`event ${id}`);
      return c.json(row, 200);
    });
    app.openapi(thumbnail, async (c) => {
      const { id } = c.req.valid('param');
      const thumb = await deps.store.getThumbnail(id);
      if (!thumb) throw new NotFoundError(`thumbnail of event ${id}`);
      return c.body(Buffer.from(thumb.data), 200, { 'content-type': thumb.contentType, 'cache-control': 'private, max-age=86400' }) as never;
    });
  };
}
