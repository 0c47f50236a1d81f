// OASIS CAP 1.2 alerts out, without authentication: the Atom feed of public alerts and each
// message at a stable URL. Restricted messages (cap.public_kinds) only go to CAP webhooks.
import { createRoute, z } from '@hono/zod-openapi';
import { ATOM_CONTENT_TYPE, CAP_CONTENT_TYPE, type CapPublisher } from '../../cap/cap-publisher.js';
import { errorResponses } from '../schemas.js';
import type { RouteModule } from '../route-module.js';

const open = { tags: ['open data'], security: [] as [], 'x-required-role': 'public' as const };

const feed = createRoute({
  method: 'get',
  path: '/api/open/v1/cap.atom',
  summary: 'Atom feed of published public alerts (CAP 1.2): each entry links its latest CAP message',
  description:
    'An alert is published when dispatched (and when verified, with cap.publish_verified): msgType Alert, then Update; resolving or ' +
    'dismissing it publishes a Cancel whose <references> names the earlier messages. Only kinds in cap.public_kinds (scope Public) appear here.',
  ...open,
  responses: { 200: { description: 'Atom 1.0', content: { 'application/atom+xml': { schema: z.string() } } } },
});

const message = createRoute({
  method: 'get',
  path: '/api/open/v1/cap/{file}',
  summary: 'One CAP 1.2 message by identifier (ioc-ALERTID-STATE) with .xml appended',
  ...open,
  request: { params: z.object({ file: z.string().max(120).openapi({ example: 'ioc-01JB0000000000000000000000-dispatched.xml' }) }) },
  responses: { 200: { description: 'CAP 1.2 XML', content: { 'application/cap+xml': { schema: z.string() } } }, 404: errorResponses[404] },
});

export function capRoutes(cap: CapPublisher, publicUrl: string | undefined): RouteModule {
  return (app) => {
    app.openapi(feed, async (c) => {
      const body = await cap.atom(publicUrl ?? new URL(c.req.url).origin);
      return c.body(body, 200, { 'content-type': ATOM_CONTENT_TYPE, 'cache-control': 'public, max-age=30' }) as never;
    });
    app.openapi(message, async (c) => {
      const identifier = c.req.valid('param').file.replace(/\.xml$/, '');
      const body = await cap.message(identifier, { publicOnly: true });
      return c.body(body, 200, { 'content-type': CAP_CONTENT_TYPE, 'cache-control': 'public, max-age=300' }) as never;
    });
  };
}
