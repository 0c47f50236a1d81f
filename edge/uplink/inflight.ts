// The batches of one Sync stream that are on the wire and not yet acknowledged, and their
// bytes: regular ones (bounded by the window) apart from those sent on the alarm reserve.
import type { LaneName } from '../../common/lanes.js';

export interface InflightBatch {
  bytes: number;
  sentMono: number;
  inflightAtSend: number;
  records: { lane: LaneName; seq: number }[];
  /** Sent on the alarm reserve, beyond the window and the pacer. */
  reserve: boolean;
}

export class InflightBatches {
  private readonly batches = new Map<number, InflightBatch>();
  private regular = 0;
  private reserve = 0;

  add(batchId: number, batch: InflightBatch): void {
    this.batches.set(batchId, batch);
    if (batch.reserve) this.reserve += batch.bytes;
    else this.regular += batch.bytes;
  }

  /** The acknowledged batch, no longer counted; undefined for an unknown (or repeated) ack. */
  take(batchId: number): InflightBatch | undefined {
    const batch = this.batches.get(batchId);
    if (!batch) return undefined;
    this.batches.delete(batchId);
    if (batch.reserve) this.reserve -= batch.bytes;
    else this.regular -= batch.bytes;
    return batch;
  }

  /** Batches in flight, reserve ones included. */
  get count(): number {
    return this.batches.size;
  }

  /** Batches in flight within the window. */
  get regularCount(): number {
    let n = 0;
    for (const b of this.batches.values()) if (!b.reserve) n++;
    return n;
  }

  get regularBytes(): number {
    return this.regular;
  }

  get reserveBytes(): number {
    return this.reserve;
  }

  get totalBytes(): number {
    return this.regular + this.reserve;
  }

  /** When the oldest unacknowledged batch went out (monotonic ms); Infinity when none is in flight. */
  oldestSentMono(): number {
    return Math.min(...[...this.batches.values()].map((b) => b.sentMono));
  }
}
