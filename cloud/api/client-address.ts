// The client address that per-client limits key on. X-Forwarded-For is honoured only when the
// config says a reverse proxy sets it, and then only its last entry — the one that proxy added:
// entries before it come from the client and are free to forge.
import type { Context } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';

export function clientAddress(c: Context, trustForwardedFor: boolean): string {
  if (trustForwardedFor) {
    const last = c.req.header('x-forwarded-for')?.split(',').at(-1)?.trim();
    if (last) return last;
  }
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}
