// One Sync stream from open to close: sends batches from the outbox (paced, windowed, highest
// lane first), drop reports and heartbeats; applies acks, rejections, config pushes, commands.
// Every message type from the coordinator has one handler in a table (as aedes does). The
// unacknowledged batches are inflight.ts, link probes probes.ts, wire shapes messages.ts.
import { laneFromProto, type LaneName } from '../../common/lanes.js';
import { monoNowMs } from '../../common/time.js';
import { IocError, errorMessage } from '../../common/errors.js';
import type { Logger } from '../../common/log.js';
import type { Outbox } from '../outbox/outbox.js';
import type { EdgeMetrics } from '../metrics.js';
import type { EdgeMessage } from '../../proto/generated/ioc/edgelink/v1/EdgeMessage.js';
import type { CoordinatorMessage__Output } from '../../proto/generated/ioc/edgelink/v1/CoordinatorMessage.js';
import type { Heartbeat } from '../../proto/generated/ioc/edgelink/v1/Heartbeat.js';
import type { ConfigPush__Output } from '../../proto/generated/ioc/edgelink/v1/ConfigPush.js';
import type { Command__Output } from '../../proto/generated/ioc/edgelink/v1/Command.js';
import type { ConfigReport } from '../../proto/generated/ioc/edgelink/v1/ConfigReport.js';
import type { CommandReceipt } from '../../proto/generated/ioc/edgelink/v1/CommandReceipt.js';
import type { SyncCall } from './client.js';
import { SessionEndedError } from './session-ended.js';
import type { TokenBucket, DailyBudget } from './pacer.js';
import type { InflightWindow } from './window.js';
import { InflightBatches } from './inflight.js';
import { LinkProbes, type ProbeResult } from './probes.js';
import { batchBody, dropsMessage } from './messages.js';

export interface SessionDeps {
  outbox: Outbox;
  metrics: EdgeMetrics;
  logger: Logger;
  bucket: TokenBucket;
  daily: DailyBudget;
  window: InflightWindow;
  settings: {
    batchMaxRecords: number;
    batchMaxBytes: number;
    inflightBatches: number;
    compression: 'gzip' | 'none';
    heartbeatMs: number;
    ackTimeoutMs: number;
  };
  heartbeat: () => Heartbeat;
  clockOffsetMs: () => number;
  clockSample: (t1: number, t2: number, t3: number, t4: number) => void;
  onConfigPush?: (push: ConfigPush__Output) => Promise<ConfigReport>;
  onCommand?: (command: Command__Output) => Promise<CommandReceipt>;
  onAck?: () => void;
}

/**
 * Alarm bytes allowed in flight beyond the window, the pacer and the daily budget. An alarm is
 * a few hundred bytes; a backlog of thumbnails must never hold one back, so alarms only wait for
 * what is already on the wire.
 */
export const ALARM_RESERVE_BYTES = 4096;

export type { ProbeResult };

export class SyncSession {
  private readonly inflight = new InflightBatches();
  /**
   * Body bytes per record byte of recent batches (gzip: ~0.2 for telemetry). The window and the
   * pacer count bytes on the wire, the outbox counts record bytes: without this a compressed
   * backlog would use a fifth of the window and a fifth of a slow link.
   */
  private compressionRatio = 1;
  private nextBatchId = 1;
  private pumping = false;
  private pumpAgain = false;
  private pumpTimer: NodeJS.Timeout | undefined;
  private probeTimer: NodeJS.Timeout | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private readonly sentReports = new Set<number>();
  private readonly drainWaiters = new Set<() => void>();
  private ackChain: Promise<void> = Promise.resolve();
  private readonly probes = new LinkProbes();
  private finished = false;
  private finish!: (err?: Error) => void;
  private unsubscribe: (() => void) | undefined;
  lastAckWallMs = 0;
  lastRttMs = 0;
  readonly done: Promise<void>;

