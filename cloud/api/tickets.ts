// Live-feed tickets: browsers' EventSource cannot send an Authorization header, and a bearer
// token in a URL ends up in proxy and browser logs for as long as the token lives. So a client
// trades its bearer token (POST /api/v1/live/ticket) for a ticket that opens one stream: single
// use, valid for live.ticket_ttl_s, carrying the token's name and role. Tickets live in this
// replica's memory (only their digest is kept): ask for one from the replica you stream from.
import { randomBytes } from 'node:crypto';
import { BusyError } from '../../common/errors.js';
import { hashToken } from '../../common/secrets.js';
import type { Principal } from './context.js';

export interface IssuedTicket {
  ticket: string;
  expiresAtMs: number;
}

/** Outstanding tickets per replica; beyond it issuing is refused until some expire. */
const MAX_OUTSTANDING = 10_000;

export class LiveTickets {
  private readonly byHash = new Map<string, { principal: Principal; expiresAtMs: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  issue(principal: Principal): IssuedTicket {
    this.prune();
    if (this.byHash.size >= MAX_OUTSTANDING) throw new BusyError('too many live-feed tickets outstanding; retry shortly', 5);
    const ticket = randomBytes(32).toString('base64url');
    const expiresAtMs = this.now() + this.ttlMs;
    this.byHash.set(hashToken(ticket), { principal: { ...principal }, expiresAtMs });
    return { ticket, expiresAtMs };
  }

  /** The ticket's principal, once: a redeemed or expired ticket resolves to nothing. */
  redeem(ticket: string): Principal | undefined {
    const key = hashToken(ticket);
    const entry = this.byHash.get(key);
    if (!entry) return undefined;
    this.byHash.delete(key);
    return entry.expiresAtMs > this.now() ? entry.principal : undefined;
  }

  private prune(): void {
    const now = this.now();
    for (const [key, entry] of this.byHash) if (entry.expiresAtMs <= now) this.byHash.delete(key);
  }
}
