// Motion: a small grayscale copy of each frame against a running-average background. Changed
// pixels (outside masks) are dilated and grouped into regions; only regions big enough count.
// A still scene gives no regions, so the detector never runs on it.
import { pointInPolygon, type Polygon } from './zones.js';
import type { Frame, MotionRegion, MotionResult } from './types.js';

export interface MotionConfig {
  /** Per-pixel difference from the background (0–255) that counts as change. */
  threshold: number;
  /** Smallest region, as a share of the frame. */
  min_area: number;
  /** Analysis height in pixels; width follows the frame's aspect. */
  height: number;
  masks: readonly Polygon[];
  /** Share of the frame changing at once that means lights or an IR switch, not motion. */
  recalibrate_share?: number;
}

// At 5 fps, 0.05 forgets the old background in ~4 s; changed pixels learn 4× slower so a
// person standing still fades into the background only after ~20 s.
const ALPHA_STILL = 0.05;
const ALPHA_CHANGED = 0.0125;
const DILATE_PASSES = 2;

export class MotionDetector {
  readonly width: number;
  readonly height: number;
  /** The latest small grayscale frame (for tamper checks). */
  readonly gray: Uint8Array;
  private background: Float32Array | undefined;
  private readonly mask: Uint8Array;
  private readonly unmasked: number;
  private readonly changed: Uint8Array;
  private readonly scratch: Uint8Array;
  private readonly labels: Int32Array;
  private readonly xStart: Int32Array;
  private readonly xEnd: Int32Array;
  private readonly yStart: Int32Array;
  private readonly yEnd: Int32Array;
  private readonly recalibrateShare: number;

  constructor(
    private readonly config: MotionConfig,
    readonly frameWidth: number,
    readonly frameHeight: number,
  ) {
    this.height = Math.min(config.height, frameHeight);
    this.width = Math.max(1, Math.round((frameWidth * this.height) / frameHeight));
    const n = this.width * this.height;
    this.gray = new Uint8Array(n);
    this.changed = new Uint8Array(n);
    this.scratch = new Uint8Array(n);
    this.labels = new Int32Array(n);
    this.mask = rasterizeMasks(config.masks, this.width, this.height);
    this.unmasked = n - this.mask.reduce((s, v) => s + v, 0);
    this.recalibrateShare = config.recalibrate_share ?? 0.6;
    [this.xStart, this.xEnd] = blockBounds(frameWidth, this.width);
    [this.yStart, this.yEnd] = blockBounds(frameHeight, this.height);
  }

  analyse(frame: Pick<Frame, 'rgb' | 'width' | 'height'>): MotionResult {
    this.downscale(frame);
    if (!this.background) {
      this.background = Float32Array.from(this.gray);
      return { regions: [], changedShare: 0, recalibrated: true };
    }
    const changedCount = this.markChanged(this.background);
    const changedShare = this.unmasked > 0 ? changedCount / this.unmasked : 0;
    if (changedShare >= this.recalibrateShare) {
      // Lights on/off or the IR filter switching: everything changed, nothing moved. Start over.
      this.background.set(this.gray);
      return { regions: [], changedShare, recalibrated: true };
    }
    this.learn(this.background);
    if (changedCount === 0) return { regions: [], changedShare, recalibrated: false };
    for (let i = 0; i < DILATE_PASSES; i++) this.dilate();
    return { regions: this.regions(), changedShare, recalibrated: false };
  }

  /** Forget the background (after a reconnect the scene may have changed). */
  reset(): void {
    this.background = undefined;
  }

  /** Box-average downscale of RGB to luma (BT.601 integer weights); the averaging also denoises. */
  private downscale(frame: Pick<Frame, 'rgb' | 'width' | 'height'>): void {
    const { rgb, width } = frame;
    for (let sy = 0; sy < this.height; sy++) {
      const y0 = this.yStart[sy]!,
        y1 = this.yEnd[sy]!;
      for (let sx = 0; sx < this.width; sx++) {
        const x0 = this.xStart[sx]!,
          x1 = this.xEnd[sx]!;
        let sum = 0;
        for (let y = y0; y < y1; y++) {
          let p = (y * width + x0) * 3;
          for (let x = x0; x < x1; x++, p += 3) sum += rgb[p]! * 77 + rgb[p + 1]! * 150 + rgb[p + 2]! * 29;
        }
        this.gray[sy * this.width + sx] = (sum / ((x1 - x0) * (y1 - y0))) >> 8;
      }
    }
  }

