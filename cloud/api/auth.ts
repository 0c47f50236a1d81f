// Bearer API tokens with roles: viewer reads, operator triages, admin manages devices, config
// and routing. Each role includes the ones below it.
import type { MiddlewareHandler } from 'hono';
import { ROLES, type RoleName } from '../../common/config/coordinator-schema.js';
import { hashToken } from '../../common/secrets.js';
import { errorBody } from './errors.js';
import type { ApiEnv, Principal } from './context.js';

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
