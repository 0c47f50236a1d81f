// Time-ordered unique ids (ULIDs) for alerts, audit entries, events and commands. The ulid
// package asks WebCrypto for one random value per character (16 calls per id, ~45 µs); this
// draws the same CSPRNG bytes from a pooled buffer instead. Ids made in the same millisecond
// by this process increase (the random part of the previous one plus one), so rows ordered by
// id — webhook deliveries, audit entries — keep the order they were made in.
import { randomFillSync } from 'node:crypto';
import { incrementBase32, ulid } from 'ulid';

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

const TIME_CHARS = 10;
let lastTimeMs = -1;
let lastId = '';

/** A new ULID stamped with `timeMs` (default: now), after any made earlier in that millisecond. */
export function newId(timeMs: number = Date.now()): string {
  lastId = timeMs === lastTimeMs ? lastId.slice(0, TIME_CHARS) + incrementBase32(lastId.slice(TIME_CHARS)) : ulid(timeMs, pooledRandom);
  lastTimeMs = timeMs;
  return lastId;
}
