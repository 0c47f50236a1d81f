// The record journal on the level store: keys jn!<16 hex digits of a counter>, in write order.
// Whoever stores something the external bus must see puts the entry into its own atomic batch —
// ingest for records, the triage store for alert changes — sharing this one counter.
import type { ClassicLevel } from 'classic-level';
import type { JournalData, JournalEntry } from '../contract/journal.js';
import { decodeJson, encodeJson } from '../../../common/level-batch.js';

const PREFIX = 'jn!';
const RANGE = { gte: PREFIX, lt: 'jn"' };

export class LevelJournal {
  /** Set by enableJournal() (a publisher is running); until then nothing is journaled. */
  enabled = false;
  private next = 0;

  constructor(private readonly db: ClassicLevel<string, Uint8Array>) {}

  /** Continues the counter after the newest entry left from before a restart. */
  async open(): Promise<void> {
    for await (const key of this.db.keys({ ...RANGE, reverse: true, limit: 1 })) this.next = parseInt(key.slice(PREFIX.length), 16) + 1;
  }

  /** The put that journals data (none while disabled); goes into the caller's atomic batch. */
  ops(data: JournalData): { type: 'put'; key: string; value: Uint8Array }[] {
    if (!this.enabled) return [];
    return [{ type: 'put', key: PREFIX + (this.next++).toString(16).padStart(16, '0'), value: encodeJson(data) }];
  }

  async read(limit: number): Promise<JournalEntry[]> {
    const out: JournalEntry[] = [];
    for await (const [key, value] of this.db.iterator({ ...RANGE, limit })) out.push({ id: key, data: decodeJson<JournalData>(value)! });
    return out;
  }

  async remove(ids: readonly string[]): Promise<void> {
    const ops = ids.filter((id) => id.startsWith(PREFIX)).map((key) => ({ type: 'del' as const, key }));
    if (ops.length > 0) await this.db.batch(ops);
  }
}
