// The store-and-forward outbox: the edge's only queue. A record counts as produced once it is
// durable here (fsync'd LevelDB batch); it leaves only when the coordinator acknowledges it, or
// when the disk budget, its TTL or repeated rejection drops it — and every drop is counted and
// reported up so the coordinator can tell what it will never see.
import { LANES, DEFAULT_KIND_LANES, laneToProto, type LaneName, type RecordKind } from '../../common/lanes.js';
import { encodeRecord } from '../../common/proto.js';
import { IocError, NotFoundError, StorageError, ValidationError, errorMessage } from '../../common/errors.js';
import { componentLogger, RateLimitedLog, type Logger } from '../../common/log.js';
import type { EdgeMetrics } from '../metrics.js';
import { encodeStoredRecord, decodeStoredRecord, peekTimes } from './record-value.js';
import { recordKey, laneRange, seqFromRecordKey, metaKey, deadLetterKey, DEAD_LETTER_RANGE, CLEAN_SHUTDOWN_KEY } from './keys.js';
import { planEviction, toRanges, type EvictionCandidate } from './budget.js';
import { DropReportBook } from './drop-reports.js';
import { OutboxDatabase, REOPEN_MAX_DELAY_MS, type BatchOp, type Db } from './database.js';
import { openWithRecovery, isTransientStorageError, plausibleTime, type LaneMeta, type ScanResult } from './recovery.js';
import { EdgeTimeIndex } from './edge-time-index.js';
import { SeqFloor } from './seq-floor.js';
import { DiskGuard } from './disk-guard.js';
import { encodeDeadLetter, describeDeadLetter, deadLetterInput } from './dead-letters.js';
import { outboxRecoveryMetrics, type OutboxRecoveryMetrics } from './outbox-metrics.js';
import type {
  AppendResult, DeadLetter, DropReason, DropRangeOut, DropReportOut, LaneStatsOut, OutboundRecord,
  OutboxInput, OutboxStats, RecordSink, RecoveryReport,
} from './types.js';


export interface OutboxOptions {
  dir: string;
  diskBudgetBytes: number;
  ttlMs: Record<LaneName, number>;
  kindLanes?: Partial<Record<RecordKind, LaneName>>;
  maxRejections?: number;
  /** Agent clock (monotonic, survives restarts): record ages for TTL. */
  agentNow: () => number;
  /** Coordinator-minus-edge clock offset, stamped on each record at production. */
  clockOffset?: () => { offsetMs: number; synced: boolean };
  wallNow?: () => number;
  logger?: Logger;
  metrics?: EdgeMetrics;
  /** Largest group commit; producers awaiting append share one fsync. */
  maxGroupCommit?: number;
  /**
   * How long before appending a producer may stamp a record (a sensor window carries its end
   * time and closes on a 1 s tick): "complete before" of an idle lane stays this far behind now.
   */
  productionLagMs?: number;
  /** Disk space to leave free; below it the budget in force shrinks (0: trust the budget). */
  minFreeDiskBytes?: number;
}

interface LaneState extends LaneMeta {
  lane: LaneName;
  /** Highest seq handed to the uplink on this connection (in flight or acked). */
  sentSeq: number;
  retry: Set<number>;
  head: { seq: number; agentMs: number; edgeTimeMs: number } | null;
  /** Every record of the lane has a seq ≥ this: iterations start here, past deleted keys. */
  scanFrom: number;
  edgeTimes: EdgeTimeIndex;
  /** The coordinator's latest word on this lane (below ackedSeq if it lost data). */
  coordinatorSeq: number;
}

interface Pending {
  input: OutboxInput;
  resolve: (r: AppendResult) => void;
  reject: (e: unknown) => void;
  /** Written in the same atomic batch as the record (a dead letter's removal on resend). */
  extraOps?: BatchOp[];
}

type Incoming = EvictionCandidate & { key: string; value: Uint8Array; pending: Pending };

const ENC = { keyEncoding: 'utf8', valueEncoding: 'view' } as const;
const te = new TextEncoder();

export class Outbox implements RecordSink {
  private readonly lanes = new Map<LaneName, LaneState>();
  private readonly drops = new DropReportBook();
  private readonly rejections = new Map<string, number>();
  private readonly resending = new Set<string>();
  private pending: Pending[] = [];
  private writing: Pending[] = [];
  private flushScheduled = false;
  private deadLetterCount = 0;
  private closed = false;
  private readonly durableListeners = new Set<() => void>();
  private readonly kindLanes: Record<RecordKind, LaneName>;
  private readonly log: Logger;
  private readonly rateLimited: RateLimitedLog;
  private readonly wallNow: () => number;
  private readonly guard: DiskGuard;
  private readonly extraMetrics: OutboxRecoveryMetrics | undefined;
  private readonly database: OutboxDatabase;

