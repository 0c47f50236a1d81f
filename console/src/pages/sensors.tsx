// Sensors: every sensor metric of a site charted over a chosen range, with the alarm thresholds
// drawn in. Thresholds are learned from the site's alarm events (the threshold each alarm
// crossed), so a rule that never fired is not drawn: the legend says so.
import type { Site } from '../api/types.js';
import { useConsole } from '../console-context.js';
import { usePoll } from '../use-poll.js';
import { navigate } from '../router.js';
import { SeriesChart } from '../components/series-chart.js';
import { sensorsOfSite, sensorKey, thresholdsOfSite } from '../sensors/catalog.js';
import { loadSeries } from '../sensors/series.js';
import { metricName } from '../sensors/metric-name.js';
import type { MessageKey } from '../i18n/i18n.js';

const RANGES: Record<string, number> = { '1h': 3600_000, '6h': 6 * 3600_000, '24h': 86_400_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000 };
const REFRESH_MS = 30_000;

export function SensorsPage({ site: siteParam, range: rangeParam }: { site: string | null; range: string | null }) {
  const { api, t } = useConsole();
  const sites = usePoll((signal) => api.get<{ items: Site[] }>('/api/v1/sites', {}, signal), null, []);
  const site = siteParam ?? sites.data?.items[0]?.id ?? null;
  const range = rangeParam && rangeParam in RANGES ? rangeParam : '6h';
  const go = (next: { site?: string; range?: string }) =>
    navigate(`/sensors?site=${encodeURIComponent(next.site ?? site ?? '')}&range=${next.range ?? range}`, true);

  const charts = usePoll(
    async (signal) => {
      if (!site) return [];
      const toMs = Date.now();
      const fromMs = toMs - RANGES[range]!;
      const [sensors, thresholds] = await Promise.all([sensorsOfSite(api, site, signal), thresholdsOfSite(api, site, signal)]);
      return Promise.all(
        sensors.map(async (s) => ({ s, fromMs, toMs, series: await loadSeries(api, s, fromMs, toMs, signal), thresholds: thresholds.get(sensorKey(s)) ?? [] })),
      );
    },
    REFRESH_MS,
    [site, range],
  );

  return (
    <section class="panel sensors">
      <header class="panel-head">
        <h1>{t('sensors.title')}</h1>
      </header>
      <div class="toolbar">
        <label>
          {t('filter.site')}
          <select value={site ?? ''} onChange={(e) => go({ site: (e.target as HTMLSelectElement).value })} name="site">
            {sites.data?.items.map((s) => (
              <option value={s.id}>{s.name}</option>
            ))}
          </select>
        </label>
        <div class="tabs" role="tablist" aria-label={t('sensors.range')}>
          {Object.keys(RANGES).map((r) => (
            <button type="button" role="tab" aria-selected={r === range} class={r === range ? 'active' : ''} onClick={() => go({ range: r })}>
              {t(`range.${r}` as MessageKey)}
            </button>
          ))}
        </div>
      </div>
      <p class="muted small">{t('sensors.thresholdSource')}</p>
      {charts.error && <p class="error">{charts.error.message}</p>}
      {charts.data?.length === 0 && <p class="muted">{t('site.noSensors')}</p>}
      <div class="chart-grid">
        {charts.data?.map(({ s, series, thresholds, fromMs, toMs }) => (
          <div class="chart-cell" data-sensor={s.sensorId} data-metric={s.metric}>
            <h3>
              {metricName(s.metric, t)} · {s.sensorId} <span class="muted small">{s.deviceId}</span>
            </h3>
            <SeriesChart title={metricName(s.metric, t)} unit={s.unit} data={series} fromMs={fromMs} toMs={toMs} thresholds={thresholds} />
          </div>
        ))}
      </div>
    </section>
  );
}
