// Presence shared by coordinator replicas: each replica keeps its own streams (Presence) and
// mirrors them into device_sessions; the others' rows are read back every few seconds, so the
// API on any replica answers "online" for a device streaming to another one. A killed replica
// leaves rows behind that turn offline by age, like a half-open stream.
import type pg from 'pg';
import { errorMessage } from '../../common/errors.js';
import { componentLogger, RateLimitedLog, type Logger } from '../../common/log.js';
import type { CoordinatorMetrics } from '../metrics.js';
import { Presence, type LiveSession, type PresenceView } from './presence.js';

export interface SharedPresenceOptions {
  offlineAfterMs: number;
  pool: pg.Pool;
  /** Unique per running replica (a restarted replica is a new one). */
  replicaId: string;
  metrics?: CoordinatorMetrics;
  /** How often the other replicas' sessions are read. */
  refreshMs?: number;
  logger?: Logger;
}

interface RemoteSession {
  sessionId: string;
  connectedAtMs: number;
  lastMessageMs: number;
}

export class SharedPresence extends Presence {
  private readonly remote = new Map<string, RemoteSession>();
  /** When each local device's last_message_ms was last written, to write at most every few seconds. */
  private readonly written = new Map<string, number>();
  private readonly writeEveryMs: number;
  private readonly log: Logger;
  private readonly rateLimited: RateLimitedLog;
  private timer: NodeJS.Timeout | undefined;
  private writes: Promise<unknown> = Promise.resolve();

  constructor(private readonly shared: SharedPresenceOptions) {
    super(shared.offlineAfterMs, shared.metrics);
    // A third of the offline delay: a device talking to another replica never looks stale here.
    this.writeEveryMs = Math.max(1000, Math.min(10_000, shared.offlineAfterMs / 3));
    this.log = shared.logger ?? componentLogger('presence');
    this.rateLimited = new RateLimitedLog(this.log);
  }

  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.shared.refreshMs ?? 2000);
    this.timer.unref();
  }

  override attach(session: LiveSession): void {
    super.attach(session);
    this.written.set(session.deviceId, session.lastMessageMs);
    this.write(
      `INSERT INTO device_sessions (device_id, replica_id, session_id, connected_at_ms, last_message_ms) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (device_id) DO UPDATE SET replica_id = EXCLUDED.replica_id, session_id = EXCLUDED.session_id,
         connected_at_ms = EXCLUDED.connected_at_ms, last_message_ms = EXCLUDED.last_message_ms`,
      [session.deviceId, this.shared.replicaId, session.sessionId, session.connectedAtMs, session.lastMessageMs],
    );
  }

  override detach(session: LiveSession): void {
    super.detach(session);
    this.written.delete(session.deviceId);
    // Only this stream's row: the device may already be streaming to another replica.
    this.write('DELETE FROM device_sessions WHERE device_id = $1 AND session_id = $2', [session.deviceId, session.sessionId]);
  }

  override touch(deviceId: string, nowMs = Date.now()): void {
    super.touch(deviceId, nowMs);
    const last = this.written.get(deviceId);
    if (last === undefined || nowMs - last < this.writeEveryMs) return;
    this.written.set(deviceId, nowMs);
    this.write('UPDATE device_sessions SET last_message_ms = $3 WHERE device_id = $1 AND replica_id = $2', [deviceId, this.shared.replicaId, nowMs]);
  }

  override view(deviceId: string, nowMs = Date.now()): PresenceView {
    const local = super.view(deviceId, nowMs);
    if (local.online) return local;
    const r = this.remote.get(deviceId);
    if (r && nowMs - r.lastMessageMs <= this.shared.offlineAfterMs) {
      return { online: true, connectedAtMs: r.connectedAtMs, lastMessageMs: r.lastMessageMs, sessionId: r.sessionId };
    }
    return local.sessionId ? local : { online: false };
  }

  override onlineCount(nowMs = Date.now()): number {
    const devices = new Set([...this.remote.keys()]);
    let n = super.onlineCount(nowMs);
    for (const id of devices) if (!super.view(id, nowMs).online && this.view(id, nowMs).online) n++;
    return n;
  }

  override closeAll(reason: string): void {
    super.closeAll(reason);
    this.written.clear();
    this.write('DELETE FROM device_sessions WHERE replica_id = $1', [this.shared.replicaId]);
  }

  private async refresh(): Promise<void> {
    try {
      const { rows } = await this.shared.pool.query<{ device_id: string; session_id: string; connected_at_ms: number; last_message_ms: number }>(
        'SELECT device_id, session_id, connected_at_ms, last_message_ms FROM device_sessions WHERE replica_id <> $1',
        [this.shared.replicaId],
      );
      this.remote.clear();
      for (const r of rows) this.remote.set(r.device_id, { sessionId: r.session_id, connectedAtMs: r.connected_at_ms, lastMessageMs: r.last_message_ms });
    } catch (err) {
      this.rateLimited.warn('refresh', { err: errorMessage(err) }, "cannot read shared presence; other replicas' devices may look offline");
    }
  }

  /** Writes in order, never blocking the stream; a failure is logged, the next heartbeat repairs it. */
  private write(text: string, values: unknown[]): void {
    this.writes = this.writes.then(() =>
      this.shared.pool.query(text, values).catch((err: unknown) => {
        this.rateLimited.warn('write', { err: errorMessage(err) }, 'cannot write shared presence');
      }),
    );
  }

  /** Stops reading and waits for pending writes (call before the pool closes). */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.writes;
  }
}
