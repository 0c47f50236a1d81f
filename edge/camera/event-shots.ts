// When an event's picture goes out: the first one at once for rule and motion events, after
// objectShotDelayMs (or at the end) for a plain object; later ones only when much better and no
// more often than updates. And which view of a track is worth keeping.
import type { EventTimings, OpenEvent } from './open-event.js';
import type { Track } from './tracker.js';
import { isBetterShot, isMuchBetterShot, OBJECT_THUMBNAIL, RULE_THUMBNAIL, shotQuality, takeShot, type Shot, type ThumbnailLimits } from './thumbnail.js';
import type { Frame } from './types.js';

/** The picture to send now (marked as sent on the event), or undefined when none is due. */
export function takeDueShot(event: OpenEvent, monoMs: number, timings: EventTimings, ending: boolean): { shot: Shot; limits: ThumbnailLimits } | undefined {
  const shot = event.shot;
  if (!shot || shot === event.sentShot) return undefined;
  if (!event.sentShot) {
    const plainObject = event.type === 'object' && event.rule === '';
    if (plainObject && !ending && monoMs - event.openedMonoMs < timings.objectShotDelayMs) return undefined;
  } else {
    if (!isMuchBetterShot(shot, event.sentShot)) return undefined;
    if (!ending && monoMs - event.lastShotMonoMs < timings.minUpdateIntervalMs) return undefined;
  }
  event.sentShot = shot;
  event.lastShotMonoMs = monoMs;
  return { shot, limits: event.rule !== '' ? RULE_THUMBNAIL : OBJECT_THUMBNAIL };
}

/** This cycle's view of the track, when it beats the one kept. */
export function takeShotIfBetter(frame: Frame, track: Track, current: Shot | undefined): Shot | undefined {
  const score = track.scores[track.scores.length - 1] ?? 0;
  // Rank before copying pixels: most cycles do not improve the picture.
  if (!isBetterShot({ quality: shotQuality(score, track.box) }, current)) return undefined;
  return takeShot(frame, track.box, score);
}
