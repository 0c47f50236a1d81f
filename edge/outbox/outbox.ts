// The store-and-forward outbox: the edge's only queue. A record counts as produced once it is
// durable here (fsync'd LevelDB batch); it leaves only when the coordinator acknowledges it, or
// when the disk budget, its TTL or repeated rejection drops it — and every drop is counted and
// reported up so the coordinator can tell what it will never see.
import { ClassicLevel } from 'classic-level';
import { LANES, DEFAULT_KIND_LANES, laneToProto, type LaneName, type RecordKind } from '../../common/lanes.js';
import { encodeRecord, decodeRecord } from '../../common/proto.js';
import { StorageError, errorMessage } from '../../common/errors.js';
import { componentLogger, type Logger } from '../../common/log.js';
import type { EdgeMetrics } from '../metrics.js';
import { encodeStoredRecord, decodeStoredRecord, peekTimes } from './record-value.js';
import { recordKey, laneRange, seqFromRecordKey, metaKey, dropReportKey, deadLetterKey, DEAD_LETTER_RANGE, CLEAN_SHUTDOWN_KEY } from './keys.js';
import { planEviction, toRanges, type EvictionCandidate } from './budget.js';
import { openWithRecovery, emptyLaneMeta, type LaneMeta } from './recovery.js';
import type {
  AppendResult, DeadLetter, DropReason, DropRangeOut, DropReportOut, LaneStatsOut, OutboundRecord,
  OutboxInput, OutboxStats, RecordSink, RecoveryReport,
} from './types.js';

type Db = ClassicLevel<string, Uint8Array>;
type BatchOp = { type: 'put'; key: string; value: Uint8Array } | { type: 'del'; key: string };

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
}

interface LaneState extends LaneMeta {
  lane: LaneName;
  /** Highest seq handed to the uplink on this connection (in flight or acked). */
  sentSeq: number;
  retry: Set<number>;
  head: { seq: number; agentMs: number; edgeTimeMs: number } | null;
}

interface Pending {
  input: OutboxInput;
  resolve: (r: AppendResult) => void;
  reject: (e: unknown) => void;
}

const ENC = { keyEncoding: 'utf8', valueEncoding: 'view' } as const;
const te = new TextEncoder();
const td = new TextDecoder();

export class Outbox implements RecordSink {
  private readonly lanes = new Map<LaneName, LaneState>();
  private readonly dropReports = new Map<number, DropReportOut>();
  private readonly rejections = new Map<string, number>();
  private pending: Pending[] = [];
  private flushScheduled = false;
  private chain: Promise<unknown> = Promise.resolve();
  private nextDropReportId = 1;
  private deadLetterCount = 0;
  private closed = false;
  private readonly durableListeners = new Set<() => void>();
  private readonly kindLanes: Record<RecordKind, LaneName>;
  private readonly log: Logger;
  private readonly wallNow: () => number;

  private constructor(
    private readonly db: Db,
    private readonly options: OutboxOptions,
    readonly recovery: RecoveryReport,
  ) {
    this.kindLanes = { ...DEFAULT_KIND_LANES, ...options.kindLanes };
    this.log = options.logger ?? componentLogger('outbox');
    this.wallNow = options.wallNow ?? Date.now;
  }

  static async open(options: OutboxOptions): Promise<Outbox> {
    const log = options.logger ?? componentLogger('outbox');
    const { db, report, scan } = await openWithRecovery(options.dir, log);
    const outbox = new Outbox(db, options, report);
    await outbox.init(scan.metas, scan.dropReports, scan.corruptRanges, scan.deadLetters);
    return outbox;
  }

