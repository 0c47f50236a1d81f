// Keyboard shortcuts of the triage queue, one table: the handler and the help overlay both read
// it, so the documented keys are the keys that work.
import type { MessageKey } from '../i18n/i18n.js';

export type ShortcutCommand = 'next' | 'previous' | 'verify' | 'dispatch' | 'resolve' | 'dismiss' | 'comment' | 'help' | 'close';

export const SHORTCUTS: { keys: string[]; command: ShortcutCommand; label: MessageKey }[] = [
  { keys: ['j', 'ArrowDown'], command: 'next', label: 'keys.next' },
  { keys: ['k', 'ArrowUp'], command: 'previous', label: 'keys.previous' },
  { keys: ['v'], command: 'verify', label: 'keys.verify' },
  { keys: ['d'], command: 'dispatch', label: 'keys.dispatch' },
  { keys: ['r'], command: 'resolve', label: 'keys.resolve' },
  { keys: ['x'], command: 'dismiss', label: 'keys.dismiss' },
  { keys: ['c'], command: 'comment', label: 'keys.comment' },
  { keys: ['?'], command: 'help', label: 'keys.help' },
  { keys: ['Escape'], command: 'close', label: 'keys.close' },
];

/** The command for a key press, unless the operator is typing in a field. */
export function commandFor(e: KeyboardEvent): ShortcutCommand | undefined {
  if (e.ctrlKey || e.metaKey || e.altKey) return undefined;
  const target = e.target as HTMLElement | null;
  const typing = target && (target.tagName === 'INPUT' || target.tagName === 'TEXTAREA' || target.tagName === 'SELECT' || target.isContentEditable);
  if (typing) return e.key === 'Escape' ? 'close' : undefined;
  return SHORTCUTS.find((s) => s.keys.includes(e.key))?.command;
}

export function keyLabel(key: string): string {
  return key === 'ArrowDown' ? '↓' : key === 'ArrowUp' ? '↑' : key === 'Escape' ? 'Esc' : key;
}