  constructor(
    private readonly call: SyncCall,
    private readonly deps: SessionDeps,
    sessionId: string,
    protocolVersion: number,
  ) {
    this.done = new Promise<void>((resolve, reject) => {
      this.finish = (err) => {
        if (this.finished) return;
        this.finished = true;
        this.cleanup();
        if (err) reject(err);
        else resolve();
      };
    });
    call.on('data', (msg: CoordinatorMessage__Output) => this.dispatch(msg));
    call.on('error', (err) => this.finish(err));
    call.on('end', () => this.finish(new SessionEndedError('UPLINK_CLOSED', 'coordinator closed the stream')));
    this.write({ hello: { session_id: sessionId, protocol_version: protocolVersion } }, 'control');
    this.sendHeartbeat(false);
    // The stream's first messages wait for call set-up: probe the clock once it is warm.
    this.probeTimer = setTimeout(() => this.probe(0).catch(() => undefined), 1000);
    this.heartbeatTimer = setInterval(() => this.sendHeartbeat(true), deps.settings.heartbeatMs);
    this.watchdog = setInterval(() => this.checkAckTimeout(), 1000);
    this.unsubscribe = deps.outbox.onDurable(() => this.pump());
    this.pump();
  }

  private readonly handlers: { [K in NonNullable<CoordinatorMessage__Output['body']>]: (msg: NonNullable<CoordinatorMessage__Output[K]>) => void } = {
    ack: (ack) => {
      this.ackChain = this.ackChain
        .then(() => this.applyAck(ack))
        .catch((err: unknown) => {
          // A stalled outbox (disk full) cannot record acks; the records are resent once it
          // reopens and the coordinator drops the duplicates. The stream stays up meanwhile, so
          // heartbeats keep telling the IOC what is wrong.
          if (this.deps.outbox.stalled) return;
          this.finish(asError(err));
        });
    },
    drop_ack: () => undefined, // reports stay on disk until the lane's ack passes them
    ping: (ping) => this.write({ pong: { ping_id: ping.ping_id, edge_time_ms: Date.now() } }, 'control'),
    probe_ack: (ack) => {
      const probe = this.probes.take(ack.probe_id);
      if (!probe) return;
      this.lastRttMs = monoNowMs() - probe.sentMono;
      if (ack.coordinator_time_ms > 0) this.deps.clockSample(probe.sentWall, ack.coordinator_receive_time_ms, ack.coordinator_time_ms, Date.now());
      this.deps.metrics.uplinkRtt.set(this.lastRttMs / 1000);
      probe.resolve({ rttMs: this.lastRttMs, bytes: probe.bytes });
    },
    config_push: (push) => {
      if (!this.deps.onConfigPush) return;
      void this.deps
        .onConfigPush(push)
        .catch((err: unknown) => ({ version: push.version, applied: false, error: errorMessage(err) }))
        .then((report) => this.write({ config_report: report }, 'control'));
    },
    command: (command) => void this.runCommand(command),
    goodbye: (bye) => this.finish(new SessionEndedError('UPLINK_CLOSED', `coordinator said goodbye: ${bye.reason}`, bye.code)),
  };

  private dispatch(msg: CoordinatorMessage__Output): void {
    // The stream stays readable after the session gave up on it (the close is only a half-close)
    // and a loaded coordinator may still ack on it. Such an ack can be newer than what the next
    // handshake read, which would then look like records lost at the coordinator: drop it, and
    // the batch goes again on the next stream (the coordinator keeps the first copy).
    if (this.finished) return;
    const kind = msg.body;
    if (!kind) return; // a newer coordinator's message this edge does not know: ignore
    const handler = this.handlers[kind] as (m: unknown) => void;
    handler(msg[kind]);
  }

