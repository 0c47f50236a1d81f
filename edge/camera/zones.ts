// Where an object is: normalized polygons (zones) and lines. An object stands where its feet
// are, so membership uses the bottom-centre of its box, not the box centre.
import type { Box } from './types.js';

export type Point = readonly [number, number];
export type Polygon = readonly Point[];

export function bottomCentre(box: Box): Point {
  return [box.x + box.w / 2, box.y + box.h];
}

/** Even-odd ray casting; points on an edge may fall either way, which is fine at pixel scale. */
export function pointInPolygon(point: Point, polygon: Polygon): boolean {
  const [px, py] = point;
  let inside = false;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const [xi, yi] = polygon[i]!;
    const [xj, yj] = polygon[j]!;
    if (yi > py !== yj > py && px < ((xj - xi) * (py - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

export function inZone(box: Box, polygon: Polygon): boolean {
  return pointInPolygon(bottomCentre(box), polygon);
}

/** Which side of line a→b the point is on (image coordinates, y down): the sign is what matters. */
export function sideOfLine(point: Point, a: Point, b: Point): number {
  return (b[0] - a[0]) * (point[1] - a[1]) - (b[1] - a[1]) * (point[0] - a[0]);
}

export type CrossingDirection = 'in' | 'out';

/**
 * Whether the move from→to crosses segment a→b, and which way. "in" is crossing from the
 * negative to the positive side: for a horizontal line drawn left to right, "in" is moving
 * down the image (usually towards the camera). Swap a and b in the config to flip it.
 */
export function crossing(from: Point, to: Point, a: Point, b: Point): CrossingDirection | undefined {
  const s1 = sideOfLine(from, a, b);
  const s2 = sideOfLine(to, a, b);
  if (s1 === 0 || s2 === 0 || s1 > 0 === s2 > 0) return undefined;
  // The move must also pass between the line's ends, not beyond them.
  const t1 = sideOfLine(a, from, to);
  const t2 = sideOfLine(b, from, to);
  if (t1 > 0 === t2 > 0 && t1 !== 0 && t2 !== 0) return undefined;
  return s1 < 0 ? 'in' : 'out';
}
