import t from 'tap';
import { VehicleCountRule } from '../../../../edge/camera/rules/vehicle-count.js';
import { zoneOf } from '../../../../edge/camera/rules/rule.js';
import { CameraRule } from '../../../../common/config/camera-schema.js';
import { context, scene, track } from './support.js';

const rule = () => new VehicleCountRule('count', CameraRule.parse({ type: 'vehicle_count', line: 'road', interval_s: 60 }) as never, context);
const T0 = Date.parse('2026-01-10T08:00:00Z');

t.test('crossings per label and direction, each vehicle once, reported per interval', async (t) => {
  const r = rule();
  const step = (s: number, tracks: ReturnType<typeof track>[]) => r.evaluate(scene(s * 1000, tracks, T0 + s * 1000));
  step(1, [track('c1', 'car', [0.3, 0.4]), track('t1', 'truck', [0.6, 0.7]), track('p1', 'person', [0.5, 0.4])]);
  step(2, [track('c1', 'car', [0.3, 0.55]), track('t1', 'truck', [0.6, 0.45]), track('p1', 'person', [0.5, 0.6])]);
  step(3, [track('c1', 'car', [0.3, 0.45]), track('t1', 'truck', [0.6, 0.4])]); // c1 jitters back over the line
  step(4, [track('c1', 'car', [0.3, 0.58])]); // and down again: already counted "in"
  step(5, [track('c2', 'car', [0.8, 0.3], [[0.8, 0.2]]), track('b1', 'bus', [0.2, 0.2])]);
  step(6, [track('c2', 'car', [0.8, 0.7])]);
  t.same(r.telemetry(T0 + 30_000), [], 'interval not over yet');
  const [report, ...more] = r.telemetry(T0 + 61_000);
  t.equal(more.length, 0);
  t.equal(report!.camera_id, 'cam1');
  t.equal(report!.line, 'road');
  t.equal(report!.interval_start_ms, T0);
  t.equal(report!.interval_end_ms, T0 + 60_000);
  const counts = Object.fromEntries(report!.entries!.map((e) => [`${e.label}:${e.direction}`, e.count]));
  t.same(counts, { 'car:in': 2, 'truck:out': 1, 'car:out': 1 }, 'c1 in (once) and out (once), c2 in, t1 out; the person does not count');
  const [empty] = r.telemetry(T0 + 121_000);
  t.same(empty!.entries, [], 'an interval without traffic is still reported (zero is information)');
  const [partial] = r.telemetry(T0 + 130_000, true);
  t.equal(partial!.interval_end_ms, T0 + 130_000, 'stop flushes a partial interval');
});

t.test('each counted crossing is told to the camera with the rule id', async (t) => {
  const told: string[] = [];
  const r = new VehicleCountRule('road-count', CameraRule.parse({ type: 'vehicle_count', line: 'road', interval_s: 60 }) as never, {
    ...context,
    onLineCrossing: (ruleId, label, direction) => told.push(`${ruleId}:${label}:${direction}`),
  });
  r.evaluate(scene(1000, [track('c1', 'car', [0.3, 0.4])], T0 + 1000));
  r.evaluate(scene(2000, [track('c1', 'car', [0.3, 0.55])], T0 + 2000));
  r.evaluate(scene(3000, [track('c1', 'car', [0.3, 0.45])], T0 + 3000));
  t.same(told, ['road-count:car:in', 'road-count:car:out'], 'one call per counted crossing, each with the rule that counted it');
});

t.test('a rule naming a line or zone the camera does not have is a config error, not a crash later', async (t) => {
  const unknownLine = () => new VehicleCountRule('count', CameraRule.parse({ type: 'vehicle_count', line: 'bridge', interval_s: 60 }) as never, context);
  t.throws(unknownLine, { code: 'CONFIG_INVALID', message: /camera cam1: no line "bridge"/ });
  t.throws(() => zoneOf(context, 'gate'), { code: 'CONFIG_INVALID', message: /camera cam1: no zone "gate"/ });
  t.equal(zoneOf(context, 'yard').length, 4);
});
