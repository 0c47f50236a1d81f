// On-disk form of one outbox record: a checksummed header, then the encoded protobuf Record.
//   magic(1) crc32(4, of everything after it) agentMs(f64) edgeTimeMs(f64) record bytes…
// The checksum catches bit rot and torn values that LevelDB's own block checks let through.
import { crc32 } from 'node:zlib';

const MAGIC = 0x01;
export const HEADER_BYTES = 1 + 4 + 8 + 8;

export interface StoredRecord {
  agentMs: number;
  edgeTimeMs: number;
  record: Uint8Array;
}

export function encodeStoredRecord(agentMs: number, edgeTimeMs: number, record: Uint8Array): Uint8Array {
  const out = Buffer.allocUnsafe(HEADER_BYTES + record.length);
  out[0] = MAGIC;
  out.writeDoubleLE(agentMs, 5);
  out.writeDoubleLE(edgeTimeMs, 13);
  out.set(record, HEADER_BYTES);
  out.writeUInt32LE(crc32(out.subarray(5)), 1);
  return out;
}

/** Returns undefined when the value is torn or corrupt. */
export function decodeStoredRecord(value: Uint8Array): StoredRecord | undefined {
  if (value.length < HEADER_BYTES || value[0] !== MAGIC) return undefined;
  const buf = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (buf.readUInt32LE(1) !== crc32(buf.subarray(5))) return undefined;
  return { agentMs: buf.readDoubleLE(5), edgeTimeMs: buf.readDoubleLE(13), record: buf.subarray(HEADER_BYTES) };
}

/** Header fields only, without the checksum: cheap for TTL sweeps and eviction. */
export function peekTimes(value: Uint8Array): { agentMs: number; edgeTimeMs: number } | undefined {
  if (value.length < HEADER_BYTES || value[0] !== MAGIC) return undefined;
  const buf = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  return { agentMs: buf.readDoubleLE(5), edgeTimeMs: buf.readDoubleLE(13) };
}
