// Citizen photos: the type is decided from the bytes (magic numbers), never from the declared
// header or file name; every accepted image is decoded and re-encoded as JPEG, which drops EXIF
// (GPS position, phone model, owner name) and any payload hidden after the image data.
import sharp from 'sharp';

export type SniffedType = 'jpeg' | 'png' | 'webp';

export function sniffImageType(data: Uint8Array): SniffedType | undefined {
  const b = data;
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47 && b[4] === 0x0d && b[5] === 0x0a && b[6] === 0x1a && b[7] === 0x0a)
    return 'png';
  const ascii = (from: number, to: number) => String.fromCharCode(...b.subarray(from, to));
  if (b.length >= 12 && ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'webp';
  return undefined;
}

export interface ReencodedImage {
  data: Buffer;
  width: number;
  height: number;
}

/** Decompression bombs: a 5 MB PNG can claim 50 000 × 50 000 pixels. */
const MAX_INPUT_PIXELS = 40_000_000;

export async function reencodeImage(data: Uint8Array, maxPx: number): Promise<ReencodedImage> {
  // rotate() applies the EXIF orientation before the metadata goes, so photos stay upright.
  const { data: out, info } = await sharp(data, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error' })
    .rotate()
    .resize({ width: maxPx, height: maxPx, fit: 'inside', withoutEnlargement: true })
    .jpeg({ quality: 80, mozjpeg: false })
    .toBuffer({ resolveWithObject: true });
  return { data: out, width: info.width, height: info.height };
}
