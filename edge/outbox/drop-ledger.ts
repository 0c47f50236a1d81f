// Drop accounting, in one place. Every way a record leaves undelivered — disk budget, TTL, dead
// letter, corruption found on read or at start-up, a range the coordinator lost — goes through
// `stage`: the lane counters, the record deletions, the drop report and the lane meta join the
// caller's batch, and the metrics count once that batch is durable.
import type { LaneName } from '../../common/lanes.js';
import type { EdgeMetrics } from '../metrics.js';
import { recordKey } from './keys.js';
import { DropReportBook } from './drop-reports.js';
import type { BatchOp } from './database.js';
import type { Lanes } from './lanes.js';
import type { DropReason, DropRangeOut } from './types.js';

/** A dropped seq range; its reason is given to `stage`. */
export type DropRange = Omit<DropRangeOut, 'reason'>;

/** A record still on disk that the drop removes (its key is deleted, its bytes leave the lane). */
export interface StoredVictim {
  lane: LaneName;
  seq: number;
  /** Key plus value bytes, as the lane's `bytes` counted them. */
  size: number;
}

export interface StagedDrop {
  /** Lanes whose meta the batch now carries. */
  lanes: ReadonlySet<LaneName>;
  /** The batch failed: forget the drop report (the caller restores the lane counters). */
  undo(): void;
  /** The batch is durable: count the drops in the metrics. */
  counted(): void;
}

export class DropLedger {
  /** Reports the coordinator has not yet acknowledged past. */
  readonly reports = new DropReportBook();

  constructor(
    private readonly lanes: Lanes,
    private readonly metrics: EdgeMetrics | undefined,
  ) {}

  /**
   * Accounts for the records in `ranges` as dropped for `reason`, adding to `ops` the deletion
   * of those of them still stored (`removed`), the drop report and each touched lane's meta.
   */
  stage(reason: DropReason, ranges: readonly DropRange[], removed: readonly StoredVictim[], ops: BatchOp[]): StagedDrop {
    const touched = new Set<LaneName>();
    for (const v of removed) {
      const state = this.lanes.get(v.lane);
      ops.push({ type: 'del', key: recordKey(v.lane, v.seq) });
      state.count--;
      state.bytes -= v.size;
      state.retry.delete(v.seq);
    }
    const perLane = new Map<LaneName, number>();
    for (const r of ranges) {
      const n = r.lastSeq - r.firstSeq + 1;
      this.lanes.get(r.lane).dropped[reason] += n;
      perLane.set(r.lane, (perLane.get(r.lane) ?? 0) + n);
      touched.add(r.lane);
    }
    for (const v of removed) touched.add(v.lane);
    const undo =
      ranges.length > 0
        ? this.reports.add(
            ranges.map((r) => ({ ...r, reason })),
            ops,
          )
        : () => undefined;
    for (const lane of touched) ops.push(this.lanes.metaOp(this.lanes.get(lane)));
    return {
      lanes: touched,
      undo,
      counted: () => {
        for (const [lane, n] of perLane) this.metrics?.outboxDropped.inc({ lane, reason }, n);
      },
    };
  }
}
