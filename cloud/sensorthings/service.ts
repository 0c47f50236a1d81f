// Read-only OGC SensorThings API 1.1 over the open sensor data: resolves a resource path
// (`Things`, `Things('x')/Datastreams`, `Datastreams('x')/Observations`…) and its query options
// into a body. Things and Locations are the configured sites; Datastreams are the stored series
// of published sensor types; Observations are their stored window aggregates.
import { NotFoundError, ValidationError } from '../../common/errors.js';
import type { CoordinatorConfig } from '../config.js';
import type { CoordinatorStore } from '../store/contract/store.js';
import type { SeriesBucket } from '../store/contract/types.js';
import { Catalog, sensorId, type DatastreamInfo } from './catalog.js';
import { Entities, entityPath, type ResultStat, type Site } from './entities.js';
import { matches, parseQuery, startRange, type StaQuery } from './query.js';

const DAY_MS = 86_400_000;
const ENTITY_SETS = ['Things', 'Locations', 'Datastreams', 'Sensors', 'ObservedProperties', 'Observations'] as const;
type EntitySet = (typeof ENTITY_SETS)[number];
type Body = Record<string, unknown>;

interface Segment {
  name: string;
  id?: string;
}

export interface SensorThingsSettings {
  result: ResultStat;
  maxTop: number;
  maxRangeDays: number;
}

export class SensorThings {
  private readonly catalog: Catalog;

  constructor(
    private readonly store: CoordinatorStore,
    private readonly sites: CoordinatorConfig['sites'],
    opendata: CoordinatorConfig['opendata'],
    private readonly settings: SensorThingsSettings,
  ) {
    this.catalog = new Catalog(store, sites, opendata, Math.max(5, opendata.cache_ttl_s) * 1000);
  }

  /** `base` is the service root URL; `path` what follows it (no leading slash). */
  async answer(base: string, path: string, params: URLSearchParams): Promise<Body> {
    const e = new Entities(base);
    const segments = parsePath(path);
    if (segments.length === 0) return this.root(base);
    const q = parseQuery(params, this.settings.maxTop);
    const [head, nav, ...rest] = segments;
    if (rest.length > 0 || nav?.id !== undefined) throw new ValidationError(`path too deep: ${path} (one navigation step is supported)`);
    const set = entitySet(head!.name);
    if (head!.id === undefined) {
      if (nav) throw new ValidationError(`${set}/${nav.name}: address one entity, e.g. ${set}('id')/${nav.name}`);
      return this.collection(e, set, q, base, params);
    }
    const id = head!.id;
    if (!nav) return this.single(e, set, id, q);
    return this.navigate(e, set, id, nav.name, q, base, params);
  }

  private root(base: string): Body {
    return {
      value: ENTITY_SETS.map((name) => ({ name, url: `${base}/${name}` })),
      serverSettings: {
        conformance: [
          'http://www.opengis.net/spec/iot_sensing/1.1/req/datamodel',
          'http://www.opengis.net/spec/iot_sensing/1.1/req/resource-path/resource-path-to-entities',
          'http://www.opengis.net/spec/iot_sensing/1.1/req/request-data',
        ],
      },
    };
  }

  // ---- collections --------------------------------------------------------------------------

  private async collection(e: Entities, set: EntitySet, q: StaQuery, base: string, params: URLSearchParams): Promise<Body> {
    const url = `${base}/${set}`;
    switch (set) {
      case 'Things':
        return this.page(await Promise.all(this.sites.map((s) => this.thing(e, s, q))), q, url, params);
      case 'Locations':
        return this.page(
          this.sites.map((s) => e.location(s)),
          q,
          url,
          params,
        );
      case 'Datastreams':
        return this.page(
          (await this.catalog.datastreams()).map((d) => e.datastream(d, this.settings.result)),
          q,
          url,
          params,
        );
      case 'Sensors':
        return this.page(
          uniqueBy(await this.catalog.datastreams(), sensorId).map((d) => e.sensor(d)),
          q,
          url,
          params,
        );
      case 'ObservedProperties':
        return this.page(
          [...new Set((await this.catalog.datastreams()).map((d) => d.metric))].sort().map((m) => e.observedProperty(m)),
          q,
          url,
          params,
        );
      case 'Observations':
        throw new ValidationError("Observations are listed per Datastream: use Datastreams('id')/Observations");
    }
  }

  private async thing(e: Entities, site: Site, q: StaQuery): Promise<Body> {
    const body = e.thing(site);
    if (q.expand.includes('Datastreams')) body.Datastreams = (await this.streamsOf(site.id)).map((d) => e.datastream(d, this.settings.result));
    if (q.expand.includes('Locations')) body.Locations = [e.location(site)];
    return body;
  }