  private markChanged(bg: Float32Array): number {
    const t = this.config.threshold;
    let count = 0;
    for (let i = 0; i < this.gray.length; i++) {
      const hit = this.mask[i] === 0 && Math.abs(this.gray[i]! - bg[i]!) > t ? 1 : 0;
      this.changed[i] = hit;
      count += hit;
    }
    return count;
  }

  private learn(bg: Float32Array): void {
    for (let i = 0; i < bg.length; i++) {
      const alpha = this.changed[i] ? ALPHA_CHANGED : ALPHA_STILL;
      bg[i] = bg[i]! + alpha * (this.gray[i]! - bg[i]!);
    }
  }

  /** 3×3 binary dilation as two separable max passes: joins a person's limbs into one region. */
  private dilate(): void {
    const { width: w, height: h, changed: c, scratch: s } = this;
    for (let y = 0; y < h; y++) {
      const row = y * w;
      for (let x = 0; x < w; x++) s[row + x] = c[row + x]! | (x > 0 ? c[row + x - 1]! : 0) | (x < w - 1 ? c[row + x + 1]! : 0);
    }
    for (let y = 0; y < h; y++) {
      const row = y * w;
      for (let x = 0; x < w; x++) c[row + x] = s[row + x]! | (y > 0 ? s[row - w + x]! : 0) | (y < h - 1 ? s[row + w + x]! : 0);
    }
  }

  /** 4-connected components with an explicit stack (no recursion on a 20k-pixel image). */
  private regions(): MotionRegion[] {
    const { width: w, height: h, changed, labels } = this;
    labels.fill(0);
    const minPixels = this.config.min_area * w * h;
    const out: MotionRegion[] = [];
    const stack: number[] = [];
    let label = 0;
    for (let start = 0; start < changed.length; start++) {
      if (!changed[start] || labels[start]) continue;
      label++;
      let count = 0,
        minX = w,
        minY = h,
        maxX = 0,
        maxY = 0;
      stack.push(start);
      labels[start] = label;
      while (stack.length > 0) {
        const i = stack.pop()!;
        const x = i % w,
          y = (i - x) / w;
        count++;
        if (x < minX) minX = x;
        if (x > maxX) maxX = x;
        if (y < minY) minY = y;
        if (y > maxY) maxY = y;
        if (x > 0 && changed[i - 1] && !labels[i - 1]) (labels[i - 1] = label), stack.push(i - 1);
        if (x < w - 1 && changed[i + 1] && !labels[i + 1]) (labels[i + 1] = label), stack.push(i + 1);
        if (y > 0 && changed[i - w] && !labels[i - w]) (labels[i - w] = label), stack.push(i - w);
        if (y < h - 1 && changed[i + w] && !labels[i + w]) (labels[i + w] = label), stack.push(i + w);
      }
      if (count < minPixels) continue;
      out.push({ box: { x: minX / w, y: minY / h, w: (maxX + 1 - minX) / w, h: (maxY + 1 - minY) / h }, area: count / (w * h) });
    }
    return out;
  }
}

/** For each small pixel, the [start, end) range of source pixels it averages. */
function blockBounds(source: number, target: number): [Int32Array, Int32Array] {
  const start = new Int32Array(target);
  const end = new Int32Array(target);
  for (let i = 0; i < target; i++) {
    start[i] = Math.floor((i * source) / target);
    end[i] = Math.max(start[i]! + 1, Math.floor(((i + 1) * source) / target));
  }
  return [start, end];
}

function rasterizeMasks(masks: readonly Polygon[], w: number, h: number): Uint8Array {
  const mask = new Uint8Array(w * h);
  if (masks.length === 0) return mask;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p: [number, number] = [(x + 0.5) / w, (y + 0.5) / h];
      if (masks.some((poly) => pointInPolygon(p, poly))) mask[y * w + x] = 1;
    }
  }
  return mask;
}
