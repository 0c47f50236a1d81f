// Multi-object tracker: matches each detection cycle's boxes to tracks by IoU against a
// constant-velocity prediction. A track is confirmed after a few hits; it ends after going
// unseen where the detector looked. A track that stops moving becomes stationary: it is kept
// much longer, so a parked car or a sitting guard stays one track (and one event).
import { newId } from '../../common/ids.js';
import { bottomCentre, type Point } from './zones.js';
import { iou, type Box, type Detection } from './types.js';

export interface TrackerConfig {
  /** Smallest IoU between a prediction and a box to count as the same object. */
  iouMatch: number;
  /** Detections needed before a track is confirmed (filters one-cycle false positives). */
  minHits: number;
  /** A moving track ends after this long unseen in an area the detector looked at. */
  maxDisappearedMs: number;
  /** The same for a stationary track. */
  stationaryMaxDisappearedMs: number;
  /** A track whose feet moved less than stationaryMove (share of its height) for this long is stationary. */
  stationaryAfterMs: number;
  stationaryMove: number;
  /** Any track unseen this long ends, looked at or not. */
  hardLimitMs: number;
}

export const DEFAULT_TRACKER_CONFIG: TrackerConfig = {
  iouMatch: 0.2,
  minHits: 3,
  maxDisappearedMs: 2_500,
  stationaryMaxDisappearedMs: 60_000,
  stationaryAfterMs: 10_000,
  stationaryMove: 0.25,
  hardLimitMs: 300_000,
};

const SCORE_HISTORY = 20;
/** Centre-distance fallback reach, in units of the track's larger box side. */
const CENTRE_MATCH = 0.8;
const centreX = (b: Box) => b.x + b.w / 2;
const centreY = (b: Box) => b.y + b.h / 2;
const PATH_HISTORY_MS = 30_000;

export interface Track {
  readonly id: string;
  readonly label: string;
  box: Box;
  /** Velocity of the box centre in normalized units per millisecond. */
  vx: number;
  vy: number;
  hits: number;
  confirmed: boolean;
  stationary: boolean;
  firstSeenMs: number;
  lastSeenMs: number;
  /** Wall clock of the first detection (for events' started_ms). */
  firstSeenWallMs: number;
  scores: number[];
  /** Bottom-centre positions over the last half minute (feet), newest last. */
  path: { t: number; p: Point }[];
  /** True when this cycle's detections included this track. */
  seenThisCycle: boolean;
}

export interface TrackerUpdate {
  /** Live tracks after this cycle (confirmed or not). */
  tracks: readonly Track[];
  /** Tracks confirmed in this cycle. */
  confirmed: Track[];
  /** Tracks that ended in this cycle. */
  ended: Track[];
}

