// Draining: handing records to the uplink highest lane first, and settling them when the
// coordinator acknowledges (or, at the handshake, says what it holds).
import { LANES, type LaneName } from '../../common/lanes.js';
import { recordKey, laneRange, seqFromRecordKey } from './keys.js';
import { decodeStoredRecord, peekTimes } from './record-value.js';
import { plausibleTime } from './recovery.js';
import { toRanges } from './budget.js';
import { ENC, type BatchOp } from './database.js';
import { mayHoldFrom, type LaneState } from './lanes.js';
import type { DropRange } from './drop-ledger.js';
import type { OutboxContext } from './context.js';
import type { OutboundRecord } from './types.js';

interface CorruptRecord {
  lane: LaneName;
  seq: number;
  edgeTimeMs: number;
  size: number;
}

export class Drain {
  constructor(
    private readonly ctx: OutboxContext,
    /** Forgets refusals of records the coordinator now has (dead-letter bookkeeping). */
    private readonly forgetRejections: (lane: LaneName, upToSeq: number) => void,
  ) {}

  /**
   * Next records to send, highest lane first: retries, then records after what was already
   * handed out on this connection. Marks them in flight. Stops at the first record that does
   * not fit, so a lower lane never fills a batch ahead of a higher one.
   */
  async nextBatch(limits: { maxRecords: number; maxBytes: number; lanes?: readonly LaneName[] }): Promise<OutboundRecord[]> {
    const { ctx } = this;
    const db = ctx.database.db;
    const out: OutboundRecord[] = [];
    let bytes = 0;
    let stop = false;
    const corrupt: CorruptRecord[] = [];
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
      const state = ctx.lanes.get(lane);
      for (const seq of [...state.retry].sort((a, b) => a - b)) {
        if (full()) break;
        const key = recordKey(lane, seq);
        const value = await db.get(key, ENC);
        state.retry.delete(seq);
        if (value && !take(lane, key, value)) {
          state.retry.add(seq);
          break;
        }
      }
      if (full()) break;
      const from = Math.max(state.sentSeq + 1, state.scanFrom);
      if (!mayHoldFrom(state, from)) continue;
      const iterator = db.iterator({ gte: recordKey(lane, from), lt: laneRange(lane).lt, ...ENC });
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
    if (advanced.size > 0)
      await ctx.database.write(
        [...advanced].map((s) => ctx.lanes.metaOp(s)),
        false,
      );
    return out;
  }

  private async dropCorrupt(items: CorruptRecord[]): Promise<void> {
    const ops: BatchOp[] = [];
    const drop = this.ctx.ledger.stage('corrupt', toRanges(items), items, ops);
    this.ctx.log.error({ records: items.length }, 'corrupt outbox records skipped (checksum mismatch)');
    await this.ctx.database.write(ops);
    drop.counted();
    for (const lane of drop.lanes) await this.ctx.lanes.refreshHead(this.ctx.database.db, lane);
  }

  /** After a reconnect everything not acknowledged is sendable again. */
  rewind(): void {
    for (const state of this.ctx.lanes.all()) {
      state.sentSeq = state.ackedSeq;
      state.retry.clear();
    }
  }

  /** The coordinator has everything up to `seq` per lane (stored or reported dropped). */
  async acknowledge(acked: readonly { lane: LaneName; seq: number }[]): Promise<number> {
    const { ctx } = this;
    const ops: BatchOp[] = [];
    let removed = 0;
    let seqJumped = false;
    const touched: LaneName[] = [];
    for (const { lane, seq } of acked) {
      const state = ctx.lanes.find(lane);
      if (!state) continue;
      state.coordinatorSeq = Math.max(state.coordinatorSeq, seq);
      if (seq <= state.ackedSeq) continue;
      const from = Math.max(state.ackedSeq + 1, state.scanFrom);
      for await (const [key, value] of ctx.database.db.iterator({ gte: recordKey(lane, from), lte: recordKey(lane, seq), ...ENC })) {
        ops.push({ type: 'del', key });
        state.count--;
        state.bytes -= key.length + value.length;
        removed++;
        ctx.options.metrics?.uplinkRecords.inc({ lane });
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
      this.forgetRejections(lane, seq);
      ops.push(ctx.lanes.metaOp(state));
      touched.push(lane);
    }
    ctx.ledger.reports.settle((lane) => ctx.lanes.get(lane).coordinatorSeq, ops);
    // Losing an ack's deletes to a power cut only means resending (the coordinator drops the
    // duplicates), so no fsync — unless the sequence jumped, which must never be forgotten.
    if (ops.length > 0) await ctx.database.write(ops, seqJumped);
    for (const lane of touched) await ctx.lanes.refreshHead(ctx.database.db, lane);
    ctx.publishGauges();
    return removed;
  }

  /**
   * The handshake's half of reconcile: when the coordinator holds less than this outbox already
   * forgot (its store was restored from backup, or this outbox restarted above its reserved
   * floor), the forgotten range not already reported is reported as lost, so its "complete up
   * to" can move on.
   */
  async reportLost(coordinatorAcked: readonly { lane: LaneName; seq: number }[]): Promise<void> {
    const { ctx } = this;
    const lost: DropRange[] = [];
    for (const { lane, seq } of coordinatorAcked) {
      const state = ctx.lanes.find(lane);
      if (!state) continue;
      state.coordinatorSeq = seq;
      if (seq >= state.ackedSeq) continue;
      for (const gap of ctx.ledger.reports.uncovered(lane, seq + 1, state.ackedSeq)) {
        lost.push({ lane, firstSeq: gap.first, lastSeq: gap.last, firstEdgeTimeMs: 0, lastEdgeTimeMs: 0 });
      }
    }
    if (lost.length === 0) return;
    ctx.log.error({ lost }, 'coordinator holds less than it acknowledged before; reporting the gap as lost');
    const ops: BatchOp[] = [];
    const drop = ctx.ledger.stage('lost', lost, [], ops);
    await ctx.database.write(ops);
    drop.counted();
  }
}
