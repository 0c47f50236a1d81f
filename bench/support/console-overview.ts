// The console's overview page load, replayed from Node with the console's own API client and
// sensor catalogue: what console/src/pages/overview.tsx and its site cards' sparklines
// (console/src/components/site-card.tsx) request when an operator opens the page.
import { ApiClient } from '../../console/src/api/client.js';
import type { Device, IocEvent, Page, Site } from '../../console/src/api/types.js';
import { keyMetrics, sensorsOfSite } from '../../console/src/sensors/catalog.js';
import { loadSeries } from '../../console/src/sensors/series.js';
import { OPEN_STATES } from '../../console/src/triage/alert-types.js';

/** The values overview.tsx and site-card.tsx use. */
const NOTABLE_KINDS = 'alarm,camera_event,camera_status,notice,traffic_count';
const SPARK_RANGE_MS = 6 * 3600_000;
const SPARK_STEP_S = 300;

export interface OverviewLoad {
  /** Until the map and cards can draw (sites, devices, alerts, last events). */
  cardsMs: number;
  /** Until every card's sparklines are in as well. */
  totalMs: number;
  requests: number;
  devices: number;
  offlineDevices: string[];
}

export async function loadOverview(baseUrl: string, token: string): Promise<OverviewLoad> {
  let requests = 0;
  const api = new ApiClient(token, baseUrl);
  const get = <T>(...args: Parameters<ApiClient['get']>) => {
    requests++;
    return api.get<T>(...args);
  };
  const started = performance.now();
  const [sites, devices] = await Promise.all([
    get<{ items: Site[] }>('/api/v1/sites'),
    get<{ items: Device[] }>('/api/v1/devices'),
    get<Page<unknown>>('/api/v1/alerts', { state: OPEN_STATES.join(','), limit: 500 }),
  ]);
  await Promise.all(sites.items.map((s) => get<Page<IocEvent>>('/api/v1/events', { site: s.id, kind: NOTABLE_KINDS, limit: 1 })));
  const cardsMs = performance.now() - started;
  await Promise.all(
    sites.items.map(async (site) => {
      requests++;
      const sensors = keyMetrics(await sensorsOfSite(api, site.id));
      const toMs = Date.now();
      requests += sensors.length;
      await Promise.all(sensors.map((s) => loadSeries(api, s, toMs - SPARK_RANGE_MS, toMs, undefined, SPARK_STEP_S)));
    }),
  );
  return {
    cardsMs,
    totalMs: performance.now() - started,
    requests,
    devices: devices.items.length,
    offlineDevices: devices.items.filter((d) => !d.online).map((d) => d.id),
  };
}
