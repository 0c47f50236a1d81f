// The SensorThings paths in the coordinator's OpenAPI document. The service parses its OData
// paths itself (one wildcard route), so they are registered here for the document only, with
// keys written as OData-to-OpenAPI mappings write them: `Things('{id}')`.
import { z, type OpenAPIHono } from '@hono/zod-openapi';
import { ErrorSchema } from '../schemas.js';
import type { ApiEnv } from '../context.js';

const links = (navigation: string[]) =>
  Object.fromEntries([['@iot.id', z.string()], ['@iot.selfLink', z.url()], ...navigation.map((n) => [`${n}@iot.navigationLink`, z.url()])]);

const Thing = z
  .object({ ...links(['Locations', 'Datastreams']), name: z.string(), description: z.string(), properties: z.record(z.string(), z.string()) })
  .openapi('StaThing', { description: 'A configured site; with $expand, its Datastreams and Locations inline' });
const Location = z
  .object({
    ...links(['Things']),
    name: z.string(),
    description: z.string(),
    encodingType: z.literal('application/geo+json'),
    location: z.object({ type: z.literal('Point'), coordinates: z.array(z.number()).length(2).openapi({ description: '[lon, lat]' }) }).nullable(),
  })
  .openapi('StaLocation');
const Datastream = z
  .object({
    ...links(['Thing', 'Sensor', 'ObservedProperty', 'Observations']),
    name: z.string(),
    description: z.string(),
    unitOfMeasurement: z.object({ name: z.string(), symbol: z.string(), definition: z.string() }),
    observationType: z.string(),
    properties: z.object({ sensorType: z.string(), windowS: z.number(), resultStatistic: z.enum(['mean', 'min', 'max', 'sum', 'last']) }),
  })
  .openapi('StaDatastream', { description: 'One stored series (device × sensor × metric) at its finest window; id <device>~<sensor>~<metric>' });
const Sensor = z
  .object({ ...links(['Datastreams']), name: z.string(), description: z.string(), encodingType: z.literal('text/plain'), metadata: z.string() })
  .openapi('StaSensor', { description: 'One sensor of a box; id <device>~<sensor>' });
const ObservedProperty = z
  .object({ ...links(['Datastreams']), name: z.string(), definition: z.string(), description: z.string() })
  .openapi('StaObservedProperty', { description: 'A metric; id the metric name' });
const Observation = z
  .object({
    ...links(['Datastream']),
    phenomenonTime: z.string().openapi({ description: 'the window, ISO 8601 interval start/end' }),
    resultTime: z.string().openapi({ description: 'the window end' }),
    result: z.number().nullable().openapi({ description: 'the statistic set by sensorthings.result' }),
    parameters: z.object({ count: z.number(), min: z.number().nullable(), max: z.number().nullable(), mean: z.number().nullable() }),
  })
  .openapi('StaObservation', { description: 'One stored window aggregate; id <datastream id>~<window start ms>' });

const collectionOf = (entity: z.ZodType, name: string) =>
  z
    .object({
      '@iot.count': z.number().int().optional().openapi({ description: 'with $count=true' }),
      '@iot.nextLink': z.url().optional().openapi({ description: 'set when more follow' }),
      value: z.array(entity),
    })
    .openapi(`${name}Collection`);

const ServiceRoot = z
  .object({
    value: z.array(z.object({ name: z.string(), url: z.url() })),
    serverSettings: z.object({ conformance: z.array(z.string()) }),
  })
  .openapi('StaServiceRoot');

// Query options as the service reads them (cloud/sensorthings/query.ts).
const PAGING = {
  $top: z
    .string()
    .regex(/^[0-9]+$/)
    .optional()
    .openapi({ description: 'page size, 0 … sensorthings.max_top (default the maximum)' }),
  $skip: z
    .string()
    .regex(/^[0-9]+$/)
    .optional()
    .openapi({ description: 'entities to skip; @iot.nextLink is set when more follow' }),
  $count: z.enum(['true', 'false']).optional().openapi({ description: 'true: @iot.count of the whole filtered collection' }),
};
const TIME = {
  $filter: z.string().optional().openapi({
    description:
      'phenomenonTime / resultTime with gt ge lt le eq and an ISO 8601 time, joined by `and`; without a lower bound the 24 h before the upper bound (default now), at most opendata.max_range_days',
    example: 'phenomenonTime ge 2026-12-01T00:00:00Z and phenomenonTime lt 2026-12-02T00:00:00Z',
  }),
  $orderby: z.string().optional().openapi({ description: 'phenomenonTime or resultTime, asc (default) or desc', example: 'phenomenonTime desc' }),
};
const EXPAND = { $expand: z.string().optional().openapi({ description: 'Datastreams, Locations (comma-separated)', example: 'Datastreams' }) };

type Entity = { schema: z.ZodType; name: string };
const E: Record<string, Entity> = {
  Things: { schema: Thing, name: 'StaThing' },
  Locations: { schema: Location, name: 'StaLocation' },
  Datastreams: { schema: Datastream, name: 'StaDatastream' },
  Sensors: { schema: Sensor, name: 'StaSensor' },
  ObservedProperties: { schema: ObservedProperty, name: 'StaObservedProperty' },
  Observations: { schema: Observation, name: 'StaObservation' },
};

interface StaPath {
  path: string;
  summary: string;
  answer: z.ZodType;
  query?: Record<string, z.ZodType>;
  keyed?: string;
}

