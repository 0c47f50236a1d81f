// Triage: /api/v1/alerts — list and read alerts with their audit log; operators move them
// through new → verified → dispatched → resolved (or dismissed), agencies acknowledge.
import { createRoute, z } from '@hono/zod-openapi';
import { SEVERITIES } from '../../../common/config/primitives.js';
import { ALERT_STATES, type AlertState } from '../../triage/types.js';
import type { TriageService } from '../../triage/triage-service.js';
import { errorResponses, ErrorSchema } from '../schemas.js';
import { IdParam, LimitParam, ListParam } from '../params.js';
import { actorOf, jsonBody, jsonContent } from './kit.js';
import type { RouteModule } from '../route-module.js';

export const DispatchSchema = z
  .object({
    agency: z.string(),
    channel: z.string().optional(),
    routedAgency: z.string().optional().openapi({ description: "routing's choice when the operator picked another agency" }),
    atMs: z.number(),
    by: z.string(),
    acknowledgedAtMs: z.number().optional(),
    acknowledgedBy: z.string().optional(),
    escalations: z.number(),
    lastEscalatedAtMs: z.number().optional(),
  })
  .openapi('Dispatch');

export const AlertSchema = z
  .object({
    id: z.string(),
    kind: z.enum(['alarm', 'camera_event', 'citizen_report']),
    state: z.enum(ALERT_STATES),
    severity: z.enum(SEVERITIES),
    title: z.string(),
    site: z.string().nullable(),
    deviceId: z.string().nullable(),
    rule: z.string().nullable().openapi({ description: 'alarm threshold id, camera rule or report category' }),
    location: z.object({ lat: z.number(), lon: z.number() }).nullable(),
    eventIds: z.array(z.string()).openapi({ description: 'event rows behind the alert (GET /api/v1/events/{id})' }),
    reportId: z.string().nullable(),
    phase: z.string().nullable().openapi({ description: 'latest edge phase: raised/cleared (alarm), new/update/end (camera)' }),
    endedAtMs: z.number().nullable().openapi({ description: 'when the edge cleared the alarm or ended the camera event' }),
    createdAtMs: z.number(),
    updatedAtMs: z.number(),
    routing: z
      .object({ agency: z.string().nullable(), channel: z.string().nullable(), rule: z.string().nullable() })
      .openapi({ description: 'where the routing rules send it' }),
    dispatch: DispatchSchema.nullable(),
    details: z.record(z.string(), z.unknown()),
  })
  .openapi('Alert');

export const AuditEntrySchema = z
  .object({
    alertId: z.string(),
    seq: z.number(),
    atMs: z.number(),
    actor: z.string().openapi({ description: 'API token name, edge:<device> or system' }),
    action: z.enum(['created', 'transition', 'annotated', 'commented', 'escalated', 'acknowledged']),
    from: z.enum(ALERT_STATES).optional(),
    to: z.enum(ALERT_STATES).optional(),
    comment: z.string().optional(),
    detail: z.record(z.string(), z.unknown()).optional(),
  })
  .openapi('AlertAuditEntry');

const Comment = z.string().trim().min(1).max(2000);
const conflict = { 409: { description: 'Not allowed in the current state (the reason says why)', content: { 'application/json': { schema: ErrorSchema } } } };
const params = z.object({ id: IdParam });

const list = createRoute({
  method: 'get',
  path: '/api/v1/alerts',
  tags: ['triage'],
  summary: 'Alerts newest first',
  request: {
    query: z.object({
      state: ListParam.pipe(z.array(z.enum(ALERT_STATES)))
        .optional()
        .openapi({ example: 'new,verified' }),
      site: ListParam.optional(),
      kind: ListParam.optional().openapi({ example: 'alarm,citizen_report' }),
      min_severity: z.enum(SEVERITIES).optional(),
      limit: LimitParam,
      cursor: z.string().max(128).optional(),
    }),
  },
  responses: { 200: jsonContent('A page of alerts', z.object({ items: z.array(AlertSchema), nextCursor: z.string().nullable() })), ...errorResponses },
});