  private async applyAck(ack: NonNullable<CoordinatorMessage__Output['ack']>): Promise<void> {
    const batch = this.inflight.take(ack.batch_id);
    if (batch) {
      this.deps.window.onAck(batch.bytes, monoNowMs() - batch.sentMono, batch.inflightAtSend);
      if (ack.error) {
        this.deps.logger.warn({ batch: ack.batch_id, error: ack.error }, 'coordinator refused a whole batch');
        for (const r of batch.records) await this.deps.outbox.reject(r.lane, r.seq, 'BATCH_REFUSED', ack.error);
      }
    }
    for (const rejection of ack.rejected) {
      const lane = laneFromProto(rejection.lane);
      if (!lane) continue;
      const outcome = await this.deps.outbox.reject(lane, rejection.seq, rejection.code, rejection.reason);
      this.deps.logger.warn({ lane, seq: rejection.seq, code: rejection.code, reason: rejection.reason, outcome }, 'record rejected by the coordinator');
    }
    const acked = ack.acked.flatMap((a) => {
      const lane = laneFromProto(a.lane);
      return lane ? [{ lane, seq: a.seq }] : [];
    });
    if (acked.length > 0) await this.deps.outbox.acknowledge(acked);
    this.lastAckWallMs = Date.now();
    this.deps.onAck?.();
    this.pump();
  }

  private async runCommand(command: Command__Output): Promise<void> {
    const expiresEdgeMs = command.expires_at_ms - this.deps.clockOffsetMs();
    let receipt: CommandReceipt;
    if (command.expires_at_ms > 0 && Date.now() > expiresEdgeMs) {
      receipt = { command_id: command.id, status: 'expired', detail: 'expired before it reached the edge; not executed', edge_time_ms: Date.now() };
    } else if (!this.deps.onCommand) {
      receipt = { command_id: command.id, status: 'unknown_command', detail: 'this edge runs no command handler', edge_time_ms: Date.now() };
    } else {
      receipt = await this.deps.onCommand(command).catch((err: unknown) => ({
        command_id: command.id,
        status: 'failed',
        detail: errorMessage(err),
        edge_time_ms: Date.now(),
      }));
    }
    this.write({ command_receipt: receipt }, 'control');
  }

  /** Sends as much as the window, the pacer and the daily budget allow. */
  pump(): void {
    if (this.finished) return;
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    void this.pumpLoop()
      .catch((err: unknown) => {
        if (!this.deps.outbox.stalled) this.finish(asError(err));
      })
      .finally(() => {
        this.pumping = false;
        if (this.pumpAgain) {
          this.pumpAgain = false;
          this.pump();
        }
      });
  }

  private async pumpLoop(): Promise<void> {
    const { settings, outbox, window, bucket, daily } = this.deps;
    this.sendDropReports();
    if (outbox.stalled) return; // its reopen calls the durable listeners, which pump again
    while (!this.finished) {
      const windowFree = window.bytes - this.inflight.regularBytes;
      const paced = bucket.available();
      const dayLeft = !daily.exhausted();
      const open = this.inflight.regularCount < settings.inflightBatches && windowFree > 0 && paced > 0 && dayLeft;
      let limits: { maxRecords: number; maxBytes: number; lanes?: LaneName[] };
      if (open) {
        const recordBytes = (wire: number) => Math.floor(wire / this.compressionRatio);
        limits = { maxRecords: settings.batchMaxRecords, maxBytes: Math.max(1, Math.min(settings.batchMaxBytes, recordBytes(windowFree), recordBytes(paced))) };
      } else {
        if (paced <= 0) this.schedulePump(bucket.waitMs(1024));
        else if (!dayLeft) this.schedulePump(60_000); // the UTC day rolls over
        const reserveFree = ALARM_RESERVE_BYTES - this.inflight.reserveBytes;
        if (reserveFree <= 0 || !outbox.hasUnsent('alarm')) return;
        limits = { maxRecords: settings.batchMaxRecords, maxBytes: reserveFree, lanes: ['alarm'] };
      }
      const records = await outbox.nextBatch(limits);
      if (records.length === 0 || this.finished) return;
      // Drop reports made while this batch was taken go first: the coordinator then never holds
      // a record past a gap it has not been told about.
      this.sendDropReports();
      const compression = settings.compression === 'gzip' ? 'COMPRESSION_GZIP' : 'COMPRESSION_NONE';
      const body = batchBody(
        records.map((r) => r.record),
        compression,
      );
      const batchId = this.nextBatchId++;
      const bytes = body.body.length;
      const raw = records.reduce((n, r) => n + r.size, 0);
      if (raw > 0) this.compressionRatio = 0.7 * this.compressionRatio + 0.3 * Math.min(1, Math.max(0.01, bytes / raw));
      const reserve = !open;
      this.inflight.add(batchId, {
        bytes,
        sentMono: monoNowMs(),
        inflightAtSend: this.inflight.totalBytes,
        records: records.map((r) => ({ lane: r.lane, seq: r.seq })),
        reserve,
      });
      bucket.take(bytes);
      daily.spend(bytes);
      const drained = this.write(
        { batch: { batch_id: batchId, compression: body.compression, body: body.body, record_count: records.length } },
        'batch',
        bytes,
      );
      if (!drained) await this.drained();
    }
  }

