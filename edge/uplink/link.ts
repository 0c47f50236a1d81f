// The uplink component: keeps one Sync session to the coordinator alive across link cuts,
// coordinator restarts and revoked tokens, with exponential backoff and full jitter. It never
// blocks producers: they write to the outbox, the uplink drains it when it can.
import type { EdgeLinkClient } from '../../proto/generated/ioc/edgelink/v1/EdgeLink.js';
import type { Heartbeat } from '../../proto/generated/ioc/edgelink/v1/Heartbeat.js';
import type { ConfigPush__Output } from '../../proto/generated/ioc/edgelink/v1/ConfigPush.js';
import type { Command__Output } from '../../proto/generated/ioc/edgelink/v1/Command.js';
import type { ConfigReport } from '../../proto/generated/ioc/edgelink/v1/ConfigReport.js';
import type { CommandReceipt } from '../../proto/generated/ioc/edgelink/v1/CommandReceipt.js';
import { Backoff, sleep } from '../../common/backoff.js';
import { laneFromProto } from '../../common/lanes.js';
import { PROTOCOL_VERSION } from '../../common/proto.js';
import { IocError, errorMessage } from '../../common/errors.js';
import { componentLogger, type Logger } from '../../common/log.js';
import { monoNowMs, type ClockOffset } from '../../common/time.js';
import type { EdgeConfig } from '../../common/config/edge-schema.js';
import type { Outbox } from '../outbox/outbox.js';
import type { EdgeMetrics } from '../metrics.js';
import type { Component, ComponentHealthReport } from '../component.js';
import { createEdgeLinkClient, isAuthFailure, openSync, register, type LinkIdentity, type LinkTarget } from './client.js';
import { controlReserveBytesPerSecond, DailyBudget, TokenBucket } from './pacer.js';
import { InflightWindow } from './window.js';
import { SyncSession, type ProbeResult } from './session.js';
import { SessionEndedError } from './session-ended.js';

export type UplinkState = 'idle' | 'connecting' | 'connected' | 'backoff' | 'refused' | 'stopped';

export interface UplinkOptions {
  target: LinkTarget;
  identity: LinkIdentity;
  outbox: Outbox;
  clockOffset: ClockOffset;
  settings: EdgeConfig['uplink'];
  metrics: EdgeMetrics;
  heartbeat: () => Heartbeat;
  onConfigPush?: (push: ConfigPush__Output) => Promise<ConfigReport>;
  onCommand?: (command: Command__Output) => Promise<CommandReceipt>;
  logger?: Logger;
  backoff?: { initialMs: number; maxMs: number };
  /** Keeps the daily byte budget's spend across restarts. */
  dailyBudgetFile?: string;
}

export interface UplinkStatus {
  state: UplinkState;
  address: string;
  connectedSinceMs: number;
  lastAckMs: number;
  rttMs: number;
  clockOffsetMs: number;
  clockSynced: boolean;
  windowBytes: number;
  throughputBytesPerSecond: number;
  dailyBytesUsed: number;
  reconnects: number;
  lastError: string;
}

/** After a refused token, retry rarely: a person has to fix it, but it may be fixed remotely. */
const REFUSED_RETRY_MS = 60_000;

export class Uplink implements Component {
  readonly name = 'uplink';
  private client: EdgeLinkClient | undefined;
  private session: SyncSession | undefined;
  private loop: Promise<void> | undefined;
  private abort = new AbortController();
  private state: UplinkState = 'idle';
  private readonly backoff: Backoff;
  private readonly bucket: TokenBucket;
  private readonly daily: DailyBudget;
  private readonly window = new InflightWindow();
  private readonly log: Logger;
  private connectedSinceMs = 0;
  private lastAckMs = 0;
  private reconnects = 0;
  private lastError = '';
  private readonly waiters = new Set<() => void>();

