// Wind in trees, rain and moving shadows keep motion on all day, and every such frame sent to the
// shared detector is one a busy camera does not get. After a few detections in a row find nothing,
// the camera waits longer and longer (up to a cap) before it detects on motion alone again;
// anything found, or a track still open, puts it straight back to detecting on every motion frame.

export interface EmptyDetectionBackoffOptions {
  /** Empty detections in a row before the camera starts waiting. */
  afterEmpty: number;
  /** The first wait; each further empty detection doubles it. */
  initialMs: number;
  /** The longest wait; 0 turns the backoff off. */
  maxMs: number;
}

export class EmptyDetectionBackoff {
  private empties = 0;
  private waitMs = 0;
  private untilMs = 0;

  constructor(private readonly options: EmptyDetectionBackoffOptions) {}

  /** Whether a frame with motion only (no open track) at `nowMs` goes to the detector. */
  allows(nowMs: number): boolean {
    return nowMs >= this.untilMs;
  }

  /** In a run of empty detections: what the camera sends the detector can wait for busier ones. */
  get idle(): boolean {
    return this.empties >= this.options.afterEmpty;
  }

  /** The current wait after an empty detection (0 while detecting on every motion frame). */
  get currentWaitMs(): number {
    return this.waitMs;
  }

  /** After each detection of the frame taken at `frameMs`: did it find anything worth following? */
  record(found: boolean, frameMs: number): void {
    if (found || this.options.maxMs <= 0) {
      this.empties = 0;
      this.waitMs = 0;
      this.untilMs = 0;
      return;
    }
    this.empties++;
    if (this.empties < this.options.afterEmpty) return;
    this.waitMs = Math.min(this.options.maxMs, this.waitMs === 0 ? this.options.initialMs : this.waitMs * 2);
    this.untilMs = frameMs + this.waitMs;
  }

  reset(): void {
    this.record(true, 0);
  }
}