  private constructor(
    db: Db,
    private readonly options: OutboxOptions,
    readonly recovery: RecoveryReport,
    private readonly floor: SeqFloor,
  ) {
    this.kindLanes = { ...DEFAULT_KIND_LANES, ...options.kindLanes };
    this.log = options.logger ?? componentLogger('outbox');
    this.rateLimited = new RateLimitedLog(this.log, 30_000);
    this.wallNow = options.wallNow ?? Date.now;
    this.guard = new DiskGuard(options.dir, options.minFreeDiskBytes ?? 32 * 1024 * 1024);
    this.extraMetrics = options.metrics ? outboxRecoveryMetrics(options.metrics.registry) : undefined;
    this.database = new OutboxDatabase(db, {
      log: this.log,
      rateLimited: this.rateLimited,
      onWriteError: () => options.metrics?.outboxWriteErrors.inc(),
      onStalled: (stalled) => this.extraMetrics?.stalled.set(stalled ? 1 : 0),
      reopen: (use) => this.reopen(use),
    });
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
    await outbox.guard.start(() => outbox.totalBytes());
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

  private async init(scan: ScanResult): Promise<void> {
    this.lanes.clear();
    for (const lane of LANES) {
      const { meta, headSeq, edgeTimes } = scan.lanes.get(lane)!;
      this.lanes.set(lane, {
        ...meta, lane, sentSeq: meta.ackedSeq, retry: new Set(), head: null, scanFrom: headSeq ?? meta.nextSeq, edgeTimes,
        coordinatorSeq: meta.ackedSeq,
      });
    }
    this.drops.load(scan.dropReports);
    this.deadLetterCount = scan.deadLetters;
    const ops: BatchOp[] = [{ type: 'del', key: CLEAN_SHUTDOWN_KEY }];
    if (scan.corruptRanges.length > 0) this.drops.add(scan.corruptRanges, ops);
    for (const lane of this.lanes.values()) ops.push(this.metaOp(lane));
    await this.write(ops);
    for (const range of scan.corruptRanges) this.options.metrics?.outboxDropped.inc({ lane: range.lane, reason: 'corrupt' }, range.lastSeq - range.firstSeq + 1);
    for (const lane of LANES) await this.refreshHead(lane);
    this.publishGauges();
  }

  // ---- producing ---------------------------------------------------------------------------

  laneOf(kind: RecordKind): LaneName {
    return this.kindLanes[kind];
  }

  /** Resolves once the record is durable on disk (group commit with other concurrent appends). */
  append(input: OutboxInput): Promise<AppendResult> {
    return this.enqueue(input);
  }

  private enqueue(input: OutboxInput, extraOps?: BatchOp[]): Promise<AppendResult> {
    if (this.closed) return Promise.reject(new StorageError('outbox is closed'));
    // Fail fast while the disk refuses writes: producers count it and go on.
    if (this.database.stalled) return Promise.reject(new StorageError(`outbox cannot write: ${this.database.stalled}`));
    return new Promise((resolve, reject) => {
      this.pending.push({ input, resolve, reject, extraOps });
      this.scheduleFlush();
    });
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      void this.exclusive(() => this.flushPending());
    });
  }

  private async flushPending(): Promise<void> {
    const max = this.options.maxGroupCommit ?? 4096;
    while (this.pending.length > 0) {
      const group = this.pending.splice(0, max);
      this.writing = group;
      try {
        await this.writeGroup(group);
      } catch (err) {
        // Settled producers ignore this; the rest learn that nothing was stored.
        const failure = err instanceof StorageError ? err : new StorageError(`outbox write failed: ${errorMessage(err)}`, err);
        for (const p of group) p.reject(failure);
      } finally {
        this.writing = [];
      }
    }
  }

  /** Encodes, assigns sequence numbers, makes room within the budget and writes one batch. */
  private async writeGroup(group: Pending[]): Promise<void> {
    const offset = this.options.clockOffset?.() ?? { offsetMs: 0, synced: false };
    const agentMs = this.options.agentNow();
    const budget = this.budgetBytes();
    const snapshot = this.snapshotCounters();
    const incoming: Incoming[] = [];
    const tooLarge: Incoming[] = [];
    for (const p of group) {
      const lane = this.kindLanes[p.input.kind] as LaneName | undefined;
      if (!lane) {
        p.reject(new ValidationError(`unknown record kind "${String(p.input.kind)}"`));
        continue;
      }
      const state = this.lanes.get(lane)!;
      const edgeTimeMs = p.input.edgeTimeMs ?? this.wallNow();
      let record: Uint8Array;
      try {
        record = encodeRecord({
          lane: laneToProto(lane), seq: state.nextSeq, kind: p.input.kind, edge_time_ms: edgeTimeMs,
          clock_offset_ms: offset.offsetMs, clock_synced: offset.synced, ...p.input.body,
        });
      } catch (err) {
        p.reject(new ValidationError(`record does not encode: ${errorMessage(err)}`));
        continue;
      }
      const seq = state.nextSeq++;
      const key = recordKey(lane, seq);
      const value = encodeStoredRecord(agentMs, edgeTimeMs, record);
      const c: Incoming = { lane, seq, size: key.length + value.length, edgeTimeMs, incoming: true, key, value, pending: p };
      (c.size > budget ? tooLarge : incoming).push(c);
    }
    const all = [...incoming, ...tooLarge];
    if (all.length === 0) return;

    const ops: BatchOp[] = all.flatMap((c) => c.pending.extraOps ?? []);
    const excess = this.totalBytes() + incoming.reduce((n, c) => n + c.size, 0) - budget;
    const victims = excess > 0 ? await planEviction(excess, (lane) => this.storedOldestFirst(lane), incoming) : [];
    const evicted = new Set(victims.filter((v) => v.incoming).map((v) => `${v.lane}:${v.seq}`));
    const kept = incoming.filter((c) => !evicted.has(`${c.lane}:${c.seq}`));
    for (const c of kept) {
      ops.push({ type: 'put', key: c.key, value: c.value });
      const state = this.lanes.get(c.lane)!;
      state.count++;
      state.bytes += c.size;
    }
    for (const v of victims) {
      if (v.incoming) continue;
      ops.push({ type: 'del', key: recordKey(v.lane, v.seq) });
      const state = this.lanes.get(v.lane)!;
      state.count--;
      state.bytes -= v.size;
    }
    const dropped = [...victims, ...tooLarge];
    for (const d of dropped) this.lanes.get(d.lane)!.dropped.budget++;
    const undoReport = dropped.length > 0 ? this.drops.add(toRanges(dropped).map((r) => ({ ...r, reason: 'budget' as const })), ops) : undefined;
    const touched = new Set<LaneName>(all.map((c) => c.lane));
    for (const d of dropped) touched.add(d.lane);
    for (const lane of touched) ops.push(this.metaOp(this.lanes.get(lane)!));

    try {
      for (const lane of new Set(all.map((c) => c.lane))) this.floor.cover(lane, this.lanes.get(lane)!.nextSeq - 1);
      await this.write(ops);
    } catch (err) {
      this.restoreCounters(snapshot);
      undoReport?.();
      const failure = err instanceof StorageError ? err : new StorageError(`outbox write failed: ${errorMessage(err)}`, err);
      for (const c of all) c.pending.reject(failure);
      return;
    }
    if (dropped.length > 0) {
      this.rateLimited.warn('budget', { evicted: dropped.length, budgetBytes: budget }, 'outbox disk budget full: evicted lowest-priority oldest records');
    }
    for (const c of kept) {
      const state = this.lanes.get(c.lane)!;
      state.edgeTimes.add(c.seq, c.edgeTimeMs);
      // Appends only add behind the head: read it from disk only when evictions moved it.
      state.head ??= { seq: c.seq, agentMs, edgeTimeMs: c.edgeTimeMs };
      this.options.metrics?.outboxAppended.inc({ lane: c.lane });
    }
    for (const d of dropped) this.options.metrics?.outboxDropped.inc({ lane: d.lane, reason: 'budget' });
    for (const lane of new Set(victims.map((v) => v.lane))) await this.refreshHead(lane);
    this.publishGauges();
    const keptSet = new Set(kept);
    for (const c of all) c.pending.resolve(keptSet.has(c) ? { lane: c.lane, seq: c.seq } : { lane: c.lane, seq: c.seq, dropped: 'budget' });
    for (const listener of this.durableListeners) listener();
  }

  /** Calls `listener` after each group of records becomes durable (the uplink wakes on it). */
  onDurable(listener: () => void): () => void {
    this.durableListeners.add(listener);
    return () => this.durableListeners.delete(listener);
  }

  private snapshotCounters(): Map<LaneName, Pick<LaneMeta, 'nextSeq' | 'count' | 'bytes' | 'dropped'>> {
    return new Map([...this.lanes].map(([lane, s]) => [lane, { nextSeq: s.nextSeq, count: s.count, bytes: s.bytes, dropped: { ...s.dropped } }]));
  }

  /** A failed batch wrote nothing: undo the counters and sequence numbers it took. */
  private restoreCounters(snapshot: ReturnType<Outbox['snapshotCounters']>): void {
    for (const [lane, saved] of snapshot) Object.assign(this.lanes.get(lane)!, saved);
  }

  private async *storedOldestFirst(lane: LaneName): AsyncIterable<EvictionCandidate> {
    const state = this.lanes.get(lane)!;
    if (!this.mayHoldFrom(state, state.scanFrom)) return;
    for await (const [key, value] of this.db.iterator({ gte: recordKey(lane, state.scanFrom), lt: laneRange(lane).lt, ...ENC })) {
      const seq = seqFromRecordKey(key);
      yield { lane, seq, size: key.length + value.length, edgeTimeMs: plausibleTime(peekTimes(value)?.edgeTimeMs), incoming: false, inFlight: this.isInFlight(state, seq) };
    }
  }

  /**
   * Whether the lane can hold a record at `seq` or after: sequence numbers are handed out from
   * nextSeq, so nothing lies beyond it. Checked before opening an iterator because LevelDB's
   * seek into an empty lane walks every deletion marker after it (the acked records of the
   * next lanes) until it finds a live key: ~5 ms per empty lane per batch behind a backlog.
   */
  private mayHoldFrom(state: LaneState, seq: number): boolean {
    return seq < state.nextSeq;
  }

  /** Handed to the uplink and not settled: the coordinator may hold it. */
  private isInFlight(state: LaneState, seq: number): boolean {
    return seq > state.ackedSeq && seq <= state.sentHighSeq;
  }

  private budgetBytes(): number {
    return this.guard.budget(this.options.diskBudgetBytes);
  }

  // ---- sending -------------------------------------------------------------------------------

  /**
   * Next records to send, highest lane first: retries, then records after what was already
   * handed out on this connection. Marks them in flight. Stops at the first record that does
   * not fit, so a lower lane never fills a batch ahead of a higher one.
   */
  nextBatch(limits: { maxRecords: number; maxBytes: number; lanes?: readonly LaneName[] }): Promise<OutboundRecord[]> {
    return this.exclusive(async () => {
      this.assertWritable();
      const out: OutboundRecord[] = [];
      let bytes = 0;
      let stop = false;
      const corrupt: { lane: LaneName; seq: number; edgeTimeMs: number; size: number }[] = [];
      const full = () => stop || out.length >= limits.maxRecords || bytes >= limits.maxBytes;
      const take = (lane: LaneName, key: string, value: Uint8Array): boolean => {
        const seq = seqFromRecordKey(key);
        const stored = decodeStoredRecord(value);
        if (!stored) {
          corrupt.push({ lane, seq, edgeTimeMs: plausibleTime(peekTimes(value)?.edgeTimeMs), size: key.length + value.length });
          return true;
        }
        const size = stored.record.length;
        if (out.length > 0 && bytes + size > limits.maxBytes) {
          stop = true;
          return false;
        }
        out.push({ lane, seq, record: stored.record, size, edgeTimeMs: stored.edgeTimeMs });
        bytes += size;
        return true;
      };
      const advanced = new Set<LaneState>();
      for (const lane of LANES) {
        if (full()) break;
        if (limits.lanes && !limits.lanes.includes(lane)) continue;
        const state = this.lanes.get(lane)!;
        for (const seq of [...state.retry].sort((a, b) => a - b)) {
          if (full()) break;
          const key = recordKey(lane, seq);
          const value = await this.db.get(key, ENC);
          state.retry.delete(seq);
          if (value && !take(lane, key, value)) {
            state.retry.add(seq);
            break;
          }
        }
        if (full()) break;
        const from = Math.max(state.sentSeq + 1, state.scanFrom);
        if (!this.mayHoldFrom(state, from)) continue;
        const iterator = this.db.iterator({ gte: recordKey(lane, from), lt: laneRange(lane).lt, ...ENC });
        try {
          for await (const [key, value] of iterator) {
            if (full() || !take(lane, key, value)) break;
            state.sentSeq = seqFromRecordKey(key);
            if (state.sentSeq > state.sentHighSeq) {
              state.sentHighSeq = state.sentSeq;
              advanced.add(state);
            }
          }
        } finally {
          await iterator.close();
        }
      }
      if (corrupt.length > 0) await this.dropCorrupt(corrupt);
      // Not fsync'd: it only guards the drop counts against a record both delivered and evicted,
      // and the next fsync'd write carries it anyway.
      if (advanced.size > 0) await this.write([...advanced].map((s) => this.metaOp(s)), false);
      return out;
    });
  }

  private async dropCorrupt(items: { lane: LaneName; seq: number; edgeTimeMs: number; size: number }[]): Promise<void> {
    const ops: BatchOp[] = items.map((c) => ({ type: 'del', key: recordKey(c.lane, c.seq) }));
    for (const c of items) {
      const state = this.lanes.get(c.lane)!;
      state.count--;
      state.bytes -= c.size;
      state.dropped.corrupt++;
      state.retry.delete(c.seq);
    }
    this.drops.add(toRanges(items).map((r) => ({ ...r, reason: 'corrupt' as const })), ops);
    for (const lane of new Set(items.map((c) => c.lane))) ops.push(this.metaOp(this.lanes.get(lane)!));
    this.log.error({ records: items.length }, 'corrupt outbox records skipped (checksum mismatch)');
    await this.write(ops);
    for (const c of items) this.options.metrics?.outboxDropped.inc({ lane: c.lane, reason: 'corrupt' });
    for (const lane of new Set(items.map((c) => c.lane))) await this.refreshHead(lane);
  }

  /** After a reconnect everything not acknowledged is sendable again. */
  rewind(): Promise<void> {
    return this.exclusive(async () => {
      for (const state of this.lanes.values()) {
        state.sentSeq = state.ackedSeq;
        state.retry.clear();
      }
    });
  }

  /** The coordinator has everything up to `seq` per lane (stored or reported dropped). */
  acknowledge(acked: readonly { lane: LaneName; seq: number }[]): Promise<number> {
    return this.exclusive(async () => {
      this.assertWritable();
      const ops: BatchOp[] = [];
      let removed = 0;
      let seqJumped = false;
      const touched: LaneName[] = [];
      for (const { lane, seq } of acked) {
        const state = this.lanes.get(lane);
        if (!state) continue;
        state.coordinatorSeq = Math.max(state.coordinatorSeq, seq);
        if (seq <= state.ackedSeq) continue;
        const from = Math.max(state.ackedSeq + 1, state.scanFrom);
        for await (const [key, value] of this.db.iterator({ gte: recordKey(lane, from), lte: recordKey(lane, seq), ...ENC })) {
          ops.push({ type: 'del', key });
          state.count--;
          state.bytes -= key.length + value.length;
          removed++;
          this.options.metrics?.uplinkRecords.inc({ lane });
        }
        state.ackedSeq = seq;
        // A coordinator that has seen more than this outbox holds (outbox wiped or restored):
        // never reuse its sequence numbers, or new records would be taken for duplicates.
        if (seq >= state.nextSeq) {
          state.nextSeq = seq + 1;
          seqJumped = true;
        }
        state.sentSeq = Math.max(state.sentSeq, seq);
        state.sentHighSeq = Math.max(state.sentHighSeq, seq);
        for (const s of state.retry) if (s <= seq) state.retry.delete(s);
        for (const k of this.rejections.keys()) if (k.startsWith(`${lane}:`) && Number(k.slice(lane.length + 1)) <= seq) this.rejections.delete(k);
        ops.push(this.metaOp(state));
        touched.push(lane);
      }
      this.drops.settle((lane) => this.lanes.get(lane)!.coordinatorSeq, ops);
      // Losing an ack's deletes to a power cut only means resending (the coordinator drops the
      // duplicates), so no fsync — unless the sequence jumped, which must never be forgotten.
      if (ops.length > 0) await this.write(ops, seqJumped);
      for (const lane of touched) await this.refreshHead(lane);
      this.publishGauges();
      return removed;
    });
  }

  /**
   * The coordinator answered the handshake with what it holds. Records it has are removed;
   * when it holds less than this outbox already forgot (its store was restored from backup,
   * or this outbox restarted above its reserved floor), the forgotten range is reported as
   * lost so its "complete up to" can move on.
   */
  async reconcile(coordinatorAcked: readonly { lane: LaneName; seq: number }[]): Promise<void> {
    await this.exclusive(async () => {
      this.assertWritable();
      const lost: DropRangeOut[] = [];
      for (const { lane, seq } of coordinatorAcked) {
        const state = this.lanes.get(lane);
        if (!state) continue;
        state.coordinatorSeq = seq;
        if (seq >= state.ackedSeq) continue;
        for (const gap of this.drops.uncovered(lane, seq + 1, state.ackedSeq)) {
          lost.push({ lane, firstSeq: gap.first, lastSeq: gap.last, reason: 'lost', firstEdgeTimeMs: 0, lastEdgeTimeMs: 0 });
        }
      }
      if (lost.length === 0) return;
      this.log.error({ lost }, 'coordinator holds less than it acknowledged before; reporting the gap as lost');
      const ops: BatchOp[] = [];
      this.drops.add(lost, ops);
      for (const range of lost) {
        const state = this.lanes.get(range.lane)!;
        state.dropped.lost += range.lastSeq - range.firstSeq + 1;
        ops.push(this.metaOp(state));
        this.options.metrics?.outboxDropped.inc({ lane: range.lane, reason: 'lost' }, range.lastSeq - range.firstSeq + 1);
      }
      await this.write(ops);
    });
    await this.acknowledge(coordinatorAcked);
  }

  /** A record the coordinator refused: retried, then dead-lettered after maxRejections. */
  reject(lane: LaneName, seq: number, code: string, reason: string): Promise<'retry' | 'dead_lettered' | 'gone'> {
    return this.exclusive(async () => {
      this.assertWritable();
      const state = this.lanes.get(lane);
      if (!state || seq <= state.ackedSeq) return 'gone';
      const key = recordKey(lane, seq);
      const value = await this.db.get(key, ENC);
      if (!value) return 'gone';
      const count = (this.rejections.get(`${lane}:${seq}`) ?? 0) + 1;
      this.rejections.set(`${lane}:${seq}`, count);
      if (count < (this.options.maxRejections ?? 5)) {
        state.retry.add(seq);
        return 'retry';
      }
      this.rejections.delete(`${lane}:${seq}`);
      const edgeTimeMs = plausibleTime(peekTimes(value)?.edgeTimeMs);
      const ops: BatchOp[] = [
        { type: 'put', key: deadLetterKey(lane, seq), value: encodeDeadLetter({ lane, seq, code, reason, rejections: count, deadLetteredAtMs: this.wallNow(), edgeTimeMs }, value) },
        { type: 'del', key },
      ];
      state.count--;
      state.bytes -= key.length + value.length;
      state.dropped.dead_letter++;
      state.retry.delete(seq);
      this.drops.add([{ lane, firstSeq: seq, lastSeq: seq, reason: 'dead_letter', firstEdgeTimeMs: edgeTimeMs, lastEdgeTimeMs: edgeTimeMs }], ops);
      ops.push(this.metaOp(state));
      await this.write(ops);
      this.deadLetterCount++;
      this.options.metrics?.outboxDropped.inc({ lane, reason: 'dead_letter' });
      this.log.warn({ lane, seq, code, reason, rejections: count }, 'record dead-lettered after repeated rejection');
      await this.refreshHead(lane);
      this.publishGauges();
      return 'dead_lettered';
    });
  }

  // ---- TTL -----------------------------------------------------------------------------------

  /**
   * Drops records older than their lane's TTL on the agent clock. Records in flight are left to
   * their ack (their fate is not ours to count yet). Returns how many were dropped.
   */
  sweepExpired(maxPerLane = 10_000): Promise<number> {
    return this.exclusive(async () => {
      this.assertWritable();
      const now = this.options.agentNow();
      const ops: BatchOp[] = [];
      const expired: { lane: LaneName; seq: number; edgeTimeMs: number }[] = [];
      for (const lane of LANES) {
        const state = this.lanes.get(lane)!;
        const ttl = this.options.ttlMs[lane];
        if (!this.mayHoldFrom(state, state.scanFrom)) continue;
        for await (const [key, value] of this.db.iterator({ gte: recordKey(lane, state.scanFrom), lt: laneRange(lane).lt, limit: maxPerLane, ...ENC })) {
          const seq = seqFromRecordKey(key);
          const times = peekTimes(value);
          if (!times || this.isInFlight(state, seq)) continue; // corrupt ones are dropped when read
          if (now - times.agentMs <= ttl) break;
          ops.push({ type: 'del', key });
          state.count--;
          state.bytes -= key.length + value.length;
          state.dropped.ttl++;
          state.retry.delete(seq);
          expired.push({ lane, seq, edgeTimeMs: plausibleTime(times.edgeTimeMs) });
        }
      }
      if (expired.length === 0) return 0;
      this.drops.add(toRanges(expired).map((r) => ({ ...r, reason: 'ttl' as const })), ops);
      for (const lane of new Set(expired.map((e) => e.lane))) ops.push(this.metaOp(this.lanes.get(lane)!));
      await this.write(ops);
      for (const e of expired) this.options.metrics?.outboxDropped.inc({ lane: e.lane, reason: 'ttl' });
      for (const lane of new Set(expired.map((e) => e.lane))) await this.refreshHead(lane);
      this.publishGauges();
      this.log.warn({ expired: expired.length }, 'records expired before delivery (TTL)');
      return expired.length;
    });
  }

  // ---- drop reports --------------------------------------------------------------------------

  /**
   * Drop reports the coordinator has not yet acknowledged past (resent after every reconnect).
   * Handing them out seals them: a report the coordinator may have seen never changes.
   */
  pendingDropReports(): DropReportOut[] {
    return this.drops.handOut();
  }

  // ---- dead letters --------------------------------------------------------------------------

  async listDeadLetters(): Promise<DeadLetter[]> {
    const out: DeadLetter[] = [];
    for await (const [key, value] of this.db.iterator({ ...DEAD_LETTER_RANGE, ...ENC })) {
      const letter = describeDeadLetter(value);
      if (letter) out.push(letter);
      else this.rateLimited.warn('bad-letter', { key }, 'unreadable dead letter entry skipped');
    }
    return out;
  }

  /**
   * Puts a dead letter back in its lane as a new record (new seq, original edge time). The new
   * record and the letter's removal are one atomic write: a crash never leaves both.
   */
  async resendDeadLetter(lane: LaneName, seq: number): Promise<AppendResult> {
    const key = deadLetterKey(lane, seq);
    if (this.resending.has(key)) throw new IocError('CONFLICT', `dead letter ${lane}/${seq} is being resent`);
    this.resending.add(key);
    try {
      const raw = await this.db.get(key, ENC);
      if (!raw) throw new NotFoundError(`dead letter ${lane}/${seq}`);
      const input = deadLetterInput(raw);
      if (!input) throw new ValidationError(`dead letter ${lane}/${seq} is corrupt and cannot be resent`);
      const result = await this.enqueue(input, [{ type: 'del', key }]);
      this.deadLetterCount = Math.max(0, this.deadLetterCount - 1);
      return result;
    } finally {
      this.resending.delete(key);
    }
  }

  // ---- stats ---------------------------------------------------------------------------------

  stats(): OutboxStats {
    const agentNow = this.options.agentNow();
    const lanes: LaneStatsOut[] = LANES.map((lane) => {
      const s = this.lanes.get(lane)!;
      return {
        lane, records: s.count, bytes: s.bytes, nextSeq: s.nextSeq, ackedSeq: s.ackedSeq,
        oldestAgeMs: s.head ? Math.max(0, agentNow - s.head.agentMs) : 0,
        dropped: { ...s.dropped },
        inFlight: Math.max(0, Math.min(s.sentHighSeq, s.nextSeq - 1) - s.ackedSeq),
        completeBeforeMs: this.completeBefore(s),
      };
    });
    return {
      lanes,
      records: lanes.reduce((n, l) => n + l.records, 0),
      bytes: lanes.reduce((n, l) => n + l.bytes, 0),
      oldestAgeMs: Math.max(0, ...lanes.map((l) => l.oldestAgeMs)),
      budgetBytes: this.options.diskBudgetBytes,
      effectiveBudgetBytes: this.budgetBytes(),
      deadLetters: this.deadLetterCount,
      pendingDropReports: this.drops.size,
      stalled: this.database.stalled !== undefined,
      writeErrors: this.database.writeErrors,
    };
  }

  /**
   * The earliest edge time still unsettled in the lane: records in the outbox, appends not yet
   * durable, and drop ranges the coordinator has not acknowledged (unknown time: 0).
   */
  private completeBefore(s: LaneState): number {
    const now = this.wallNow();
    let t = now - (this.options.productionLagMs ?? 5_000);
    const stored = s.edgeTimes.min();
    if (stored !== undefined) t = Math.min(t, stored);
    for (const p of [...this.pending, ...this.writing]) {
      if (this.kindLanes[p.input.kind] === s.lane) t = Math.min(t, p.input.edgeTimeMs ?? now);
    }
    const dropped = this.drops.earliestEdgeTime(s.lane);
    if (dropped !== undefined) t = Math.min(t, dropped);
    return Math.max(0, t);
  }

  /** For the heartbeat's component list: down while writes are refused, degraded while the disk sets the budget. */
  health(): { name: string; state: 'ok' | 'degraded' | 'down'; detail: string; restarts: number; lastSeenMs: number } {
    const budget = this.budgetBytes();
    if (this.database.stalled) return { name: 'outbox', state: 'down', detail: `cannot write: ${this.database.stalled}`, restarts: this.database.writeErrors, lastSeenMs: 0 };
    if (budget < this.options.diskBudgetBytes) return { name: 'outbox', state: 'degraded', detail: `disk short of space: budget ${budget} of ${this.options.diskBudgetBytes} bytes`, restarts: this.database.writeErrors, lastSeenMs: this.wallNow() };
    return { name: 'outbox', state: 'ok', detail: `${this.totalBytes()} of ${budget} bytes`, restarts: this.database.writeErrors, lastSeenMs: this.wallNow() };
  }

  /** The reason writes are refused (disk full, I/O error) until the database reopens; undefined when fine. */
  get stalled(): string | undefined {
    return this.database.stalled;
  }

  /** True when `lane` (default: any) may hold records not yet handed out on this connection. */
  hasUnsent(lane?: LaneName): boolean {
    for (const s of this.lanes.values()) {
      if (lane && s.lane !== lane) continue;
      if (s.retry.size > 0 || s.nextSeq - 1 > s.sentSeq) return true;
    }
    return false;
  }

  private totalBytes(): number {
    let n = 0;
    for (const s of this.lanes.values()) n += s.bytes;
    return n;
  }

  private async refreshHead(lane: LaneName): Promise<void> {
    const state = this.lanes.get(lane)!;
    const [entry] = this.mayHoldFrom(state, state.scanFrom)
      ? await this.db.iterator({ gte: recordKey(lane, state.scanFrom), lt: laneRange(lane).lt, limit: 1, ...ENC }).all()
      : [];
    const times = entry ? peekTimes(entry[1]) : undefined;
    state.head = entry && times ? { seq: seqFromRecordKey(entry[0]), ...times } : null;
    if (entry) {
      state.scanFrom = seqFromRecordKey(entry[0]);
      state.edgeTimes.pruneBelow(state.scanFrom);
    } else {
      state.scanFrom = state.nextSeq;
      state.edgeTimes.clear();
    }
  }

  private publishGauges(): void {
    const m = this.options.metrics;
    if (!m) return;
    const agentNow = this.options.agentNow();
    for (const s of this.lanes.values()) {
      m.outboxRecords.set({ lane: s.lane }, s.count);
      m.outboxBytes.set({ lane: s.lane }, s.bytes);
      m.outboxOldestAge.set({ lane: s.lane }, s.head ? (agentNow - s.head.agentMs) / 1000 : 0);
    }
    this.extraMetrics?.budgetBytes.set(this.budgetBytes());
  }

  // ---- plumbing ------------------------------------------------------------------------------

  private metaOp(state: LaneState): BatchOp {
    const meta: LaneMeta = {
      nextSeq: state.nextSeq, ackedSeq: state.ackedSeq, sentHighSeq: state.sentHighSeq, count: state.count, bytes: state.bytes, dropped: state.dropped,
    };
    return { type: 'put', key: metaKey(state.lane), value: te.encode(JSON.stringify(meta)) };
  }

  /** Waits for pending appends, marks a clean shutdown and closes the database. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    while (this.pending.length > 0 || this.flushScheduled) {
      await this.exclusive(() => this.flushPending());
      await new Promise((r) => setImmediate(r));
    }
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
    await this.guard.refresh(this.totalBytes());
    this.extraMetrics?.recovered.inc({ what: 'reopened' });
    this.countRecovery(report);
    this.log.warn({ recovery: report }, 'outbox reopened after a write failure; writes accepted again');
    for (const listener of this.durableListeners) listener();
  }

  private get db(): Db {
    return this.database.db;
  }

  private write(ops: BatchOp[], sync = true): Promise<void> {
    return this.database.write(ops, sync);
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return this.database.exclusive(fn);
  }

  private assertWritable(): void {
    this.database.assertWritable();
  }
}

export type { DropReason };
