// Appending: producers queue records; each group of them gets sequence numbers, room under the
// disk budget and one fsync'd batch, and every producer of the group hears back once it is durable.
import { laneToProto, type LaneName } from '../../common/lanes.js';
import { encodeRecord } from '../../common/proto.js';
import { StorageError, ValidationError, errorMessage } from '../../common/errors.js';
import { encodeStoredRecord } from './record-value.js';
import { recordKey } from './keys.js';
import { toRanges, type EvictionCandidate } from './budget.js';
import { chooseVictims } from './eviction.js';
import type { BatchOp } from './database.js';
import type { SeqFloor } from './seq-floor.js';
import type { OutboxContext } from './context.js';
import type { AppendResult, OutboxInput } from './types.js';

interface Pending {
  input: OutboxInput;
  resolve: (r: AppendResult) => void;
  reject: (e: unknown) => void;
  /** Written in the same atomic batch as the record (a dead letter's removal on resend). */
  extraOps?: BatchOp[];
}

type Incoming = EvictionCandidate & { key: string; value: Uint8Array; pending: Pending };

export class GroupCommit {
  private pending: Pending[] = [];
  /** The group being written: its records are not durable yet but count for "complete before". */
  private writing: Pending[] = [];
  private flushScheduled = false;
  private closed = false;
  private readonly durableListeners = new Set<() => void>();

  constructor(
    private readonly ctx: OutboxContext,
    private readonly floor: SeqFloor,
  ) {}

  enqueue(input: OutboxInput, extraOps?: BatchOp[]): Promise<AppendResult> {
    if (this.closed) return Promise.reject(new StorageError('outbox is closed'));
    // Fail fast while the disk refuses writes: producers count it and go on.
    if (this.ctx.database.stalled) return Promise.reject(new StorageError(`outbox cannot write: ${this.ctx.database.stalled}`));
    return new Promise((resolve, reject) => {
      this.pending.push({ input, resolve, reject, extraOps });
      this.scheduleFlush();
    });
  }

  /** Calls `listener` after each group of records becomes durable (the uplink wakes on it). */
  onDurable(listener: () => void): () => void {
    this.durableListeners.add(listener);
    return () => this.durableListeners.delete(listener);
  }

  notifyDurable(): void {
    for (const listener of this.durableListeners) listener();
  }

  /** Edge times of the appends of `lane` not yet durable (now when the producer gave none). */
  unwrittenEdgeTimes(lane: LaneName, now: number): number[] {
    const out: number[] = [];
    for (const p of [...this.pending, ...this.writing]) {
      if (this.ctx.kindLanes[p.input.kind] === lane) out.push(p.input.edgeTimeMs ?? now);
    }
    return out;
  }

  /** Refuses new appends and writes those already queued. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.pending.length > 0 || this.flushScheduled) {
      await this.ctx.database.exclusive(() => this.flushPending());
      await new Promise((r) => setImmediate(r));
    }
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      void this.ctx.database.exclusive(() => this.flushPending());
    });
  }

  private async flushPending(): Promise<void> {
    const max = this.ctx.options.maxGroupCommit ?? 4096;
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
    const { ctx } = this;
    const { lanes } = ctx;
    const offset = ctx.options.clockOffset?.() ?? { offsetMs: 0, synced: false };
    const agentMs = ctx.options.agentNow();
    const budget = ctx.budgetBytes();
    const snapshot = lanes.snapshot();
    const incoming: Incoming[] = [];
    const tooLarge: Incoming[] = [];
    for (const p of group) {
      const lane = ctx.kindLanes[p.input.kind] as LaneName | undefined;
      if (!lane) {
        p.reject(new ValidationError(`unknown record kind "${String(p.input.kind)}"`));
        continue;
      }
      const state = lanes.get(lane);
      const edgeTimeMs = p.input.edgeTimeMs ?? ctx.wallNow();
      let record: Uint8Array;
      try {
        record = encodeRecord({
          lane: laneToProto(lane),
          seq: state.nextSeq,
          kind: p.input.kind,
          edge_time_ms: edgeTimeMs,
          clock_offset_ms: offset.offsetMs,
          clock_synced: offset.synced,
          ...p.input.body,
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
    const victims = await chooseVictims(ctx, incoming, budget);
    const evicted = new Set(victims.filter((v) => v.incoming).map((v) => `${v.lane}:${v.seq}`));
    const kept = incoming.filter((c) => !evicted.has(`${c.lane}:${c.seq}`));
    for (const c of kept) {
      ops.push({ type: 'put', key: c.key, value: c.value });
      const state = lanes.get(c.lane);
      state.count++;
      state.bytes += c.size;
    }
    const dropped = [...victims, ...tooLarge];
    const drop =
      dropped.length > 0
        ? ctx.ledger.stage(
            'budget',
            toRanges(dropped),
            victims.filter((v) => !v.incoming),
            ops,
          )
        : undefined;
    for (const lane of new Set(all.map((c) => c.lane))) {
      if (!drop?.lanes.has(lane)) ops.push(lanes.metaOp(lanes.get(lane)));
    }

    try {
      for (const lane of new Set(all.map((c) => c.lane))) this.floor.cover(lane, lanes.get(lane).nextSeq - 1);
      await ctx.database.write(ops);
    } catch (err) {
      lanes.restore(snapshot);
      drop?.undo();
      const failure = err instanceof StorageError ? err : new StorageError(`outbox write failed: ${errorMessage(err)}`, err);
      for (const c of all) c.pending.reject(failure);
      return;
    }
    if (drop) {
      drop.counted();
      ctx.rateLimited.warn('budget', { evicted: dropped.length, budgetBytes: budget }, 'outbox disk budget full: evicted lowest-priority oldest records');
    }
    for (const c of kept) {
      const state = lanes.get(c.lane);
      state.edgeTimes.add(c.seq, c.edgeTimeMs);
      // Appends only add behind the head: read it from disk only when evictions moved it.
      state.head ??= { seq: c.seq, agentMs, edgeTimeMs: c.edgeTimeMs };
      ctx.options.metrics?.outboxAppended.inc({ lane: c.lane });
    }
    for (const lane of new Set(victims.map((v) => v.lane))) await lanes.refreshHead(ctx.database.db, lane);
    ctx.publishGauges();
    const keptSet = new Set(kept);
    for (const c of all) c.pending.resolve(keptSet.has(c) ? { lane: c.lane, seq: c.seq } : { lane: c.lane, seq: c.seq, dropped: 'budget' });
    this.notifyDurable();
  }
}
