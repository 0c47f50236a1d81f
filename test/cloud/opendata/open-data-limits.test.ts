// Open data has no token, so it is bounded per client and per replica, over real HTTP: a burst
// beyond the rate limit gets 429, queries beyond the in-flight cap get 503 (held in flight by a
// real PostgreSQL table lock), long windows and huge scans are refused with a clear error, and
// requests that only vary their parameters within the cache granularity hit the cache.
import t from 'tap';
import pg from 'pg';
import { mapRecord } from '../../../cloud/ingest/record-mapper.js';
import type { Record__Output } from '../../../common/proto.js';
import { startInProcessCoordinator } from '../../support/in-process.js';
import { coordinatorMetrics, sumMetric } from '../../support/system.js';
import { postgresProblem, TEST_DATABASE_URL, testSchema } from '../../support/pg.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Math.floor(Date.now() / HOUR) * HOUR - 3 * HOUR;

function rain(seq: number, startMs: number): Record__Output {
  return {
    lane: 'LANE_TELEMETRY',
    seq,
    kind: 'telemetry',
    edge_time_ms: startMs + 60_000,
    clock_offset_ms: 0,
    clock_synced: true,
    body: 'telemetry',
    telemetry: {
      sensor_id: 'rain-1',
      sensor_type: 'rain_gauge',
      metric: 'rainfall',
      unit: 'mm',
      window_s: 60,
      window_start_ms: startMs,
      window_end_ms: startMs + 60_000,
      count: 1,
      min: 1,
      max: 1,
      mean: 1,
      last: 1,
      sum: 1,
    },
  } as unknown as Record__Output;
}

async function ingestRain(c: Awaited<ReturnType<typeof startInProcessCoordinator>>, n: number): Promise<void> {
  const ctx = { deviceId: 'edge-a', site: 'muong-nhe', sessionOffsetMs: 0, receivedMs: Date.now() };
  const items = Array.from({ length: n }, (_, i) => {
    const m = mapRecord(rain(i + 1, T0 - i * 60_000), ctx);
    if (!m.ok) throw new Error(m.reason);
    return m.item;
  });
  for (let i = 0; i < items.length; i += 500) await c.handle.store.ingest('edge-a', items.slice(i, i + 500));
}

t.test('a burst beyond the per-client rate limit gets 429 with Retry-After; forged X-Forwarded-For does not help', async (t) => {
  const c = await startInProcessCoordinator(t, 'opendata: { rate_limit: { per_minute: 1, burst: 3 } }\n');
  const url = `${c.baseUrl}/api/open/v1/sites`;
  const statuses = [];
  for (let i = 0; i < 5; i++) statuses.push((await fetch(url, { headers: { 'x-forwarded-for': `10.0.0.${i}` } })).status);
  t.same(statuses, [200, 200, 200, 429, 429], 'three, then refused (X-Forwarded-For ignored: no trusted proxy configured)');
  const refused = await fetch(url);
  t.equal(refused.status, 429);
  t.ok(Number(refused.headers.get('retry-after')) >= 1, 'Retry-After says when');
  t.match(await refused.json(), { error: { code: 'RATE_LIMITED', message: /open-data requests/ } });
  t.ok(sumMetric(await coordinatorMetrics(c.baseUrl), 'ioc_opendata_refused_total', { reason: 'rate_limited' }) >= 3, 'counted');
});

t.test('behind a trusted proxy the client is the last X-Forwarded-For entry, not a forged first one', async (t) => {
  const c = await startInProcessCoordinator(t, 'opendata: { trust_forwarded_for: true, rate_limit: { per_minute: 1, burst: 2 } }\n');
  const get = (xff: string) => fetch(`${c.baseUrl}/api/open/v1/sites`, { headers: { 'x-forwarded-for': xff } }).then((r) => r.status);
  const forged = [];
  for (let i = 0; i < 4; i++) forged.push(await get(`1.2.3.${i}, 203.0.113.7`));
  t.same(forged, [200, 200, 429, 429], 'varying the client-written entries does not make a new client');
  t.equal(await get('203.0.113.8'), 200, 'another address the proxy saw has its own bucket');
});

