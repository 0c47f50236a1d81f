// What every page gets: the signed-in API client and principal, the language, the settings the
// coordinator hands the console, and which API routes this coordinator has (from /openapi.json).
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { ApiClient } from './api/client.js';
import type { Principal, Role } from './api/types.js';
import { can } from './session.js';
import type { Lang, Translate } from './i18n/i18n.js';

export interface ConsoleSettings {
  /** Tile URL template ({z}/{x}/{y}) of an IOC tile server; null: the built-in offline map. */
  tileUrl: string | null;
}

/**
 * Routes of the coordinator's OpenAPI document ("METHOD /path/{param}") with the role each one
 * declares (`x-required-role`): the console disables what the signed-in role may not do using
 * the server's own declaration, so the two cannot disagree.
 */
export class ApiRoutes {
  private readonly routes = new Map<string, Role | 'public'>();

  constructor(paths: Record<string, Record<string, { 'x-required-role'?: Role | 'public' } | unknown>>) {
    for (const [path, ops] of Object.entries(paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const declared = (op as { 'x-required-role'?: Role | 'public' } | null)?.['x-required-role'];
        this.routes.set(`${method.toUpperCase()} ${path}`, declared ?? defaultRole(method));
      }
    }
  }

  has(method: string, path: string): boolean {
    return this.routes.has(`${method.toUpperCase()} ${path}`);
  }

  /** The role a route needs; undefined when this coordinator has no such route. */
  roleFor(method: string, path: string): Role | 'public' | undefined {
    return this.routes.get(`${method.toUpperCase()} ${path}`);
  }

  /** The route exists and `role` may call it. */
  allows(role: Role, method: string, path: string): boolean {
    const needed = this.roleFor(method, path);
    return needed !== undefined && (needed === 'public' || can(role, needed));
  }
}

/** The server's default for routes that declare nothing: reads need viewer, writes operator. */
function defaultRole(method: string): Role {
  return ['GET', 'HEAD', 'OPTIONS'].includes(method.toUpperCase()) ? 'viewer' : 'operator';
}

export interface ConsoleContextValue {
  api: ApiClient;
  principal: Principal;
  lang: Lang;
  t: Translate;
  settings: ConsoleSettings;
  routes: ApiRoutes;
  /** The site's name for an id (as of sign-in; ids of sites added since show as they are). */
  siteName(id: string | null | undefined): string;
}

export const ConsoleContext = createContext<ConsoleContextValue | null>(null);

export function useConsole(): ConsoleContextValue {
  const value = useContext(ConsoleContext);
  if (!value) throw new Error('useConsole outside the signed-in console');
  return value;
}
