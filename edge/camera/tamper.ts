// Tamper and blackout: the picture turns uniform (lens covered, sprayed, camera blinded or
// dead sensor) or its structure no longer matches the scene (camera turned away), and stays so.
// Structure is compared by normalized cross-correlation, which shrugs off lights and the IR
// switch (a global change of gain and offset) that motion recalibrates for.

export interface TamperConfig {
  enabled: boolean;
  /** How long the condition must last before it is reported (and before it clears). */
  after_s: number;
}

export interface TamperState {
  active: boolean;
  /** True exactly on the check that turned tamper on or off. */
  changed: boolean;
  reason: string;
}

// Measured at 160×120: the vtest street and the tree clip have a luma standard deviation of
// ~50; a black or covered picture is near 0 even with sensor noise and compression.
const UNIFORM_STDDEV = 6;
// Measured: over the 25 s vtest clip, crowd and all, the correlation with its first frame stays
// 0.85–0.89; another view (the tree clip, or the street flipped) gives 0.11–0.23.
const MOVED_CORRELATION = 0.35;
const REFERENCE_REFRESH_MS = 10_000;
/** A turned camera that stays turned is the new normal after this long. */
const ADOPT_NEW_VIEW_MS = 120_000;

export class TamperDetector {
  private reference: Float32Array | undefined;
  private referenceAtMs = 0;
  private suspectSinceMs: number | undefined;
  private normalSinceMs: number | undefined;
  private activeSinceMs = 0;
  private state: TamperState = { active: false, changed: false, reason: '' };

  constructor(private readonly config: TamperConfig) {}

  get active(): boolean {
    return this.state.active;
  }

  check(gray: Uint8Array, monoMs: number): TamperState {
    if (!this.config.enabled) return this.state;
    const { mean, std } = stats(gray);
    const uniform = std < UNIFORM_STDDEV;
    const moved = !uniform && this.reference !== undefined && correlation(gray, mean, std, this.reference) < MOVED_CORRELATION;
    const suspect = uniform || moved;
    const holdMs = this.config.after_s * 1000;
    let changed = false;
    if (suspect) {
      this.normalSinceMs = undefined;
      this.suspectSinceMs ??= monoMs;
      if (!this.state.active && monoMs - this.suspectSinceMs >= holdMs) {
        this.state = {
          active: true,
          changed: true,
          reason: uniform
            ? `picture uniform (luma σ ${std.toFixed(1)}, mean ${mean.toFixed(0)})`
            : 'view no longer matches the scene (camera moved or covered)',
        };
        this.activeSinceMs = monoMs;
        return this.state;
      }
      if (this.state.active && moved && monoMs - this.activeSinceMs >= ADOPT_NEW_VIEW_MS) {
        this.adopt(gray, monoMs);
        this.state = { active: false, changed: true, reason: 'new view accepted as the scene' };
        return this.state;
      }
    } else {
      this.suspectSinceMs = undefined;
      this.normalSinceMs ??= monoMs;
      if (this.state.active && monoMs - this.normalSinceMs >= holdMs) {
        this.state = { active: false, changed: true, reason: 'picture back to normal' };
        changed = true;
      }
      if (!this.state.active && (!this.reference || monoMs - this.referenceAtMs >= REFERENCE_REFRESH_MS)) this.adopt(gray, monoMs);
    }
    this.state = { ...this.state, changed };
    return this.state;
  }

  /** After a reconnect the picture may legitimately differ: start from the next frames. */
  reset(): void {
    this.reference = undefined;
    this.suspectSinceMs = undefined;
  }

  private adopt(gray: Uint8Array, monoMs: number): void {
    this.reference = Float32Array.from(gray);
    this.referenceAtMs = monoMs;
  }
}

function stats(values: ArrayLike<number>): { mean: number; std: number } {
  let sum = 0;
  let sq = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    sum += v;
    sq += v * v;
  }
  const mean = sum / values.length;
  return { mean, std: Math.sqrt(Math.max(0, sq / values.length - mean * mean)) };
}

function correlation(gray: Uint8Array, mean: number, std: number, reference: Float32Array): number {
  const ref = stats(reference);
  if (ref.std < UNIFORM_STDDEV) return 1;
  let acc = 0;
  for (let i = 0; i < gray.length; i++) acc += (gray[i]! - mean) * (reference[i]! - ref.mean);
  return acc / (gray.length * std * ref.std);
}