const collection = (set: string): z.ZodType => collectionOf(E[set]!.schema, E[set]!.name);
const one = (set: string): z.ZodType => E[set]!.schema;

/** Every path the service answers (cloud/sensorthings/service.ts), the root first. */
export const STA_PATHS: readonly StaPath[] = [
  { path: '', summary: 'SensorThings 1.1 service root: entity sets and conformance classes', answer: ServiceRoot },
  { path: '/Things', summary: 'Things: the configured sites', answer: collection('Things'), query: { ...PAGING, ...EXPAND } },
  { path: "/Things('{id}')", summary: 'One Thing (site)', answer: one('Things'), query: EXPAND, keyed: 'site id' },
  { path: "/Things('{id}')/Datastreams", summary: "A site's Datastreams", answer: collection('Datastreams'), query: PAGING, keyed: 'site id' },
  { path: "/Things('{id}')/Locations", summary: "A site's Location", answer: collection('Locations'), query: PAGING, keyed: 'site id' },
  { path: '/Locations', summary: 'Locations of the sites (GeoJSON points)', answer: collection('Locations'), query: PAGING },
  { path: "/Locations('{id}')", summary: 'One Location', answer: one('Locations'), keyed: 'site id' },
  { path: "/Locations('{id}')/Things", summary: 'The Thing at a Location', answer: collection('Things'), query: PAGING, keyed: 'site id' },
  { path: '/Datastreams', summary: 'Datastreams: stored series of the published sensor types', answer: collection('Datastreams'), query: PAGING },
  { path: "/Datastreams('{id}')", summary: 'One Datastream', answer: one('Datastreams'), keyed: '<device>~<sensor>~<metric>' },
  {
    path: "/Datastreams('{id}')/Observations",
    summary: "A Datastream's window aggregates (default: the last 24 h)",
    answer: collection('Observations'),
    query: { ...PAGING, ...TIME },
    keyed: '<device>~<sensor>~<metric>',
  },
  { path: "/Datastreams('{id}')/Thing", summary: "A Datastream's Thing", answer: one('Things'), keyed: '<device>~<sensor>~<metric>' },
  { path: "/Datastreams('{id}')/Sensor", summary: "A Datastream's Sensor", answer: one('Sensors'), keyed: '<device>~<sensor>~<metric>' },
  {
    path: "/Datastreams('{id}')/ObservedProperty",
    summary: "A Datastream's ObservedProperty",
    answer: one('ObservedProperties'),
    keyed: '<device>~<sensor>~<metric>',
  },
  { path: '/Sensors', summary: 'Sensors of the published types', answer: collection('Sensors'), query: PAGING },
  { path: "/Sensors('{id}')", summary: 'One Sensor', answer: one('Sensors'), keyed: '<device>~<sensor>' },
  { path: "/Sensors('{id}')/Datastreams", summary: "A Sensor's Datastreams", answer: collection('Datastreams'), query: PAGING, keyed: '<device>~<sensor>' },
  { path: '/ObservedProperties', summary: 'ObservedProperties: the published metrics', answer: collection('ObservedProperties'), query: PAGING },
  { path: "/ObservedProperties('{id}')", summary: 'One ObservedProperty', answer: one('ObservedProperties'), keyed: 'metric' },
  {
    path: "/ObservedProperties('{id}')/Datastreams",
    summary: "An ObservedProperty's Datastreams",
    answer: collection('Datastreams'),
    query: PAGING,
    keyed: 'metric',
  },
  { path: "/Observations('{id}')", summary: 'One Observation (window aggregate)', answer: one('Observations'), keyed: '<datastream id>~<window start ms>' },
  { path: "/Observations('{id}')/Datastream", summary: "An Observation's Datastream", answer: one('Datastreams'), keyed: '<datastream id>~<window start ms>' },
];

const EXAMPLES: Record<string, string> = {
  'site id': 'muong-nhe',
  '<device>~<sensor>~<metric>': 'edge-muong-nhe~rain-1~rainfall',
  '<device>~<sensor>': 'edge-muong-nhe~rain-1',
  metric: 'rainfall',
  '<datastream id>~<window start ms>': 'edge-muong-nhe~rain-1~rainfall~1764806400000',
};

const error = (description: string) => ({ description, content: { 'application/json': { schema: ErrorSchema } } });

/** Registers STA_PATHS under `root` in the app's OpenAPI document (routing stays with the service). */
export function documentSensorThings(app: OpenAPIHono<ApiEnv>, root: string): void {
  for (const p of STA_PATHS) {
    const id = z.string().openapi({ description: `${p.keyed}; a quote inside is doubled ('')`, example: EXAMPLES[p.keyed ?? ''] });
    app.openAPIRegistry.registerPath({
      method: 'get',
      path: `${root}${p.path}`,
      tags: ['SensorThings'],
      summary: p.summary,
      description:
        'OGC SensorThings API 1.1, read-only (docs/sensorthings.md). Rate-limited per client address (429 + Retry-After) and capped in flight per replica (503 + Retry-After) like the other open data.',
      security: [],
      'x-required-role': 'public',
      request: { ...(p.keyed ? { params: z.object({ id }) } : {}), ...(p.query ? { query: z.object(p.query) } : {}) },
      responses: {
        200: { description: 'SensorThings JSON', content: { 'application/json': { schema: p.answer } } },
        400: error('Unsupported option or path, named in the message'),
        404: error('No such entity or entity set'),
        429: error('Rate limit of this client address'),
        503: error('Too many open-data requests in flight on this replica'),
      },
    });
  }
}
