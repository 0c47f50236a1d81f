// Commands to a device (ping, snapshot, restart_camera, resend_range): queued with an expiry,
// sent when the device is connected, answered with a receipt. Expired commands never run.
import { createRoute, z } from '@hono/zod-openapi';
import { COMMAND_NAMES } from '../../devices/types.js';
import type { CommandQueue } from '../../devices/commands.js';
import { errorResponses } from '../schemas.js';
import { IdParam, LimitParam } from '../params.js';
import { actorOf, jsonBody, jsonContent } from './kit.js';
import type { RouteModule } from '../route-module.js';

export const CommandSchema = z
  .object({
    id: z.string(),
    deviceId: z.string(),
    name: z.enum(COMMAND_NAMES),
    args: z.record(z.string(), z.unknown()),
    createdAtMs: z.number(),
    createdBy: z.string(),
    expiresAtMs: z.number(),
    status: z.enum(['queued', 'sent', 'done', 'failed', 'expired', 'unknown_command']),
    sentAtMs: z.number().nullable(),
    receipt: z.object({ status: z.string(), detail: z.string(), edgeTimeMs: z.number(), receivedAtMs: z.number() }).nullable(),
    snapshotUrl: z.string().nullable().openapi({ description: 'snapshot: where the JPEG appears once the thumbnail lane delivers it' }),
  })
  .openapi('DeviceCommand');

const issue = createRoute({
  method: 'post',
  path: '/api/v1/devices/{id}/commands',
  tags: ['commands'],
  summary: 'Send a command to a device',
  description:
    'ping: {} → receipt detail has the edge time and uptime. snapshot: {camera} → the JPEG comes back as a thumbnail record ' +
    '(thumbnail lane, paced like any other) at snapshotUrl; the receipt detail names its event id. restart_camera: {camera}. ' +
    'resend_range: {lane, from_seq, to_seq} → dead-lettered records of that lane and range are queued again. ' +
    'A command not delivered before expiresAtMs is marked expired and never executed (the edge checks too, with its clock offset).',
  'x-required-role': 'operator',
  request: {
    params: z.object({ id: IdParam }),
    body: jsonBody(
      z.object({
        name: z.enum(COMMAND_NAMES),
        args: z.record(z.string(), z.unknown()).default({}),
        ttl_s: z
          .number()
          .int()
          .min(1)
          .max(7 * 86_400)
          .default(300)
          .openapi({ description: 'expires this long after it is issued' }),
      }),
    ),
  },
  responses: { 201: jsonContent('Queued (or sent) command', CommandSchema), ...errorResponses },
});

const list = createRoute({
  method: 'get',
  path: '/api/v1/devices/{id}/commands',
  tags: ['commands'],
  summary: "The device's commands, newest first",
  request: { params: z.object({ id: IdParam }), query: z.object({ limit: LimitParam }) },
  responses: { 200: jsonContent('Commands', z.object({ items: z.array(CommandSchema) })), ...errorResponses },
});

const one = createRoute({
  method: 'get',
  path: '/api/v1/commands/{id}',
  tags: ['commands'],
  summary: 'One command with its status and receipt',
  request: { params: z.object({ id: IdParam }) },
  responses: { 200: jsonContent('Command', CommandSchema), ...errorResponses },
});

export function commandRoutes(commands: CommandQueue): RouteModule {
  return (app) => {
    app.openapi(issue, async (c) => {
      const body = c.req.valid('json');
      return c.json(await commands.issue(c.req.valid('param').id, body.name, body.args, body.ttl_s, actorOf(c)), 201);
    });
    app.openapi(list, async (c) => c.json({ items: await commands.list(c.req.valid('param').id, c.req.valid('query').limit) }, 200));
    app.openapi(one, async (c) => c.json(await commands.get(c.req.valid('param').id), 200));
  };
}
