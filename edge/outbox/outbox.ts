// The store-and-forward outbox: the edge's only queue. A record counts as produced once it is
// durable here (fsync'd LevelDB batch); it leaves only when the coordinator acknowledges it, or
// when the disk budget, its TTL or repeated rejection drops it — and every drop is counted and
// reported up so the coordinator can tell what it will never see. This class opens, closes and
// reopens the database and serializes the work of its parts (README.md lists them).
import { DEFAULT_KIND_LANES, LANES, type LaneName, type RecordKind } from '../../common/lanes.js';
import { errorMessage } from '../../common/errors.js';
import { componentLogger, RateLimitedLog, type Logger } from '../../common/log.js';
import { CLEAN_SHUTDOWN_KEY } from './keys.js';
import { OutboxDatabase, REOPEN_MAX_DELAY_MS, ENC, type BatchOp, type Db } from './database.js';
import { openWithRecovery, isTransientStorageError, type ScanResult } from './recovery.js';
import { SeqFloor } from './seq-floor.js';
import { DiskGuard } from './disk-guard.js';
import { outboxRecoveryMetrics, type OutboxRecoveryMetrics } from './outbox-metrics.js';
import { Lanes } from './lanes.js';
import { DropLedger } from './drop-ledger.js';
import { GroupCommit } from './group-commit.js';
import { Drain } from './drain.js';
import { DeadLetterBox } from './dead-letter-box.js';
import { sweepExpired } from './ttl-sweep.js';
import { outboxHealth, outboxStats, publishLaneGauges } from './outbox-stats.js';
import type { OutboxContext, OutboxOptions } from './context.js';
import type { AppendResult, DeadLetter, DropReason, DropReportOut, OutboundRecord, OutboxInput, OutboxStats, RecordSink, RecoveryReport } from './types.js';

export type { OutboxOptions } from './context.js';

const te = new TextEncoder();

export class Outbox implements RecordSink {
  private readonly ctx: OutboxContext;
  private readonly lanes = new Lanes();
  private readonly ledger: DropLedger;
  private readonly kindLanes: Record<RecordKind, LaneName>;
  private readonly log: Logger;
  private readonly wallNow: () => number;
  private readonly database: OutboxDatabase;
  private readonly guard: DiskGuard;
  private readonly extraMetrics: OutboxRecoveryMetrics | undefined;
  private readonly appends: GroupCommit;
  private readonly drain: Drain;
  private readonly deadLetters: DeadLetterBox;
  private closed = false;

  private constructor(
    db: Db,
    private readonly options: OutboxOptions,
    readonly recovery: RecoveryReport,
    private readonly floor: SeqFloor,
  ) {
    this.kindLanes = { ...DEFAULT_KIND_LANES, ...options.kindLanes };
    this.log = options.logger ?? componentLogger('outbox');
    const rateLimited = new RateLimitedLog(this.log, 30_000);
    this.wallNow = options.wallNow ?? Date.now;
    this.guard = new DiskGuard(options.dir, options.minFreeDiskBytes ?? 32 * 1024 * 1024);
    this.extraMetrics = options.metrics ? outboxRecoveryMetrics(options.metrics.registry) : undefined;
    this.ledger = new DropLedger(this.lanes, options.metrics);
    this.database = new OutboxDatabase(db, {
      log: this.log,
      rateLimited,
      onWriteError: () => options.metrics?.outboxWriteErrors.inc(),
      onStalled: (stalled) => this.extraMetrics?.stalled.set(stalled ? 1 : 0),
      reopen: (use) => this.reopen(use),
    });
    this.ctx = {
      options,
      kindLanes: this.kindLanes,
      lanes: this.lanes,
      ledger: this.ledger,
      database: this.database,
      log: this.log,
      rateLimited,
      wallNow: this.wallNow,
      budgetBytes: () => this.budgetBytes(),
      publishGauges: () => this.publishGauges(),
    };
    this.appends = new GroupCommit(this.ctx, floor);
    this.deadLetters = new DeadLetterBox(this.ctx, (input, extraOps) => this.appends.enqueue(input, extraOps));
    this.drain = new Drain(this.ctx, (lane, seq) => this.deadLetters.forget(lane, seq));
  }