  private async init(
    metas: Map<LaneName, LaneMeta>,
    reports: DropReportOut[],
    corrupt: DropRangeOut[],
    deadLetters: number,
  ): Promise<void> {
    for (const lane of LANES) {
      const meta = metas.get(lane) ?? emptyLaneMeta();
      this.lanes.set(lane, { ...meta, lane, sentSeq: meta.ackedSeq, retry: new Set(), head: null });
    }
    for (const report of reports) {
      this.dropReports.set(report.id, report);
      this.nextDropReportId = Math.max(this.nextDropReportId, report.id + 1);
    }
    this.deadLetterCount = deadLetters;
    const ops: BatchOp[] = [{ type: 'del', key: CLEAN_SHUTDOWN_KEY }];
    if (corrupt.length > 0) this.addDropReport(corrupt, ops);
    for (const lane of this.lanes.values()) ops.push(this.metaOp(lane));
    await this.write(ops);
    for (const lane of LANES) await this.refreshHead(lane);
    this.publishGauges();
  }

  // ---- producing ---------------------------------------------------------------------------

  laneOf(kind: RecordKind): LaneName {
    return this.kindLanes[kind];
  }

  /** Resolves once the record is durable on disk (group commit with other concurrent appends). */
  append(input: OutboxInput): Promise<AppendResult> {
    if (this.closed) return Promise.reject(new StorageError('outbox is closed'));
    return new Promise((resolve, reject) => {
      this.pending.push({ input, resolve, reject });
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
      try {
        const results = await this.writeGroup(group);
        group.forEach((p, i) => p.resolve(results[i]!));
      } catch (err) {
        this.options.metrics?.outboxWriteErrors.inc();
        this.log.error({ err: errorMessage(err), records: group.length }, 'outbox write failed; producers will see the error');
        const failure = err instanceof StorageError ? err : new StorageError(`outbox write failed: ${errorMessage(err)}`, err);
        group.forEach((p) => p.reject(failure));
      }
    }
  }

  private async writeGroup(group: Pending[]): Promise<AppendResult[]> {
    const offset = this.options.clockOffset?.() ?? { offsetMs: 0, synced: false };
    const agentMs = this.options.agentNow();
    const seqBefore = new Map([...this.lanes].map(([lane, s]) => [lane, s.nextSeq]));
    const incoming: (EvictionCandidate & { key: string; value: Uint8Array })[] = [];
    const results: AppendResult[] = [];
    const tooLarge: (EvictionCandidate & { key: string })[] = [];
    for (const { input } of group) {
      const lane = this.laneOf(input.kind);
      const state = this.lanes.get(lane)!;
      const seq = state.nextSeq++;
      const edgeTimeMs = input.edgeTimeMs ?? this.wallNow();
      const record = encodeRecord({
        lane: laneToProto(lane), seq, kind: input.kind, edge_time_ms: edgeTimeMs,
        clock_offset_ms: offset.offsetMs, clock_synced: offset.synced, ...input.body,
      });
      const key = recordKey(lane, seq);
      const value = encodeStoredRecord(agentMs, edgeTimeMs, record);
      const candidate = { lane, seq, size: key.length + value.length, edgeTimeMs, incoming: true, key, value };
      results.push({ lane, seq });
      if (candidate.size > this.options.diskBudgetBytes) tooLarge.push(candidate);
      else incoming.push(candidate);
    }

    const ops: BatchOp[] = [];
    const incomingBytes = incoming.reduce((n, c) => n + c.size, 0);
    const excess = this.totalBytes() + incomingBytes - this.options.diskBudgetBytes;
    const victims = excess > 0 ? await planEviction(excess, (lane) => this.storedOldestFirst(lane), incoming) : [];
    const evictedIncoming = new Set(victims.filter((v) => v.incoming).map((v) => `${v.lane}:${v.seq}`));
    for (const c of incoming) {
      if (evictedIncoming.has(`${c.lane}:${c.seq}`)) continue;
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
    for (const r of results) if (evictedIncoming.has(`${r.lane}:${r.seq}`) || tooLarge.some((t) => t.lane === r.lane && t.seq === r.seq)) r.dropped = 'budget';
    if (dropped.length > 0) {
      this.addDropReport(toRanges(dropped).map((r) => ({ ...r, reason: 'budget' as const })), ops);
      this.log.warn({ evicted: dropped.length, budgetBytes: this.options.diskBudgetBytes }, 'outbox disk budget full: evicted lowest-priority oldest records');
    }
    for (const lane of this.lanes.values()) if (lane.nextSeq !== seqBefore.get(lane.lane) || dropped.some((d) => d.lane === lane.lane)) ops.push(this.metaOp(lane));

    try {
      await this.write(ops);
    } catch (err) {
      await this.reloadAfterFailedWrite(seqBefore);
      throw err;
    }
    for (const c of incoming) if (!evictedIncoming.has(`${c.lane}:${c.seq}`)) this.options.metrics?.outboxAppended.inc({ lane: c.lane });
    for (const d of dropped) this.options.metrics?.outboxDropped.inc({ lane: d.lane, reason: 'budget' });
    const touched = new Set([...incoming.map((c) => c.lane), ...dropped.map((d) => d.lane)]);
    for (const lane of touched) await this.refreshHead(lane);
    this.publishGauges();
    for (const listener of this.durableListeners) listener();
    return results;
  }

  /** Calls `listener` after each group of records becomes durable (the uplink wakes on it). */
  onDurable(listener: () => void): () => void {
    this.durableListeners.add(listener);
    return () => this.durableListeners.delete(listener);
  }

  /** A failed batch wrote nothing: undo the in-memory counters and sequence numbers it took. */
  private async reloadAfterFailedWrite(seqBefore: Map<LaneName, number>): Promise<void> {
    for (const lane of LANES) {
      const state = this.lanes.get(lane)!;
      const raw = await this.db.get(metaKey(lane)).catch(() => undefined);
      const meta = raw ? (JSON.parse(td.decode(raw)) as LaneMeta) : emptyLaneMeta();
      Object.assign(state, meta, { nextSeq: seqBefore.get(lane)! });
    }
  }

  private async *storedOldestFirst(lane: LaneName): AsyncIterable<EvictionCandidate> {
    for await (const [key, value] of this.db.iterator({ ...laneRange(lane), ...ENC })) {
      yield { lane, seq: seqFromRecordKey(key), size: key.length + value.length, edgeTimeMs: peekTimes(value)?.edgeTimeMs ?? 0, incoming: false };
    }
  }

  // ---- sending -------------------------------------------------------------------------------

  /**
   * Next records to send, highest lane first: retries, then records after what was already
   * handed out on this connection. Marks them in flight.
   */
  nextBatch(limits: { maxRecords: number; maxBytes: number; lanes?: readonly LaneName[] }): Promise<OutboundRecord[]> {
    return this.exclusive(async () => {
      const out: OutboundRecord[] = [];
      let bytes = 0;
      const corrupt: { lane: LaneName; seq: number; edgeTimeMs: number; size: number }[] = [];
      const full = () => out.length >= limits.maxRecords || bytes >= limits.maxBytes;
      const take = (lane: LaneName, key: string, value: Uint8Array): boolean => {
        const seq = seqFromRecordKey(key);
        const stored = decodeStoredRecord(value);
        if (!stored) {
          corrupt.push({ lane, seq, edgeTimeMs: peekTimes(value)?.edgeTimeMs ?? 0, size: key.length + value.length });
          return true;
        }
        const size = stored.record.length;
        if (out.length > 0 && bytes + size > limits.maxBytes) return false;
        out.push({ lane, seq, record: stored.record, size, edgeTimeMs: stored.edgeTimeMs });
        bytes += size;
        return true;
      };
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
        const iterator = this.db.iterator({ gt: recordKey(lane, state.sentSeq), lt: laneRange(lane).lt, ...ENC });
        try {
          for await (const [key, value] of iterator) {
            if (full() || !take(lane, key, value)) break;
            state.sentSeq = seqFromRecordKey(key);
          }
        } finally {
          await iterator.close();
        }
      }
      if (corrupt.length > 0) await this.dropCorrupt(corrupt);
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
      this.options.metrics?.outboxDropped.inc({ lane: c.lane, reason: 'corrupt' });
    }
    this.addDropReport(toRanges(items).map((r) => ({ ...r, reason: 'corrupt' as const })), ops);
    for (const lane of new Set(items.map((c) => c.lane))) ops.push(this.metaOp(this.lanes.get(lane)!));
    this.log.error({ records: items.length }, 'corrupt outbox records skipped (checksum mismatch)');
    await this.write(ops);
  }

  /** After a reconnect everything not acknowledged is sendable again. */
  rewind(): void {
    for (const state of this.lanes.values()) {
      state.sentSeq = state.ackedSeq;
      state.retry.clear();
    }
  }

  /** The coordinator has everything up to `seq` per lane (stored or reported dropped). */
  acknowledge(acked: readonly { lane: LaneName; seq: number }[]): Promise<number> {
    return this.exclusive(async () => {
      const ops: BatchOp[] = [];
      let removed = 0;
      const touched: LaneName[] = [];
      for (const { lane, seq } of acked) {
        const state = this.lanes.get(lane);
        if (!state || seq <= state.ackedSeq) continue;
        for await (const [key, value] of this.db.iterator({ gt: recordKey(lane, state.ackedSeq), lte: recordKey(lane, seq), ...ENC })) {
          ops.push({ type: 'del', key });
          state.count--;
          state.bytes -= key.length + value.length;
          removed++;
          this.options.metrics?.uplinkRecords.inc({ lane });
        }
        state.ackedSeq = seq;
        // A coordinator that has seen more than this outbox holds (outbox wiped or restored):
        // never reuse its sequence numbers, or new records would be taken for duplicates.
        if (seq >= state.nextSeq) state.nextSeq = seq + 1;
        state.sentSeq = Math.max(state.sentSeq, seq);
        for (const s of state.retry) if (s <= seq) state.retry.delete(s);
        for (const k of this.rejections.keys()) if (k.startsWith(`${lane}:`) && Number(k.slice(lane.length + 1)) <= seq) this.rejections.delete(k);
        ops.push(this.metaOp(state));
        touched.push(lane);
      }
      for (const report of [...this.dropReports.values()]) {
        if (report.ranges.every((r) => r.lastSeq <= this.lanes.get(r.lane)!.ackedSeq)) {
          ops.push({ type: 'del', key: dropReportKey(report.id) });
          this.dropReports.delete(report.id);
        }
      }
      if (ops.length > 0) await this.write(ops);
      for (const lane of touched) await this.refreshHead(lane);
      this.publishGauges();
      return removed;
    });
  }

  /**
   * The coordinator answered the handshake with what it holds. Records it has are removed;
   * when it holds less than this outbox already forgot (its store was restored from backup),
   * the forgotten range is reported as lost so its "complete up to" can move on.
   */
  async reconcile(coordinatorAcked: readonly { lane: LaneName; seq: number }[]): Promise<void> {
    const lost: DropRangeOut[] = [];
    for (const { lane, seq } of coordinatorAcked) {
      const state = this.lanes.get(lane)!;
      if (seq < state.ackedSeq) {
        lost.push({ lane, firstSeq: seq + 1, lastSeq: state.ackedSeq, reason: 'lost', firstEdgeTimeMs: 0, lastEdgeTimeMs: 0 });
      }
    }
    if (lost.length > 0) {
      this.log.error({ lost }, 'coordinator holds less than it acknowledged before; reporting the gap as lost');
      await this.exclusive(async () => {
        const ops: BatchOp[] = [];
        this.addDropReport(lost, ops);
        await this.write(ops);
      });
    }
    await this.acknowledge(coordinatorAcked);
  }

  /** A record the coordinator refused: retried, then dead-lettered after maxRejections. */
  reject(lane: LaneName, seq: number, code: string, reason: string): Promise<'retry' | 'dead_lettered' | 'gone'> {
    return this.exclusive(async () => {
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
      const edgeTimeMs = peekTimes(value)?.edgeTimeMs ?? 0;
      const letter = { lane, seq, code, reason, rejections: count, deadLetteredAtMs: this.wallNow(), edgeTimeMs, value: Buffer.from(value).toString('base64') };
      const ops: BatchOp[] = [
        { type: 'put', key: deadLetterKey(lane, seq), value: te.encode(JSON.stringify(letter)) },
        { type: 'del', key },
      ];
      state.count--;
      state.bytes -= key.length + value.length;
      state.dropped.dead_letter++;
      this.addDropReport([{ lane, firstSeq: seq, lastSeq: seq, reason: 'dead_letter', firstEdgeTimeMs: edgeTimeMs, lastEdgeTimeMs: edgeTimeMs }], ops);
      ops.push(this.metaOp(state));
      await this.write(ops);
      this.deadLetterCount++;
      this.options.metrics?.outboxDropped.inc({ lane, reason: 'dead_letter' });
      this.log.warn({ lane, seq, code, reason, rejections: count }, 'record dead-lettered after repeated rejection');
      await this.refreshHead(lane);
      return 'dead_lettered';
    });
  }

  // ---- TTL -----------------------------------------------------------------------------------

  /** Drops records older than their lane's TTL on the agent clock. Returns how many. */
  sweepExpired(maxPerLane = 10_000): Promise<number> {
    return this.exclusive(async () => {
      const now = this.options.agentNow();
      const ops: BatchOp[] = [];
      const expired: { lane: LaneName; seq: number; edgeTimeMs: number }[] = [];
      for (const lane of LANES) {
        const state = this.lanes.get(lane)!;
        const ttl = this.options.ttlMs[lane];
        for await (const [key, value] of this.db.iterator({ ...laneRange(lane), limit: maxPerLane, ...ENC })) {
          const times = peekTimes(value);
          if (times && now - times.agentMs <= ttl) break;
          ops.push({ type: 'del', key });
          state.count--;
          state.bytes -= key.length + value.length;
          state.dropped.ttl++;
          expired.push({ lane, seq: seqFromRecordKey(key), edgeTimeMs: times?.edgeTimeMs ?? 0 });
        }
      }
      if (expired.length === 0) return 0;
      this.addDropReport(toRanges(expired).map((r) => ({ ...r, reason: 'ttl' as const })), ops);
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

  private addDropReport(ranges: DropRangeOut[], ops: BatchOp[]): void {
    const report: DropReportOut = { id: this.nextDropReportId++, ranges };
    this.dropReports.set(report.id, report);
    ops.push({ type: 'put', key: dropReportKey(report.id), value: te.encode(JSON.stringify(report)) });
  }

  /** Drop reports the coordinator has not yet counted (resent after every reconnect). */
  pendingDropReports(): DropReportOut[] {
    return [...this.dropReports.values()];
  }

  // ---- dead letters --------------------------------------------------------------------------

  async listDeadLetters(): Promise<DeadLetter[]> {
    const out: DeadLetter[] = [];
    for await (const [, value] of this.db.iterator({ ...DEAD_LETTER_RANGE, ...ENC })) {
      const letter = JSON.parse(td.decode(value)) as DeadLetter & { value: string };
      const stored = decodeStoredRecord(Buffer.from(letter.value, 'base64'));
      out.push({
        lane: letter.lane, seq: letter.seq, code: letter.code, reason: letter.reason, rejections: letter.rejections,
        deadLetteredAtMs: letter.deadLetteredAtMs, edgeTimeMs: letter.edgeTimeMs,
        kind: stored ? decodeRecord(stored.record).kind : 'corrupt', bytes: letter.value.length * 0.75,
      });
    }
    return out;
  }

  /** Puts a dead letter back in its lane as a new record (new seq, original edge time). */
  async resendDeadLetter(lane: LaneName, seq: number): Promise<AppendResult> {
    const key = deadLetterKey(lane, seq);
    const raw = await this.db.get(key, ENC);
    if (!raw) throw new StorageError(`no dead letter ${lane}/${seq}`);
    const letter = JSON.parse(td.decode(raw)) as { value: string };
    const stored = decodeStoredRecord(Buffer.from(letter.value, 'base64'));
    if (!stored) throw new StorageError(`dead letter ${lane}/${seq} is corrupt`);
    const record = decodeRecord(stored.record);
    const body = record.body ? { [record.body]: record[record.body] } : {};
    const result = await this.append({ kind: record.kind as RecordKind, body, edgeTimeMs: stored.edgeTimeMs });
    await this.exclusive(() => this.db.del(key));
    this.deadLetterCount = Math.max(0, this.deadLetterCount - 1);
    return result;
  }

  // ---- stats ---------------------------------------------------------------------------------

  stats(): OutboxStats {
    const agentNow = this.options.agentNow();
    const wallNow = this.wallNow();
    const lanes: LaneStatsOut[] = LANES.map((lane) => {
      const s = this.lanes.get(lane)!;
      return {
        lane, records: s.count, bytes: s.bytes, nextSeq: s.nextSeq, ackedSeq: s.ackedSeq,
        oldestAgeMs: s.head ? Math.max(0, agentNow - s.head.agentMs) : 0,
        dropped: { ...s.dropped },
        completeBeforeMs: s.head ? s.head.edgeTimeMs : wallNow,
      };
    });
    return {
      lanes,
      records: lanes.reduce((n, l) => n + l.records, 0),
      bytes: lanes.reduce((n, l) => n + l.bytes, 0),
      oldestAgeMs: Math.max(0, ...lanes.map((l) => l.oldestAgeMs)),
      budgetBytes: this.options.diskBudgetBytes,
      deadLetters: this.deadLetterCount,
      pendingDropReports: this.dropReports.size,
    };
  }

  hasUnsent(): boolean {
    for (const s of this.lanes.values()) if (s.retry.size > 0 || s.nextSeq - 1 > s.sentSeq) return true;
    return false;
  }

  private totalBytes(): number {
    let n = 0;
    for (const s of this.lanes.values()) n += s.bytes;
    return n;
  }

  private async refreshHead(lane: LaneName): Promise<void> {
    const state = this.lanes.get(lane)!;
    const [entry] = await this.db.iterator({ ...laneRange(lane), limit: 1, ...ENC }).all();
    const times = entry ? peekTimes(entry[1]) : undefined;
    state.head = entry && times ? { seq: seqFromRecordKey(entry[0]), ...times } : null;
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
  }

  // ---- plumbing ------------------------------------------------------------------------------

  private metaOp(state: LaneState): BatchOp {
    const meta: LaneMeta = { nextSeq: state.nextSeq, ackedSeq: state.ackedSeq, count: state.count, bytes: state.bytes, dropped: state.dropped };
    return { type: 'put', key: metaKey(state.lane), value: te.encode(JSON.stringify(meta)) };
  }

  private async write(ops: BatchOp[]): Promise<void> {
    if (ops.length === 0) return;
    try {
      await this.db.batch(ops, { sync: true, ...ENC });
    } catch (err) {
      throw new StorageError(`outbox write failed: ${errorMessage(err)}`, err);
    }
  }

  /** Serializes every state change: the in-memory counters mirror exactly what is on disk. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Waits for pending appends, marks a clean shutdown and closes the database. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    while (this.pending.length > 0 || this.flushScheduled) {
      await this.exclusive(() => this.flushPending());
      await new Promise((r) => setImmediate(r));
    }
    await this.exclusive(async () => {
      await this.db.put(CLEAN_SHUTDOWN_KEY, te.encode(String(this.wallNow())), { sync: true, ...ENC }).catch(() => undefined);
      await this.db.close();
    });
  }
}

export type { DropReason };
