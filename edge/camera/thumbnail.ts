// Event thumbnails: the best view of an object so far (confident, large, not cut by the frame
// edge), cropped with some context and encoded by sharp to fit the uplink's thumbnail lane:
// JPEG, at most 320 px on a side and 24 KB, lowering quality then size until it fits.
import sharp from 'sharp';
import { cropAround, extractCrop, type PixelRect } from './letterbox.js';
import { boxArea, type Box, type Frame } from './types.js';

// Every thumbnail is a new image: libvips' operation cache (50 MB by default) never hits and
// only holds memory, and one libvips thread is plenty for 320 px JPEGs on a 2-core box.
sharp.cache(false);
sharp.concurrency(1);

export const THUMBNAIL_MAX_BYTES = 24 * 1024;
export const THUMBNAIL_MAX_SIDE = 320;
const QUALITIES = [80, 68, 56, 45, 35];

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

/** A new shot replaces the kept one only when clearly better, so updates are not sent for noise. */
export function isBetterShot(candidate: Pick<Shot, 'quality'>, current: Pick<Shot, 'quality'> | undefined): boolean {
  return !current || candidate.quality > current.quality * 1.15;
}

export async function encodeThumbnail(
  image: { rgb: Uint8Array; width: number; height: number },
  limits: { maxBytes: number; maxSide: number } = { maxBytes: THUMBNAIL_MAX_BYTES, maxSide: THUMBNAIL_MAX_SIDE },
): Promise<EncodedThumbnail> {
  let side = Math.min(limits.maxSide, Math.max(image.width, image.height));
  for (;;) {
    const resized = sharp(image.rgb, { raw: { width: image.width, height: image.height, channels: 3 } }).resize({
      width: side,
      height: side,
      fit: 'inside',
      withoutEnlargement: true,
    });
    const raw = await resized.raw().toBuffer({ resolveWithObject: true });
    for (const quality of QUALITIES) {
      const data = await sharp(raw.data, { raw: { width: raw.info.width, height: raw.info.height, channels: 3 } })
        .jpeg({ quality, mozjpeg: false, chromaSubsampling: '4:2:0' })
        .toBuffer();
      if (data.length <= limits.maxBytes) return { data, width: raw.info.width, height: raw.info.height, contentType: 'image/jpeg' };
    }
    if (side <= 48) throw new Error(`cannot fit a thumbnail in ${limits.maxBytes} bytes`);
    side = Math.floor(side * 0.75);
  }
}

/** The whole latest frame as JPEG (snapshots for edgectl and the coordinator). */
export async function encodeFrameJpeg(frame: Pick<Frame, 'rgb' | 'width' | 'height'>, quality = 80): Promise<Buffer> {
  return sharp(frame.rgb, { raw: { width: frame.width, height: frame.height, channels: 3 } }).jpeg({ quality }).toBuffer();
}
