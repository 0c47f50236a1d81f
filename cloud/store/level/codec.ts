// Values of the level backend (coordinator and feature stores): JSON rows, empty index values,
// and thumbnails as a length-prefixed JSON header + bytes.
import type { ThumbnailRow } from '../contract/types.js';
import { decodeJson, encodeJson } from '../../../common/level-batch.js';

export { EMPTY, encodeJson, decodeJson, type LevelOp } from '../../../common/level-batch.js';

export function encodeThumbnail(t: ThumbnailRow): Uint8Array {
  const meta = encodeJson({ ...t, data: undefined });
  const out = Buffer.allocUnsafe(4 + meta.length + t.data.length);
  out.writeUInt32LE(meta.length, 0);
  out.set(meta, 4);
  out.set(t.data, 4 + meta.length);
  return out;
}

export function decodeThumbnail(raw: Uint8Array): ThumbnailRow {
  const buf = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  const metaLength = buf.readUInt32LE(0);
  const meta = decodeJson<Omit<ThumbnailRow, 'data'>>(buf.subarray(4, 4 + metaLength))!;
  return { ...meta, data: buf.subarray(4 + metaLength) };
}
