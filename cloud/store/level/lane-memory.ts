// What ingest needs to know about a lane to deduplicate and acknowledge, kept in memory once
// read from the store: the contiguous seq, the stored count and the stored seqs above the
// contiguous one (a handful: the edge fills holes by resending). Reading the seen marks back for
// every batch was a fifth of the ingest time. Only the level store's ingest (one process, under
// the device's lock) writes these keys, so memory and disk never disagree; memory changes only
// after the write that records the same change succeeded.
import type { ClassicLevel } from 'classic-level';
import type { LaneName } from '../../../common/lanes.js';
import type { DropRangeRow } from '../contract/types.js';
import * as K from './keys.js';
import { encodeJson as json, decodeJson as parse, type LevelOp as Op } from './codec.js';

export interface LaneMeta {
  contiguousSeq: number;
  storedRecords: number;
}

export interface LaneMemory extends LaneMeta {
  /** Stored seqs above contiguousSeq. */
  readonly above: Set<number>;
}

/** One lane's state after a write, before it is applied. */
export interface LaneStep {
  lane: LaneName;
  memory: LaneMemory;
  contiguousSeq: number;
  fresh: ReadonlySet<number>;
}

export class LaneMemories {
  private readonly lanes = new Map<string, LaneMemory>();

  constructor(private readonly db: ClassicLevel<string, Uint8Array>) {}

  async get(deviceId: string, lane: LaneName): Promise<LaneMemory> {
    const key = K.lane(deviceId, lane);
    const known = this.lanes.get(key);
    if (known) return known;
    const meta = parse<LaneMeta>(await this.db.get(key)) ?? { contiguousSeq: 0, storedRecords: 0 };
    const above = new Set((await this.db.keys({ gt: K.seen(deviceId, lane, meta.contiguousSeq), lt: K.seenEnd(deviceId, lane) }).all()).map(K.seqOf));
    const memory = { contiguousSeq: meta.contiguousSeq, storedRecords: meta.storedRecords, above };
    this.lanes.set(key, memory);
    return memory;
  }

  clear(): void {
    this.lanes.clear();
  }
}

/** Whether a reported drop range holds the seq (a seq dropped then sent after all is new). */
export const inDropRange = (ranges: readonly DropRangeRow[], lane: LaneName, seq: number): boolean =>
  ranges.some((r) => r.lane === lane && r.firstSeq <= seq && seq <= r.lastSeq);

/** Moves the contiguous seq over stored seqs, the write's fresh ones and reported drop ranges. */
export function nextContiguous(memory: LaneMemory, lane: LaneName, fresh: ReadonlySet<number>, drops: readonly DropRangeRow[]): number {
  const ranges = drops.filter((d) => d.lane === lane);
  let c = memory.contiguousSeq;
  for (;;) {
    const range = ranges.find((r) => r.firstSeq <= c + 1 && r.lastSeq > c);
    if (range) c = range.lastSeq;
    else if (fresh.has(c + 1) || memory.above.has(c + 1)) c++;
    else return c;
  }
}

/** The lane meta row the step writes (in the same batch as the records). */
export function laneMetaOp(deviceId: string, step: LaneStep): Op {
  const meta: LaneMeta = { contiguousSeq: step.contiguousSeq, storedRecords: step.memory.storedRecords + step.fresh.size };
  return { type: 'put', key: K.lane(deviceId, step.lane), value: json(meta) };
}

/** Applies a step once its write is durable. */
export function applyStep(step: LaneStep): void {
  const { memory, contiguousSeq } = step;
  const { above } = memory;
  // A drop range can move the seq by millions: walk whichever is shorter.
  if (contiguousSeq - memory.contiguousSeq > above.size) {
    for (const seq of above) if (seq <= contiguousSeq) above.delete(seq);
  } else {
    for (let seq = memory.contiguousSeq + 1; seq <= contiguousSeq; seq++) above.delete(seq);
  }
  for (const seq of step.fresh) if (seq > contiguousSeq) above.add(seq);
  memory.contiguousSeq = contiguousSeq;
  memory.storedRecords += step.fresh.size;
}
