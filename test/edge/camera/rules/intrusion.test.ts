import t from 'tap';
import { IntrusionRule } from '../../../../edge/camera/rules/intrusion.js';
import { CameraRule } from '../../../../common/config/camera-schema.js';
import { context, scene, track } from './support.js';

const rule = (extra: Record<string, unknown> = {}) =>
  new IntrusionRule('intr', CameraRule.parse({ type: 'intrusion', zone: 'yard', labels: ['person'], ...extra }) as never, context);

t.test('a person in the restricted zone raises one alert per person, keyed by track', async (t) => {
  const r = rule();
  t.same(r.evaluate(scene(0, [track('a', 'person', [0.2, 0.8])])), [], 'outside');
  const alerts = r.evaluate(scene(1, [track('a', 'person', [0.7, 0.8]), track('b', 'person', [0.9, 0.9]), track('c', 'car', [0.8, 0.8])]));
  t.same(
    alerts.map((a) => a.key),
    ['intr:a', 'intr:b'],
    'cars are not in this rule',
  );
  t.equal(alerts[0]!.severity, 'high');
  t.same(
    r.evaluate(scene(2, [track('a', 'person', [0.7, 0.8])])).map((a) => a.key),
    ['intr:a'],
    'same key while inside: one event',
  );
});

t.test('only inside the local-time schedule (Asia/Ho_Chi_Minh, wrapping midnight)', async (t) => {
  const r = rule({ schedule: { from: '22:00', to: '05:00' } });
  const inside = [track('a', 'person', [0.7, 0.8])];
  const at = (utc: string) => Date.parse(utc);
  t.same(r.evaluate(scene(0, inside, at('2026-01-10T08:00:00Z'))), [], '15:00 local: off');
  t.equal(r.evaluate(scene(0, inside, at('2026-01-10T15:30:00Z'))).length, 1, '22:30 local: on');
  t.equal(r.evaluate(scene(0, inside, at('2026-01-10T21:59:00Z'))).length, 1, '04:59 local: on');
  t.same(r.evaluate(scene(0, inside, at('2026-01-10T22:00:00Z'))), [], '05:00 local: off');
});
