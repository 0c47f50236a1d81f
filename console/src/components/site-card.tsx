// One site on the overview: status line, backlog and drops, the last notable event, open alerts
// and sparklines of its key sensors over the last six hours.
import { useState } from 'preact/hooks';
import type { IocEvent, Site } from '../api/types.js';
import type { AlertView } from '../triage/alert-types.js';
import { useConsole } from '../console-context.js';
import { usePoll } from '../use-poll.js';
import { keyMetrics, sensorsOfSite, type SensorMetric } from '../sensors/catalog.js';
import { loadSeries } from '../sensors/series.js';
import { metricName } from '../sensors/metric-name.js';
import { Sparkline } from './sparkline.js';
import { SeverityBadge } from './severity-badge.js';
import { eventSummary } from '../events/summary.js';
import { formatAge, formatBytes, formatNumber, formatWhen } from '../format.js';
import type { SiteStatus } from '../sites/site-status.js';
import type { MessageKey } from '../i18n/i18n.js';

const SPARK_RANGE_MS = 6 * 3600_000;
const SPARK_STEP_S = 300;
const SPARK_REFRESH_MS = 60_000;
/** A new site has no telemetry yet: look again soon rather than in a minute. */
const SPARK_RETRY_MS = 5_000;

export function SiteCard({
  site,
  status,
  lastEvent,
  openAlerts,
  selected,
}: {
  site: Site;
  status: SiteStatus;
  lastEvent: IocEvent | undefined;
  openAlerts: AlertView[] | null;
  selected: boolean;
}) {
  const { t, lang } = useConsole();
  const statusText =
    status.status === 'offline' && status.offlineSinceMs
      ? t('site.offlineSince', { when: formatWhen(status.offlineSinceMs, lang) })
      : t(`site.status.${status.status}` as MessageKey);
  const newAlerts = openAlerts?.filter((a) => a.state === 'new').length ?? 0;
  return (
    <article
      id={`site-${site.id}`}
      class={`panel site-card site-${status.status}${selected ? ' selected' : ''}`}
      data-site={site.id}
      data-status={status.status}
    >
      <header class="site-head">
        <h2>{site.name}</h2>
        <span class={`pill pill-${status.status}`}>{statusText}</span>
      </header>
      <dl class="facts">
        <div>
          <dt>{t('site.devices')}</dt>
          <dd>
            {status.online}/{status.total}
          </dd>
        </div>
        <div title={formatBytes(status.backlogBytes)}>
          <dt>{t('site.backlog')}</dt>
          <dd class={status.backlogOldestAgeMs > 600_000 ? 'warn' : ''}>
            {status.backlogRecords}
            {status.backlogRecords > 0 ? ` · ${formatAge(status.backlogOldestAgeMs)}` : ''}
          </dd>
        </div>
        <div>
          <dt>{t('site.dropped')}</dt>
          <dd class={status.dropped > 0 ? 'warn' : ''}>{status.dropped}</dd>
        </div>
        {openAlerts && (
          <div>
            <dt>{t('site.openAlerts')}</dt>
            <dd>
              <a href={`/alerts?site=${encodeURIComponent(site.id)}`} class={newAlerts > 0 ? 'alert-count hot' : 'alert-count'}>
                {openAlerts.length}
                {newAlerts > 0 ? ` (${t('site.newAlerts', { n: newAlerts })})` : ''}
              </a>
            </dd>
          </div>
        )}
      </dl>
      <div class="last-event">
        <span class="muted">{t('site.lastEvent')}</span>{' '}
        {lastEvent ? (
          <a href={`/events/${encodeURIComponent(lastEvent.id)}`} class="last-event-link">
            <time>{formatWhen(lastEvent.timeMs, lang)}</time> <SeverityBadge severity={lastEvent.severity} /> {eventSummary(lastEvent, t)}
          </a>
        ) : (
          <span class="muted">—</span>
        )}
      </div>
      <SiteSparklines site={site.id} />
    </article>
  );
}

function SiteSparklines({ site }: { site: string }) {
  const { api, t } = useConsole();
  const [refreshMs, setRefreshMs] = useState(SPARK_RETRY_MS);
  const { data } = usePoll(
    async (signal) => {
      const sensors = keyMetrics(await sensorsOfSite(api, site, signal));
      const toMs = Date.now();
      const out = await Promise.all(
        sensors.map(async (s) => ({ sensor: s, series: await loadSeries(api, s, toMs - SPARK_RANGE_MS, toMs, signal, SPARK_STEP_S) })),
      );
      setRefreshMs(out.length > 0 ? SPARK_REFRESH_MS : SPARK_RETRY_MS);
      return out;
    },
    refreshMs,
    [site],
  );
  if (!data || data.length === 0) return <div class="sparks muted small">{data ? t('site.noSensors') : ''}</div>;
  return (
    <a class="sparks" href={`/sensors?site=${encodeURIComponent(site)}`} title={t('site.openSensors')}>
      {data.map(({ sensor, series }) => (
        <SparkCell sensor={sensor} values={series.values} />
      ))}
    </a>
  );
}

function SparkCell({ sensor, values }: { sensor: SensorMetric; values: (number | null)[] }) {
  const { t } = useConsole();
  const last = [...values].reverse().find((v) => v !== null) ?? null;
  const name = metricName(sensor.metric, t);
  return (
    <div class="spark-cell" data-metric={sensor.metric}>
      <span class="spark-name">{name}</span>
      <Sparkline values={values} label={`${name} ${sensor.sensorId}`} />
      <span class="spark-value">
        {formatNumber(last, 1)} {sensor.unit}
      </span>
    </div>
  );
}
