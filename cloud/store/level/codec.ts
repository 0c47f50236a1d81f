// Values of the level store: JSON rows, and thumbnails as a length-prefixed JSON header + bytes.
import type { ThumbnailRow } from '../types.js';

export type Op = { type: 'put'; key: string; value: Uint8Array } | { type: 'del'; key: string };

const te = new TextEncoder();
const td = new TextDecoder();
export const EMPTY = new Uint8Array(0);

export const json = (v: unknown): Uint8Array => te.encode(JSON.stringify(v));
export function parse<T>(v: Uint8Array | undefined): T | undefined {
  return v === undefined ? undefined : (JSON.parse(td.decode(v)) as T);
}

export function encodeThumbnail(t: ThumbnailRow): Uint8Array {
  const meta = te.encode(JSON.stringify({ ...t, data: undefined }));
  const out = Buffer.allocUnsafe(4 + meta.length + t.data.length);
  out.writeUInt32LE(meta.length, 0);
  out.set(meta, 4);
  out.set(t.data, 4 + meta.length);
  return out;
}

export function decodeThumbnail(raw: Uint8Array): ThumbnailRow {
  const buf = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  const metaLength = buf.readUInt32LE(0);
  const meta = JSON.parse(td.decode(buf.subarray(4, 4 + metaLength))) as Omit<ThumbnailRow, 'data'>;
  return { ...meta, data: buf.subarray(4 + metaLength) };
}