  private page(all: Body[], q: StaQuery, url: string, params: URLSearchParams): Body {
    // Only Observations have the times these options name: refused rather than ignored elsewhere.
    for (const option of ['$filter', '$orderby']) {
      if (params.has(option)) throw new ValidationError(`${option} applies to Observations (phenomenonTime, resultTime) only in this service`);
    }
    const value = all.slice(q.skip, q.skip + q.top);
    const out: Body = {};
    if (q.count) out['@iot.count'] = all.length;
    if (q.skip + q.top < all.length) out['@iot.nextLink'] = nextLink(url, params, q);
    out.value = value;
    return out;
  }

  // ---- one entity and its navigation ---------------------------------------------------------

  private async single(e: Entities, set: EntitySet, id: string, q: StaQuery): Promise<Body> {
    if (q.expand.length > 0 && set !== 'Things') throw new ValidationError('$expand is supported on Things only');
    switch (set) {
      case 'Things':
        return this.thing(e, this.site(id), q);
      case 'Locations':
        return e.location(this.site(id));
      case 'Datastreams':
        return e.datastream(await this.datastream(id), this.settings.result);
      case 'Sensors':
        return e.sensor((await this.sensorStreams(id))[0]!);
      case 'ObservedProperties':
        await this.propertyStreams(id);
        return e.observedProperty(id);
      case 'Observations': {
        const { d, startMs } = await this.observationKey(id);
        const [bucket] = await this.buckets(d, startMs, startMs + 1);
        if (!bucket || bucket.startMs !== startMs) throw new NotFoundError(`Observations('${id}')`);
        return e.observation(d, bucket, this.settings.result);
      }
    }
  }

  private async navigate(e: Entities, set: EntitySet, id: string, nav: string, q: StaQuery, base: string, params: URLSearchParams): Promise<Body> {
    const url = `${base}/${entityPath(set, id)}/${nav}`;
    const r = this.settings.result;
    switch (`${set}/${nav}`) {
      case 'Things/Datastreams':
        this.site(id);
        return this.page(
          (await this.streamsOf(id)).map((d) => e.datastream(d, r)),
          q,
          url,
          params,
        );
      case 'Things/Locations':
        return this.page([e.location(this.site(id))], q, url, params);
      case 'Locations/Things':
        return this.page([e.thing(this.site(id))], q, url, params);
      case 'Datastreams/Thing':
        return e.thing(this.site((await this.datastream(id)).site));
      case 'Datastreams/Sensor':
        return e.sensor(await this.datastream(id));
      case 'Datastreams/ObservedProperty':
        return e.observedProperty((await this.datastream(id)).metric);
      case 'Datastreams/Observations':
        return this.observations(e, await this.datastream(id), q, url, params);
      case 'Sensors/Datastreams':
        return this.page(
          (await this.sensorStreams(id)).map((d) => e.datastream(d, r)),
          q,
          url,
          params,
        );
      case 'ObservedProperties/Datastreams':
        return this.page(
          (await this.propertyStreams(id)).map((d) => e.datastream(d, r)),
          q,
          url,
          params,
        );
      case 'Observations/Datastream':
        return e.datastream((await this.observationKey(id)).d, r);
      default:
        throw new NotFoundError(`no navigation ${set}/${nav} in this service`);
    }
  }

  /** Window aggregates of one Datastream in the filtered range (default: the last 24 h), paged. */
  private async observations(e: Entities, d: DatastreamInfo, q: StaQuery, url: string, params: URLSearchParams): Promise<Body> {
    const windowMs = d.windowS * 1000;
    const range = startRange(q.filter, windowMs);
    const toMs = range.toMs ?? Date.now();
    const fromMs = range.fromMs ?? toMs - DAY_MS;
    if (toMs - fromMs > this.settings.maxRangeDays * DAY_MS)
      throw new ValidationError(`$filter: at most ${this.settings.maxRangeDays} days of phenomenonTime per request`);
    const all = q.count ? await this.inRange(d, q, fromMs, toMs) : await this.firstOf(d, q, fromMs, toMs, q.skip + q.top + 1);
    const out: Body = {};
    if (q.count) out['@iot.count'] = all.length;
    if (q.skip + q.top < all.length) out['@iot.nextLink'] = nextLink(url, params, q);
    out.value = all.slice(q.skip, q.skip + q.top).map((b) => e.observation(d, b, this.settings.result));
    return out;
  }

  /** Every matching window in [from, to), in the requested order. */
  private async inRange(d: DatastreamInfo, q: StaQuery, fromMs: number, toMs: number): Promise<SeriesBucket[]> {
    const all = fromMs < toMs ? (await this.buckets(d, fromMs, toMs)).filter((b) => matches(q.filter, b.startMs, b.endMs)) : [];
    return q.order === 'desc' ? all.reverse() : all;
  }

