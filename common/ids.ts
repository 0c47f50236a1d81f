// Time-ordered unique ids (ULIDs) for alerts, audit entries, events and commands. The ulid
// package asks WebCrypto for one random value per character (16 calls per id, ~45 µs); this
// draws the same CSPRNG bytes from a pooled buffer instead.
import { randomFillSync } from 'node:crypto';
import { ulid } from 'ulid';

const pool = new Uint8Array(4096);
let next = pool.length;

/** A uniform value in [0, 1) from the pool; 1/256 steps suffice for 32-symbol characters. */
function pooledRandom(): number {
  if (next >= pool.length) {
    randomFillSync(pool);
    next = 0;
  }
  return pool[next++]! / 256;
}

/** A new ULID stamped with `timeMs` (default: now). */
export function newId(timeMs?: number): string {
  return ulid(timeMs, pooledRandom);
}