  /**
   * Opens (recovering from damage). While the disk is full or the database locked it waits and
   * retries rather than failing: the agent must come up once the condition passes, not exit.
   */
  static async open(options: OutboxOptions): Promise<Outbox> {
    const log = options.logger ?? componentLogger('outbox');
    const floor = new SeqFloor(`${options.dir}.seq.json`);
    let opened: Awaited<ReturnType<typeof openWithRecovery>> | undefined;
    for (let delayMs = 1000; !opened; delayMs = Math.min(REOPEN_MAX_DELAY_MS, delayMs * 2)) {
      try {
        opened = await openWithRecovery(options.dir, log, floor);
      } catch (err) {
        if (!isTransientStorageError(err)) throw err;
        options.metrics?.outboxWriteErrors.inc();
        log.error({ err: errorMessage(err), retryInMs: delayMs }, 'outbox cannot open (disk full or locked); waiting');
        await new Promise((r) => setTimeout(r, delayMs));
      }
    }
    const { db, report, scan } = opened;
    const outbox = new Outbox(db, options, report, floor);
    outbox.countRecovery(report);
    await outbox.init(scan);
    await outbox.guard.start(() => outbox.lanes.totalBytes());
    outbox.publishGauges();
    return outbox;
  }

  private countRecovery(r: RecoveryReport): void {
    const m = this.extraMetrics?.recovered;
    if (!m) return;
    if (r.corruptRecords) m.inc({ what: 'corrupt_records' }, r.corruptRecords);
    if (r.missingRecords) m.inc({ what: 'missing_records' }, r.missingRecords);
    if (r.walTailBytes) m.inc({ what: 'wal_tail_bytes' }, r.walTailBytes);
    if (r.walCorruptRecords) m.inc({ what: 'wal_corrupt_records' }, r.walCorruptRecords);
    if (r.repaired) m.inc({ what: 'repaired' });
    if (r.quarantinedTo) m.inc({ what: 'quarantined' });
  }

  /** Takes over a scan: its lanes, its reports, and what it found corrupt or missing as drops. */
  private async init(scan: ScanResult): Promise<void> {
    this.lanes.load(scan);
    this.ledger.reports.load(scan.dropReports);
    this.deadLetters.count = scan.deadLetters;
    const ops: BatchOp[] = [{ type: 'del', key: CLEAN_SHUTDOWN_KEY }];
    const drop = this.ledger.stage('corrupt', scan.corruptRanges, [], ops);
    for (const lane of this.lanes.all()) if (!drop.lanes.has(lane.lane)) ops.push(this.lanes.metaOp(lane));
    await this.database.write(ops);
    drop.counted();
    for (const lane of LANES) await this.lanes.refreshHead(this.database.db, lane);
    this.publishGauges();
  }

  // ---- producing ---------------------------------------------------------------------------

  laneOf(kind: RecordKind): LaneName {
    return this.kindLanes[kind];
  }

  /** Resolves once the record is durable on disk (group commit with other concurrent appends). */
  append(input: OutboxInput): Promise<AppendResult> {
    return this.appends.enqueue(input);
  }

  /** Calls `listener` after each group of records becomes durable (the uplink wakes on it). */
  onDurable(listener: () => void): () => void {
    return this.appends.onDurable(listener);
  }

  // ---- sending -------------------------------------------------------------------------------

  /**
   * Next records to send, highest lane first: retries, then records after what was already
   * handed out on this connection. Marks them in flight.
   */
  nextBatch(limits: { maxRecords: number; maxBytes: number; lanes?: readonly LaneName[] }): Promise<OutboundRecord[]> {
    return this.writing(() => this.drain.nextBatch(limits));
  }

  /** After a reconnect everything not acknowledged is sendable again. */
  rewind(): Promise<void> {
    return this.database.exclusive(async () => this.drain.rewind());
  }

  /** The coordinator has everything up to `seq` per lane (stored or reported dropped). */
  acknowledge(acked: readonly { lane: LaneName; seq: number }[]): Promise<number> {
    return this.writing(() => this.drain.acknowledge(acked));
  }

