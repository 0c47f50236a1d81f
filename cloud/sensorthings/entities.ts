// SensorThings 1.1 entity bodies: ids, self and navigation links, GeoJSON locations, units.
import type { CoordinatorConfig } from '../config.js';
import type { SeriesBucket } from '../store/contract/types.js';
import { sensorId, type DatastreamInfo } from './catalog.js';

export type Site = CoordinatorConfig['sites'][number];
export type ResultStat = 'mean' | 'min' | 'max' | 'sum' | 'last';

const OM_MEASUREMENT = 'http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement';

const UNITS: Record<string, { name: string; definition: string }> = {
  mm: { name: 'millimetre', definition: 'http://qudt.org/vocab/unit/MilliM' },
  m: { name: 'metre', definition: 'http://qudt.org/vocab/unit/M' },
  '°C': { name: 'degree Celsius', definition: 'http://qudt.org/vocab/unit/DEG_C' },
  '%': { name: 'percent', definition: 'http://qudt.org/vocab/unit/PERCENT' },
  'µg/m³': { name: 'microgram per cubic metre', definition: 'http://qudt.org/vocab/unit/MicroGM-PER-M3' },
  'm³/s': { name: 'cubic metre per second', definition: 'http://qudt.org/vocab/unit/M3-PER-SEC' },
};

/** `Things('muong-nhe')`: string ids quoted, quotes doubled. */
export const entityPath = (set: string, id: string) => `${set}('${id.replaceAll("'", "''")}')`;

export function unitOfMeasurement(unit: string): { name: string; symbol: string; definition: string } {
  const known = UNITS[unit];
  return { name: known?.name ?? unit, symbol: unit, definition: known?.definition ?? `urn:ioc-edge:unit:${encodeURIComponent(unit)}` };
}

export class Entities {
  constructor(private readonly base: string) {}

  private links(set: string, id: string, navigation: string[]): Record<string, unknown> {
    const self = `${this.base}/${entityPath(set, id)}`;
    const out: Record<string, unknown> = { '@iot.id': id, '@iot.selfLink': self };
    for (const n of navigation) out[`${n}@iot.navigationLink`] = `${self}/${n}`;
    return out;
  }

  thing(site: Site): Record<string, unknown> {
    return {
      ...this.links('Things', site.id, ['Locations', 'Datastreams']),
      name: site.name,
      description: `Sensors of the ${site.name} site${site.district ? ` (${site.district})` : ''}`,
      properties: { site: site.id, ...(site.district ? { district: site.district } : {}) },
    };
  }

  location(site: Site): Record<string, unknown> {
    return {
      ...this.links('Locations', site.id, ['Things']),
      name: site.name,
      description: `Location of the ${site.name} site`,
      encodingType: 'application/geo+json',
      location: site.location ? { type: 'Point', coordinates: [site.location.lon, site.location.lat] } : null,
    };
  }

  datastream(d: DatastreamInfo, stat: ResultStat): Record<string, unknown> {
    return {
      ...this.links('Datastreams', d.id, ['Thing', 'Sensor', 'ObservedProperty', 'Observations']),
      name: `${d.sensorId} ${d.metric}`,
      description: `${d.metric} from ${d.sensorType} ${d.sensorId}: ${stat} over ${d.windowS} s windows`,
      unitOfMeasurement: unitOfMeasurement(d.unit),
      observationType: OM_MEASUREMENT,
      properties: { sensorType: d.sensorType, windowS: d.windowS, resultStatistic: stat },
    };
  }

  sensor(d: DatastreamInfo): Record<string, unknown> {
    return {
      ...this.links('Sensors', sensorId(d), ['Datastreams']),
      name: d.sensorId,
      description: `${d.sensorType} ${d.sensorId}`,
      encodingType: 'text/plain',
      metadata: d.sensorType,
    };
  }

  observedProperty(metric: string): Record<string, unknown> {
    return {
      ...this.links('ObservedProperties', metric, ['Datastreams']),
      name: metric,
      definition: `urn:ioc-edge:metric:${encodeURIComponent(metric)}`,
      description: `${metric} as reported by the province's sensors`,
    };
  }

  observation(d: DatastreamInfo, b: SeriesBucket, stat: ResultStat): Record<string, unknown> {
    const start = new Date(b.startMs).toISOString();
    const end = new Date(b.endMs).toISOString();
    return {
      ...this.links('Observations', `${d.id}~${b.startMs}`, ['Datastream']),
      phenomenonTime: `${start}/${end}`,
      resultTime: end,
      result: b[stat],
      parameters: { count: b.count, min: b.min, max: b.max, mean: b.mean },
    };
  }
}
