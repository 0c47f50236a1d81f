// Citizen-report intake guards, before the body is read: refuses anonymous reports when they are
// not allowed, rate-limits per token or client address (429 + Retry-After), then reads the body
// through a counter that stops at what the allowed images can take (413) — with or without a
// Content-Length, so a chunked upload cannot stream more than that. The decisions are the report
// service's; this file only speaks HTTP.
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { ReportService } from '../reports/report-service.js';
import { clientAddress } from './client-address.js';
import type { ApiEnv } from './context.js';
import { errorBody } from './errors.js';

/** The address report rate limits count against (X-Forwarded-For only when trusted). */
export function reportClientAddress(c: Context, reports: ReportService): string {
  return clientAddress(c, reports.trustForwardedFor);
}

export function reportIntakeGuards(reports: ReportService): MiddlewareHandler<ApiEnv>[] {
  const rateLimit: MiddlewareHandler<ApiEnv> = async (c, next) => {
    const principal = c.get('principal') as { name: string } | undefined;
    const refusal = reports.admit(principal, reportClientAddress(c, reports), Number(c.req.header('content-length') ?? 0));
    if (!refusal) return next();
    if (refusal.status === 401) c.header('WWW-Authenticate', 'Bearer realm="ioc"');
    if (refusal.retryAfterS !== undefined) c.header('Retry-After', String(refusal.retryAfterS));
    return c.json(errorBody(refusal.code, refusal.message), refusal.status);
  };
  const sizeLimit = bodyLimit({
    maxSize: reports.maxBodyBytes(),
    onError: (c) => {
      reports.countOversizeBody();
      return c.json(errorBody('PAYLOAD_TOO_LARGE', reports.bodyLimitText()), 413);
    },
  });
  return [rateLimit, sizeLimit as MiddlewareHandler<ApiEnv>];
}
