// What the level backend's stores (the coordinator store and the IOC feature stores) share in
// the one LevelDB: each keeps its own key prefix; writes to one key are serialized in process
// (the level store has one process by design), and every write batch is fsync'd before it resolves.
import type { ClassicLevel } from 'classic-level';
import { StorageError, errorMessage } from '../../../common/errors.js';
import { writeLevelBatch } from '../../../common/level-batch.js';
import { decodeJson, type LevelOp } from './codec.js';

export type LevelDatabase = ClassicLevel<string, Uint8Array>;

/** Zero-padded so byte order is numeric order. */
export const pad = (n: number, width = 12) => Math.max(0, Math.floor(n)).toString().padStart(width, '0');

export async function writeBatch(db: LevelDatabase, ops: LevelOp[]): Promise<void> {
  if (ops.length === 0) return;
  try {
    await writeLevelBatch(db, ops);
  } catch (err) {
    throw new StorageError(`store write failed: ${errorMessage(err)}`, err);
  }
}

/**
 * What every feature store (triage, webhooks, reports, device admin) on the coordinator's LevelDB
 * shares: the handle, a keyed lock, and a close that waits for the work under it.
 */
export abstract class LevelFeatureStore {
  readonly kind = 'level' as const;
  protected readonly lock = new KeyedLock();

  constructor(protected readonly db: LevelDatabase) {}

  async init(): Promise<void> {}

  async close(): Promise<void> {
    await this.lock.idle();
  }
}

/** Serializes work per key: a read-modify-write of one record never interleaves with another. */
export class KeyedLock {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const run = previous.then(fn, fn);
    const settled = run.catch(() => undefined);
    this.tails.set(key, settled);
    void settled.then(() => {
      if (this.tails.get(key) === settled) this.tails.delete(key);
    });
    return run;
  }

  /** Waits for every pending write (close). */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.tails.values()]);
  }
}

/** Values of a key range, in key order (or reversed), stopping after `limit` accepted ones. */
export async function scanJson<T>(
  db: LevelDatabase,
  range: { gt?: string; gte?: string; lt?: string; lte?: string; reverse?: boolean },
  accept: (value: T) => boolean = () => true,
  limit = Number.POSITIVE_INFINITY,
): Promise<T[]> {
  const out: T[] = [];
  if (limit <= 0) return out;
  for await (const raw of db.values(range)) {
    const value = decodeJson<T>(raw)!;
    if (!accept(value)) continue;
    out.push(value);
    if (out.length >= limit) break;
  }
  return out;
}
