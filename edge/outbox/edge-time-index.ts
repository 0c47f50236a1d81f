// The earliest edge time among a lane's records still in the outbox: what "complete before T"
// rests on. Edge times do not follow sequence order (a window record is stamped with its end,
// the wall clock steps after NTP, a resent dead letter keeps its original time), so the head
// record's time is not enough. Records are grouped by blocks of sequence numbers with the
// block's minimum; blocks the lane's head has passed are forgotten. A block's minimum may
// include records already gone, which only makes T earlier: conservative, never wrong.
const BLOCK_SEQS = 1024;

export class EdgeTimeIndex {
  private readonly blocks = new Map<number, number>();

  add(seq: number, edgeTimeMs: number): void {
    const block = Math.floor(seq / BLOCK_SEQS);
    const min = this.blocks.get(block);
    if (min === undefined || edgeTimeMs < min) this.blocks.set(block, edgeTimeMs);
  }

  /** Forgets blocks that hold only sequence numbers below `headSeq`. */
  pruneBelow(headSeq: number): void {
    const headBlock = Math.floor(headSeq / BLOCK_SEQS);
    for (const block of this.blocks.keys()) if (block < headBlock) this.blocks.delete(block);
  }

  clear(): void {
    this.blocks.clear();
  }

  /** Earliest edge time of the records indexed, or undefined when none are. */
  min(): number | undefined {
    let min: number | undefined;
    for (const v of this.blocks.values()) if (min === undefined || v < min) min = v;
    return min;
  }
}
