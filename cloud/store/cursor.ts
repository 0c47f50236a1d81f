// Opaque pagination cursors: (time, id) of the last row of a page, newest-first order.
import { ValidationError } from '../../common/errors.js';

export interface CursorPosition {
  timeMs: number;
  id: string;
}

export function encodeCursor(pos: CursorPosition): string {
  return Buffer.from(JSON.stringify([pos.timeMs, pos.id])).toString('base64url');
}

export function decodeCursor(cursor: string): CursorPosition {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(parsed) && typeof parsed[0] === 'number' && typeof parsed[1] === 'string') return { timeMs: parsed[0], id: parsed[1] };
  } catch {
    // fall through
  }
  throw new ValidationError('cursor: not a cursor returned by this API');
}