const one = createRoute({
  method: 'get',
  path: '/api/v1/alerts/{id}',
  tags: ['triage'],
  summary: 'One alert',
  request: { params },
  responses: { 200: jsonContent('Alert', AlertSchema), ...errorResponses },
});

const audit = createRoute({
  method: 'get',
  path: '/api/v1/alerts/{id}/audit',
  tags: ['triage'],
  summary: "The alert's append-only audit log, oldest first: every change with who, when and the comment",
  request: { params },
  responses: { 200: jsonContent('Audit log', z.object({ items: z.array(AuditEntrySchema) })), ...errorResponses },
});

function transitionRoute(action: string, summary: string, body: z.ZodType) {
  return createRoute({
    method: 'post',
    path: `/api/v1/alerts/{id}/${action}`,
    tags: ['triage'],
    summary,
    'x-required-role': 'operator',
    request: { params, body: jsonBody(body) },
    responses: { 200: jsonContent('The alert after the change', AlertSchema), ...errorResponses, ...conflict },
  });
}

const verify = transitionRoute('verify', 'new → verified: an operator confirmed it is real', z.object({ comment: Comment.optional() }));
const dispatch = transitionRoute(
  'dispatch',
  'verified → dispatched to an agency (default: the routed agency); notifies its channel',
  z.object({
    agency: z.string().min(1).max(64).optional().openapi({ description: 'agencies[].id; default: the routed agency' }),
    comment: Comment.optional(),
  }),
);
const acknowledge = transitionRoute(
  'acknowledge',
  'The agency confirms it took the dispatch (stops escalation)',
  z.object({ agency: z.string().min(1).max(64).optional().openapi({ description: 'must be the dispatched agency when given' }), comment: Comment.optional() }),
);
const resolve = transitionRoute('resolve', 'dispatched → resolved', z.object({ comment: Comment.optional() }));
const dismiss = transitionRoute('dismiss', 'new or verified → dismissed (false alarm, duplicate…); a reason is required', z.object({ comment: Comment }));
const comment = transitionRoute('comments', 'Adds a comment to the audit log without changing the state', z.object({ comment: Comment }));

export function alertRoutes(triage: TriageService): RouteModule {
  return (app) => {
    app.openapi(list, async (c) => {
      const q = c.req.valid('query');
      const page = await triage.list({ state: q.state, site: q.site, kind: q.kind, minSeverity: q.min_severity, limit: q.limit, cursor: q.cursor });
      return c.json(page, 200);
    });
    app.openapi(one, async (c) => c.json(await triage.get(c.req.valid('param').id), 200));
    app.openapi(audit, async (c) => c.json({ items: await triage.auditLog(c.req.valid('param').id) }, 200));
    const move = async (id: string, to: AlertState, actor: string, body: { comment?: string; agency?: string }) => triage.transition(id, to, actor, body);
    app.openapi(verify, async (c) => c.json(await move(c.req.valid('param').id, 'verified', actorOf(c), c.req.valid('json') as { comment?: string }), 200));
    app.openapi(dispatch, async (c) =>
      c.json(await move(c.req.valid('param').id, 'dispatched', actorOf(c), c.req.valid('json') as { comment?: string; agency?: string }), 200),
    );
    app.openapi(resolve, async (c) => c.json(await move(c.req.valid('param').id, 'resolved', actorOf(c), c.req.valid('json') as { comment?: string }), 200));
    app.openapi(dismiss, async (c) => c.json(await move(c.req.valid('param').id, 'dismissed', actorOf(c), c.req.valid('json') as { comment: string }), 200));
    app.openapi(acknowledge, async (c) => {
      const body = c.req.valid('json') as { comment?: string; agency?: string };
      return c.json(await triage.acknowledge(c.req.valid('param').id, actorOf(c), body), 200);
    });
    app.openapi(comment, async (c) => {
      const body = c.req.valid('json') as { comment: string };
      return c.json(await triage.comment(c.req.valid('param').id, actorOf(c), body.comment), 200);
    });
  };
}