export function medianScore(track: Pick<Track, 'scores'>): number {
  const s = [...track.scores].sort((a, b) => a - b);
  if (s.length === 0) return 0;
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function predictBox(track: Track, atMs: number): Box {
  // Prediction is trusted for two seconds at most: further out a guess is worse than the last box.
  const dt = Math.min(2_000, Math.max(0, atMs - track.lastSeenMs));
  return { ...track.box, x: track.box.x + track.vx * dt, y: track.box.y + track.vy * dt };
}

export class Tracker {
  private readonly config: TrackerConfig;
  private live: Track[] = [];
  /** Smoothed time between detection cycles: a busy detector shared by many cameras runs rarely. */
  private cycleMs = 0;
  private lastCycleMs: number | undefined;

  constructor(config: Partial<TrackerConfig> = {}) {
    this.config = { ...DEFAULT_TRACKER_CONFIG, ...config };
  }

  get tracks(): readonly Track[] {
    return this.live;
  }

  /**
   * One detection cycle. `covered` is the frame area the detector looked at; tracks outside it
   * are not aged (they were not looked for). Without it the whole frame counts as covered.
   */
  update(detections: readonly Detection[], nowMs: number, wallMs: number, covered?: Box): TrackerUpdate {
    for (const t of this.live) t.seenThisCycle = false;
    if (this.lastCycleMs !== undefined) {
      const gap = Math.max(0, nowMs - this.lastCycleMs);
      this.cycleMs = this.cycleMs === 0 ? gap : 0.8 * this.cycleMs + 0.2 * gap;
    }
    this.lastCycleMs = nowMs;
    const unmatched = this.match(detections, nowMs);
    for (const d of unmatched) this.live.push(this.newTrack(d, nowMs, wallMs));
    const confirmed: Track[] = [];
    for (const t of this.live) {
      if (t.seenThisCycle && !t.confirmed && t.hits >= this.config.minHits) {
        t.confirmed = true;
        confirmed.push(t);
      }
    }
    const ended: Track[] = [];
    this.live = this.live.filter((t) => {
      const keep = t.seenThisCycle || !this.expired(t, nowMs, covered);
      if (!keep && t.confirmed) ended.push(t);
      return keep;
    });
    return { tracks: this.live, confirmed, ended };
  }

  /** Ends every track (camera stopping or going offline). */
  clear(): Track[] {
    const ended = this.live.filter((t) => t.confirmed);
    this.live = [];
    return ended;
  }

  private match(detections: readonly Detection[], nowMs: number): Detection[] {
    const pairs: { track: Track; det: number; score: number }[] = [];
    for (const track of this.live) {
      const predicted = predictBox(track, nowMs);
      detections.forEach((d, i) => {
        if (d.label !== track.label) return;
        const overlap = iou(predicted, d.box);
        if (overlap >= this.config.iouMatch) {
          pairs.push({ track, det: i, score: overlap });
          return;
        }
        // At a low detection rate a walker moves more than its own width between cycles and
        // the boxes no longer overlap: fall back to centre distance, ranked below any overlap.
        const reach = CENTRE_MATCH * Math.max(predicted.w, predicted.h);
        const distance = Math.hypot(centreX(predicted) - centreX(d.box), centreY(predicted) - centreY(d.box));
        if (distance < reach) pairs.push({ track, det: i, score: 0.01 * (1 - distance / reach) });
      });
    }
    pairs.sort((a, b) => b.score - a.score);
    const used = new Set<number>();
    for (const { track, det } of pairs) {
      if (track.seenThisCycle || used.has(det)) continue;
      used.add(det);
      this.observe(track, detections[det]!, nowMs);
    }
    return detections.filter((_, i) => !used.has(i));
  }

  private observe(track: Track, d: Detection, nowMs: number): void {
    const dt = nowMs - track.lastSeenMs;
    if (dt > 0) {
      const cx = d.box.x + d.box.w / 2 - (track.box.x + track.box.w / 2);
      const cy = d.box.y + d.box.h / 2 - (track.box.y + track.box.h / 2);
      // Smoothed: single boxes jitter by a few pixels.
      track.vx = 0.5 * track.vx + 0.5 * (cx / dt);
      track.vy = 0.5 * track.vy + 0.5 * (cy / dt);
    }
    track.box = d.box;
    track.hits++;
    track.lastSeenMs = nowMs;
    track.seenThisCycle = true;
    track.scores.push(d.score);
    if (track.scores.length > SCORE_HISTORY) track.scores.shift();
    track.path.push({ t: nowMs, p: bottomCentre(d.box) });
    while (track.path.length > 2 && track.path[0]!.t < nowMs - PATH_HISTORY_MS) track.path.shift();
    track.stationary = this.isStationary(track, nowMs);
    if (track.stationary) track.vx = track.vy = 0;
  }

  private isStationary(track: Track, nowMs: number): boolean {
    if (nowMs - track.firstSeenMs < this.config.stationaryAfterMs) return false;
    const since = nowMs - this.config.stationaryAfterMs;
    const recent = track.path.filter((s) => s.t >= since);
    if (recent.length < 2) return track.stationary;
    const limit = this.config.stationaryMove * track.box.h;
    const [x0, y0] = recent[recent.length - 1]!.p;
    return recent.every(({ p }) => Math.hypot(p[0] - x0, p[1] - y0) <= limit);
  }

  private expired(track: Track, nowMs: number, covered: Box | undefined): boolean {
    const unseenMs = nowMs - track.lastSeenMs;
    if (unseenMs > this.config.hardLimitMs) return true;
    if (!track.confirmed) return unseenMs > Math.max(this.config.maxDisappearedMs, 3 * this.cycleMs);
    // Three missed cycles at least, however slow the cycles are.
    const limit = track.stationary ? this.config.stationaryMaxDisappearedMs : Math.max(this.config.maxDisappearedMs, 3 * this.cycleMs);
    if (unseenMs <= limit) return false;
    const [px, py] = bottomCentre(predictBox(track, nowMs));
    const leftFrame = px < 0 || px > 1 || py < 0 || py > 1.02;
    const lookedThere = !covered || (px >= covered.x && px <= covered.x + covered.w && py >= covered.y && py <= covered.y + covered.h);
    return leftFrame || lookedThere;
  }

  private newTrack(d: Detection, nowMs: number, wallMs: number): Track {
    return {
      id: newId(),
      label: d.label,
      box: d.box,
      vx: 0,
      vy: 0,
      hits: 1,
      confirmed: false,
      stationary: false,
      firstSeenMs: nowMs,
      lastSeenMs: nowMs,
      firstSeenWallMs: wallMs,
      scores: [d.score],
      path: [{ t: nowMs, p: bottomCentre(d.box) }],
      seenThisCycle: true,
    };
  }
}
