import t from 'tap';
import { LoiteringRule } from '../../../../edge/camera/rules/loitering.js';
import { CameraRule } from '../../../../common/config/camera-schema.js';
import { context, scene, track } from './support.js';

const rule = () => new LoiteringRule('loit', CameraRule.parse({ type: 'loitering', zone: 'yard', seconds: 10 }) as never, context);

t.test('fires once a person has stayed in the zone longer than N seconds', async (t) => {
  const r = rule();
  const inside = [track('a', 'person', [0.7, 0.8])];
  for (let s = 0; s < 10; s++) t.same(r.evaluate(scene(s * 1000, inside)), [], `${s} s: not yet`);
  const alerts = r.evaluate(scene(10_000, inside));
  t.equal(alerts.length, 1);
  t.equal(alerts[0]!.zone, 'yard');
  const again = r.evaluate(scene(12_000, inside));
  t.equal(again[0]!.key, alerts[0]!.key, 'same alert while it stays');
});

t.test('a short step outside does not restart the clock; leaving does', async (t) => {
  const r = rule();
  const inside = [track('a', 'person', [0.7, 0.8])];
  const outside = [track('a', 'person', [0.3, 0.8])];
  for (let s = 0; s <= 6; s++) r.evaluate(scene(s * 1000, inside));
  r.evaluate(scene(7_000, outside)); // jitter across the edge
  for (let s = 8; s <= 9; s++) r.evaluate(scene(s * 1000, inside));
  t.equal(r.evaluate(scene(10_000, inside)).length, 1, 'dwell counted across the blip');
  for (let s = 11; s <= 13; s++) r.evaluate(scene(s * 1000, outside)); // within the exit grace the alert holds
  for (let s = 14; s <= 20; s++) t.same(r.evaluate(scene(s * 1000, outside)), [], 'left the zone: alert over');
  t.same(r.evaluate(scene(21_000, inside)), [], 'coming back starts from zero');
});

t.test('walking through is not loitering; other labels ignored', async (t) => {
  const r = rule();
  for (let s = 0; s < 30; s++) {
    const x = 0.3 + s * 0.05; // in the zone for ~5 s only
    t.same(r.evaluate(scene(s * 1000, [track('a', 'person', [x, 0.8]), track('c', 'car', [0.7, 0.8])])), []);
  }
});
