import t from 'tap';
import { cropAround, extractCrop, inputToFrameBox, letterbox, letterboxInto } from '../../../edge/camera/letterbox.js';

t.test('crop around a region: padded, at least the minimum size, inside the frame', async (t) => {
  const rect = cropAround({ x: 0.9, y: 0.9, w: 0.05, h: 0.05 }, 640, 480);
  t.ok(rect.x >= 0 && rect.y >= 0 && rect.x + rect.w <= 640 && rect.y + rect.h <= 480, JSON.stringify(rect));
  t.ok(rect.w >= 192 && rect.h >= 192, 'grown to the minimum side');
  const whole = cropAround({ x: 0, y: 0, w: 1, h: 1 }, 640, 480);
  t.same(whole, { x: 0, y: 0, w: 640, h: 480 });
});

t.test('letterbox keeps aspect and maps model boxes back to the frame', async (t) => {
  const g = letterbox(640, 480, 512);
  t.same([g.resizedW, g.resizedH, g.padX, g.padY], [512, 384, 0, 64]);
  const rect = { x: 100, y: 50, w: 320, h: 240 };
  const g2 = letterbox(rect.w, rect.h, 512);
  // A box covering the left half of the crop, in model-input pixels.
  const box = inputToFrameBox({ x1: 0, y1: g2.padY, x2: 256, y2: g2.padY + g2.resizedH }, g2, rect, 640, 480);
  t.ok(Math.abs(box.x - 100 / 640) < 1e-6 && Math.abs(box.w - 160 / 640) < 1e-6, JSON.stringify(box));
  t.ok(Math.abs(box.y - 50 / 480) < 1e-6 && Math.abs(box.h - 240 / 480) < 1e-6);
});

t.test('extractCrop copies the right pixels', async (t) => {
  const frame = { rgb: Buffer.alloc(4 * 3 * 3), width: 4, height: 3 };
  for (let i = 0; i < 12; i++) frame.rgb.fill(i, i * 3, i * 3 + 3);
  const crop = extractCrop(frame, { x: 1, y: 1, w: 2, h: 2 });
  t.same([...crop.filter((_, i) => i % 3 === 0)], [5, 6, 9, 10]);
});

t.test('letterboxInto: the crop scaled into the middle of the input, grey around it', async (t) => {
  // A 4×2 crop: left half black, right half white.
  const crop = new Uint8Array(4 * 2 * 3);
  for (let y = 0; y < 2; y++) for (let x = 2; x < 4; x++) crop.fill(255, (y * 4 + x) * 3, (y * 4 + x) * 3 + 3);
  const g = letterbox(4, 2, 8);
  t.same([g.resizedW, g.resizedH, g.padX, g.padY], [8, 4, 0, 2]);
  const input = new Float32Array(8 * 8 * 3).fill(-1);
  letterboxInto(crop, 4, 2, g, input, 114);
  const at = (x: number, y: number) => input[(y * 8 + x) * 3]!;
  t.same([at(0, 0), at(7, 1), at(3, 7)], [114, 114, 114], 'padding rows above and below');
  t.same([at(0, 2), at(1, 3)], [0, 0], 'black stays black');
  t.same([at(4, 2), at(7, 5)], [255, 255], 'white stays white');
  t.equal(at(3, 2), 127.5, 'the edge between them is interpolated (x = 1.5 in the crop)');
  t.notOk(input.includes(-1), 'every value written');
});

t.test('letterboxInto reads a crop in place from a whole frame exactly as from its packed copy', async (t) => {
  const frame = { rgb: Buffer.alloc(40 * 30 * 3), width: 40, height: 30 };
  for (let i = 0; i < frame.rgb.length; i++) frame.rgb[i] = (i * 37 + (i >> 5)) & 255;
  const rect = { x: 7, y: 5, w: 19, h: 13 };
  const g = letterbox(rect.w, rect.h, 32);
  const packed = new Float32Array(32 * 32 * 3);
  letterboxInto(extractCrop(frame, rect), rect.w, rect.h, g, packed, 114);
  const inPlace = new Float32Array(32 * 32 * 3);
  letterboxInto(frame.rgb, rect.w, rect.h, g, inPlace, 114, { rowPixels: frame.width, x: rect.x, y: rect.y });
  t.same([...inPlace], [...packed]);
});
