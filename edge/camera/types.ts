// Named payloads passed between the camera stages (grabber → motion → detector → tracker →
// rules → events). Boxes are normalized to the frame: 0..1 from the top-left corner.

/** One decoded frame of the low-resolution detect stream, packed RGB (3 bytes a pixel). */
export interface Frame {
  seq: number;
  width: number;
  height: number;
  rgb: Buffer;
  /** Monotonic time of arrival, for ages and rates. */
  monoMs: number;
  /** Edge wall clock at arrival, for timestamps people see. */
  wallMs: number;
}

export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** A detector box after mapping back to the frame. */
export interface Detection {
  label: string;
  score: number;
  box: Box;
}

export interface MotionRegion {
  box: Box;
  /** Share of the frame area covered by the region's changed pixels. */
  area: number;
}

export interface MotionResult {
  regions: MotionRegion[];
  /** Share of (unmasked) pixels that differ from the background. */
  changedShare: number;
  /** True when the background was reset because most of the frame changed at once. */
  recalibrated: boolean;
}

export function boxArea(b: Box): number {
  return Math.max(0, b.w) * Math.max(0, b.h);
}

export function iou(a: Box, b: Box): number {
  const x1 = Math.max(a.x, b.x);
  const y1 = Math.max(a.y, b.y);
  const x2 = Math.min(a.x + a.w, b.x + b.w);
  const y2 = Math.min(a.y + a.h, b.y + b.h);
  const inter = Math.max(0, x2 - x1) * Math.max(0, y2 - y1);
  const union = boxArea(a) + boxArea(b) - inter;
  return union > 0 ? inter / union : 0;
}

export function unionBox(boxes: readonly Box[]): Box | undefined {
  if (boxes.length === 0) return undefined;
  let x1 = Infinity,
    y1 = Infinity,
    x2 = -Infinity,
    y2 = -Infinity;
  for (const b of boxes) {
    x1 = Math.min(x1, b.x);
    y1 = Math.min(y1, b.y);
    x2 = Math.max(x2, b.x + b.w);
    y2 = Math.max(y2, b.y + b.h);
  }
  return { x: x1, y: y1, w: x2 - x1, h: y2 - y1 };
}