  /**
   * At least `need` matching windows from the ordered end of [from, to) when there are that many:
   * a page of the newest windows reads that page, not the whole day. The span read doubles until
   * it has enough (gaps in the data) or covers the range.
   */
  private async firstOf(d: DatastreamInfo, q: StaQuery, fromMs: number, toMs: number, need: number): Promise<SeriesBucket[]> {
    const out: SeriesBucket[] = [];
    let span = need * d.windowS * 1000;
    let edge = q.order === 'desc' ? toMs : fromMs;
    while (out.length < need && (q.order === 'desc' ? edge > fromMs : edge < toMs)) {
      const [a, b] = q.order === 'desc' ? [Math.max(fromMs, edge - span), edge] : [edge, Math.min(toMs, edge + span)];
      out.push(...(await this.inRange(d, q, a, b)));
      edge = q.order === 'desc' ? a : b;
      span *= 2;
    }
    return out;
  }

  private buckets(d: DatastreamInfo, fromMs: number, toMs: number) {
    return this.store.querySeries({ deviceId: d.deviceId, sensorId: d.sensorId, metric: d.metric, fromMs, toMs, stepS: d.windowS });
  }

  // ---- lookups -------------------------------------------------------------------------------

  private site(id: string): Site {
    const site = this.sites.find((s) => s.id === id);
    if (!site) throw new NotFoundError(`Things('${id}')`);
    return site;
  }

  private async streamsOf(site: string): Promise<DatastreamInfo[]> {
    return (await this.catalog.datastreams()).filter((d) => d.site === site);
  }

  private async datastream(id: string): Promise<DatastreamInfo> {
    const d = await this.catalog.datastream(id);
    if (!d) throw new NotFoundError(`Datastreams('${id}')`);
    return d;
  }

  private async sensorStreams(id: string): Promise<DatastreamInfo[]> {
    const list = (await this.catalog.datastreams()).filter((d) => sensorId(d) === id);
    if (list.length === 0) throw new NotFoundError(`Sensors('${id}')`);
    return list;
  }

  private async propertyStreams(metric: string): Promise<DatastreamInfo[]> {
    const list = (await this.catalog.datastreams()).filter((d) => d.metric === metric);
    if (list.length === 0) throw new NotFoundError(`ObservedProperties('${metric}')`);
    return list;
  }

  /** Observation ids are `<datastream id>~<window start ms>`. */
  private async observationKey(id: string): Promise<{ d: DatastreamInfo; startMs: number }> {
    const cut = id.lastIndexOf('~');
    const startMs = Number(id.slice(cut + 1));
    if (cut < 0 || !Number.isSafeInteger(startMs)) throw new NotFoundError(`Observations('${id}')`);
    const d = await this.catalog.datastream(id.slice(0, cut));
    if (!d) throw new NotFoundError(`Observations('${id}')`);
    return { d, startMs };
  }
}

function entitySet(name: string): EntitySet {
  const set = ENTITY_SETS.find((s) => s === name);
  if (!set) throw new NotFoundError(`no entity set ${name}; this service has ${ENTITY_SETS.join(', ')}`);
  return set;
}

const SEGMENT = /^([A-Za-z]+)(?:\((?:'((?:[^']|'')*)'|([^()']+))\))?$/;

/** `Things('a''b')/Datastreams` → [{Things, a'b}, {Datastreams}]; bare ids are accepted too. */
export function parsePath(path: string): Segment[] {
  const parts = path.split('/').filter((p) => p.length > 0);
  return parts.map((p) => {
    const decoded = safeDecode(p);
    const m = SEGMENT.exec(decoded);
    if (!m) throw new ValidationError(`cannot read the path segment "${decoded}"`);
    const id = m[2] !== undefined ? m[2].replaceAll("''", "'") : m[3];
    return id === undefined ? { name: m[1]! } : { name: m[1]!, id };
  });
}

function safeDecode(p: string): string {
  try {
    return decodeURIComponent(p);
  } catch {
    throw new ValidationError(`bad percent-encoding in "${p}"`);
  }
}

function nextLink(url: string, params: URLSearchParams, q: StaQuery): string {
  const next = new Map([...params].filter(([k]) => k !== '$skip' && k !== '$top'));
  next.set('$top', String(q.top));
  next.set('$skip', String(q.skip + q.top));
  // Option names stay readable ($top, not %24top); values are percent-encoded.
  return `${url}?${[...next].map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&')}`;
}

function uniqueBy<T>(list: readonly T[], key: (v: T) => string): T[] {
  const seen = new Set<string>();
  return list.filter((v) => (seen.has(key(v)) ? false : (seen.add(key(v)), true)));
}
