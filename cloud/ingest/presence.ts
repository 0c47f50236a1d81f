// Which devices have a live Sync stream on this coordinator. A device is online only while its
// stream is up and it has spoken recently: a half-open TCP connection must not look online.
import type { CoordinatorMetrics } from '../metrics.js';

export interface LiveSession {
  deviceId: string;
  sessionId: string;
  connectedAtMs: number;
  lastMessageMs: number;
  /** Ends the stream, telling the edge why (e.g. its token was revoked). */
  close(reason: string, code: string): void;
}

export interface PresenceView {
  online: boolean;
  connectedAtMs?: number;
  lastMessageMs?: number;
  sessionId?: string;
}

export class Presence {
  private readonly sessions = new Map<string, LiveSession>();

  constructor(
    private readonly offlineAfterMs: number,
    private readonly metrics?: CoordinatorMetrics,
  ) {}

  /** Registers a new stream; an older stream of the same device is closed (newest wins). */
  attach(session: LiveSession): void {
    const previous = this.sessions.get(session.deviceId);
    this.sessions.set(session.deviceId, session);
    if (previous && previous !== session) previous.close('replaced by a newer connection of the same device', 'REPLACED');
    this.publish();
  }

  detach(session: LiveSession): void {
    if (this.sessions.get(session.deviceId) === session) this.sessions.delete(session.deviceId);
    this.publish();
  }

  touch(deviceId: string, nowMs = Date.now()): void {
    const s = this.sessions.get(deviceId);
    if (s) s.lastMessageMs = nowMs;
  }

  view(deviceId: string, nowMs = Date.now()): PresenceView {
    const s = this.sessions.get(deviceId);
    if (!s) return { online: false };
    return { online: nowMs - s.lastMessageMs <= this.offlineAfterMs, connectedAtMs: s.connectedAtMs, lastMessageMs: s.lastMessageMs, sessionId: s.sessionId };
  }

  /** Closes a device's stream at once (revoked token). */
  disconnect(deviceId: string, reason: string, code: string): boolean {
    const s = this.sessions.get(deviceId);
    if (!s) return false;
    s.close(reason, code);
    this.sessions.delete(deviceId);
    this.publish();
    return true;
  }

  onlineCount(nowMs = Date.now()): number {
    let n = 0;
    for (const id of this.sessions.keys()) if (this.view(id, nowMs).online) n++;
    return n;
  }

  closeAll(reason: string): void {
    for (const s of this.sessions.values()) s.close(reason, 'SHUTDOWN');
    this.sessions.clear();
    this.publish();
  }

  private publish(): void {
    this.metrics?.devicesOnline.set(this.sessions.size);
  }
}
