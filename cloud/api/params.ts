// Query-string schemas shared by routes: times, comma lists, limits.
import { z } from '@hono/zod-openapi';
import { SEVERITIES } from '../../common/config/primitives.js';

/** ISO 8601 or epoch milliseconds → epoch milliseconds. */
export const TimeParam = z
  .string()
  .transform((v, ctx) => {
    const ms = /^\d{1,15}$/.test(v) ? Number(v) : Date.parse(v);
    if (!Number.isFinite(ms)) {
      ctx.addIssue({ code: 'custom', message: `"${v}" is not an ISO 8601 time or epoch milliseconds` });
      return z.NEVER;
    }
    return ms;
  })
  .openapi({ example: '2026-11-25T00:00:00+07:00' });

/** "a,b,c" → ["a","b","c"]. */
export const ListParam = z
  .string()
  .max(2000)
  .transform((v) =>
    v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  )
  .openapi({ example: 'muong-nhe,tua-chua' });

export const SeverityList = ListParam.pipe(z.array(z.enum(SEVERITIES)));

export const LimitParam = z.coerce.number().int().min(1).max(1000).default(100);

// 160: a camera event id is <device (≤ 64)>.camera.<edge event id (≤ 64)>.
export const IdParam = z
  .string()
  .min(1)
  .max(160)
  .regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, ".", "-", "_"');
