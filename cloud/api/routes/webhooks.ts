// /api/v1/webhooks: endpoints with their health (disabled and why), per-endpoint delivery log;
// admins re-enable a disabled endpoint or send it a test delivery.
import { createRoute, z } from '@hono/zod-openapi';
import type { WebhookService } from '../../webhooks/webhook-service.js';
import { errorResponses } from '../schemas.js';
import { IdParam, LimitParam } from '../params.js';
import { actorOf, jsonContent } from './kit.js';
import type { RouteModule } from '../route-module.js';

export const EndpointSchema = z
  .object({
    name: z.string(),
    url: z.string(),
    events: z.array(z.string()),
    format: z.enum(['json', 'cap']).openapi({ description: 'cap: alert changes as CAP 1.2 XML (application/cap+xml)' }),
    enabled: z.boolean(),
    disabledReason: z.string().nullable(),
    disabledAtMs: z.number().nullable(),
    consecutiveFailures: z.number(),
    lastSuccessAtMs: z.number().nullable(),
    lastFailureAtMs: z.number().nullable(),
    lastError: z.string().nullable(),
    pendingDeliveries: z.number(),
  })
  .openapi('WebhookEndpoint');

export const DeliverySchema = z
  .object({
    id: z.string().openapi({ description: 'also sent as X-IOC-Delivery' }),
    endpoint: z.string(),
    event: z.string(),
    createdAtMs: z.number(),
    state: z.enum(['pending', 'delivered', 'failed']),
    attempts: z.number(),
    nextAttemptAtMs: z.number(),
    lastStatus: z.number().nullable(),
    lastError: z.string().nullable(),
    deliveredAtMs: z.number().nullable(),
    log: z.array(
      z.object({ attempt: z.number(), atMs: z.number(), durationMs: z.number(), status: z.number().nullable(), ok: z.boolean(), error: z.string().nullable() }),
    ),
  })
  .openapi('WebhookDelivery');

const name = z.object({ name: IdParam });

const list = createRoute({
  method: 'get',
  path: '/api/v1/webhooks',
  tags: ['webhooks'],
  summary: 'Webhook endpoints and their health',
  description:
    'Deliveries are POSTed JSON with X-IOC-Event, X-IOC-Delivery (unique id), X-IOC-Timestamp (unix seconds) and ' +
    'X-IOC-Signature: v1=hex(HMAC-SHA256(secret, "<timestamp>.<body>")). Receivers should check the signature and reject ' +
    'timestamps older than 5 minutes. Failed attempts are retried with exponential backoff; after webhooks.disable_after_failures ' +
    'consecutive failures the endpoint is disabled with the reason shown here until an admin re-enables it.',
  responses: { 200: jsonContent('Endpoints', z.object({ items: z.array(EndpointSchema) })), ...errorResponses },
});

const deliveries = createRoute({
  method: 'get',
  path: '/api/v1/webhooks/{name}/deliveries',
  tags: ['webhooks'],
  summary: "The endpoint's delivery log, newest first, each with its attempts",
  request: { params: name, query: z.object({ state: z.enum(['pending', 'delivered', 'failed']).optional(), limit: LimitParam }) },
  responses: { 200: jsonContent('Deliveries', z.object({ items: z.array(DeliverySchema) })), ...errorResponses },
});

const enable = createRoute({
  method: 'post',
  path: '/api/v1/webhooks/{name}/enable',
  tags: ['webhooks'],
  summary: 'Re-enable a disabled endpoint: its waiting deliveries go out again',
  'x-required-role': 'admin',
  request: { params: name },
  responses: { 200: jsonContent('Endpoint', EndpointSchema), ...errorResponses },
});

const test = createRoute({
  method: 'post',
  path: '/api/v1/webhooks/{name}/test',
  tags: ['webhooks'],
  summary: 'Queue a webhook.test delivery to the endpoint',
  'x-required-role': 'admin',
  request: { params: name },
  responses: { 202: jsonContent('Queued', z.object({ deliveryId: z.string() })), ...errorResponses },
});

export function webhookRoutes(webhooks: WebhookService): RouteModule {
  return (app) => {
    app.openapi(list, async (c) => c.json({ items: await webhooks.endpoints() }, 200));
    app.openapi(deliveries, async (c) => {
      const q = c.req.valid('query');
      return c.json({ items: await webhooks.deliveries(c.req.valid('param').name, { state: q.state, limit: q.limit }) }, 200);
    });
    app.openapi(enable, async (c) => c.json(await webhooks.enable(c.req.valid('param').name, actorOf(c)), 200));
    app.openapi(test, async (c) => c.json({ deliveryId: await webhooks.test(c.req.valid('param').name, actorOf(c)) }, 202));
  };
}
