// One JSON error shape for every failure: {"error": {"code", "message", "details"?}}.
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { ZodError } from 'zod';
import { BusyError, IocError, asIocError, errorBody } from '../../common/errors.js';
import { formatZodIssues } from '../../common/config/load.js';
import type { Logger } from '../../common/log.js';

export { errorBody };

/** Validation hook of every route: 400 with each issue's path and reason. */
export function validationHook(result: { success: boolean; error?: unknown; target?: string }, c: Context) {
  if (result.success) return undefined;
  const issues = result.error instanceof ZodError ? formatZodIssues(result.error) : [String(result.error)];
  const where = result.target ? `${result.target}: ` : '';
  return c.json(errorBody('VALIDATION', `${where}${issues.join('; ')}`, issues), 400);
}

export function onError(logger: Logger) {
  return (err: Error, c: Context) => {
    if (err instanceof HTTPException) {
      const status = err.status;
      const code = status === 413 ? 'PAYLOAD_TOO_LARGE' : status === 401 ? 'UNAUTHENTICATED' : status === 403 ? 'FORBIDDEN' : 'BAD_REQUEST';
      return c.json(errorBody(code, err.message || 'bad request'), status);
    }
    if (err instanceof SyntaxError) return c.json(errorBody('BAD_REQUEST', `malformed body: ${err.message}`), 400);
    const e = err instanceof IocError ? err : asIocError(err);
    if (e instanceof BusyError) {
      c.header('Retry-After', String(e.retryAfterS));
      return c.json(errorBody(e.code, e.message), 503);
    }
    if (e.httpStatus >= 500) logger.error({ err: err.message, stack: err.stack, path: c.req.path }, 'request failed');
    if (e.httpStatus >= 500) return c.json(errorBody(e.code, e.code === 'INTERNAL' ? 'internal error' : e.message), e.httpStatus as 500);
    // Client errors keep their details (e.g. every config path that failed validation).
    return c.json(errorBody(e.code, e.message, e.details), e.httpStatus as 400);
  };
}
