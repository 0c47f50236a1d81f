import t from 'tap';
import { WindowAggregator } from '../../../edge/sensors/aggregate.js';
import type { SensorConfig } from '../../../common/config/edge-schema.js';

const sensors: SensorConfig[] = [
  {
    id: 'temp-1',
    type: 'temperature',
    credentials: { username: 'u', password: 'password1' },
    metrics: [{ name: 'temperature', unit: '°C', windows_s: [60, 300] }],
    thresholds: [],
    stale_after_s: 300,
  },
];
const at = (wallMs: number, value: number) => ({ sensorId: 'temp-1', metric: 'temperature', value, wallMs, monoMs: wallMs });

t.test('tumbling windows aligned to the clock, closed by the next window or by time', async (t) => {
  const agg = new WindowAggregator(sensors, 2000);
  const t0 = 1_800_000_000_000 - (1_800_000_000_000 % 300_000);
  t.same(agg.add(at(t0 + 1000, 20)), []);
  t.same(agg.add(at(t0 + 30_000, 22)), []);
  const closed = agg.add(at(t0 + 61_000, 30));
  t.equal(closed.length, 1, 'the 60 s window closed');
  t.match(closed[0], { windowS: 60, startMs: t0, endMs: t0 + 60_000, count: 2, min: 20, max: 22, mean: 21, sum: 42, last: 22, unit: '°C' });
  t.same(agg.closeDue(t0 + 60_000 + 61_000), [], 'the second 60 s window is not due before its end + grace');
  const due = agg.closeDue(t0 + 120_000 + 2000);
  t.same(
    due.map((w) => [w.windowS, w.count]),
    [[60, 1]],
  );
  const five = agg.closeDue(t0 + 300_000 + 2000);
  t.match(five, [{ windowS: 300, count: 3, min: 20, max: 30 }]);
});

t.test('late readings for a closed window are not merged into the next one', async (t) => {
  const agg = new WindowAggregator(sensors);
  const t0 = 1_800_000_000_000 - (1_800_000_000_000 % 300_000);
  agg.add(at(t0 + 61_000, 1));
  agg.add(at(t0 + 10_000, 99)); // belongs to a window already past: ignored for the 60 s series
  const closed = agg.flushAll().find((w) => w.windowS === 60)!;
  t.equal(closed.max, 1);
});
