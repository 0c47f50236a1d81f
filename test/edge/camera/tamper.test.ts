import t from 'tap';
import { TamperDetector } from '../../../edge/camera/tamper.js';

const N = 160 * 120;
const scene = (seed: number, gain = 1, offset = 0) => {
  const g = new Uint8Array(N);
  for (let i = 0; i < N; i++) g[i] = Math.max(0, Math.min(255, Math.round((((i * seed) % 97) + ((i / 160) | 0)) * gain + offset)));
  return g;
};

t.test('a black picture that lasts after_s is tamper; it clears when the picture returns', async (t) => {
  const d = new TamperDetector({ enabled: true, after_s: 2 });
  const street = scene(7);
  for (let ms = 0; ms < 3000; ms += 200) t.notOk(d.check(street, ms).active);
  const black = new Uint8Array(N).fill(3);
  t.notOk(d.check(black, 3000).active, 'a single black frame is not tamper');
  let raisedAt = -1;
  for (let ms = 3200; ms <= 6000; ms += 200) {
    const s = d.check(black, ms);
    if (s.changed && s.active) raisedAt = ms;
  }
  t.equal(raisedAt, 5000, 'raised exactly after_s after it started');
  t.match(d.check(black, 6200).reason, /uniform/);
  let clearedAt = -1;
  for (let ms = 6400; ms <= 9000; ms += 200) {
    const s = d.check(street, ms);
    if (s.changed && !s.active) clearedAt = ms;
  }
  t.equal(clearedAt, 8400, 'cleared after the picture was normal for after_s');
});

t.test('lights or the IR switch (gain and offset) are not tamper; a different view is', async (t) => {
  const d = new TamperDetector({ enabled: true, after_s: 1 });
  for (let ms = 0; ms < 2000; ms += 200) d.check(scene(7), ms);
  for (let ms = 2000; ms < 6000; ms += 200) t.notOk(d.check(scene(7, 0.5, 60), ms).active, 'darker and flatter, same structure');
  let active = false;
  const turned = scene(7)
    .reverse()
    .map((v, i) => (i % 160 < 80 ? 255 - v : v));
  for (let ms = 6000; ms < 9000; ms += 200) active = d.check(turned, ms).active;
  t.ok(active, 'camera turned to another view');
});

t.test('disabled never reports', async (t) => {
  const d = new TamperDetector({ enabled: false, after_s: 1 });
  for (let ms = 0; ms < 5000; ms += 200) t.notOk(d.check(new Uint8Array(N), ms).active);
});
