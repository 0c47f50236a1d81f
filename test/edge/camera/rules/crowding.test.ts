import t from 'tap';
import { CrowdingRule } from '../../../../edge/camera/rules/crowding.js';
import { CameraRule } from '../../../../common/config/camera-schema.js';
import { context, scene, track } from './support.js';

const rule = () => new CrowdingRule('crowd', CameraRule.parse({ type: 'crowding', zone: 'yard', max_objects: 3, for_s: 5 }) as never, context);
const people = (n: number, inside = true) => Array.from({ length: n }, (_, i) => track(`p${i}`, 'person', [inside ? 0.6 + i * 0.05 : 0.1, 0.8]));

t.test('more than N persons for for_s seconds: one alert per episode with the count', async (t) => {
  const r = rule();
  t.same(r.evaluate(scene(0, people(3))), [], 'at the limit is fine');
  for (let s = 0; s < 5; s++) t.same(r.evaluate(scene(s * 1000, people(5))), [], `over for ${s} s: not yet`);
  const alert = r.evaluate(scene(5_000, people(5)))[0]!;
  t.equal(alert.objectCount, 5);
  t.equal(alert.trackIds.length, 5);
  const later = r.evaluate(scene(6_000, people(6)))[0]!;
  t.equal(later.key, alert.key, 'same episode');
  t.equal(later.objectCount, 6);
  t.equal(r.evaluate(scene(7_000, people(2))).length, 1, 'a short dip (missed detections) does not end it');
  t.same(r.evaluate(scene(11_000, people(2))), [], 'below the limit for a while: over');
  t.same(r.evaluate(scene(12_000, people(5, false))), [], 'people outside the zone do not count');
});
