// Open311 GeoReport v2 (/open311/v2): services, and citizen reports as service requests, in
// JSON or XML. Public like the report intake: POST needs no key (an optional api_key, a valid
// API token, gets the token's rate limit); reads show no personal data. Errors are the spec's
// error array, not the API's usual object.
import { createRoute, z } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { IocError, ValidationError, asIocError } from '../../../common/errors.js';
import type { Logger } from '../../../common/log.js';
import type { ReportService } from '../../reports/report-service.js';
import { render, type Open311Format } from '../../open311/georeport.js';
import type { Open311, Open311Filter } from '../../open311/open311-service.js';
import type { ApiEnv, Principal } from '../context.js';
import type { RouteModule } from '../route-module.js';
import { reportClientAddress } from '../report-guards.js';

const BASE = '/open311/v2';
const TAG = ['open311'];
const open = { security: [] as [], 'x-required-role': 'public' as const };

const ServiceSchema = z
  .object({
    service_code: z.string(),
    service_name: z.string(),
    description: z.string(),
    metadata: z.boolean(),
    type: z.string(),
    keywords: z.string(),
    group: z.string(),
  })
  .openapi('Open311Service');
const RequestSchema = z
  .object({
    service_request_id: z.string(),
    status: z.enum(['open', 'closed']),
    status_notes: z.string().nullable(),
    service_name: z.string(),
    service_code: z.string(),
    agency_responsible: z.string().nullable(),
    requested_datetime: z.string(),
    updated_datetime: z.string(),
    lat: z.number().openapi({ description: 'rounded to 3 decimals (~100 m)' }),
    long: z.number(),
  })
  .openapi('Open311Request');
const ErrorsSchema = z.array(z.object({ code: z.number(), description: z.string() })).openapi('Open311Errors');
const errors = {
  400: { description: 'Invalid request (error array)', content: { 'application/json': { schema: ErrorsSchema } } },
  404: { description: 'Unknown request (error array)', content: { 'application/json': { schema: ErrorsSchema } } },
};
const both = (description: string, schema: z.ZodType) => ({ description, content: { 'application/json': { schema }, 'text/xml': { schema: z.string() } } });

const ListQuery = z.object({
  service_request_id: z.string().optional().openapi({ description: 'comma-separated ids; other filters are then ignored' }),
  service_code: z.string().optional().openapi({ description: 'comma-separated service codes' }),
  status: z.string().optional().openapi({ description: 'open, closed or both comma-separated' }),
  start_date: z.string().optional().openapi({ description: 'W3C datetime; default: 90 days before end_date' }),
  end_date: z.string().optional().openapi({ description: 'W3C datetime; default: now' }),
});

const postDescription =
  'Form-encoded (application/x-www-form-urlencoded) or multipart/form-data as GeoReport clients send it: service_code, lat, long, ' +
  'description (required), address_string (kept with the text), media (an image file: checked from its bytes and re-encoded like ' +
  '/api/v1/reports), api_key (optional: an API token, rate-limited per token; without one the request is anonymous and limited per ' +
  'client address). email, first_name, last_name, phone, device_id and account_id are accepted and discarded, never stored. ' +
  'media_url is not fetched. The request enters the same intake and triage as POST /api/v1/reports.';

function routes(format: Open311Format, limiter: MiddlewareHandler<ApiEnv>[]) {
  return {
    services: createRoute({
      method: 'get',
      path: `${BASE}/services.${format}`,
      tags: TAG,
      summary: `Report categories as GeoReport services (${format})`,
      ...open,
      responses: { 200: both('Services', z.array(ServiceSchema)) },
    }),
    post: createRoute({
      method: 'post',
      path: `${BASE}/requests.${format}`,
      tags: TAG,
      summary: `Submit a citizen report as a service request (${format})`,
      description: postDescription,
      ...open,
      ...({ security: [{}] } as object),
      middleware: limiter,
      responses: {
        201: both(
          'Accepted: [{service_request_id, service_notice, account_id}]',
          z.array(z.object({ service_request_id: z.string(), service_notice: z.string(), account_id: z.null() })),
        ),
        ...errors,
        429: errors[400],
      },
    }),
    list: createRoute({
      method: 'get',
      path: `${BASE}/requests.${format}`,
      tags: TAG,
      summary: `Service requests, newest first, at most 1000 (${format})`,
      ...open,
      request: { query: ListQuery },
      responses: { 200: both('Requests', z.array(RequestSchema)), ...errors },
    }),
  };
}

const one = createRoute({
  method: 'get',
  path: `${BASE}/requests/{request}`,
  tags: TAG,
  summary: 'One service request: {id}.json or {id}.xml',
  ...open,
  request: { params: z.object({ request: z.string().max(40).openapi({ example: '01JB0000000000000000000000.json' }) }) },
  responses: { 200: both('A one-element array', z.array(RequestSchema)), ...errors },
});

