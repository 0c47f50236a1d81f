// Sequence numbers reserved outside the database, in blocks. If the outbox database is ever
// lost (quarantined as unrecoverable, or its lane meta gone), a fresh one must not hand out
// sequence numbers the coordinator may already hold: it would take the new records for
// duplicates and drop them silently. A side file next to the database remembers the highest
// number reserved; a fresh outbox starts above it and reports the gap as lost.
import { readFileSync } from 'node:fs';
import { LANES, type LaneName } from '../../common/lanes.js';
import { writeFileAtomic } from '../../common/time.js';

/**
 * Reserving 16384 at a time costs one small fsync'd write per 16384 records of a lane; after a
 * lost database up to that many never-used numbers are reported lost along with the real ones.
 */
export const SEQ_BLOCK = 16_384;

export class SeqFloor {
  private readonly reserved: Record<LaneName, number>;

  constructor(private readonly file: string) {
    this.reserved = readFloor(file);
  }

  /** Highest sequence number ever reserved for `lane` (0: none). */
  floor(lane: LaneName): number {
    return this.reserved[lane];
  }

  /** Makes sure `seq` is covered by a durable reservation before it is used. */
  cover(lane: LaneName, seq: number): void {
    if (seq <= this.reserved[lane]) return;
    this.reserved[lane] = seq + SEQ_BLOCK - 1;
    writeFileAtomic(this.file, JSON.stringify(this.reserved));
  }
}

function readFloor(file: string): Record<LaneName, number> {
  const out = Object.fromEntries(LANES.map((l) => [l, 0])) as Record<LaneName, number>;
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<Record<LaneName, unknown>>;
    for (const lane of LANES) {
      const v = parsed[lane];
      if (typeof v === 'number' && Number.isSafeInteger(v) && v > 0) out[lane] = v;
    }
  } catch {
    // no side file yet (new box) or a torn one: nothing reserved
  }
  return out;
}
