// Geometry of detection on part of a frame: the crop around moving regions, and how that crop
// is scaled into the square model input keeping its aspect (letterbox), and back again.
import type { Box } from './types.js';

/** A rectangle of frame pixels (integers). */
export interface PixelRect {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface LetterboxGeometry {
  inputSize: number;
  scale: number;
  resizedW: number;
  resizedH: number;
  padX: number;
  padY: number;
}

export interface CropOptions {
  /** Extra margin on each side, as a share of the region's size (objects extend past motion). */
  pad: number;
  /** Smallest crop side in pixels: tiny crops blown up to 512 px confuse the detector. */
  minSidePx: number;
}

const DEFAULT_CROP: CropOptions = { pad: 0.25, minSidePx: 192 };

/** Pixel rectangle around a normalized region, padded, grown to the minimum size, inside the frame. */
export function cropAround(region: Box, frameW: number, frameH: number, options: Partial<CropOptions> = {}): PixelRect {
  const { pad, minSidePx } = { ...DEFAULT_CROP, ...options };
  let x1 = (region.x - region.w * pad) * frameW - 8;
  let y1 = (region.y - region.h * pad) * frameH - 8;
  let x2 = (region.x + region.w * (1 + pad)) * frameW + 8;
  let y2 = (region.y + region.h * (1 + pad)) * frameH + 8;
  [x1, x2] = grow(x1, x2, Math.min(minSidePx, frameW));
  [y1, y2] = grow(y1, y2, Math.min(minSidePx, frameH));
  [x1, x2] = shiftInside(x1, x2, frameW);
  [y1, y2] = shiftInside(y1, y2, frameH);
  const x = Math.floor(x1);
  const y = Math.floor(y1);
  return { x, y, w: Math.ceil(x2) - x, h: Math.ceil(y2) - y };
}

function grow(a: number, b: number, min: number): [number, number] {
  const missing = min - (b - a);
  return missing > 0 ? [a - missing / 2, b + missing / 2] : [a, b];
}

function shiftInside(a: number, b: number, size: number): [number, number] {
  if (a < 0) [a, b] = [0, b - a];
  if (b > size) [a, b] = [a - (b - size), size];
  return [Math.max(0, a), Math.min(size, b)];
}

/** Copies the rectangle's RGB pixels out of the frame into a packed buffer. */
export function extractCrop(frame: { rgb: Uint8Array; width: number; height: number }, rect: PixelRect): Uint8Array {
  const out = new Uint8Array(rect.w * rect.h * 3);
  const rowBytes = rect.w * 3;
  for (let row = 0; row < rect.h; row++) {
    const start = ((rect.y + row) * frame.width + rect.x) * 3;
    out.set(frame.rgb.subarray(start, start + rowBytes), row * rowBytes);
  }
  return out;
}

export function letterbox(cropW: number, cropH: number, inputSize: number): LetterboxGeometry {
  const scale = Math.min(inputSize / cropW, inputSize / cropH);
  const resizedW = Math.max(1, Math.round(cropW * scale));
  const resizedH = Math.max(1, Math.round(cropH * scale));
  return { inputSize, scale, resizedW, resizedH, padX: Math.floor((inputSize - resizedW) / 2), padY: Math.floor((inputSize - resizedH) / 2) };
}

/** Model-input pixel corners back to a normalized frame box, clipped to the crop. */
export function inputToFrameBox(
  corners: { x1: number; y1: number; x2: number; y2: number },
  geometry: LetterboxGeometry,
  rect: PixelRect,
  frameW: number,
  frameH: number,
): Box {
  const toCropX = (v: number) => Math.min(rect.w, Math.max(0, (v - geometry.padX) / geometry.scale));
  const toCropY = (v: number) => Math.min(rect.h, Math.max(0, (v - geometry.padY) / geometry.scale));
  const x1 = rect.x + toCropX(corners.x1);
  const y1 = rect.y + toCropY(corners.y1);
  const x2 = rect.x + toCropX(corners.x2);
  const y2 = rect.y + toCropY(corners.y2);
  return { x: x1 / frameW, y: y1 / frameH, w: (x2 - x1) / frameW, h: (y2 - y1) / frameH };
}

/** Where a crop sits in the pixels it is read from (a whole frame); packed crops start at 0, 0. */
export interface CropOrigin {
  /** Pixels per row of the source image. */
  rowPixels: number;
  x: number;
  y: number;
}

/**
 * Scales packed RGB pixels into the model input in place: bilinear (the sampling of
 * tf.image.resizeBilinear without corner alignment), centred, the rest filled with `padValue`.
 * Done here rather than with tensor ops so the backend heap never holds the crop, its float
 * copy and the resized copy next to the model's own activations (~20 MB on wasm). With
 * `origin` the crop is read in place from a larger image, so no copy of it is ever made.
 */
export function letterboxInto(
  pixels: Uint8Array,
  cropW: number,
  cropH: number,
  geometry: LetterboxGeometry,
  out: Float32Array,
  padValue: number,
  origin: CropOrigin = { rowPixels: cropW, x: 0, y: 0 },
): void {
  const { inputSize, resizedW, resizedH, padX, padY } = geometry;
  out.fill(padValue);
  const rowRatio = cropH / resizedH;
  const colRatio = cropW / resizedW;
  const cols = colSamples(resizedW, colRatio, cropW);
  const rowBytes = origin.rowPixels * 3;
  const first = (origin.y * origin.rowPixels + origin.x) * 3;
  for (let r = 0; r < resizedH; r++) {
    const fy = rowRatio * r;
    const y0 = Math.floor(fy);
    const dy = fy - y0;
    const top = first + y0 * rowBytes;
    const bottom = first + Math.min(cropH - 1, Math.ceil(fy)) * rowBytes;
    let o = ((padY + r) * inputSize + padX) * 3;
    for (let c = 0; c < resizedW; c++) {
      const left = cols.left[c]!;
      const right = cols.right[c]!;
      const dx = cols.frac[c]!;
      for (let ch = 0; ch < 3; ch++) {
        const tl = pixels[top + left + ch]!;
        const tr = pixels[top + right + ch]!;
        const bl = pixels[bottom + left + ch]!;
        const br = pixels[bottom + right + ch]!;
        const t = tl + (tr - tl) * dx;
        const b = bl + (br - bl) * dx;
        out[o++] = t + (b - t) * dy;
      }
    }
  }
}

function colSamples(resizedW: number, ratio: number, cropW: number): { left: Int32Array; right: Int32Array; frac: Float64Array } {
  const left = new Int32Array(resizedW);
  const right = new Int32Array(resizedW);
  const frac = new Float64Array(resizedW);
  for (let c = 0; c < resizedW; c++) {
    const fx = ratio * c;
    const x0 = Math.floor(fx);
    left[c] = x0 * 3;
    right[c] = Math.min(cropW - 1, Math.ceil(fx)) * 3;
    frac[c] = fx - x0;
  }
  return { left, right, frac };
}