  /** Resolves when the stream takes writes again, or the session ends. */
  private drained(): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        this.call.off('drain', done);
        this.drainWaiters.delete(done);
        resolve();
      };
      this.call.once('drain', done);
      this.drainWaiters.add(done);
    });
  }

  private sendDropReports(): void {
    for (const report of this.deps.outbox.pendingDropReports()) {
      if (this.sentReports.has(report.id)) continue;
      this.sentReports.add(report.id);
      this.write(dropsMessage(report), 'control');
    }
  }

  private schedulePump(ms: number): void {
    if (this.pumpTimer) return;
    this.pumpTimer = setTimeout(
      () => {
        this.pumpTimer = undefined;
        this.pump();
      },
      Math.max(10, ms),
    );
  }

  private sendHeartbeat(withProbe: boolean): void {
    try {
      this.write({ heartbeat: this.deps.heartbeat() }, 'heartbeat');
      if (withProbe) this.probe(0).catch(() => undefined);
    } catch (err) {
      this.deps.logger.error({ err: errorMessage(err) }, 'heartbeat failed');
    }
  }

  /** Link test: sends `paddingBytes` up the stream and resolves with the echo's round trip. */
  probe(paddingBytes: number, timeoutMs = 60_000): Promise<ProbeResult> {
    return this.probes.send(paddingBytes, timeoutMs, (id) =>
      this.write({ probe: { probe_id: id, padding: Buffer.alloc(paddingBytes) } }, 'control', paddingBytes),
    );
  }

  private checkAckTimeout(): void {
    const oldest = this.inflight.oldestSentMono();
    if (Number.isFinite(oldest) && monoNowMs() - oldest > this.deps.settings.ackTimeoutMs) {
      this.finish(new SessionEndedError('UPLINK_ACK_TIMEOUT', `no ack for ${Math.round((monoNowMs() - oldest) / 1000)} s; reconnecting`));
    }
  }

  private write(message: EdgeMessage, kind: 'batch' | 'heartbeat' | 'control', bytes = 0): boolean {
    if (this.finished) return true;
    this.deps.metrics.uplinkBytes.inc({ kind }, bytes || 64);
    return this.call.write(message);
  }

  get inflightBatches(): number {
    return this.inflight.count;
  }

  get bytesInFlight(): number {
    return this.inflight.totalBytes;
  }

  close(reason = 'closing'): void {
    if (this.finished) return;
    this.call.cancel();
    this.finish(new SessionEndedError('UPLINK_CLOSED', reason));
  }

  private cleanup(): void {
    clearInterval(this.heartbeatTimer);
    clearInterval(this.watchdog);
    clearTimeout(this.pumpTimer);
    clearTimeout(this.probeTimer);
    this.unsubscribe?.();
    this.probes.cancelAll();
    for (const done of [...this.drainWaiters]) done();
    try {
      this.call.end();
    } catch {
      // stream already gone
    }
  }
}

/** Errors pass as they are (a gRPC error keeps its status); anything else thrown becomes one. */
function asError(err: unknown): Error {
  return err instanceof Error ? err : new IocError('INTERNAL', String(err));
}