function answer(c: Context, format: Open311Format, root: 'services' | 'service_requests', item: 'service' | 'request', rows: object[], status = 200) {
  const { body, contentType } = render(format, root, item, rows);
  return c.body(body, status as 200, { 'content-type': contentType });
}

function fail(c: Context, format: Open311Format, status: number, description: string, headers: Record<string, string> = {}) {
  const { body, contentType } = render(format, 'errors', 'error', [{ code: status, description }]);
  return c.body(body, status as 400, { ...headers, 'content-type': contentType });
}

function parseTime(name: string, v: string | undefined): number | undefined {
  if (v === undefined || v === '') return undefined;
  const ms = Date.parse(v);
  if (!Number.isFinite(ms)) throw new ValidationError(`${name}: "${v.slice(0, 40)}" is not a W3C datetime`);
  return ms;
}

const list = (v: string | undefined) =>
  v
    ? v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : undefined;

export function open311Routes(o: {
  open311: Open311;
  reports: ReportService;
  resolveToken: (token: string) => Principal | undefined;
  logger: Logger;
}): RouteModule {
  /** Before the body is parsed: size bound, optional api_key, then the intake's own limits. */
  const gate = (format: Open311Format): MiddlewareHandler<ApiEnv>[] => [
    bodyLimit({ maxSize: o.reports.maxBodyBytes(), onError: (c) => fail(c, format, 413, 'request body too large') }),
    async (c, next) => {
      const body = await c.req.parseBody({ all: true }).catch(() => undefined);
      if (!body) return fail(c, format, 400, 'body: expected application/x-www-form-urlencoded or multipart/form-data');
      const key = typeof body.api_key === 'string' ? body.api_key : c.req.query('api_key');
      let principal: Principal | undefined;
      if (key) {
        principal = o.resolveToken(key);
        if (!principal) return fail(c, format, 403, 'api_key: unknown key');
        c.set('principal', principal);
      }
      const refusal = o.reports.admit(principal, reportClientAddress(c, o.reports), Number(c.req.header('content-length') ?? 0));
      if (refusal)
        return fail(c, format, refusal.status, refusal.message, refusal.retryAfterS === undefined ? {} : { 'retry-after': String(refusal.retryAfterS) });
      await next();
    },
  ];
  const failWith = (c: Context, format: Open311Format, err: unknown) => {
    const e = err instanceof IocError ? err : asIocError(err);
    if (e.httpStatus >= 500) o.logger.error({ err: (err as Error).message }, 'open311 request failed');
    return fail(c, format, e.httpStatus, e.httpStatus >= 500 ? 'internal error' : e.message);
  };

  return (app) => {
    for (const format of ['json', 'xml'] as const) {
      const r = routes(format, gate(format));
      app.openapi(r.services, (c) => answer(c, format, 'services', 'service', o.open311.services()) as never);
      app.openapi(r.post, async (c) => {
        try {
          const body = await c.req.parseBody({ all: true });
          const str = (k: string) => (typeof body[k] === 'string' ? (body[k] as string) : undefined);
          const files = ([] as unknown[]).concat(body.media ?? [], body.attachment ?? []);
          if (files.some((f) => !(f instanceof File))) throw new ValidationError('media: must be a file part (multipart/form-data)');
          const principal = c.get('principal') as Principal | undefined;
          const created = await o.open311.submit(
            {
              service_code: str('service_code'),
              lat: str('lat'),
              long: str('long'),
              address_string: str('address_string'),
              description: str('description'),
              media_url: str('media_url'),
              media: files as File[],
            },
            principal?.name ?? 'anonymous',
          );
          return answer(c, format, 'service_requests', 'request', [created], 201) as never;
        } catch (err) {
          return failWith(c, format, err) as never;
        }
      });
      app.openapi(r.list, async (c) => {
        try {
          const q = c.req.valid('query');
          const status = list(q.status);
          if (status?.some((s) => s !== 'open' && s !== 'closed')) throw new ValidationError('status: open, closed or both');
          const filter: Open311Filter = {
            ids: list(q.service_request_id),
            serviceCodes: list(q.service_code),
            status: status as Open311Filter['status'],
            startMs: parseTime('start_date', q.start_date),
            endMs: parseTime('end_date', q.end_date),
          };
          return answer(c, format, 'service_requests', 'request', await o.open311.list(filter)) as never;
        } catch (err) {
          return failWith(c, format, err) as never;
        }
      });
    }
    app.openapi(one, async (c) => {
      const m = /^(.+)\.(json|xml)$/.exec(c.req.valid('param').request);
      const format: Open311Format = m?.[2] === 'xml' ? 'xml' : 'json';
      if (!m) return fail(c, format, 404, 'use /requests/{id}.json or /requests/{id}.xml') as never;
      try {
        return answer(c, format, 'service_requests', 'request', [await o.open311.get(m[1]!)]) as never;
      } catch (err) {
        return failWith(c, format, err) as never;
      }
    });
  };
}
