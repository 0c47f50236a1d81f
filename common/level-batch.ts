// LevelDB values as JSON, and atomic writes through a chained batch. abstract-level's array form clones and
// re-validates every operation with its options; the chained form costs about a sixth of that
// per operation (measured: 12 vs 59–81 µs per 10-operation record), and ingest writes ~10 keys
// per record.
import type { ClassicLevel } from 'classic-level';

export type LevelOp = { type: 'put'; key: string; value: Uint8Array } | { type: 'del'; key: string };

const te = new TextEncoder();
const td = new TextDecoder();
/** The value of index keys, whose key says everything. */
export const EMPTY = new Uint8Array(0);

export const encodeJson = (v: unknown): Uint8Array => te.encode(JSON.stringify(v));
export function decodeJson<T>(v: Uint8Array): T;
export function decodeJson<T>(v: Uint8Array | undefined): T | undefined;
export function decodeJson<T>(v: Uint8Array | undefined): T | undefined {
  return v === undefined ? undefined : (JSON.parse(td.decode(v)) as T);
}

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
