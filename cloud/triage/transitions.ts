// The alert state machine: new → verified → dispatched → resolved, or dismissed before dispatch.
// A dispatched alert is in an agency's hands: it is resolved, never silently dismissed.
import { IocError } from '../../common/errors.js';
import type { AlertState } from './types.js';

const NEXT: Record<AlertState, readonly AlertState[]> = {
  new: ['verified', 'dismissed'],
  verified: ['dispatched', 'dismissed'],
  dispatched: ['resolved'],
  resolved: [],
  dismissed: [],
};

export function allowedNext(from: AlertState): readonly AlertState[] {
  return NEXT[from];
}

/** Throws CONFLICT (409) with the reason when `from → to` is not a move of the state machine. */
export function checkTransition(from: AlertState, to: AlertState): void {
  if (NEXT[from].includes(to)) return;
  const next = NEXT[from];
  const reason =
    from === to
      ? `the alert is already ${to}`
      : next.length === 0
        ? `the alert is ${from}, a final state`
        : `cannot go from ${from} to ${to}; next allowed: ${next.join(', ')}`;
  throw new IocError('CONFLICT', reason, { details: { from, to, allowed: next } });
}
