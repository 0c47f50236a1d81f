// Disk budget: which stored records to evict when a new batch does not fit. Deterministic:
// the lowest lane first (thumbnails, then telemetry, then events), oldest first within a lane,
// alarms last of all. Records already handed to the uplink and not yet settled by an ack are
// never evicted: the coordinator may hold them, and a record both delivered and counted as
// dropped would make the edge's and the coordinator's counts disagree. They are about to leave
// anyway, so their bytes count towards what must be freed.
import { EVICTION_ORDER, type LaneName } from '../../common/lanes.js';

export interface EvictionCandidate {
  lane: LaneName;
  seq: number;
  size: number;
  edgeTimeMs: number;
  /** True for a record of the batch being written (not yet on disk). */
  incoming: boolean;
  /** Sent and not yet settled: freed by its ack, not by eviction. */
  inFlight?: boolean;
}

/**
 * Chooses victims until `excessBytes` are freed. `storedOldestFirst(lane)` yields the stored
 * records of a lane oldest first; incoming records of a lane are newer than its stored ones.
 */
export async function planEviction(
  excessBytes: number,
  storedOldestFirst: (lane: LaneName) => AsyncIterable<EvictionCandidate>,
  incoming: readonly EvictionCandidate[],
): Promise<EvictionCandidate[]> {
  const victims: EvictionCandidate[] = [];
  let freed = 0;
  for (const lane of EVICTION_ORDER) {
    if (freed >= excessBytes) break;
    for await (const candidate of storedOldestFirst(lane)) {
      if (!candidate.inFlight) victims.push(candidate);
      freed += candidate.size;
      if (freed >= excessBytes) return victims;
    }
    for (const candidate of incoming) {
      if (candidate.lane !== lane) continue;
      victims.push(candidate);
      freed += candidate.size;
      if (freed >= excessBytes) return victims;
    }
  }
  return victims;
}

/** Groups (lane, seq) victims into inclusive consecutive ranges per lane. */
export function toRanges<T extends { lane: LaneName; seq: number; edgeTimeMs: number }>(
  items: readonly T[],
): { lane: LaneName; firstSeq: number; lastSeq: number; firstEdgeTimeMs: number; lastEdgeTimeMs: number; minEdgeTimeMs: number }[] {
  const sorted = [...items].sort((a, b) => (a.lane === b.lane ? a.seq - b.seq : a.lane < b.lane ? -1 : 1));
  const ranges: ReturnType<typeof toRanges> = [];
  for (const item of sorted) {
    const last = ranges.at(-1);
    if (last && last.lane === item.lane && last.lastSeq + 1 === item.seq) {
      last.lastSeq = item.seq;
      last.lastEdgeTimeMs = item.edgeTimeMs;
      last.minEdgeTimeMs = Math.min(last.minEdgeTimeMs, item.edgeTimeMs);
    } else {
      ranges.push({
        lane: item.lane,
        firstSeq: item.seq,
        lastSeq: item.seq,
        firstEdgeTimeMs: item.edgeTimeMs,
        lastEdgeTimeMs: item.edgeTimeMs,
        minEdgeTimeMs: item.edgeTimeMs,
      });
    }
  }
  return ranges;
}

/** The earliest edge time in a drop range (ranges written before minEdgeTimeMs: its ends). */
export function rangeMinEdgeTime(r: { firstEdgeTimeMs: number; lastEdgeTimeMs: number; minEdgeTimeMs?: number }): number {
  return r.minEdgeTimeMs ?? Math.min(r.firstEdgeTimeMs, r.lastEdgeTimeMs);
}

/**
 * Adds `range` to `ranges`, extending a neighbour of the same lane and reason instead when it
 * continues one: a day of evictions behind a cut link becomes one range, not one per write.
 */
export function mergeRange<
  R extends { lane: LaneName; reason: string; firstSeq: number; lastSeq: number; firstEdgeTimeMs: number; lastEdgeTimeMs: number; minEdgeTimeMs?: number },
>(ranges: R[], range: R): void {
  const min = (a: R, b: R) => Math.min(rangeMinEdgeTime(a), rangeMinEdgeTime(b));
  for (const r of ranges) {
    if (r.lane !== range.lane || r.reason !== range.reason) continue;
    if (r.lastSeq + 1 === range.firstSeq) {
      r.minEdgeTimeMs = min(r, range);
      r.lastSeq = range.lastSeq;
      r.lastEdgeTimeMs = range.lastEdgeTimeMs;
      return;
    }
    if (range.lastSeq + 1 === r.firstSeq) {
      r.minEdgeTimeMs = min(r, range);
      r.firstSeq = range.firstSeq;
      r.firstEdgeTimeMs = range.firstEdgeTimeMs;
      return;
    }
  }
  ranges.push({ ...range });
}
