// Citizen field reports: POST /api/v1/reports (multipart, no token needed, rate-limited per
// client), and the operators' read side. Reports enter triage as alerts of kind citizen_report.
import { createRoute, z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { ValidationError } from '../../../common/errors.js';
import type { ReportService } from '../../reports/report-service.js';
import { errorResponses, ErrorSchema } from '../schemas.js';
import { IdParam, LimitParam, ListParam } from '../params.js';
import { actorOf, jsonContent } from './kit.js';
import type { ApiEnv } from '../context.js';
import type { RouteModule } from '../route-module.js';
import { reportIntakeGuards } from '../report-guards.js';

export const ReportSchema = z
  .object({
    id: z.string(),
    createdAtMs: z.number(),
    category: z.string(),
    text: z.string(),
    location: z.object({ lat: z.number(), lon: z.number() }),
    site: z.string().nullable().openapi({ description: 'nearest configured site (within 50 km), else null' }),
    images: z.array(z.object({ index: z.number(), contentType: z.literal('image/jpeg'), width: z.number(), height: z.number(), bytes: z.number() })),
    alertId: z.string().nullable(),
    submittedBy: z.string().openapi({ description: '"anonymous" or the API token name' }),
  })
  .openapi('CitizenReport');

const FilePart = z.instanceof(File).openapi({ type: 'string', format: 'binary' });

const ReportForm = z
  .object({
    text: z.string().trim().min(1).max(20_000).openapi({ description: 'what happened (the length limit is reports.max_text_chars)' }),
    category: z.string().min(1).max(64).openapi({ example: 'flood', description: 'one of reports.categories' }),
    lat: z.coerce.number().min(-90).max(90).openapi({ example: 22.1833 }),
    lon: z.coerce.number().min(-180).max(180).openapi({ example: 102.4667 }),
    images: z
      .union([FilePart, z.array(FilePart)])
      .optional()
      .openapi({ description: 'JPEG, PNG or WebP photos; re-encoded as JPEG without metadata' }),
  })
  .openapi('CitizenReportForm');

const tooMany = {
  413: { description: 'An image or the body is too large', content: { 'application/json': { schema: ErrorSchema } } },
  415: { description: 'An upload is not a JPEG, PNG or WebP image (checked from its bytes)', content: { 'application/json': { schema: ErrorSchema } } },
  429: { description: 'Too many reports from this client; Retry-After says when to try again', content: { 'application/json': { schema: ErrorSchema } } },
  503: {
    description: 'Too many photos being decoded on this replica; Retry-After says when to try again',
    content: { 'application/json': { schema: ErrorSchema } },
  },
};

function submitRoute(limiter: MiddlewareHandler<ApiEnv>[]) {
  return createRoute({
    method: 'post',
    path: '/api/v1/reports',
    tags: ['reports'],
    summary: 'A citizen reports an incident (no token needed; rate-limited per client address, or per token when one is sent)',
    description:
      'Anonymous by default because citizens have no IOC accounts: abuse is held back by a strict per-address rate limit ' +
      '(reports.rate_limit) instead. A valid API token, when sent, is limited per token (reports.token_rate_limit) — for commune ' +
      'officers behind a shared mobile-network address. Images are checked from their bytes (JPEG, PNG, WebP), re-encoded and stripped of EXIF/GPS metadata; ' +
      'the report location is the one given in the form.',
    'x-required-role': 'public',
    // Its body limit comes after its rate limit (limiter), not before as the app-wide one would.
    'x-own-body-limit': true,
    // Anonymous, or a bearer token for its own rate limit (typed loosely: it does not change the handler's input).
    ...({ security: [{}, { bearer: [] }] } as object),
    middleware: limiter,
    request: { body: { required: true, content: { 'multipart/form-data': { schema: ReportForm } } } },
    responses: {
      201: jsonContent('Report accepted', z.object({ report: ReportSchema, alertId: z.string().nullable() })),
      ...errorResponses,
      ...tooMany,
    },
  });
}

const list = createRoute({
  method: 'get',
  path: '/api/v1/reports',
  tags: ['reports'],
  summary: 'Citizen reports newest first',
  request: { query: z.object({ category: ListParam.optional(), limit: LimitParam, cursor: z.string().max(128).optional() }) },
  responses: { 200: jsonContent('A page of reports', z.object({ items: z.array(ReportSchema), nextCursor: z.string().nullable() })), ...errorResponses },
});

const one = createRoute({
  method: 'get',
  path: '/api/v1/reports/{id}',
  tags: ['reports'],
  summary: 'One citizen report',
  request: { params: z.object({ id: IdParam }) },
  responses: { 200: jsonContent('Report', ReportSchema), ...errorResponses },
});

const image = createRoute({
  method: 'get',
  path: '/api/v1/reports/{id}/images/{index}',
  tags: ['reports'],
  summary: "A report's photo (re-encoded JPEG, no metadata)",
  request: { params: z.object({ id: IdParam, index: z.coerce.number().int().min(0).max(20) }) },
  responses: { 200: { description: 'JPEG', content: { 'image/jpeg': { schema: z.string().openapi({ format: 'binary' }) } } }, ...errorResponses },
});

export function reportRoutes(reports: ReportService): RouteModule {
  return (app) => {
    app.openapi(submitRoute(reportIntakeGuards(reports)), async (c) => {
      const form = c.req.valid('form');
      const images = form.images === undefined ? [] : Array.isArray(form.images) ? form.images : [form.images];
      if (images.some((f) => !(f instanceof File))) throw new ValidationError('images: each must be a file part');
      const result = await reports.submit({ text: form.text, category: form.category, lat: form.lat, lon: form.lon, images }, actorOf(c));
      return c.json(result, 201);
    });
    app.openapi(list, async (c) => {
      const q = c.req.valid('query');
      return c.json(await reports.list({ limit: q.limit, cursor: q.cursor, category: q.category }), 200);
    });
    app.openapi(one, async (c) => c.json(await reports.get(c.req.valid('param').id), 200));
    app.openapi(image, async (c) => {
      const { id, index } = c.req.valid('param');
      const data = await reports.image(id, index);
      return c.body(new Uint8Array(data), 200, { 'content-type': 'image/jpeg', 'cache-control': 'private, max-age=86400' }) as never;
    });
  };
}
