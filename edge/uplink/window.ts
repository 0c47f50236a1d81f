// How many bytes of records may be in flight (sent, not yet acknowledged). Ack-clocked like a
// congestion window: it grows while acks come back fast and is bounded by about two seconds of
// measured throughput, so a slow link never holds a deep queue that an alarm would wait behind.

export class InflightWindow {
  private throughputBps = 0; // EWMA of acknowledged bytes per second
  private windowBytes: number;

  constructor(
    private readonly minBytes = 8 * 1024,
    private readonly maxBytes = 4 * 1024 * 1024,
    private readonly targetQueueMs = 2000,
  ) {
    this.windowBytes = minBytes * 2;
  }

  get bytes(): number {
    return this.windowBytes;
  }

  get measuredBytesPerSecond(): number {
    return this.throughputBps;
  }

  /** One batch of `bytes` was acknowledged `elapsedMs` after it was written. */
  onAck(bytes: number, elapsedMs: number, inflightAtSendBytes: number): void {
    // Delivery rate: everything in flight when this batch was sent has drained in elapsedMs.
    const rate = ((inflightAtSendBytes + bytes) * 1000) / Math.max(1, elapsedMs);
    this.throughputBps = this.throughputBps === 0 ? rate : 0.7 * this.throughputBps + 0.3 * rate;
    const target = (this.throughputBps * this.targetQueueMs) / 1000;
    this.windowBytes = clamp(target, this.minBytes, this.maxBytes);
  }

  reset(): void {
    this.windowBytes = this.minBytes * 2;
  }
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, v));
}
