// Validation of admin request parameters: a bad request is answered with every problem and
// its path (code VALIDATION), like a bad config file.
import type { z } from 'zod';
import { ValidationError } from '../../../common/errors.js';
import { formatZodIssues } from '../../../common/config/load.js';

export function parseParams<S extends z.ZodType>(schema: S, params: Record<string, unknown>): z.output<S> {
  const result = schema.safeParse(params);
  if (!result.success) {
    const issues = formatZodIssues(result.error);
    throw new ValidationError(`invalid parameters: ${issues.join('; ')}`, issues);
  }
  return result.data;
}

/** Resolves once the request is cancelled (client hung up) or the agent stops. */
export function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