  /**
   * The coordinator answered the handshake with what it holds. Records it has are removed;
   * what it lacks below what this outbox already forgot is reported as lost.
   */
  async reconcile(coordinatorAcked: readonly { lane: LaneName; seq: number }[]): Promise<void> {
    await this.writing(() => this.drain.reportLost(coordinatorAcked));
    await this.acknowledge(coordinatorAcked);
  }

  /** A record the coordinator refused: retried, then dead-lettered after maxRejections. */
  reject(lane: LaneName, seq: number, code: string, reason: string): Promise<'retry' | 'dead_lettered' | 'gone'> {
    return this.writing(() => this.deadLetters.reject(lane, seq, code, reason));
  }

  /**
   * Drops records older than their lane's TTL on the agent clock. Records in flight are left to
   * their ack (their fate is not ours to count yet). Returns how many were dropped.
   */
  sweepExpired(maxPerLane = 10_000): Promise<number> {
    return this.writing(() => sweepExpired(this.ctx, maxPerLane));
  }

  /**
   * Drop reports the coordinator has not yet acknowledged past (resent after every reconnect).
   * Handing them out seals them: a report the coordinator may have seen never changes.
   */
  pendingDropReports(): DropReportOut[] {
    return this.ledger.reports.handOut();
  }

  // ---- dead letters --------------------------------------------------------------------------

  listDeadLetters(): Promise<DeadLetter[]> {
    return this.deadLetters.list();
  }

  /** Puts a dead letter back in its lane as a new record (new seq, original edge time), atomically. */
  resendDeadLetter(lane: LaneName, seq: number): Promise<AppendResult> {
    return this.deadLetters.resend(lane, seq);
  }

  // ---- state ---------------------------------------------------------------------------------

  stats(): OutboxStats {
    return outboxStats(this.ctx, this.deadLetters.count, (lane, now) => this.appends.unwrittenEdgeTimes(lane, now));
  }

  /** For the heartbeat's component list: down while writes are refused, degraded while the disk sets the budget. */
  health(): { name: string; state: 'ok' | 'degraded' | 'down'; detail: string; restarts: number; lastSeenMs: number } {
    return outboxHealth(this.ctx);
  }

  /** The reason writes are refused (disk full, I/O error) until the database reopens; undefined when fine. */
  get stalled(): string | undefined {
    return this.database.stalled;
  }

  /** True when `lane` (default: any) may hold records not yet handed out on this connection. */
  hasUnsent(lane?: LaneName): boolean {
    return this.lanes.hasUnsent(lane);
  }

  private budgetBytes(): number {
    return this.guard.budget(this.options.diskBudgetBytes);
  }

  private publishGauges(): void {
    publishLaneGauges(this.ctx);
    this.extraMetrics?.budgetBytes.set(this.budgetBytes());
  }

  // ---- lifecycle -----------------------------------------------------------------------------

  /** Waits for pending appends, marks a clean shutdown and closes the database. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.appends.close();
    this.guard.close();
    await this.database.close(async (db, writable) => {
      if (writable) await db.put(CLEAN_SHUTDOWN_KEY, te.encode(String(this.wallNow())), { sync: true, ...ENC });
    });
  }

  /** Reopens after a failed write: the scan rebuilds every counter from what is on disk. */
  private async reopen(use: (db: Db) => void): Promise<void> {
    const { db, report, scan } = await openWithRecovery(this.options.dir, this.log, this.floor);
    use(db);
    await this.init(scan);
    await this.guard.refresh(this.lanes.totalBytes());
    this.extraMetrics?.recovered.inc({ what: 'reopened' });
    this.countRecovery(report);
    this.log.warn({ recovery: report }, 'outbox reopened after a write failure; writes accepted again');
    this.appends.notifyDurable();
  }

  /** One state change at a time, refused while the database is stalled. */
  private writing<T>(fn: () => Promise<T>): Promise<T> {
    return this.database.exclusive(async () => {
      this.database.assertWritable();
      return fn();
    });
  }
}

export type { DropReason };
