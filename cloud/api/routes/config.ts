// /api/v1/devices/{id}/config: versioned edge configs. Admins submit YAML (validated with the
// edge schema before it is accepted), the coordinator pushes it, the edge reports applied or
// rejected; rollback re-pushes an earlier version as a new one.
import { createRoute, z } from '@hono/zod-openapi';
import type { ConfigVersions } from '../../devices/config-versions.js';
import { errorResponses } from '../schemas.js';
import { IdParam } from '../params.js';
import { actorOf, jsonBody, jsonContent } from './kit.js';
import type { RouteModule } from '../route-module.js';

export const ConfigVersionSchema = z
  .object({
    deviceId: z.string(),
    version: z.number(),
    revision: z.string().openapi({ description: 'content hash; the device reports the revision it runs in its heartbeats' }),
    comment: z.string().nullable(),
    createdAtMs: z.number(),
    createdBy: z.string(),
    rollbackOf: z.number().nullable(),
    status: z.enum(['pending', 'pushed', 'applied', 'rejected', 'superseded']).openapi({
      description:
        'pending: waiting for the device to connect; pushed: sent, no report yet; applied/rejected: the edge said so; superseded: a newer version came before a report',
    }),
    pushedAtMs: z.number().nullable(),
    reportedAtMs: z.number().nullable(),
    error: z.string().nullable().openapi({ description: "the edge's reason for a rejection, with the config path" }),
  })
  .openapi('ConfigVersion');

const ConfigOverview = z
  .object({
    deviceId: z.string(),
    desiredVersion: z.number().nullable(),
    runningRevision: z.string().nullable().openapi({ description: 'from the latest heartbeat' }),
    runningVersion: z.number().nullable().openapi({ description: 'the stored version whose revision the device runs, if any' }),
    versions: z.array(ConfigVersionSchema),
  })
  .openapi('DeviceConfig');

const params = z.object({ id: IdParam });

const overview = createRoute({
  method: 'get',
  path: '/api/v1/devices/{id}/config',
  tags: ['config'],
  summary: "The device's config versions (newest first) with their status, and what it runs",
  request: { params },
  responses: { 200: jsonContent('Config versions', ConfigOverview), ...errorResponses },
});

const yaml = createRoute({
  method: 'get',
  path: '/api/v1/devices/{id}/config/{version}',
  tags: ['config'],
  summary: 'One version with its YAML (admin: configs hold sensor credentials)',
  'x-required-role': 'admin',
  request: { params: z.object({ id: IdParam, version: z.coerce.number().int().min(1) }) },
  responses: { 200: jsonContent('Version', ConfigVersionSchema.extend({ yaml: z.string() })), ...errorResponses },
});

const submit = createRoute({
  method: 'post',
  path: '/api/v1/devices/{id}/config',
  tags: ['config'],
  summary: 'Submit a new config version; validated with the edge schema (400 lists each path and reason), then pushed',
  description:
    '${ENV} references are not resolved here (they are resolved on the edge, which rejects the push when one is missing). ' +
    'device.id, device.site and data_dir must stay those of the device.',
  'x-required-role': 'admin',
  request: {
    params,
    body: jsonBody(
      z.object({
        yaml: z
          .string()
          .min(1)
          .max(512 * 1024),
        comment: z.string().max(500).optional(),
      }),
    ),
  },
  responses: { 201: jsonContent('The new version', ConfigVersionSchema), ...errorResponses },
});

const rollback = createRoute({
  method: 'post',
  path: '/api/v1/devices/{id}/config/rollback',
  tags: ['config'],
  summary: 'Roll back: an earlier version is pushed again as a new version',
  'x-required-role': 'admin',
  request: { params, body: jsonBody(z.object({ version: z.number().int().min(1), comment: z.string().max(500).optional() })) },
  responses: { 201: jsonContent('The new version', ConfigVersionSchema), ...errorResponses },
});

export function configRoutes(configs: ConfigVersions): RouteModule {
  return (app) => {
    app.openapi(overview, async (c) => c.json(await configs.overview(c.req.valid('param').id), 200));
    app.openapi(yaml, async (c) => {
      const { id, version } = c.req.valid('param');
      return c.json(await configs.version(id, version), 200);
    });
    app.openapi(submit, async (c) => {
      const body = c.req.valid('json');
      return c.json(await configs.submit(c.req.valid('param').id, body.yaml, actorOf(c), body.comment), 201);
    });
    app.openapi(rollback, async (c) => {
      const body = c.req.valid('json');
      return c.json(await configs.rollback(c.req.valid('param').id, body.version, actorOf(c), body.comment), 201);
    });
  };
}
