// Event thumbnails: the best view of an object so far (confident, large, not cut by the frame
// edge), cropped with some context, scaled down and encoded (jpeg.ts) to fit the uplink's
// thumbnail lane, lowering quality then size until it fits. Rule events (what the IOC acts on)
// get up to 320 px and 24 KB; plain object events and activity summaries 160 px and 6 KB,
// enough to tell a person from a motorbike at a third of the bytes.
import { encodeJpeg } from './jpeg.js';
import { IocError } from '../../common/errors.js';
import { cropAround, extractCrop, type PixelRect } from './letterbox.js';
import { boxArea, type Box, type Frame } from './types.js';

export const THUMBNAIL_MAX_BYTES = 24 * 1024;
export const THUMBNAIL_MAX_SIDE = 320;

export interface ThumbnailLimits {
  maxBytes: number;
  maxSide: number;
  /** JPEG qualities tried in turn before the picture is made smaller. */
  qualities?: readonly number[];
}

// Measured on vtest people (crops ~144×250 px): quality 65 is ~4.5 KB at 36 dB where libjpeg's
// 80 was ~6 KB; plain objects at 160 px and 50 are ~1.8 KB (33 dB), still a clear silhouette.
export const RULE_THUMBNAIL: ThumbnailLimits = { maxBytes: THUMBNAIL_MAX_BYTES, maxSide: THUMBNAIL_MAX_SIDE, qualities: [65, 56, 48, 40, 32] };
export const OBJECT_THUMBNAIL: ThumbnailLimits = { maxBytes: 6 * 1024, maxSide: 160, qualities: [50, 42, 35, 28] };

/** A sent picture is replaced only by one this much better (score × √area): a real gain, not jitter. */
export const RESEND_MARGIN = 1.5;

export interface EncodedThumbnail {
  data: Buffer;
  width: number;
  height: number;
  contentType: 'image/jpeg';
}

/** A picture of an object at one moment, kept as raw pixels until it is sent. */
export interface Shot {
  rgb: Uint8Array;
  width: number;
  height: number;
  score: number;
  area: number;
  touchesEdge: boolean;
  /** Higher is better: score weighted by apparent size, halved when the object is cut off. */
  quality: number;
  takenWallMs: number;
}

const EDGE_MARGIN = 0.01;

export function touchesFrameEdge(box: Box): boolean {
  return box.x <= EDGE_MARGIN || box.y <= EDGE_MARGIN || box.x + box.w >= 1 - EDGE_MARGIN || box.y + box.h >= 1 - EDGE_MARGIN;
}

export function shotQuality(score: number, box: Box): number {
  return score * Math.sqrt(boxArea(box)) * (touchesFrameEdge(box) ? 0.5 : 1);
}

/** Crop around the object with context (half its size on each side, at least 128 px). */
export function shotRect(box: Box, frameW: number, frameH: number): PixelRect {
  return cropAround(box, frameW, frameH, { pad: 0.5, minSidePx: 128 });
}

export function takeShot(frame: Pick<Frame, 'rgb' | 'width' | 'height' | 'wallMs'>, box: Box, score: number): Shot {
  const rect = shotRect(box, frame.width, frame.height);
  return {
    rgb: extractCrop(frame, rect),
    width: rect.w,
    height: rect.h,
    score,
    area: boxArea(box),
    touchesEdge: touchesFrameEdge(box),
    quality: shotQuality(score, box),
    takenWallMs: frame.wallMs,
  };
}

/** A new shot replaces the kept one only when clearly better, so pixels are not copied for noise. */
export function isBetterShot(candidate: Pick<Shot, 'quality'>, current: Pick<Shot, 'quality'> | undefined): boolean {
  return !current || candidate.quality > current.quality * 1.15;
}

/** Worth sending again after `sent` went out (e.g. the object first seen cut by the frame edge). */
export function isMuchBetterShot(candidate: Pick<Shot, 'quality'>, sent: Pick<Shot, 'quality'> | undefined): boolean {
  return !sent || candidate.quality >= sent.quality * RESEND_MARGIN;
}

export async function encodeThumbnail(
  image: { rgb: Uint8Array; width: number; height: number },
  limits: ThumbnailLimits = RULE_THUMBNAIL,
): Promise<EncodedThumbnail> {
  const qualities = limits.qualities ?? RULE_THUMBNAIL.qualities!;
  let side = Math.min(limits.maxSide, Math.max(image.width, image.height));
  for (;;) {
    const scaled = scaleInside(image, side);
    for (const quality of qualities) {
      const data = encodeJpeg(scaled.rgb, scaled.width, scaled.height, quality);
      if (data.length <= limits.maxBytes) return { data, width: scaled.width, height: scaled.height, contentType: 'image/jpeg' };
    }
    if (side <= 48) throw new IocError('CONFIG_INVALID', `cannot fit a thumbnail in ${limits.maxBytes} bytes; raise the thumbnail byte limit`);
    side = Math.floor(side * 0.75);
  }
}

/** The whole latest frame as JPEG (snapshots for edgectl and the coordinator). */
export async function encodeFrameJpeg(frame: Pick<Frame, 'rgb' | 'width' | 'height'>, quality = 80): Promise<Buffer> {
  return encodeJpeg(frame.rgb, frame.width, frame.height, quality);
}

/**
 * Scales packed RGB down (never up) to fit `side` on its longer edge, keeping the aspect; each
 * output pixel is the mean of the source pixels under it, so small text and edges do not alias.
 */
export function scaleInside(image: { rgb: Uint8Array; width: number; height: number }, side: number): { rgb: Uint8Array; width: number; height: number } {
  const { rgb, width, height } = image;
  const scale = Math.min(1, side / Math.max(width, height));
  if (scale === 1) return image;
  const w = Math.max(1, Math.round(width * scale));
  const h = Math.max(1, Math.round(height * scale));
  const out = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    const y0 = Math.floor((y * height) / h);
    const y1 = Math.max(y0 + 1, Math.floor(((y + 1) * height) / h));
    for (let x = 0; x < w; x++) {
      const x0 = Math.floor((x * width) / w);
      const x1 = Math.max(x0 + 1, Math.floor(((x + 1) * width) / w));
      let r = 0,
        g = 0,
        b = 0;
      for (let sy = y0; sy < y1; sy++) {
        for (let sx = x0; sx < x1; sx++) {
          const p = (sy * width + sx) * 3;
          r += rgb[p]!;
          g += rgb[p + 1]!;
          b += rgb[p + 2]!;
        }
      }
      const n = (y1 - y0) * (x1 - x0);
      const o = (y * w + x) * 3;
      out[o] = Math.round(r / n);
      out[o + 1] = Math.round(g / n);
      out[o + 2] = Math.round(b / n);
    }
  }
  return { rgb: out, width: w, height: h };
}
