// Runs the detector on one region of a frame: the padded crop is letterboxed in the worker
// (read in place from the frame), boxes mapped back to the whole frame and de-duplicated.
// The caller keeps the frame's buffer unchanged until the promise settles.
import type { ObjectDetector } from './detector.js';
import { cropAround, inputToFrameBox, letterbox, type PixelRect } from './letterbox.js';
import { suppressOverlaps } from './filters.js';
import type { Box, Detection, Frame } from './types.js';

export interface RegionDetections {
  detections: Detection[];
  /** The frame area the detector actually looked at (normalized): tracks outside it were not seen. */
  covered: Box;
}

export async function detectInRegion(
  detector: ObjectDetector,
  frame: Pick<Frame, 'rgb' | 'width' | 'height'>,
  region: Box,
  minScore: number,
  background = false,
): Promise<RegionDetections> {
  const rect: PixelRect = cropAround(region, frame.width, frame.height);
  const raw = await detector.detect({ pixels: frame.rgb, width: frame.width, height: frame.height, region: rect, minScore, background });
  const geometry = letterbox(rect.w, rect.h, detector.inputSize);
  const detections = raw.map((r) => ({ label: r.label, score: r.score, box: inputToFrameBox(r, geometry, rect, frame.width, frame.height) }));
  const covered = { x: rect.x / frame.width, y: rect.y / frame.height, w: rect.w / frame.width, h: rect.h / frame.height };
  return { detections: suppressOverlaps(detections.filter((d) => d.box.w > 0 && d.box.h > 0)), covered };
}
