// Device provisioning (admin): create a device with a token shown once, rotate and revoke
// tokens. A revoked or rotated device is disconnected at once and refused afterwards.
import { createRoute, z } from '@hono/zod-openapi';
import { Identifier } from '../../../common/config/primitives.js';
import type { Provisioning } from '../../devices/provisioning.js';
import { errorResponses, ErrorSchema } from '../schemas.js';
import { IdParam } from '../params.js';
import { actorOf, jsonBody, jsonContent } from './kit.js';
import type { RouteModule } from '../route-module.js';

const ProvisionedSchema = z
  .object({
    id: z.string(),
    site: z.string(),
    name: z.string().nullable(),
    revoked: z.boolean(),
    createdAtMs: z.number(),
  })
  .openapi('ProvisionedDevice');

const TokenOnce = z.string().openapi({ description: 'the device token: shown only in this answer; the coordinator keeps only its SHA-256' });
const conflict = { 409: { description: 'The device exists already', content: { 'application/json': { schema: ErrorSchema } } } };
const params = z.object({ id: IdParam });

const create = createRoute({
  method: 'post',
  path: '/api/v1/devices',
  tags: ['devices'],
  summary: 'Provision a device for a site; the answer holds its token, once',
  'x-required-role': 'admin',
  request: {
    body: jsonBody(z.object({ id: Identifier, site: Identifier, name: z.string().max(200).optional() })),
  },
  responses: { 201: jsonContent('Device and token', z.object({ device: ProvisionedSchema, token: TokenOnce })), ...errorResponses, ...conflict },
});

const rotate = createRoute({
  method: 'post',
  path: '/api/v1/devices/{id}/token',
  tags: ['devices'],
  summary: 'Rotate the device token: the old one stops working at once (its stream is closed)',
  'x-required-role': 'admin',
  request: { params },
  responses: { 200: jsonContent('New token', z.object({ device: ProvisionedSchema, token: TokenOnce })), ...errorResponses },
});

const revoke = createRoute({
  method: 'post',
  path: '/api/v1/devices/{id}/revoke',
  tags: ['devices'],
  summary: 'Revoke the device: disconnected now, refused from now on (rotate the token to let it back in)',
  'x-required-role': 'admin',
  request: { params, body: { required: false, content: { 'application/json': { schema: z.object({ reason: z.string().max(500).optional() }) } } } },
  responses: { 200: jsonContent('Revoked device', z.object({ device: ProvisionedSchema, disconnected: z.boolean() })), ...errorResponses },
});

export function adminDeviceRoutes(provisioning: Provisioning): RouteModule {
  return (app) => {
    app.openapi(create, async (c) => c.json(await provisioning.create(c.req.valid('json'), actorOf(c)), 201));
    app.openapi(rotate, async (c) => c.json(await provisioning.rotate(c.req.valid('param').id, actorOf(c)), 200));
    app.openapi(revoke, async (c) => {
      const body = c.req.valid('json') as { reason?: string };
      return c.json(await provisioning.revoke(c.req.valid('param').id, actorOf(c), body.reason), 200);
    });
  };
}
