import t from 'tap';
import sharp from 'sharp';
import { encodeJpeg } from '../../../edge/camera/jpeg.js';
import { projectPath } from '../../../common/paths.js';

async function psnr(jpeg: Buffer, rgb: Uint8Array, width: number, height: number): Promise<number> {
  const { data, info } = await sharp(jpeg).raw().toBuffer({ resolveWithObject: true });
  if (info.width !== width || info.height !== height || info.channels !== 3) return 0;
  let se = 0;
  for (let i = 0; i < rgb.length; i++) se += (data[i]! - rgb[i]!) ** 2;
  return 10 * Math.log10((255 * 255) / (se / rgb.length));
}

t.test('a real photo decodes (libjpeg via sharp) close to the original, smaller as quality drops', async (t) => {
  const { data, info } = await sharp(projectPath('test', 'fixtures', 'messi5.jpg'))
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const high = encodeJpeg(data, info.width, info.height, 80);
  const low = encodeJpeg(data, info.width, info.height, 40);
  t.equal((await sharp(high).metadata()).format, 'jpeg');
  t.ok((await psnr(high, data, info.width, info.height)) > 33, 'quality 80: > 33 dB');
  t.ok((await psnr(low, data, info.width, info.height)) > 29, 'quality 40: > 29 dB');
  t.ok(low.length < high.length * 0.7, `${low.length} B at 40 against ${high.length} B at 80`);
  const ref = await sharp(data, { raw: { width: info.width, height: info.height, channels: 3 } })
    .jpeg({ quality: 80, mozjpeg: false })
    .toBuffer();
  t.ok(high.length < ref.length * 1.1, `about libjpeg's size at the same quality (${high.length} vs ${ref.length} B)`);
});

t.test('sizes that are not multiples of 16, one pixel, flat and busy pictures', async (t) => {
  for (const [w, h] of [
    [1, 1],
    [37, 53],
    [17, 8],
    [160, 100],
  ] as const) {
    const noise = Uint8Array.from({ length: w * h * 3 }, (_, i) => (i * 7919) % 251);
    const flat = new Uint8Array(w * h * 3).fill(120);
    for (const rgb of [noise, flat]) {
      const jpeg = encodeJpeg(rgb, w, h, 60);
      const meta = await sharp(jpeg).metadata();
      t.same([meta.format, meta.width, meta.height, meta.chromaSubsampling], ['jpeg', w, h, '4:2:0'], `${w}×${h}`);
    }
    t.ok((await psnr(encodeJpeg(flat, w, h, 60), flat, w, h)) > 40, `${w}×${h} flat grey stays flat`);
  }
  t.throws(() => encodeJpeg(new Uint8Array(5), 2, 2, 60), RangeError);
});
