// Sensor series for charts: a step that keeps ranges to a few hundred points, gaps kept as
// gaps (null) rather than zeros, rain as a total and the rest as a mean with a min/max band.
import t from 'tap';
import { loadSeries, stepFor } from '../../../console/src/sensors/series.js';
import type { ApiClient } from '../../../console/src/api/client.js';
import type { SensorMetric } from '../../../console/src/sensors/catalog.js';

const river: SensorMetric = { deviceId: 'edge-a', site: 'muong-nhe', sensorId: 'river-1', metric: 'level', unit: 'm', sensorType: 'water_level' };
const rain: SensorMetric = { ...river, sensorId: 'rain-1', metric: 'rainfall', unit: 'mm' };

function fakeApi(points: { startMs: number; mean: number; sum: number; min: number; max: number }[]): { api: ApiClient; asked: string[] } {
  const asked: string[] = [];
  const api = {
    get: async (path: string, query: Record<string, number>) => {
      asked.push(path);
      return {
        device: 'edge-a',
        sensor: 'x',
        metric: 'x',
        fromMs: query.from,
        toMs: query.to,
        stepS: query.step,
        points: points.map((p) => ({ ...p, endMs: p.startMs + query.step! * 1000, count: 1, last: p.mean })),
      };
    },
  } as unknown as ApiClient;
  return { api, asked };
}

t.test('steps', async (t) => {
  t.equal(stepFor(3600_000), 30, '1 h → 30 s');
  t.equal(stepFor(86_400_000), 600, '24 h → 10 min');
  t.ok((30 * 86_400) / stepFor(30 * 86_400_000) <= 10_000, '30 days stays under the API limit');
});

t.test('gaps stay gaps; rain is a total, levels a mean with a band', async (t) => {
  const { api, asked } = fakeApi([
    { startMs: 0, mean: 2, sum: 6, min: 1, max: 3 },
    { startMs: 120_000, mean: 4, sum: 8, min: 3, max: 5 },
  ]);
  const level = await loadSeries(api, river, 0, 180_000, undefined, 60);
  t.same(level.values, [2, null, 4]);
  t.same(level.min, [1, null, 3]);
  t.same(level.max, [3, null, 5]);
  t.equal(asked[0], '/api/v1/sensors/edge-a/river-1/level/series');
  const total = await loadSeries(api, rain, 0, 180_000, undefined, 60);
  t.same(total.values, [6, null, 8]);
  t.notOk(total.min, 'no band for totals');
});
