// /api/v1/routing: the agencies and the routing table (which agency and channel gets which
// alert); admins replace the table at run time, anyone can ask where an alert would go.
import { createRoute, z } from '@hono/zod-openapi';
import { SEVERITIES } from '../../../common/config/primitives.js';
import { RoutingSchema, routingIssues } from '../../../common/config/operations-schema.js';
import { formatIssuePath } from '../../../common/config/load.js';
import { ValidationError } from '../../../common/errors.js';
import { routeAlert, type RoutingTable } from '../../triage/routing.js';
import { errorResponses } from '../schemas.js';
import { jsonBody, jsonContent } from './kit.js';
import type { RouteModule } from '../route-module.js';

const AgencyOut = z.object({ id: z.string(), name: z.string(), channel: z.string().nullable(), ack_timeout_s: z.number().nullable() }).openapi('Agency');
const RuleOut = z
  .object({
    name: z.string().optional(),
    match: z.object({
      kind: z.array(z.string()).optional(),
      rule: z.array(z.string()).optional(),
      site: z.array(z.string()).optional(),
      min_severity: z.enum(SEVERITIES).optional(),
    }),
    agency: z.string(),
    channel: z.string().optional(),
  })
  .openapi('RoutingRule');
const RoutingOut = z
  .object({
    source: z.enum(['config', 'api']).openapi({ description: 'config: from the coordinator config; api: replaced by an admin' }),
    agencies: z.array(AgencyOut),
    rules: z.array(RuleOut),
    default_agency: z.string().nullable(),
  })
  .openapi('Routing');
const DecisionOut = z.object({ agency: z.string().nullable(), channel: z.string().nullable(), rule: z.string().nullable() }).openapi('RouteDecision');

const read = createRoute({
  method: 'get',
  path: '/api/v1/routing',
  tags: ['routing'],
  summary: 'Agencies and the routing table in force',
  responses: { 200: jsonContent('Routing', RoutingOut), ...errorResponses },
});

const replace = createRoute({
  method: 'put',
  path: '/api/v1/routing',
  tags: ['routing'],
  summary: 'Replace the routing table (validated: agencies and channels must exist); existing alerts keep their routing',
  'x-required-role': 'admin',
  request: {
    body: jsonBody(
      z.object({ rules: z.array(z.unknown()), default_agency: z.string().optional() }).openapi({ description: 'same shape as routing: in the config' }),
    ),
  },
  responses: { 200: jsonContent('Routing', RoutingOut), ...errorResponses },
});

const reset = createRoute({
  method: 'delete',
  path: '/api/v1/routing',
  tags: ['routing'],
  summary: "Drop the table set through the API: back to the config's",
  'x-required-role': 'admin',
  responses: { 200: jsonContent('Routing', RoutingOut), ...errorResponses },
});

const match = createRoute({
  method: 'get',
  path: '/api/v1/routing/match',
  tags: ['routing'],
  summary: 'Where an alert with these properties would be routed',
  request: {
    query: z.object({
      kind: z.string().min(1).max(64).openapi({ example: 'alarm' }),
      rule: z.string().max(64).optional().openapi({ example: 'heavy-rain-1h' }),
      site: z.string().max(64).optional().openapi({ example: 'muong-nhe' }),
      severity: z.enum(SEVERITIES).default('high'),
    }),
  },
  responses: { 200: jsonContent('Decision', DecisionOut), ...errorResponses },
});

export function routingRoutes(table: RoutingTable, endpoints: readonly string[]): RouteModule {
  const view = async () => {
    const { routing, source } = await table.current();
    return {
      source,
      agencies: table.agencies.map((a) => ({ id: a.id, name: a.name, channel: a.channel ?? null, ack_timeout_s: a.ack_timeout_s ?? null })),
      rules: routing.rules,
      default_agency: routing.default_agency ?? null,
    };
  };
  return (app) => {
    app.openapi(read, async (c) => c.json(await view(), 200));
    app.openapi(replace, async (c) => {
      const parsed = RoutingSchema.safeParse(c.req.valid('json'));
      if (!parsed.success) {
        const issues = parsed.error.issues.map((i) => `${formatIssuePath(i.path)}: ${i.message}`);
        throw new ValidationError(issues.join('; '), issues);
      }
      const refs = routingIssues(parsed.data, new Set(table.agencies.map((a) => a.id)), new Set(endpoints));
      if (refs.length > 0) {
        const issues = refs.map((i) => `${formatIssuePath(i.path)}: ${i.message}`);
        throw new ValidationError(issues.join('; '), issues);
      }
      await table.replace(parsed.data);
      return c.json(await view(), 200);
    });
    app.openapi(reset, async (c) => {
      await table.replace(undefined);
      return c.json(await view(), 200);
    });
    app.openapi(match, async (c) => {
      const q = c.req.valid('query');
      const { routing } = await table.current();
      return c.json(routeAlert({ kind: q.kind, rule: q.rule ?? null, site: q.site ?? null, severity: q.severity }, routing, table.agencies), 200);
    });
  };
}
