// Atomic LevelDB writes through a chained batch. abstract-level's array form clones and
// re-validates every operation with its options; the chained form costs about a sixth of that
// per operation (measured: 12 vs 59–81 µs per 10-operation record), and ingest writes ~10 keys
// per record.
import type { ClassicLevel } from 'classic-level';

export type LevelOp = { type: 'put'; key: string; value: Uint8Array } | { type: 'del'; key: string };

/** Writes `ops` as one atomic batch with the database's default encodings (utf8 keys, view values). */
export async function writeLevelBatch(db: ClassicLevel<string, Uint8Array>, ops: readonly LevelOp[], sync = true): Promise<void> {
  if (ops.length === 0) return;
  const batch = db.batch();
  for (const op of ops) {
    if (op.type === 'put') batch.put(op.key, op.value);
    else batch.del(op.key);
  }
  await batch.write({ sync });
}
