// Each lane's cursors and counters, in memory, mirroring what the lane meta on disk says.
import { LANES, type LaneName } from '../../common/lanes.js';
import { encodeJson } from '../../common/level-batch.js';
import { recordKey, laneRange, seqFromRecordKey, metaKey } from './keys.js';
import { peekTimes } from './record-value.js';
import { ENC, type BatchOp, type Db } from './database.js';
import type { EdgeTimeIndex } from './edge-time-index.js';
import type { LaneMeta, ScanResult } from './recovery.js';

/**
 * One lane. Its sequence-number cursors, lowest first:
 *
 *   scanFrom ≤ head.seq          every stored record has seq ≥ scanFrom (iterations start here,
 *                                past deletion markers); head is the oldest stored record
 *   ackedSeq ≤ coordinatorSeq?   the coordinator has everything ≤ ackedSeq (deleted here);
 *                                coordinatorSeq is its latest word, below ackedSeq if it lost data
 *   ackedSeq ≤ sentSeq           handed to the uplink on this connection (in flight or acked);
 *                                rewound to ackedSeq on every reconnect
 *   sentSeq ≤ sentHighSeq        handed out on any connection: (ackedSeq, sentHighSeq] may be at
 *                                the coordinator, so it is never evicted or expired
 *   … < nextSeq                  the seq the next append gets; nothing is stored at or after it
 *
 * Persisted in the lane meta (LaneMeta): nextSeq, ackedSeq, sentHighSeq, count, bytes, dropped.
 * The rest is rebuilt at open. `retry` holds sent seqs the coordinator refused, to send again.
 */
export interface LaneState extends LaneMeta {
  lane: LaneName;
  sentSeq: number;
  retry: Set<number>;
  head: { seq: number; agentMs: number; edgeTimeMs: number } | null;
  scanFrom: number;
  edgeTimes: EdgeTimeIndex;
  coordinatorSeq: number;
}

type Counters = Pick<LaneMeta, 'nextSeq' | 'count' | 'bytes' | 'dropped'>;

export class Lanes {
  private readonly map = new Map<LaneName, LaneState>();

  /** Rebuilds every lane from a start-up scan (at open and after a reopen). */
  load(scan: ScanResult): void {
    this.map.clear();
    for (const lane of LANES) {
      const { meta, headSeq, edgeTimes } = scan.lanes.get(lane)!;
      this.map.set(lane, {
        ...meta,
        lane,
        sentSeq: meta.ackedSeq,
        retry: new Set(),
        head: null,
        scanFrom: headSeq ?? meta.nextSeq,
        edgeTimes,
        coordinatorSeq: meta.ackedSeq,
      });
    }
  }

  get(lane: LaneName): LaneState {
    return this.map.get(lane)!;
  }

  /** Undefined for a name that is no lane (the coordinator's word is not trusted blindly). */
  find(lane: LaneName): LaneState | undefined {
    return this.map.get(lane);
  }

  all(): IterableIterator<LaneState> {
    return this.map.values();
  }

  totalBytes(): number {
    let n = 0;
    for (const s of this.map.values()) n += s.bytes;
    return n;
  }

  /** The lane meta as it stands now, as a write for the batch that changed it. */
  metaOp(state: LaneState): BatchOp {
    const meta: LaneMeta = {
      nextSeq: state.nextSeq,
      ackedSeq: state.ackedSeq,
      sentHighSeq: state.sentHighSeq,
      count: state.count,
      bytes: state.bytes,
      dropped: state.dropped,
    };
    return { type: 'put', key: metaKey(state.lane), value: encodeJson(meta) };
  }

  snapshot(): Map<LaneName, Counters> {
    return new Map([...this.map].map(([lane, s]) => [lane, { nextSeq: s.nextSeq, count: s.count, bytes: s.bytes, dropped: { ...s.dropped } }]));
  }

  /** A failed batch wrote nothing: undo the counters and sequence numbers it took. */
  restore(snapshot: Map<LaneName, Counters>): void {
    for (const [lane, saved] of snapshot) Object.assign(this.map.get(lane)!, saved);
  }

  /** True when `lane` (default: any) may hold records not yet handed out on this connection. */
  hasUnsent(lane?: LaneName): boolean {
    for (const s of this.map.values()) {
      if (lane && s.lane !== lane) continue;
      if (s.retry.size > 0 || s.nextSeq - 1 > s.sentSeq) return true;
    }
    return false;
  }

  /** Re-reads the lane's oldest stored record after records left it. */
  async refreshHead(db: Db, lane: LaneName): Promise<void> {
    const state = this.get(lane);
    const [entry] = mayHoldFrom(state, state.scanFrom)
      ? await db.iterator({ gte: recordKey(lane, state.scanFrom), lt: laneRange(lane).lt, limit: 1, ...ENC }).all()
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
}

/**
 * Whether the lane can hold a record at `seq` or after: sequence numbers are handed out from
 * nextSeq, so nothing lies beyond it. Checked before opening an iterator because LevelDB's
 * seek into an empty lane walks every deletion marker after it (the acked records of the
 * next lanes) until it finds a live key: ~5 ms per empty lane per batch behind a backlog.
 */
export function mayHoldFrom(state: LaneState, seq: number): boolean {
  return seq < state.nextSeq;
}

/** Handed to the uplink and not settled: the coordinator may hold it. */
export function isInFlight(state: LaneState, seq: number): boolean {
  return seq > state.ackedSeq && seq <= state.sentHighSeq;
}