t.test('open-data queries beyond the in-flight cap get 503 at once, with Retry-After', async (t) => {
  const problem = await postgresProblem();
  if (problem && process.env.CI !== 'true') return t.skip(problem, () => undefined);
  const schema = testSchema(t, 'ioc_open');
  const c = await startInProcessCoordinator(
    t,
    'opendata: { cache_ttl_s: 0, max_concurrent: 1, max_queued: 1, rate_limit: { per_minute: 600, burst: 100 } }\ntriage: { catch_up_h: 0 }\n',
    undefined,
    `store: { kind: postgres, url: "${TEST_DATABASE_URL}", schema: ${schema}, pool_size: 4 }`,
  );
  await ingestRain(c, 10);
  // A real lock holds every events query in flight until it is released.
  const locker = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await locker.connect();
  t.teardown(() => locker.end());
  await locker.query('BEGIN');
  await locker.query(`LOCK TABLE ${schema}.events IN ACCESS EXCLUSIVE MODE`);
  const query = (i: number) => fetch(`${c.baseUrl}/api/open/v1/sites/muong-nhe/sensors?step=${3600 + i * 60}`);
  const held = [query(0), query(1)];
  await new Promise((r) => setTimeout(r, 300));
  const beyond = await Promise.race([Promise.all([query(2), query(3)]), new Promise<'hung'>((r) => setTimeout(() => r('hung'), 5000))]);
  t.not(beyond, 'hung', 'requests beyond the cap are answered at once, not piled up');
  if (beyond !== 'hung') {
    t.same(
      beyond.map((r) => r.status),
      [503, 503],
      'one in flight, one queued, the rest refused',
    );
    t.ok(Number(beyond[0]!.headers.get('retry-after')) >= 1, 'Retry-After');
    t.match(await beyond[0]!.json(), { error: { code: 'UNAVAILABLE', message: /open-data requests in progress/ } });
  }
  await locker.query('COMMIT');
  t.same(
    (await Promise.all(held)).map((r) => r.status),
    [200, 200],
    'the held and the queued one finish once the lock goes',
  );
  t.equal((await query(4)).status, 200, 'and the slot is free again');
});

t.test('long windows and huge scans are refused with a clear error', async (t) => {
  const c = await startInProcessCoordinator(t, 'opendata: { max_scan_rows: 1000, rate_limit: { per_minute: 600, burst: 100 } }\n');
  const tenYears = await fetch(`${c.baseUrl}/api/open/v1/sites/muong-nhe/sensors?from=${Date.now() - 3650 * DAY}&step=86400`);
  t.equal(tenYears.status, 400, 'a 10-year window');
  t.match(await tenYears.json(), { error: { code: 'VALIDATION', message: /at most 31 days per request/ } });
  await ingestRain(c, 1100);
  const huge = await fetch(`${c.baseUrl}/api/open/v1/sites/muong-nhe/sensors?from=${T0 - 2 * DAY}&to=${T0 + HOUR}`);
  t.equal(huge.status, 400, 'a window holding more readings than max_scan_rows');
  t.match(await huge.json(), { error: { code: 'VALIDATION', message: /more than 1000 readings/ } });
  t.equal((await fetch(`${c.baseUrl}/api/open/v1/sites/muong-nhe/sensors?from=${T0 - 2 * HOUR}&to=${T0}`)).status, 200, 'a narrower one is answered');
});

t.test('varied but equivalent parameters hit the cache', async (t) => {
  const c = await startInProcessCoordinator(t, 'opendata: { cache_ttl_s: 60, cache_granularity_s: 3600, rate_limit: { per_minute: 600, burst: 100 } }\n');
  await ingestRain(c, 30);
  const get = async (query: string) => {
    const res = await fetch(`${c.baseUrl}/api/open/v1/sites/muong-nhe/sensors?${query}`);
    t.equal(res.status, 200, query);
    return { cache: res.headers.get('x-cache'), body: await res.text() };
  };
  const first = await get(`from=${T0 - 2 * HOUR}&to=${T0}&step=600`);
  t.equal(first.cache, 'miss');
  const shifted = await get(`from=${T0 - 2 * HOUR + 1234}&to=${T0 - 5678}&step=600`);
  t.equal(shifted.cache, 'hit', 'bounds moved within the granularity: the same answer from the cache');
  t.equal(shifted.body, first.body);
  const iso = await get(`from=${encodeURIComponent(new Date(T0 - 2 * HOUR + 60_000).toISOString())}&to=${T0}&step=600`);
  t.equal(iso.cache, 'hit', 'the same window in ISO 8601: a hit');
  const future = await get(`to=${Date.now() + 3650 * DAY}&step=3600`);
  const now = await get(`step=3600`);
  t.equal(future.cache, 'miss');
  t.equal(now.cache, 'hit', 'a `to` in the future is clamped to now: the same key as no `to`');
  const metrics = await coordinatorMetrics(c.baseUrl);
  t.ok(sumMetric(metrics, 'ioc_opendata_cache_total', { result: 'hit' }) >= 2, 'hits counted in /metrics');
});
