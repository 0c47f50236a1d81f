// The read-only SensorThings API 1.1 over real HTTP on a real coordinator with telemetry stored
// through the ingest mapping, checked against the read, filter and expand requirements that
// apply: entity sets and shapes, ids, self and navigation links, GeoJSON locations, units,
// $top/$skip/@iot.nextLink/$count, $filter and $orderby on phenomenonTime, $expand on Things,
// and clear 400s for what the service does not support.
import t from 'tap';
import { mapRecord } from '../../../cloud/ingest/record-mapper.js';
import type { Record__Output } from '../../../common/proto.js';
import { startInProcessCoordinator } from '../../support/in-process.js';

const MIN = 60_000;
const T0 = Math.floor(Date.now() / (60 * MIN)) * 60 * MIN - 2 * 60 * MIN;
let seq = 0;

function telemetry(sensorId: string, sensorType: string, metric: string, unit: string, startMs: number, windowS: number, values: number[]): Record__Output {
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
      unit,
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

type Body = Record<string, unknown> & { value: Record<string, unknown>[] };

t.test('SensorThings 1.1: entities, links, paging, filter, orderby, expand', async (t) => {
  // A harvester's many requests from one address: the open-data rate limit is raised here.
  const c = await startInProcessCoordinator(t, 'opendata: { cache_ttl_s: 0, rate_limit: { per_minute: 100000, burst: 100000 } }\n');
  const records = [
    // rain-1: ten 1-minute windows (mean = i) and the same rain in one 10-minute window.
    ...Array.from({ length: 10 }, (_, i) => telemetry('rain-1', 'rain_gauge', 'rainfall', 'mm', T0 + i * MIN, 60, [i, i])),
    telemetry('rain-1', 'rain_gauge', 'rainfall', 'mm', T0, 600, [0, 9]),
    telemetry('river-1', 'water_level', 'level', 'm', T0, 60, [3.25]),
    telemetry('temp-1', 'temperature', 'temperature', '°C', T0, 300, [24]),
  ];
  const ctx = { deviceId: 'edge-a', site: 'muong-nhe', sessionOffsetMs: 0, receivedMs: Date.now() };
  await c.handle.store.ingest(
    'edge-a',
    records.map((r) => {
      const m = mapRecord(r, ctx);
      if (!m.ok) throw new Error(m.reason);
      return m.item;
    }),
  );
  const root = `${c.baseUrl}/api/open/sta/v1.1`;
  const get = async (path: string, status = 200): Promise<Body> => {
    const res = await fetch(root + path);
    const body = (await res.json()) as Body;
    t.equal(res.status, status, `GET ${path} → ${status}${res.status !== status ? `: ${JSON.stringify(body)}` : ''}`);
    return body;
  };

  const service = await get('');
  t.same(
    service.value.map((v) => v.name),
    ['Things', 'Locations', 'Datastreams', 'Sensors', 'ObservedProperties', 'Observations'],
    'service root lists the entity sets',
  );
  t.equal(service.value[0]!.url, `${root}/Things`);

  const things = await get('/Things');
  t.same(
    things.value.map((v) => v['@iot.id']),
    ['muong-nhe', 'tua-chua', 'dien-bien-dong'],
    'Things are the sites, no token needed',
  );
  const thing = things.value[0]!;
  t.equal(thing['@iot.selfLink'], `${root}/Things('muong-nhe')`);
  t.equal(thing['Datastreams@iot.navigationLink'], `${root}/Things('muong-nhe')/Datastreams`);
  t.equal(thing['Locations@iot.navigationLink'], `${root}/Things('muong-nhe')/Locations`);
  t.same(await get("/Things('muong-nhe')"), thing, 'the entity by id is the collection member');

  const locations = await get("/Things('muong-nhe')/Locations");
  t.same(locations.value[0]!.location, { type: 'Point', coordinates: [102.4667, 22.1833] }, 'GeoJSON point, lon first');
  t.equal(locations.value[0]!.encodingType, 'application/geo+json');

  const streams = await get("/Things('muong-nhe')/Datastreams");
  t.same(streams.value.map((v) => v['@iot.id']).sort(), ['edge-a~rain-1~rainfall', 'edge-a~river-1~level'], 'published types only (no temperature)');
  const rain = streams.value.find((v) => v['@iot.id'] === 'edge-a~rain-1~rainfall')!;
  t.same(rain.unitOfMeasurement, { name: 'millimetre', symbol: 'mm', definition: 'http://qudt.org/vocab/unit/MilliM' });
  t.equal(rain.observationType, 'http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement');
  t.match(rain.properties, { windowS: 60, resultStatistic: 'mean' }, 'the finest stored window');
  for (const nav of ['Thing', 'Sensor', 'ObservedProperty', 'Observations'])
    t.equal(rain[`${nav}@iot.navigationLink`], `${root}/Datastreams('edge-a~rain-1~rainfall')/${nav}`);
  t.equal((await get("/Datastreams('edge-a~rain-1~rainfall')/Thing"))['@iot.id'], 'muong-nhe');
  t.equal((await get("/Datastreams('edge-a~rain-1~rainfall')/Sensor"))['@iot.id'], 'edge-a~rain-1');
  t.equal((await get("/Datastreams('edge-a~rain-1~rainfall')/ObservedProperty"))['@iot.id'], 'rainfall');
  t.same(
    (await get('/ObservedProperties')).value.map((v) => v.name),
    ['level', 'rainfall'],
  );
  t.same(
    (await get("/Sensors('edge-a~rain-1')/Datastreams")).value.map((v) => v['@iot.id']),
    ['edge-a~rain-1~rainfall'],
  );

  // Observations: the 1-minute windows, result = mean, phenomenonTime the window interval.
  const obsPath = "/Datastreams('edge-a~rain-1~rainfall')/Observations";
  const all = await get(`${obsPath}?$count=true`);
  t.equal(all['@iot.count'], 10);
  t.same(
    all.value.map((v) => v.result),
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    'oldest first, result = window mean',
  );
  const first = all.value[0]!;
  t.equal(first.phenomenonTime, `${new Date(T0).toISOString()}/${new Date(T0 + MIN).toISOString()}`);
  t.equal(first.resultTime, new Date(T0 + MIN).toISOString());
  t.equal(first['@iot.selfLink'], `${root}/Observations('edge-a~rain-1~rainfall~${T0}')`);
  t.same(await get(`/Observations('edge-a~rain-1~rainfall~${T0}')`), first, 'an Observation by id');
  t.equal((await get(`/Observations('edge-a~rain-1~rainfall~${T0}')/Datastream`))['@iot.id'], 'edge-a~rain-1~rainfall');

  const iso = (ms: number) => new Date(ms).toISOString();
  const filtered = await get(
    `${obsPath}?$filter=${encodeURIComponent(`phenomenonTime ge ${iso(T0 + 2 * MIN)} and phenomenonTime lt ${iso(T0 + 6 * MIN)}`)}&$orderby=phenomenonTime%20desc&$top=3&$count=true`,
  );
  t.same(
    filtered.value.map((v) => v.result),
    [5, 4, 3],
    'filter ge/lt with and, newest first, top 3',
  );
  t.equal(filtered['@iot.count'], 4, '$count counts the whole filtered set');
  const next = filtered['@iot.nextLink'] as string;
  t.match(next, /\$skip=3/);
  const page2 = (await (await fetch(next)).json()) as Body;
  t.same(
    page2.value.map((v) => v.result),
    [2],
    'the next link continues the same query',
  );
  t.notOk('@iot.nextLink' in page2, 'no next link on the last page');
  const newest = await get(`${obsPath}?$orderby=phenomenonTime desc&$top=4`);
  t.same(
    newest.value.map((v) => v.result),
    [9, 8, 7, 6],
    'the newest page (read from the end of the range)',
  );
  const older = (await (await fetch(newest['@iot.nextLink'] as string)).json()) as Body;
  t.same(
    older.value.map((v) => v.result),
    [5, 4, 3, 2],
  );
  t.same(
    (await get(`${obsPath}?$top=4&$skip=8`)).value.map((v) => v.result),
    [8, 9],
    'oldest first, the last page',
  );
  t.same(
    (await get(`${obsPath}?$filter=phenomenonTime eq '${iso(T0 + 7 * MIN)}'`)).value.map((v) => v.result),
    [7],
    'eq with a quoted time',
  );
  t.same(
    (await get(`${obsPath}?$filter=phenomenonTime gt ${iso(T0 + 8 * MIN)}`)).value.map((v) => v.result),
    [9],
    'gt',
  );
  t.same(
    (await get(`${obsPath}?$filter=phenomenonTime le ${iso(T0 + MIN)}`)).value.map((v) => v.result),
    [0, 1],
    'le',
  );
  t.same(
    (await get(`${obsPath}?$filter=resultTime le ${iso(T0 + MIN)}`)).value.map((v) => v.result),
    [0],
    'resultTime is the window end',
  );

  const paged = await get('/Things?$top=1&$skip=1');
  t.same(
    paged.value.map((v) => v['@iot.id']),
    ['tua-chua'],
  );
  t.equal(paged['@iot.nextLink'], `${root}/Things?$top=1&$skip=2`);

  const expanded = await get("/Things('muong-nhe')?$expand=Datastreams");
  t.same(
    (expanded.Datastreams as Record<string, unknown>[]).map((d) => d['@iot.id']).sort(),
    ['edge-a~rain-1~rainfall', 'edge-a~river-1~level'],
    '$expand=Datastreams inlines them',
  );
  const expandedAll = await get('/Things?$expand=Datastreams&$top=2');
  t.equal((expandedAll.value[1]!.Datastreams as unknown[]).length, 0, 'a site without sensors expands to []');

  for (const [path, message] of [
    [`${obsPath}?$filter=result gt 3`, /phenomenonTime/],
    [`${obsPath}?$filter=phenomenonTime ge 2024-01-01T00:00:00Z or phenomenonTime lt 2024-01-02T00:00:00Z`, /"and"/],
    [`${obsPath}?$filter=phenomenonTime ge yesterday`, /ISO 8601|phenomenonTime/],
    [`${obsPath}?$orderby=result`, /phenomenonTime/],
    ['/Things?$expand=Sensors', /Datastreams/],
    ['/Things?$select=name', /not supported/],
    ['/Things?$top=-1', /non-negative/],
    ['/Things?$bogus=1', /unknown query option/],
    ['/Observations', /per Datastream/],
    [`/Datastreams?$filter=${encodeURIComponent('phenomenonTime ge 2024-01-01T00:00:00Z')}`, /Observations/],
    ['/Things?$orderby=phenomenonTime desc', /Observations/],
    ["/Things('muong-nhe')/Datastreams?$orderby=phenomenonTime", /Observations/],
  ] as const) {
    const body = await get(path, 400);
    t.match((body as unknown as { error: { message: string } }).error.message, message, `400 for ${path}`);
  }
  t.equal((await fetch(`${root}/Things('nowhere')`)).status, 404);
  t.equal((await fetch(`${root}/Datastreams('edge-a~temp-1~temperature')`)).status, 404, 'private types are not there by id either');
  t.equal((await fetch(`${root}/Widgets`)).status, 404);

  // The OpenAPI document lists the paths the service answers, and each answer has its shape.
  const doc = (await (await fetch(`${c.baseUrl}/openapi.json`)).json()) as OpenApiDoc;
  const staPaths = Object.keys(doc.paths).filter((p) => p.startsWith('/api/open/sta/v1.1'));
  t.equal(staPaths.length, 22, 'every SensorThings path is in /openapi.json');
  const ids: Record<string, string> = {
    Things: 'muong-nhe',
    Locations: 'muong-nhe',
    Datastreams: 'edge-a~rain-1~rainfall',
    Sensors: 'edge-a~rain-1',
    ObservedProperties: 'rainfall',
    Observations: `edge-a~rain-1~rainfall~${T0}`,
  };
  for (const path of staPaths) {
    const concrete = path.replace(/^\/api\/open\/sta\/v1\.1/, '').replace(/^\/(\w+)\('\{id\}'\)/, (_, set: string) => `/${set}('${ids[set]}')`);
    const body = await get(concrete);
    const op = doc.paths[path]!.get!;
    t.equal(op['x-required-role'], 'public', `${path}: public`);
    const schema = resolve(doc, op.responses['200']!.content['application/json']!.schema);
    const missing = missingKeys(doc, schema, body);
    t.same(missing, [], `${concrete}: answer has the documented fields`);
  }
});

interface OpenApiSchema {
  $ref?: string;
  properties?: Record<string, OpenApiSchema>;
  required?: string[];
  items?: OpenApiSchema;
}
interface OpenApiDoc {
  paths: Record<string, { get?: { 'x-required-role'?: string; responses: Record<string, { content: Record<string, { schema: OpenApiSchema }> }> } }>;
  components: { schemas: Record<string, OpenApiSchema> };
}

function resolve(doc: OpenApiDoc, s: OpenApiSchema): OpenApiSchema {
  return s.$ref ? doc.components.schemas[s.$ref.replace('#/components/schemas/', '')]! : s;
}

/** Required fields of `schema` absent from `value` (one level into arrays' first item). */
function missingKeys(doc: OpenApiDoc, schema: OpenApiSchema, value: Record<string, unknown>): string[] {
  const out = (schema.required ?? []).filter((k) => !(k in value));
  for (const [key, sub] of Object.entries(schema.properties ?? {})) {
    const items = resolve(doc, sub).items;
    const first = (value[key] as Record<string, unknown>[] | undefined)?.[0];
    if (items && first) out.push(...missingKeys(doc, resolve(doc, items), first).map((k) => `${key}[0].${k}`));
  }
  return out;
}

t.test('SensorThings shares the open-data guards: a client over its rate gets 429 with Retry-After', async (t) => {
  const c = await startInProcessCoordinator(t, 'opendata: { cache_ttl_s: 0, rate_limit: { per_minute: 1, burst: 2 } }\n');
  const statuses: number[] = [];
  let retryAfter: string | null = null;
  for (let i = 0; i < 3; i++) {
    const res = await fetch(`${c.baseUrl}/api/open/sta/v1.1/Things`);
    statuses.push(res.status);
    if (res.status === 429) retryAfter = res.headers.get('retry-after');
    await res.arrayBuffer();
  }
  t.same(statuses, [200, 200, 429], 'the burst is served, the next request refused');
  t.ok(Number(retryAfter) > 0, 'with Retry-After');
});
