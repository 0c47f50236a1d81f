// Bearer API tokens with roles: viewer reads, operator triages, admin manages devices, config
// and routing. Each role includes the ones below it.
import type { MiddlewareHandler } from 'hono';
import { ROLES, type RoleName } from '../../common/config/coordinator-schema.js';
import { hashToken } from '../../common/secrets.js';
import { errorBody } from './errors.js';
import type { ApiEnv, Principal } from './context.js';
import type { LiveTickets } from './tickets.js';

export interface TokenEntry {
  name: string;
  role: RoleName;
  tokenSha256: string;
}

export class ApiTokens {
  private readonly byHash = new Map<string, Principal>();

  constructor(entries: readonly TokenEntry[]) {
    for (const e of entries) this.byHash.set(e.tokenSha256, { name: e.name, role: e.role });
  }

  add(entry: TokenEntry): void {
    this.byHash.set(entry.tokenSha256, { name: entry.name, role: entry.role });
  }

  resolve(token: string): Principal | undefined {
    // Hash lookup: the map key is a digest, so timing reveals nothing about the token.
    return this.byHash.get(hashToken(token));
  }
}

export function roleAtLeast(role: RoleName, needed: RoleName): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

/** What a route needs: a role, or nothing at all ('public', e.g. citizen reports). */
export type Access = RoleName | 'public';

/**
 * Route-level access, declared once on each route as `'x-required-role'` (so /openapi.json shows
 * it) and enforced here. Routes that declare nothing get the safe default: reads need viewer,
 * writes need operator. `'x-ticket-in-query': true` also accepts a single-use `?ticket=` (see
 * tickets.ts): browsers' EventSource cannot send headers. Bearer tokens never go in a URL.
 */
export class AccessPolicy {
  private readonly entries: ({ method: string; pattern: RegExp } & RouteRules)[] = [];

  /** Learns every route's access from the OpenAPI registry (call after all routes are registered). */
  learn(definitions: readonly unknown[]): void {
    for (const d of definitions as { type: string; route?: Record<string, unknown> }[]) {
      const route = d.route;
      if (d.type !== 'route' || !route || typeof route.path !== 'string' || typeof route.method !== 'string') continue;
      const access = route['x-required-role'] as Access | undefined;
      const ticketInQuery = route['x-ticket-in-query'] === true;
      const ownBodyLimit = route['x-own-body-limit'] === true;
      if (access === undefined && !ticketInQuery && !ownBodyLimit) continue;
      const pattern = new RegExp(`^${route.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`);
      this.entries.push({ method: route.method.toUpperCase(), pattern, access: access ?? defaultAccess(route.method), ticketInQuery, ownBodyLimit });
    }
  }

  of(method: string, path: string): RouteRules {
    // Hono answers HEAD with the GET handler (body dropped): it must need what GET needs.
    const m = method.toUpperCase() === 'HEAD' ? 'GET' : method.toUpperCase();
    const entry = this.entries.find((e) => e.method === m && e.pattern.test(path));
    return entry ?? { access: defaultAccess(m), ticketInQuery: false, ownBodyLimit: false };
  }
}

/**
 * What the app enforces for a route before its handler. `ownBodyLimit` ('x-own-body-limit'): the
 * route limits its body itself, after its own checks (e.g. a public upload's rate limit), so the
 * app-wide limit does not read the body first.
 */
export interface RouteRules {
  access: Access;
  ticketInQuery: boolean;
  ownBodyLimit: boolean;
}

export function defaultAccess(method: string): Access {
  const m = method.toUpperCase();
  return m === 'GET' || m === 'HEAD' || m === 'OPTIONS' ? 'viewer' : 'operator';
}

/**
 * Authenticates the caller (bearer header, or a `?ticket=` where the route allows it) and
 * enforces the route's access from the policy. A token that is presented must be valid, even
 * on public routes: a client with a broken token should hear about it.
 */
export function requireAccess(tokens: ApiTokens, policy: AccessPolicy, tickets?: LiveTickets): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const { access, ticketInQuery } = policy.of(c.req.method, c.req.path);
    const match = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '');
    const ticket = !match && ticketInQuery && tickets ? c.req.query('ticket') : undefined;
    const presented = match?.[1] ?? ticket;
    const principal = match ? tokens.resolve(match[1]!) : ticket ? tickets!.redeem(ticket) : undefined;
    if (presented && !principal) {
      c.header('WWW-Authenticate', 'Bearer realm="ioc"');
      return c.json(
        errorBody('UNAUTHENTICATED', match ? 'unknown API token' : 'unknown, used or expired ticket: get a new one (POST /api/v1/live/ticket)'),
        401,
      );
    }
    if (principal) c.set('principal', principal);
    if (access === 'public') return next();
    if (!principal) {
      c.header('WWW-Authenticate', 'Bearer realm="ioc"');
      return c.json(errorBody('UNAUTHENTICATED', 'missing bearer token'), 401);
    }
    if (!roleAtLeast(principal.role, access)) {
      return c.json(errorBody('FORBIDDEN', `role ${principal.role} cannot do this; needs ${access}`), 403);
    }
    await next();
  };
}

/** Authenticates the bearer token and requires at least `needed`. */
export function requireRole(tokens: ApiTokens, needed: RoleName): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const principal = match ? tokens.resolve(match[1]!) : undefined;
    if (!principal) {
      c.header('WWW-Authenticate', 'Bearer realm="ioc"');
      return c.json(errorBody('UNAUTHENTICATED', match ? 'unknown API token' : 'missing bearer token'), 401);
    }
    if (!roleAtLeast(principal.role, needed)) {
      return c.json(errorBody('FORBIDDEN', `role ${principal.role} cannot do this; needs ${needed}`), 403);
    }
    c.set('principal', principal);
    await next();
  };
}
