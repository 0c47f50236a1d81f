import t from 'tap';
import sharp from 'sharp';
import {
  encodeThumbnail,
  isBetterShot,
  isMuchBetterShot,
  OBJECT_THUMBNAIL,
  shotQuality,
  takeShot,
  touchesFrameEdge,
  THUMBNAIL_MAX_BYTES,
} from '../../../edge/camera/thumbnail.js';
import { projectPath } from '../../../common/paths.js';

function noise(width: number, height: number): Uint8Array {
  const rgb = new Uint8Array(width * height * 3);
  for (let i = 0; i < rgb.length; i++) rgb[i] = Math.floor(Math.random() * 256);
  return rgb;
}

t.test('even pure noise (the worst case for JPEG) fits in 24 KB and 320 px', async (t) => {
  const thumb = await encodeThumbnail({ rgb: noise(640, 480), width: 640, height: 480 });
  t.ok(thumb.data.length <= THUMBNAIL_MAX_BYTES, `${thumb.data.length} bytes`);
  t.ok(Math.max(thumb.width, thumb.height) <= 320, `${thumb.width}×${thumb.height}`);
  const meta = await sharp(thumb.data).metadata();
  t.equal(meta.format, 'jpeg');
  t.same([meta.width, meta.height], [thumb.width, thumb.height]);
});

t.test('a real photo keeps its aspect and is not enlarged', async (t) => {
  const { data, info } = await sharp(projectPath('test', 'fixtures', 'messi5.jpg'))
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const big = await encodeThumbnail({ rgb: data, width: info.width, height: info.height });
  t.equal(big.width, 320);
  t.equal(big.height, Math.round((320 * info.height) / info.width));
  const small = await encodeThumbnail({ rgb: noise(100, 80).fill(90), width: 100, height: 80 });
  t.same([small.width, small.height], [100, 80], 'small crops stay as they are');
  const tight = await encodeThumbnail({ rgb: data, width: info.width, height: info.height }, { maxBytes: 4_000, maxSide: 320 });
  t.ok(tight.data.length <= 4_000, 'quality then size reduced to fit a smaller budget');
  const plain = await encodeThumbnail({ rgb: data, width: info.width, height: info.height }, OBJECT_THUMBNAIL);
  t.ok(plain.width === 160 && plain.data.length <= OBJECT_THUMBNAIL.maxBytes, `plain object size: ${plain.width}×${plain.height}, ${plain.data.length} B`);
  t.ok(plain.data.length * 2.5 < big.data.length, `a fraction of the rule-event picture (${plain.data.length} vs ${big.data.length} B)`);
});

t.test('best shot: confident, large, not cut by the frame edge', async (t) => {
  const inside = { x: 0.4, y: 0.3, w: 0.1, h: 0.3 };
  const atEdge = { x: 0.0, y: 0.3, w: 0.1, h: 0.3 };
  t.notOk(touchesFrameEdge(inside));
  t.ok(touchesFrameEdge(atEdge));
  t.ok(shotQuality(0.7, inside) > shotQuality(0.7, atEdge), 'cut-off object ranks lower');
  t.ok(isBetterShot({ quality: shotQuality(0.7, inside) }, { quality: shotQuality(0.7, { ...inside, w: 0.05, h: 0.15 }) }), 'larger wins');
  t.notOk(isBetterShot({ quality: 0.101 }, { quality: 0.1 }), 'a marginal gain is not worth copying pixels');
  t.notOk(isMuchBetterShot({ quality: 0.14 }, { quality: 0.1 }), 'nor a clear one worth sending again');
  t.ok(isMuchBetterShot({ quality: 0.2 }, { quality: 0.1 }), 'a view twice as good is (e.g. no longer cut by the edge)');
  const frame = { rgb: Buffer.alloc(640 * 480 * 3, 50), width: 640, height: 480, wallMs: 1 };
  const shot = takeShot(frame, inside, 0.7);
  t.ok(shot.width >= 128 && shot.height >= 128 && shot.width <= 640, 'crop with context around the object');
  t.equal(shot.rgb.length, shot.width * shot.height * 3);
});
