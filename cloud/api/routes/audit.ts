// GET /api/v1/audit: every API write (also refused ones) with who, what, when and the outcome.
import { createRoute, z } from '@hono/zod-openapi';
import type { AuditTrail } from '../../audit/audit-trail.js';
import { errorResponses } from '../schemas.js';
import { LimitParam, TimeParam } from '../params.js';
import { jsonContent } from './kit.js';
import type { RouteModule } from '../route-module.js';

const AuditRecordSchema = z
  .object({ id: z.string(), atMs: z.number(), actor: z.string(), role: z.string(), method: z.string(), path: z.string(), status: z.number() })
  .openapi('AuditRecord');

const list = createRoute({
  method: 'get',
  path: '/api/v1/audit',
  tags: ['audit'],
  summary: 'API writes newest first (alert changes have their own log: /api/v1/alerts/{id}/audit)',
  'x-required-role': 'admin',
  request: {
    query: z.object({ actor: z.string().max(100).optional(), since: TimeParam.optional(), limit: LimitParam, cursor: z.string().max(64).optional() }),
  },
  responses: { 200: jsonContent('Audit records', z.object({ items: z.array(AuditRecordSchema), nextCursor: z.string().nullable() })), ...errorResponses },
});

export function auditRoutes(trail: AuditTrail): RouteModule {
  return (app) => {
    app.openapi(list, async (c) => {
      const q = c.req.valid('query');
      return c.json(await trail.list({ actor: q.actor, sinceMs: q.since, limit: q.limit, cursor: q.cursor }), 200);
    });
  };
}
