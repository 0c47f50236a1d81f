// Threshold rules on sensor readings: above / below / rate of change, on each reading or on a
// sliding-window statistic, with hysteresis and a minimum duration, raising and clearing alarms.
// Durations run on the monotonic clock: an NTP jump must not raise or clear anything.
import type { ThresholdConfig } from '../../common/config/edge-schema.js';
import type { SensorReading } from './readings.js';

export type AlarmTransition = {
  state: 'raised' | 'cleared';
  ruleId: string;
  sensorId: string;
  metric: string;
  /** The watched value (reading, window statistic or rate) at the transition. */
  value: number;
  threshold: number;
};

/** Rates over fewer seconds than this are mostly sensor noise. */
const DEFAULT_RATE_WINDOW_S = 600;

export class ThresholdRule {
  private readonly samples: { monoMs: number; value: number }[] = [];
  private active: boolean;
  private pendingSinceMs: number | undefined;
  private readonly clearAt: number;
  private readonly raisesHigh: boolean;
  private readonly windowMs: number | undefined;

  constructor(
    readonly sensorId: string,
    readonly config: ThresholdConfig,
    initiallyActive = false,
  ) {
    this.active = initiallyActive;
    this.clearAt = config.clear ?? config.value;
    this.raisesHigh = config.condition === 'above' || config.condition === 'rate_above';
    const isRate = config.condition.startsWith('rate_');
    const windowS = config.window_s ?? (isRate ? DEFAULT_RATE_WINDOW_S : undefined);
    this.windowMs = windowS === undefined ? undefined : windowS * 1000;
  }

  get isActive(): boolean {
    return this.active;
  }

  /** Feeds one reading of this rule's metric; returns a transition when the alarm changes state. */
  update(reading: SensorReading): AlarmTransition | undefined {
    const watched = this.watchedValue(reading);
    if (watched === undefined) return undefined;
    const crossed = this.active ? this.pastClear(watched) : this.pastRaise(watched);
    if (!crossed) {
      this.pendingSinceMs = undefined;
      return undefined;
    }
    this.pendingSinceMs ??= reading.monoMs;
    if (reading.monoMs - this.pendingSinceMs < this.config.for_s * 1000) return undefined;
    this.pendingSinceMs = undefined;
    this.active = !this.active;
    return {
      state: this.active ? 'raised' : 'cleared',
      ruleId: this.config.id,
      sensorId: this.sensorId,
      metric: this.config.metric,
      value: watched,
      threshold: this.active ? this.config.value : this.clearAt,
    };
  }

  private pastRaise(v: number): boolean {
    return this.raisesHigh ? v > this.config.value : v < this.config.value;
  }

  private pastClear(v: number): boolean {
    return this.raisesHigh ? v <= this.clearAt : v >= this.clearAt;
  }

  private watchedValue(reading: SensorReading): number | undefined {
    if (this.windowMs === undefined) return reading.value;
    this.samples.push({ monoMs: reading.monoMs, value: reading.value });
    while (this.samples.length > 0 && this.samples[0]!.monoMs < reading.monoMs - this.windowMs) this.samples.shift();
    if (this.config.condition.startsWith('rate_')) return this.ratePerConfiguredPeriod();
    const values = this.samples.map((s) => s.value);
    switch (this.config.stat) {
      case 'sum':
        return values.reduce((a, b) => a + b, 0);
      case 'min':
        return Math.min(...values);
      case 'max':
        return Math.max(...values);
      case 'mean':
        return values.reduce((a, b) => a + b, 0) / values.length;
    }
  }

  /** Least-squares slope over the window: robust to the jitter of single readings. */
  private ratePerConfiguredPeriod(): number | undefined {
    const n = this.samples.length;
    if (n < 3) return undefined;
    const t0 = this.samples[0]!.monoMs;
    const spanMs = this.samples[n - 1]!.monoMs - t0;
    // A slope over a few seconds of readings is jitter, not a trend: wait for half a window.
    if (spanMs < (this.windowMs ?? 0) / 2 || spanMs < 1000) return undefined;
    let st = 0,
      sv = 0,
      stt = 0,
      stv = 0;
    for (const s of this.samples) {
      const t = (s.monoMs - t0) / 1000;
      st += t;
      sv += s.value;
      stt += t * t;
      stv += t * s.value;
    }
    const denominator = n * stt - st * st;
    if (denominator === 0) return undefined;
    const slopePerSecond = (n * stv - st * sv) / denominator;
    return slopePerSecond * this.config.rate_per_s;
  }
}
