// How a later write merges into a stored row: the same rule on every backend.
import type { EventRow } from './contract/types.js';

/**
 * A later phase of a camera event updates its row; the sort time stays the first one's, and a
 * field the later phase leaves out keeps its known value.
 */
export function mergeEvent(previous: EventRow, next: EventRow): EventRow {
  return {
    ...previous,
    ...definedOnly(next),
    timeMs: previous.timeMs,
    edgeTimeMs: previous.edgeTimeMs,
    hasThumbnail: previous.hasThumbnail || next.hasThumbnail,
  };
}

/** A later phase or heartbeat that leaves a field out must not erase what is known. */
export function definedOnly<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<T>;
}
