// /api/open/v1 over real HTTP without a token: per-site aggregates of the public sensor types
// only (a temperature sensor and camera data never appear), sums averaged across the gauges of a
// site, the same numbers as JSON and CSV, cache headers and an in-memory cache.
import t from 'tap';
import { mapRecord } from '../../../cloud/ingest/record-mapper.js';
import type { Record__Output } from '../../../common/proto.js';
import { startInProcessCoordinator } from '../../support/in-process.js';

const HOUR = 3_600_000;
const T0 = Math.floor(Date.now() / HOUR) * HOUR - 3 * HOUR;
let seq = 0;

function telemetry(sensorId: string, sensorType: string, metric: string, startMs: number, windowS: number, values: number[]): Record__Output {
  seq++;
  const sum = values.reduce((a, b) => a + b, 0);
  return {
    lane: 'LANE_TELEMETRY',
    seq,
    kind: 'telemetry',
    edge_time_ms: startMs + windowS * 1000,
    clock_offset_ms: 0,
    clock_synced: true,
    body: 'telemetry',
    telemetry: {
      sensor_id: sensorId,
      sensor_type: sensorType,
      metric,
      unit: metric === 'rainfall' ? 'mm' : 'm',
      window_s: windowS,
      window_start_ms: startMs,
      window_end_ms: startMs + windowS * 1000,
      count: values.length,
      min: Math.min(...values),
      max: Math.max(...values),
      mean: sum / values.length,
      last: values.at(-1)!,
      sum,
    },
  } as unknown as Record__Output;
}

t.test('public sensor aggregates per site as JSON and CSV, no auth, cached; private types stay out', async (t) => {
  const c = await startInProcessCoordinator(t, 'opendata: { cache_ttl_s: 60 }\n');
  const records = [
    // Two rain gauges, 15-minute windows, and the same rain again in 1-hour windows (must not count twice).
    telemetry('rain-1', 'rain_gauge', 'rainfall', T0, 900, [1, 2]),
    telemetry('rain-1', 'rain_gauge', 'rainfall', T0 + 900_000, 900, [4]),
    telemetry('rain-1', 'rain_gauge', 'rainfall', T0, 3600, [1, 2, 4]),
    telemetry('rain-2', 'rain_gauge', 'rainfall', T0, 900, [5]),
    telemetry('rain-2', 'rain_gauge', 'rainfall', T0 + HOUR, 900, [2]),
    telemetry('river-1', 'water_level', 'level', T0, 900, [3.1, 3.5]),
    telemetry('temp-1', 'temperature', 'temperature', T0, 900, [24]),
  ];
  const ctx = { deviceId: 'edge-a', site: 'muong-nhe', sessionOffsetMs: 0, receivedMs: Date.now() };
  const items = records.map((r) => {
    const m = mapRecord(r, ctx);
    if (!m.ok) throw new Error(m.reason);
    return m.item;
  });
  await c.handle.store.ingest('edge-a', items);

  const url = `${c.baseUrl}/api/open/v1/sites/muong-nhe/sensors?from=${T0}&to=${T0 + 2 * HOUR}&step=3600`;
  const res = await fetch(url);
  t.equal(res.status, 200, 'no token needed');
  t.equal(res.headers.get('cache-control'), 'public, max-age=60');
  const body = (await res.json()) as {
    items: { sensorType: string; metric: string; startMs: number; sensors: number; count: number; sum: number; min: number; max: number; mean: number }[];
  };
  const rain = body.items.filter((i) => i.sensorType === 'rain_gauge');
  t.same(
    rain.map((r) => [r.startMs, r.sensors, r.count, r.sum]),
    [
      [T0, 2, 4, (7 + 5) / 2],
      [T0 + HOUR, 1, 1, 2],
    ],
    'hour buckets: one window size per gauge, site rainfall = mean of the gauges',
  );
  const river = body.items.find((i) => i.sensorType === 'water_level')!;
  t.same([river.min, river.max, river.count], [3.1, 3.5, 2]);
  t.notOk(
    body.items.some((i) => i.sensorType === 'temperature'),
    'temperature is not an open type',
  );
  t.notOk(JSON.stringify(body).includes('edge-a'), 'no device ids');
  t.notOk(JSON.stringify(body).includes('rain-1'), 'no sensor ids');

  const csv = await fetch(`${c.baseUrl}/api/open/v1/sites/muong-nhe/sensors.csv?from=${T0}&to=${T0 + 2 * HOUR}&step=3600`);
  t.equal(csv.status, 200);
  t.match(csv.headers.get('content-type'), /text\/csv/);
  const lines = (await csv.text()).trim().split('\r\n');
  t.equal(lines[0], 'site,sensor_type,metric,unit,start,end,sensors,count,min,max,mean,sum');
  t.equal(lines.length, 1 + body.items.length, 'the same rows as the JSON');
  t.equal(lines[1], `muong-nhe,rain_gauge,rainfall,mm,${new Date(T0).toISOString()},${new Date(T0 + HOUR).toISOString()},2,4,1,5,3,6`);
  const viaFormat = await (await fetch(`${url}&format=csv`)).text();
  t.equal(viaFormat.trim().split('\r\n').length, lines.length, '?format=csv is the same as .csv');

  // Cached: a record stored now does not change the answer until the TTL passes.
  const more = mapRecord(telemetry('rain-2', 'rain_gauge', 'rainfall', T0 + 1_800_000, 900, [40]), ctx);
  if (more.ok) await c.handle.store.ingest('edge-a', [more.item]);
  const again = (await (await fetch(url)).json()) as typeof body;
  t.same(again, body, 'served from the cache');

  const sites = (await (await fetch(`${c.baseUrl}/api/open/v1/sites`)).json()) as { items: { id: string; sensorTypes: string[] }[] };
  t.same(sites.items.find((s) => s.id === 'muong-nhe')!.sensorTypes, ['rain_gauge', 'water_level']);
  t.equal((await fetch(`${c.baseUrl}/api/open/v1/sites/nowhere/sensors`)).status, 404);
  const badType = await fetch(`${c.baseUrl}/api/open/v1/sites/muong-nhe/sensors?type=temperature`);
  t.equal(badType.status, 400);
  t.match(await badType.json(), { error: { code: 'VALIDATION', message: /not published/ } });
});
