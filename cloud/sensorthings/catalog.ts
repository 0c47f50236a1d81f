// Which Datastreams exist: every stored (device, sensor, metric) of a published sensor type at
// a configured site, at its finest stored window. Built from the store's series list; a
// sensor's type and unit come from its newest telemetry row, looked up once per series.
import type { CoordinatorConfig } from '../config.js';
import type { CoordinatorStore } from '../store/contract/store.js';

export interface DatastreamInfo {
  id: string;
  deviceId: string;
  site: string;
  sensorId: string;
  sensorType: string;
  metric: string;
  unit: string;
  windowS: number;
}

interface SensorFacts {
  sensorType: string;
  unit: string;
}

export const datastreamId = (deviceId: string, sensorId: string, metric: string) => `${deviceId}~${sensorId}~${metric}`;
export const sensorId = (d: Pick<DatastreamInfo, 'deviceId' | 'sensorId'>) => `${d.deviceId}~${d.sensorId}`;

export class Catalog {
  private current: { atMs: number; list: DatastreamInfo[]; byId: Map<string, DatastreamInfo> } | undefined;
  private building: Promise<void> | undefined;
  private readonly facts = new Map<string, SensorFacts | null>();
  private readonly types: Set<string>;

  constructor(
    private readonly store: CoordinatorStore,
    private readonly sites: CoordinatorConfig['sites'],
    opendata: CoordinatorConfig['opendata'],
    private readonly refreshMs: number,
  ) {
    this.types = new Set(opendata.sensor_types);
  }

  async datastreams(): Promise<DatastreamInfo[]> {
    return (await this.fresh()).list;
  }

  async datastream(id: string): Promise<DatastreamInfo | undefined> {
    return (await this.fresh()).byId.get(id);
  }

  private async fresh(): Promise<NonNullable<Catalog['current']>> {
    if (!this.current || Date.now() - this.current.atMs > this.refreshMs) {
      this.building ??= this.build().finally(() => (this.building = undefined));
      // A stale catalog answers while a new one is built (a failed rebuild is tried again on a
      // later request); only the first request waits, and sees the error.
      if (!this.current) await this.building;
      else this.building.catch(() => undefined);
    }
    return this.current!;
  }

  private async build(): Promise<void> {
    const siteIds = new Set(this.sites.map((s) => s.id));
    const deviceSite = new Map((await this.store.listDevices()).map((d) => [d.id, d.site]));
    const finest = new Map<string, { deviceId: string; sensorId: string; metric: string; windowS: number }>();
    for (const k of await this.store.listSeries()) {
      const id = datastreamId(k.deviceId, k.sensorId, k.metric);
      const seen = finest.get(id);
      if (!seen || k.windowS < seen.windowS) finest.set(id, k);
    }
    const list: DatastreamInfo[] = [];
    for (const [id, k] of finest) {
      const site = deviceSite.get(k.deviceId);
      if (!site || !siteIds.has(site)) continue;
      const facts = await this.factsOf(k.deviceId, k.sensorId, k.metric);
      if (!facts || !this.types.has(facts.sensorType)) continue;
      list.push({ id, deviceId: k.deviceId, site, sensorId: k.sensorId, metric: k.metric, windowS: k.windowS, ...facts });
    }
    list.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    this.current = { atMs: Date.now(), list, byId: new Map(list.map((d) => [d.id, d])) };
  }

  private async factsOf(deviceId: string, sensor: string, metric: string): Promise<SensorFacts | null> {
    const key = datastreamId(deviceId, sensor, metric);
    if (this.facts.has(key)) return this.facts.get(key)!;
    const page = await this.store.queryEvents({ deviceId: [deviceId], kind: ['telemetry'], sensorId: sensor, limit: 50 });
    const row = page.items.find((r) => r.payload.metric === metric) ?? page.items[0];
    const facts =
      row && typeof row.payload.sensor_type === 'string'
        ? { sensorType: row.payload.sensor_type, unit: typeof row.payload.unit === 'string' ? row.payload.unit : '' }
        : null;
    // Unknown stays unknown only until the next build: the row may not be stored yet.
    if (facts) this.facts.set(key, facts);
    return facts;
  }
}
