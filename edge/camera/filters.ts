// Per-label filters on detector boxes (score, area) and on tracks (median score), plus
// class-wise non-maximum suppression of overlapping boxes.
import type { LabelFilter } from '../../common/config/camera-schema.js';
import { boxArea, iou, type Detection } from './types.js';

/** Same numbers as the config schema's defaults (see the measurement noted there). */
export const DEFAULT_LABEL_FILTER: LabelFilter = { min_score: 0.4, track_score: 0.55, min_area: 0.0005, max_area: 0.8 };

export class ObjectFilters {
  private readonly tracked: Set<string>;

  constructor(
    tracked: readonly string[],
    private readonly perLabel: Readonly<Record<string, LabelFilter>>,
  ) {
    this.tracked = new Set(tracked);
  }

  filterFor(label: string): LabelFilter {
    return this.perLabel[label] ?? DEFAULT_LABEL_FILTER;
  }

  /** The lowest box score any tracked label accepts: the worker drops rows below it. */
  get scoreFloor(): number {
    return Math.min(...[...this.tracked].map((l) => this.filterFor(l).min_score));
  }

  /** Keeps boxes of tracked labels that pass their score and area limits. */
  accept(detections: readonly Detection[]): Detection[] {
    return detections.filter((d) => {
      if (!this.tracked.has(d.label)) return false;
      const f = this.filterFor(d.label);
      const area = boxArea(d.box);
      return d.score >= f.min_score && area >= f.min_area && area <= f.max_area;
    });
  }

  /** A track counts as real once the median of its scores reaches the label's track_score. */
  trackPasses(label: string, medianScore: number): boolean {
    return medianScore >= this.filterFor(label).track_score;
  }
}

/** Greedy NMS per label: CenterNet peaks can still leave two boxes on one person. */
export function suppressOverlaps(detections: readonly Detection[], iouLimit = 0.5): Detection[] {
  const sorted = [...detections].sort((a, b) => b.score - a.score);
  const kept: Detection[] = [];
  for (const d of sorted) {
    if (kept.some((k) => k.label === d.label && iou(k.box, d.box) > iouLimit)) continue;
    kept.push(d);
  }
  return kept;
}
