// Inspects LevelDB's write-ahead logs before the database opens. LevelDB silently treats a
// damaged tail as a write the process died in the middle of, so without this check garbage
// or a torn write at the end of the log would leave no trace. Log format (LevelDB
// doc/log_format.md): 32 KiB blocks of records `masked crc32c(4) length(2) type(1) data`,
// the crc covering type and data; fewer than 7 bytes left in a block are zero padding.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const BLOCK_BYTES = 32 * 1024;
const HEADER_BYTES = 7;
const MAX_RECORD_TYPE = 4; // full, first, middle, last

export interface WalReport {
  files: number;
  /** Bytes after the last intact record of each log: a torn write or garbage. */
  tailBytes: number;
  /** Records with a bad checksum or length before the tail (LevelDB drops them). */
  corruptRecords: number;
}

/** Checks every `*.log` in a LevelDB directory; a directory without logs reports zeros. */
export function inspectWal(dir: string): WalReport {
  const report: WalReport = { files: 0, tailBytes: 0, corruptRecords: 0 };
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => /^\d+\.log$/.test(n));
  } catch {
    return report;
  }
  for (const name of names) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(join(dir, name));
    } catch {
      continue;
    }
    report.files++;
    const file = inspectLog(bytes);
    report.tailBytes += file.tailBytes;
    report.corruptRecords += file.corruptRecords;
  }
  return report;
}

/** Walks one log: counts bad records, and the bytes after the last good one. */
export function inspectLog(bytes: Buffer): { tailBytes: number; corruptRecords: number } {
  let pos = 0;
  let goodEnd = 0;
  let corruptRecords = 0;
  while (pos < bytes.length) {
    const leftInBlock = BLOCK_BYTES - (pos % BLOCK_BYTES);
    if (leftInBlock < HEADER_BYTES) {
      pos += leftInBlock; // trailer padding
      continue;
    }
    if (pos + HEADER_BYTES > bytes.length) break;
    const length = bytes.readUInt16LE(pos + 4);
    const type = bytes[pos + 6]!;
    const end = pos + HEADER_BYTES + length;
    const fits = end <= bytes.length && length <= leftInBlock - HEADER_BYTES && type >= 1 && type <= MAX_RECORD_TYPE;
    if (fits && unmask(bytes.readUInt32LE(pos)) === crc32c(bytes, pos + 6, end)) {
      pos = end;
      goodEnd = end;
      continue;
    }
    // LevelDB drops the rest of the block on a bad record and resumes at the next one.
    const nextBlock = pos + leftInBlock;
    if (nextBlock >= bytes.length) break;
    corruptRecords++;
    pos = nextBlock;
  }
  return { tailBytes: bytes.length - goodEnd, corruptRecords };
}

const TABLE = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    table[i] = c >>> 0;
  }
  return table;
})();

/** CRC-32C (Castagnoli), the checksum LevelDB uses; zlib's crc32 is the IEEE one. */
export function crc32c(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let crc = 0xffffffff;
  for (let i = start; i < end; i++) crc = TABLE[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** LevelDB stores checksums masked (crc32c.h), so a crc of data holding crcs stays strong. */
function unmask(masked: number): number {
  const rot = (masked - 0xa282ead8) >>> 0;
  return ((rot >>> 17) | (rot << 15)) >>> 0;
}
