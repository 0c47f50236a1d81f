// Key layout of the outbox database. Sequence numbers are zero-padded hex so that byte order
// is numeric order and a lane is one contiguous key range.
import type { LaneName } from '../../common/lanes.js';

const SEQ_DIGITS = 16;

export function recordKey(lane: LaneName, seq: number): string {
  return `r:${lane}:${seq.toString(16).padStart(SEQ_DIGITS, '0')}`;
}

export function laneRange(lane: LaneName): { gte: string; lt: string } {
  return { gte: `r:${lane}:`, lt: `r:${lane};` };
}

export function seqFromRecordKey(key: string): number {
  return parseInt(key.slice(key.lastIndexOf(':') + 1), 16);
}

export function metaKey(lane: LaneName): string {
  return `m:lane:${lane}`;
}

export function dropReportKey(id: number): string {
  return `d:${id.toString(16).padStart(SEQ_DIGITS, '0')}`;
}
export const DROP_REPORT_RANGE = { gte: 'd:', lt: 'd;' };

export function deadLetterKey(lane: LaneName, seq: number): string {
  return `x:${lane}:${seq.toString(16).padStart(SEQ_DIGITS, '0')}`;
}
export const DEAD_LETTER_RANGE = { gte: 'x:', lt: 'x;' };

export const CLEAN_SHUTDOWN_KEY = 'm:clean-shutdown';
