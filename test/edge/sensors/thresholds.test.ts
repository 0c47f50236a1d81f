import t from 'tap';
import { ThresholdRule } from '../../../edge/sensors/thresholds.js';
import type { ThresholdConfig } from '../../../common/config/edge-schema.js';

const base: ThresholdConfig = {
  id: 'r',
  metric: 'level',
  condition: 'above',
  value: 4.5,
  clear: 4.0,
  for_s: 0,
  stat: 'mean',
  rate_per_s: 3600,
  severity: 'high',
};
const reading = (value: number, monoMs: number) => ({ sensorId: 's', metric: 'level', value, wallMs: monoMs, monoMs });

function run(rule: ThresholdRule, values: number[], stepMs = 1000): string[] {
  return values.flatMap((v, i) => {
    const tr = rule.update(reading(v, i * stepMs));
    return tr ? [`${tr.state}@${i}`] : [];
  });
}

t.test('hysteresis: raise above value, clear only below clear', async (t) => {
  const rule = new ThresholdRule('s', base);
  t.same(run(rule, [4.0, 4.6, 4.2, 4.6, 4.1, 3.9, 4.4, 4.6]), ['raised@1', 'cleared@5', 'raised@7']);
});

t.test('for_s: the condition must hold before raising and before clearing', async (t) => {
  const rule = new ThresholdRule('s', { ...base, for_s: 3 });
  t.same(run(rule, [5, 5, 4.2, 5, 5, 5, 5, 3, 3, 5, 3, 3, 3, 3]), ['raised@6', 'cleared@13']);
});

t.test('below with hysteresis (frost)', async (t) => {
  const rule = new ThresholdRule('s', { ...base, condition: 'below', value: 2, clear: 4 });
  t.same(run(rule, [5, 1.9, 3, 1, 4.1]), ['raised@1', 'cleared@4']);
});

t.test('window sum: rainfall over the last hour', async (t) => {
  const rule = new ThresholdRule('s', { ...base, value: 50, clear: 40, window_s: 3600, stat: 'sum' });
  // 2 mm every minute: the hourly sum passes 50 mm at the 26th reading.
  const values = Array.from({ length: 30 }, () => 2);
  t.same(run(rule, values, 60_000), ['raised@25']);
});

t.test('rate of change: least-squares slope per hour, robust to jitter', async (t) => {
  const rule = new ThresholdRule('s', { ...base, condition: 'rate_above', value: 0.5, clear: 0.2, window_s: 600 });
  // Flat with ±0.05 m jitter for 10 min: no alarm; then rising 1 m/h: alarm.
  const flat = Array.from({ length: 60 }, (_, i) => 3 + (i % 2 ? 0.05 : -0.05));
  const rising = Array.from({ length: 60 }, (_, i) => 3 + ((i + 1) * 10) / 3600);
  const events = run(rule, [...flat, ...rising], 10_000);
  t.equal(events.length, 1, 'one transition');
  t.match(events[0], /^raised@/);
});

t.test('a rule restored as active clears instead of raising again', async (t) => {
  const rule = new ThresholdRule('s', base, true);
  t.same(run(rule, [4.8, 4.9, 3.5]), ['cleared@2']);
});
