// The operator's API token lives in sessionStorage: it survives a reload but not closing the
// tab, so a shared IOC screen does not keep a signed-in token overnight.
import type { Role } from './api/types.js';

const TOKEN_KEY = 'ioc.console.token';
const ROLE_ORDER: readonly Role[] = ['viewer', 'operator', 'admin'];

export function storedToken(): string | null {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function storeToken(token: string | null): void {
  try {
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // Storage disabled (private mode on some phones): the session lasts until reload.
  }
}

export function can(role: Role | undefined, needed: Role): boolean {
  return role !== undefined && ROLE_ORDER.indexOf(role) >= ROLE_ORDER.indexOf(needed);
}
