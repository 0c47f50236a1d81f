// GET /api/v1/me: who the bearer token belongs to and its role, so a client (the operator
// console) can show only what the role may do. The server still checks every request.
import { createRoute, z } from '@hono/zod-openapi';
import { ROLES } from '../../../common/config/coordinator-schema.js';
import { errorResponses } from '../schemas.js';
import type { RouteModule } from '../route-module.js';

export const PrincipalSchema = z
  .object({ name: z.string(), role: z.enum(ROLES).openapi({ description: 'viewer < operator < admin; each includes the ones below' }) })
  .openapi('Principal');

const me = createRoute({
  method: 'get',
  path: '/api/v1/me',
  tags: ['auth'],
  summary: 'The caller: token name and role',
  responses: { 200: { description: 'Caller', content: { 'application/json': { schema: PrincipalSchema } } }, ...errorResponses },
});

export function meRoutes(): RouteModule {
  return (app) => {
    app.openapi(me, (c) => {
      const { name, role } = c.get('principal');
      return c.json({ name, role }, 200);
    });
  };
}
