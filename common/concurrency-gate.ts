// A bound on work in flight: `max` at once, `queue` more waiting for a slot, the rest refused at
// once (the caller answers 503 + Retry-After) — so a burst costs bounded memory and CPU, never
// an unbounded pile of pending queries or image decodes.
export interface ConcurrencyLimit {
  max: number;
  queue: number;
}

export class ConcurrencyGate {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: ConcurrencyLimit) {}

  /** A release function once a slot is held; undefined when slots and queue are full. */
  async enter(): Promise<(() => void) | undefined> {
    if (this.active < this.limit.max) {
      this.active++;
      return this.releaser();
    }
    if (this.waiting.length >= this.limit.queue) return undefined;
    // The releasing holder hands its slot straight to the next waiter: `active` stays counted.
    await new Promise<void>((resolve) => this.waiting.push(resolve));
    return this.releaser();
  }

  get inFlight(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiting.length;
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    };
  }
}
