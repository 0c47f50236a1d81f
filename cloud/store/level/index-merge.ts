// Reads several event indexes as one list, newest first. Every index key ends with
// !<14-digit time>!<id>, so the part after the prefix orders the same in all of them; a row listed
// in two of the lists (a store mid-upgrade) comes out once.
import type { ClassicLevel } from 'classic-level';

/** What a keys() iterator of a utf8-keyed database offers here. */
interface KeyIterator {
  nextv(size: number): Promise<string[]>;
  close(): Promise<void>;
}

export interface IndexRange {
  /** Rows older than this suffix ("<time>!<id>" or a time prefix) are read; "~" sorts after all. */
  upperSuffix: string;
  /** Rows at or after this suffix; "" for no lower bound. */
  lowerSuffix: string;
}

/** One index read backwards in native chunks; `head` is the suffix of its next key. */
class IndexCursor {
  private buffer: string[] = [];
  private index = 0;
  private done = false;
  private chunk = 16;
  head: string | undefined;

  constructor(
    private readonly iterator: KeyIterator,
    private readonly prefixLength: number,
  ) {}

  async advance(): Promise<void> {
    if (this.index >= this.buffer.length && !this.done) {
      // Start small (a page of a narrow query is often a handful of rows), grow when read on.
      this.buffer = await this.iterator.nextv(this.chunk);
      this.index = 0;
      // Fewer than asked is not the end; an empty chunk is.
      this.done = this.buffer.length === 0;
      this.chunk = Math.min(this.chunk * 4, 1024);
    }
    this.head = this.index < this.buffer.length ? this.buffer[this.index++]!.slice(this.prefixLength) : undefined;
  }

  close(): Promise<void> {
    return this.iterator.close();
  }
}

/** Yields "<time>!<id>" suffixes of the prefixes' keys in [lower, upper), newest first, each once. */
export async function* newestFirst(db: ClassicLevel<string, Uint8Array>, prefixes: readonly string[], range: IndexRange): AsyncGenerator<string> {
  const cursors = prefixes.map((p) => new IndexCursor(db.keys({ lt: `${p}${range.upperSuffix}`, gte: `${p}${range.lowerSuffix}`, reverse: true }), p.length));
  try {
    await Promise.all(cursors.map((c) => c.advance()));
    for (;;) {
      let newest: string | undefined;
      for (const c of cursors) if (c.head !== undefined && (newest === undefined || c.head > newest)) newest = c.head;
      if (newest === undefined) return;
      yield newest;
      for (const c of cursors) if (c.head === newest) await c.advance();
    }
  } finally {
    await Promise.all(cursors.map((c) => c.close()));
  }
}
