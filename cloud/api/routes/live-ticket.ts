// POST /api/v1/live/ticket: a bearer token traded for a single-use, short-lived ticket that
// opens the live feed (GET /api/v1/live?ticket=…), since browsers' EventSource cannot send headers.
import { createRoute, z } from '@hono/zod-openapi';
import { errorResponses } from '../schemas.js';
import { jsonContent } from './kit.js';
import type { LiveTickets } from '../tickets.js';
import type { RouteModule } from '../route-module.js';

const ticket = createRoute({
  method: 'post',
  path: '/api/v1/live/ticket',
  tags: ['live'],
  summary: 'A ticket for one live-feed stream (single use, valid live.ticket_ttl_s, same role as the token)',
  description:
    'Open the stream with GET /api/v1/live?ticket=… within the TTL, on the same replica. A ticket opens one stream: to reconnect, ' +
    'get a new one (and pass ?last_event_id= to resume). Only a bearer header is accepted here, never a ticket.',
  'x-required-role': 'viewer',
  responses: {
    201: jsonContent('Ticket', z.object({ ticket: z.string(), expiresAtMs: z.number() }).openapi('LiveTicket')),
    ...errorResponses,
  },
});

export function liveTicketRoutes(tickets: LiveTickets): RouteModule {
  return (app) => {
    app.openapi(ticket, (c) => c.json(tickets.issue(c.get('principal')), 201));
  };
}
