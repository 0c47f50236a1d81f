// One camera event while it is open: what its records carry, and when its last update and its
// last picture went out.
import type { SeverityName } from '../../common/config/primitives.js';
import { newId } from '../../common/ids.js';
import type { Shot } from './thumbnail.js';
import type { Box } from './types.js';

export type EventType = 'object' | 'motion' | 'activity' | 'offline' | 'online' | 'tamper';
export type Phase = 'new' | 'update' | 'end';

export interface EventTimings {
  /** Least time between two updates of one event. */
  minUpdateIntervalMs: number;
  /** A motion-only episode ends after this long without motion. */
  motionQuietMs: number;
  /** A plain object event's picture waits this long for a better view (or goes at its end). */
  objectShotDelayMs: number;
}

export const DEFAULT_EVENT_TIMINGS: EventTimings = { minUpdateIntervalMs: 10_000, motionQuietMs: 5_000, objectShotDelayMs: 8_000 };

export interface OpenEvent {
  id: string;
  type: EventType;
  rule: string;
  zone: string;
  label: string;
  trackId: string;
  severity: SeverityName;
  startedWallMs: number;
  lastUpdateMonoMs: number;
  score: number;
  box: Box | undefined;
  objectCount: number;
  motionOnly: boolean;
  detail: string;
  shot?: Shot;
  sentShot?: Shot;
  openedMonoMs: number;
  lastShotMonoMs: number;
  /** Something other than the picture changed (count, rule fired) since the last record. */
  dirty: boolean;
  lastActivityMonoMs: number;
}

/** What the one who opens an event says about it; the rest is bookkeeping. */
export type EventFields = Omit<OpenEvent, 'id' | 'lastUpdateMonoMs' | 'dirty' | 'lastActivityMonoMs' | 'sentShot' | 'openedMonoMs' | 'lastShotMonoMs'>;

/** A new event under a fresh id, opened (and last active, updated, pictured) at `monoMs`. */
export function newEvent(fields: EventFields, monoMs: number): OpenEvent {
  return {
    ...fields,
    id: newId(),
    lastUpdateMonoMs: monoMs,
    dirty: false,
    lastActivityMonoMs: monoMs,
    openedMonoMs: monoMs,
    lastShotMonoMs: monoMs,
  };
}
