// Small pieces shared by the route groups: JSON request/response declarations and the
// name under which a caller appears in audit logs.
import type { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { ApiEnv } from '../context.js';

export function jsonBody<T extends z.ZodType>(schema: T, description?: string) {
  return { required: true, description, content: { 'application/json': { schema } } } as const;
}

export function jsonContent<T extends z.ZodType>(description: string, schema: T) {
  return { description, content: { 'application/json': { schema } } } as const;
}

/** The API token's name, as audit logs show it. */
export function actorOf(c: Context<ApiEnv>): string {
  const principal = c.get('principal') as { name: string } | undefined;
  return principal?.name ?? 'anonymous';
}
