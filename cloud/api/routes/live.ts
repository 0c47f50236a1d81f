// GET /api/v1/live: the live feed as Server-Sent Events (records, alert changes, reports,
// device changes), filtered, resumable with Last-Event-ID.
import { createRoute, z } from '@hono/zod-openapi';
import { streamSSE } from 'hono/streaming';
import { SEVERITIES } from '../../../common/config/primitives.js';
import { errorBody, errorMessage } from '../../../common/errors.js';
import type { Logger } from '../../../common/log.js';
import type { LiveFeed } from '../../live/live-feed.js';
import { errorResponses } from '../schemas.js';
import { ListParam, SeverityList } from '../params.js';
import type { RouteModule } from '../route-module.js';

const live = createRoute({
  method: 'get',
  path: '/api/v1/live',
  tags: ['live'],
  summary: 'Live feed (Server-Sent Events)',
  description:
    'Events: `record` (a stored event row), `alert` (an alert change: data.type is alert.created, alert.dispatched…), `report` ' +
    '(a citizen report), `device` (device revoked…), `reset` (the client is further behind than the replay buffer: reload ' +
    'state through the REST API, the stream then continues live). Each event has an id; reconnect with the Last-Event-ID header ' +
    '(or ?last_event_id=) to get what was missed. Comment lines are sent every live.heartbeat_s so proxies keep the stream ' +
    "open; they also carry the newest id, so a filtered client resumes from the right place. Browsers' EventSource cannot " +
    'send headers: get a single-use ticket (POST /api/v1/live/ticket, bearer) and pass it as ?ticket=. Bearer tokens in the URL are refused.',
  'x-required-role': 'viewer',
  'x-ticket-in-query': true,
  request: {
    query: z.object({
      topics: ListParam.pipe(z.array(z.enum(['records', 'alerts', 'reports', 'devices'])))
        .optional()
        .openapi({ description: 'default: all', example: 'alerts,reports' }),
      site: ListParam.optional(),
      kind: ListParam.optional().openapi({ description: 'record or alert kinds', example: 'alarm,camera_event' }),
      severity: SeverityList.optional(),
      min_severity: z.enum(SEVERITIES).optional(),
      last_event_id: z.string().max(200).optional().openapi({ description: 'same as the Last-Event-ID header' }),
      ticket: z.string().max(128).optional().openapi({ description: 'a ticket from POST /api/v1/live/ticket, for EventSource (single use)' }),
    }),
  },
  responses: {
    200: { description: 'text/event-stream', content: { 'text/event-stream': { schema: z.string() } } },
    ...errorResponses,
    503: { description: 'Too many live clients on this replica' },
  },
});

export function liveRoutes(feed: LiveFeed, logger: Logger): RouteModule {
  return (app) => {
    app.openapi(live, (c) => {
      const q = c.req.valid('query');
      const lastEventId = c.req.header('last-event-id') ?? q.last_event_id;
      const full = feed.fullMessage;
      if (full) return c.json(errorBody('UNAVAILABLE', full), 503);
      c.header('X-Accel-Buffering', 'no');
      const filter = { topics: q.topics, site: q.site, kind: q.kind, severity: q.severity, minSeverity: q.min_severity };
      return streamSSE(
        c,
        async (stream) => {
          const gone = new Promise<void>((resolve) => stream.onAbort(resolve));
          await feed.serve(stream, filter, lastEventId, gone);
        },
        async (err) => {
          logger.warn({ err: errorMessage(err) }, 'live feed stream failed');
        },
      ) as never;
    });
  };
}
