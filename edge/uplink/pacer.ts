// Bandwidth budget of the uplink: a token bucket at the configured rate for records (a slice
// of the rate is reserved for control traffic, which is never paced) and a daily byte budget
// after which only alarms go up.
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../../common/time.js';

export class TokenBucket {
  private tokens: number;
  private lastMs: number;

  /** `bytesPerSecond` 0 = unlimited. */
  constructor(
    private readonly bytesPerSecond: number,
    private readonly burstBytes: number,
    private readonly now: () => number,
  ) {
    this.tokens = burstBytes;
    this.lastMs = now();
  }

  get unlimited(): boolean {
    return this.bytesPerSecond <= 0;
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(this.burstBytes, this.tokens + ((t - this.lastMs) / 1000) * this.bytesPerSecond);
    this.lastMs = t;
  }

  /** Bytes that may be sent right now. */
  available(): number {
    if (this.unlimited) return Number.POSITIVE_INFINITY;
    this.refill();
    return Math.max(0, Math.floor(this.tokens));
  }

  /** Spends tokens (may go negative for a record larger than the burst: later sends wait). */
  take(bytes: number): void {
    if (this.unlimited) return;
    this.refill();
    this.tokens -= bytes;
  }

  /** Milliseconds until `bytes` tokens are available. */
  waitMs(bytes: number): number {
    if (this.unlimited) return 0;
    this.refill();
    const missing = Math.min(bytes, this.burstBytes) - this.tokens;
    return missing <= 0 ? 0 : Math.ceil((missing / this.bytesPerSecond) * 1000);
  }
}

/**
 * Bytes per UTC day; `limitBytes` 0 = unlimited. With a `file`, what was spent today survives a
 * restart (saved at most every few seconds): a box that reboots in a loop must not get a fresh
 * budget each time on a link paid by the byte.
 */
export class DailyBudget {
  private day = '';
  private used = 0;
  private dirty = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly limitBytes: number,
    private readonly wallNow: () => number = Date.now,
    private readonly file?: string,
    saveEveryMs = 5_000,
  ) {
    if (!file || limitBytes <= 0) return;
    this.load(file);
    this.timer = setInterval(() => this.save(), saveEveryMs);
    this.timer.unref();
  }

  private load(file: string): void {
    try {
      const saved = JSON.parse(readFileSync(file, 'utf8')) as { day?: unknown; usedBytes?: unknown };
      if (typeof saved.day === 'string' && typeof saved.usedBytes === 'number' && saved.usedBytes >= 0) {
        this.day = saved.day;
        this.used = saved.usedBytes;
      }
    } catch {
      // first start, or a torn file: start the day at zero
    }
  }

  /** Writes what was spent today if it changed. */
  save(): void {
    if (!this.file || !this.dirty) return;
    this.dirty = false;
    try {
      writeFileAtomic(this.file, JSON.stringify({ day: this.day, usedBytes: this.used }));
    } catch {
      this.dirty = true; // disk full: try again next time
    }
  }

  private roll(): void {
    const today = new Date(this.wallNow()).toISOString().slice(0, 10);
    if (today !== this.day) {
      this.day = today;
      this.used = 0;
      this.dirty = true;
    }
  }

  exhausted(): boolean {
    if (this.limitBytes <= 0) return false;
    this.roll();
    return this.used >= this.limitBytes;
  }

  spend(bytes: number): void {
    this.roll();
    this.used += bytes;
    this.dirty = true;
  }

  get usedBytes(): number {
    this.roll();
    return this.used;
  }

  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.save();
  }
}

export interface PacerSettings {
  rateKbps: number;
  dailyBudgetMb: number;
}

/** Share of the configured rate kept free for heartbeats, acks, config and commands. */
export function controlReserveBytesPerSecond(rateKbps: number): number {
  if (rateKbps <= 0) return 0;
  return Math.min(250, (rateKbps * 1000) / 8 / 10); // ≤ 2 kbps, or 10 % of slow links
}