  constructor(private readonly options: UplinkOptions) {
    this.log = options.logger ?? componentLogger('uplink');
    // Full jitter: a thousand boxes cut off by the same outage come back spread over the window,
    // not in waves at 1, 2, 4 s.
    this.backoff = new Backoff({ initialMs: options.backoff?.initialMs ?? 1000, maxMs: options.backoff?.maxMs ?? 60_000, fullJitter: true });
    const rateBytes = (options.settings.rate_kbps * 1000) / 8;
    const recordRate = Math.max(0, rateBytes - controlReserveBytesPerSecond(options.settings.rate_kbps));
    // One second of burst: enough for a batch, small enough that nothing queues behind it.
    this.bucket = new TokenBucket(rateBytes > 0 ? Math.max(1, recordRate) : 0, Math.max(1024, recordRate), monoNowMs);
    this.daily = new DailyBudget(options.settings.daily_budget_mb * 1024 * 1024, Date.now, options.dailyBudgetFile);
  }

  async start(): Promise<void> {
    if (this.loop) return;
    this.abort = new AbortController();
    this.loop = this.run(this.abort.signal);
  }

  private async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      let delayMs: number;
      try {
        await this.connectOnce(signal);
        delayMs = this.backoff.nextDelayMs();
      } catch (err) {
        if (signal.aborted) break;
        this.lastError = errorMessage(err);
        // A goodbye for shutdown or a replaced stream is routine; only revocation needs a person.
        const refused = isAuthFailure(err) || (err instanceof SessionEndedError && err.goodbye === 'REVOKED');
        this.state = refused ? 'refused' : 'backoff';
        delayMs = refused ? Math.max(REFUSED_RETRY_MS, this.backoff.nextDelayMs()) : this.backoff.nextDelayMs();
        this.options.metrics.uplinkReconnects.inc({ reason: refused ? 'refused' : 'error' });
        (refused ? this.log.error.bind(this.log) : this.log.warn.bind(this.log))(
          { err: this.lastError, retryInMs: delayMs },
          refused ? 'coordinator refused this device' : 'uplink down; will retry',
        );
      }
      this.options.metrics.uplinkConnected.set(0);
      this.connectedSinceMs = 0;
      if (this.state === 'connected') this.state = 'backoff'; // a session that ended without an error
      if (signal.aborted) break;
      this.reconnects++;
      await sleep(delayMs, signal);
    }
    this.state = 'stopped';
  }

  private async connectOnce(signal: AbortSignal): Promise<void> {
    // A fresh client per attempt: one connection attempt each, paced by this loop's backoff.
    this.client?.close();
    const client = createEdgeLinkClient(this.options.target);
    this.client = client;
    this.state = 'connecting';
    const timeoutMs = this.options.settings.connect_timeout_s * 1000;
    const hs = await register(client, this.options.identity, timeoutMs);
    const t3 = hs.response.coordinator_time_ms;
    this.options.clockOffset.update(hs.sentMs, hs.response.coordinator_receive_time_ms || t3, t3, hs.receivedMs);
    const acked = hs.response.acked.flatMap((a) => {
      const lane = laneFromProto(a.lane);
      return lane ? [{ lane, seq: a.seq }] : [];
    });
    if (this.options.outbox.stalled) {
      // Disk full: nothing can be recorded now; connect anyway so heartbeats and commands flow.
      this.log.warn({ reason: this.options.outbox.stalled }, 'outbox cannot write; connecting without reconciling');
    } else {
      await this.options.outbox.reconcile(acked);
    }
    await this.options.outbox.rewind();
    this.window.reset();
    if (signal.aborted) return;

    const call = openSync(client, this.options.identity);
    // Connected before the session starts: its first heartbeat reports this uplink's health.
    this.state = 'connected';
    this.connectedSinceMs = Date.now();
    this.lastError = '';
    const session = new SyncSession(
      call,
      {
        outbox: this.options.outbox,
        metrics: this.options.metrics,
        logger: this.log,
        bucket: this.bucket,
        daily: this.daily,
        window: this.window,
        settings: {
          batchMaxRecords: this.options.settings.batch_max_records,
          batchMaxBytes: this.options.settings.batch_max_bytes,
          inflightBatches: this.options.settings.inflight_batches,
          compression: this.options.settings.compression,
          heartbeatMs: this.options.settings.heartbeat_s * 1000,
          ackTimeoutMs: this.options.settings.ack_timeout_s * 1000,
        },
        heartbeat: this.options.heartbeat,
        clockOffsetMs: () => this.options.clockOffset.offsetMs,
        clockSample: (t1, t2, t3, t4) => this.options.clockOffset.update(t1, t2, t3, t4),
        onConfigPush: this.options.onConfigPush,
        onCommand: this.options.onCommand,
        onAck: () => {
          this.lastAckMs = Date.now();
          for (const w of this.waiters) w();
        },
      },
      hs.response.session_id,
      Math.min(PROTOCOL_VERSION, hs.response.protocol_version || PROTOCOL_VERSION),
    );
    this.session = session;
    this.options.metrics.uplinkConnected.set(1);
    this.log.info({ offsetMs: this.options.clockOffset.offsetMs, rttMs: hs.receivedMs - hs.sentMs, acked }, 'uplink connected');
    const onAbort = () => session.close('agent stopping');
    signal.addEventListener('abort', onAbort, { once: true });
    const connectedAt = monoNowMs();
    try {
      await session.done;
    } finally {
      signal.removeEventListener('abort', onAbort);
      this.session = undefined;
      // A session that lived a while was a success: start the next backoff from the bottom.
      if (monoNowMs() - connectedAt > 30_000) this.backoff.reset();
    }
  }

  /** Sends `bytes` of padding and measures the round trip (edgectl link test). */
  async probe(bytes: number, timeoutMs = 60_000): Promise<ProbeResult> {
    if (!this.session) throw new IocError('UNAVAILABLE', `uplink is ${this.state}${this.lastError ? `: ${this.lastError}` : ''}`);
    return this.session.probe(bytes, timeoutMs);
  }

  /** Resolves true once everything in the outbox is acknowledged, false on timeout. */
  async drain(timeoutMs: number): Promise<boolean> {
    const deadline = monoNowMs() + timeoutMs;
    while (monoNowMs() < deadline) {
      const stats = this.options.outbox.stats();
      if (stats.records === 0 && stats.pendingDropReports === 0) return true;
      await new Promise<void>((resolve) => {
        const t = setTimeout(done, Math.min(250, Math.max(0, deadline - monoNowMs())));
        const waiter = () => done();
        this.waiters.add(waiter);
        function done() {
          clearTimeout(t);
          resolve();
        }
        setTimeout(() => this.waiters.delete(waiter), 300);
      });
    }
    return false;
  }

  status(): UplinkStatus {
    return {
      state: this.state,
      address: this.options.target.address,
      connectedSinceMs: this.connectedSinceMs,
      lastAckMs: this.lastAckMs,
      rttMs: this.session?.lastRttMs ?? 0,
      clockOffsetMs: this.options.clockOffset.offsetMs,
      clockSynced: this.options.clockOffset.synced,
      windowBytes: this.window.bytes,
      throughputBytesPerSecond: Math.round(this.window.measuredBytesPerSecond),
      dailyBytesUsed: this.daily.usedBytes,
      reconnects: this.reconnects,
      lastError: this.lastError,
    };
  }

  health(): ComponentHealthReport {
    const s = this.status();
    return {
      name: this.name,
      state: s.state === 'connected' ? 'ok' : s.state === 'refused' ? 'down' : 'degraded',
      detail: s.state === 'connected' ? `connected to ${s.address}` : `${s.state}${s.lastError ? `: ${s.lastError}` : ''}`,
      lastSeenMs: s.lastAckMs,
      info: { ...s },
    };
  }

  async stop(): Promise<void> {
    this.abort.abort();
    this.session?.close('agent stopping');
    await this.loop?.catch(() => undefined);
    this.loop = undefined;
    this.client?.close();
    this.client = undefined;
    this.daily.save();
    this.state = 'stopped';
  }
}
