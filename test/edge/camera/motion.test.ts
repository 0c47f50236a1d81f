import t from 'tap';
import { spawnSync } from 'node:child_process';
import { MotionDetector, type MotionConfig } from '../../../edge/camera/motion.js';
import { projectPath } from '../../../common/paths.js';

const W = 640,
  H = 480;
const config: MotionConfig = { threshold: 25, min_area: 0.002, height: 120, masks: [] };

function frame(
  fill: number,
  rects: { x: number; y: number; w: number; h: number; v: number }[] = [],
  noise = 4,
): { rgb: Buffer; width: number; height: number } {
  const rgb = Buffer.alloc(W * H * 3);
  for (let i = 0; i < W * H; i++) {
    const v = Math.max(0, Math.min(255, fill + Math.round((Math.random() - 0.5) * 2 * noise)));
    rgb[i * 3] = rgb[i * 3 + 1] = rgb[i * 3 + 2] = v;
  }
  for (const r of rects) {
    for (let y = r.y; y < r.y + r.h; y++) for (let x = r.x; x < r.x + r.w; x++) rgb.fill(r.v, (y * W + x) * 3, (y * W + x) * 3 + 3);
  }
  return { rgb, width: W, height: H };
}

t.test('a still noisy scene gives no regions; a person-sized blob gives one where it is', async (t) => {
  const m = new MotionDetector(config, W, H);
  t.equal(m.width, 160);
  t.equal(m.height, 120);
  for (let i = 0; i < 5; i++) t.same(m.analyse(frame(120)).regions, [], 'still');
  const result = m.analyse(frame(120, [{ x: 300, y: 200, w: 40, h: 100, v: 30 }]));
  t.equal(result.regions.length, 1);
  const box = result.regions[0]!.box;
  t.ok(Math.abs(box.x - 300 / W) < 0.02 && Math.abs(box.y - 200 / H) < 0.03, `region at the blob: ${JSON.stringify(box)}`);
  t.ok(Math.abs(box.w - 40 / W) < 0.03 && Math.abs(box.h - 100 / H) < 0.04);
  t.equal(result.recalibrated, false);
});

t.test('small changes below min_area and masked areas are ignored', async (t) => {
  const m = new MotionDetector(
    {
      ...config,
      masks: [
        [
          [0, 0],
          [0.3, 0],
          [0.3, 1],
          [0, 1],
        ],
      ],
    },
    W,
    H,
  );
  m.analyse(frame(120));
  t.same(m.analyse(frame(120, [{ x: 500, y: 100, w: 6, h: 6, v: 250 }])).regions, [], 'a 6 px speck');
  t.same(m.analyse(frame(120, [{ x: 40, y: 200, w: 60, h: 120, v: 30 }])).regions, [], 'movement inside the mask (a tree)');
});

t.test('lights on: most of the frame changes at once → recalibrate, no regions', async (t) => {
  const m = new MotionDetector(config, W, H);
  m.analyse(frame(60));
  const lit = m.analyse(frame(180));
  t.equal(lit.recalibrated, true);
  t.same(lit.regions, []);
  t.ok(lit.changedShare > 0.9);
  t.same(m.analyse(frame(180)).regions, [], 'the new brightness is the background now');
});

t.test('a blob that stops moving fades into the background', async (t) => {
  const m = new MotionDetector(config, W, H);
  m.analyse(frame(120));
  const parked = frame(120, [{ x: 300, y: 200, w: 80, h: 60, v: 40 }], 0);
  let frames = 0;
  while (m.analyse(parked).regions.length > 0 && frames < 1000) frames++;
  t.ok(frames > 25 && frames < 400, `absorbed after ${frames} frames (${(frames / 5).toFixed(0)} s at 5 fps)`);
});

t.test('real footage: walking people give regions on most frames, cost stays small', async (t) => {
  const raw = spawnSync(
    'ffmpeg',
    [
      '-v',
      'error',
      '-i',
      projectPath('test', 'fixtures', 'vtest-25s.mp4'),
      '-t',
      '6',
      '-vf',
      `fps=5,scale=${W}:${H}`,
      '-pix_fmt',
      'rgb24',
      '-f',
      'rawvideo',
      'pipe:1',
    ],
    { maxBuffer: 1 << 30 },
  ).stdout;
  const m = new MotionDetector(config, W, H);
  const n = Math.floor(raw.length / (W * H * 3));
  let withRegions = 0;
  const started = performance.now();
  for (let i = 0; i < n; i++) if (m.analyse({ rgb: raw.subarray(i * W * H * 3, (i + 1) * W * H * 3), width: W, height: H }).regions.length > 0) withRegions++;
  const msPerFrame = (performance.now() - started) / n;
  t.ok(withRegions >= n - 2, `${withRegions}/${n} frames with motion`);
  t.ok(msPerFrame < 20, `${msPerFrame.toFixed(2)} ms per frame`);
});
