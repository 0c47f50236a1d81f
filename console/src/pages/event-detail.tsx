// One event: its best thumbnail, what was seen (label, score, rule, zone, camera) or measured,
// its three times (edge clock, corrected, received), and the site's sensors around that moment.
import type { IocEvent } from '../api/types.js';
import { useConsole } from '../console-context.js';
import { usePoll } from '../use-poll.js';
import { AuthImage } from '../components/auth-image.js';
import { SeverityBadge } from '../components/severity-badge.js';
import { SeriesChart } from '../components/series-chart.js';
import { eventSummary, phaseName } from '../events/summary.js';
import { formatAge, formatNumber, formatPrecise } from '../format.js';
import { sensorsOfSite, sensorKey, thresholdsOfSite } from '../sensors/catalog.js';
import { loadSeries } from '../sensors/series.js';
import { metricName } from '../sensors/metric-name.js';
import type { MessageKey } from '../i18n/i18n.js';

/** Sensor context shown around an event: an hour either side. */
const AROUND_MS = 3600_000;

export function EventDetail({ id }: { id: string }) {
  const { api, t, lang, siteName } = useConsole();
  const { data: event, error } = usePoll((signal) => api.get<IocEvent>(`/api/v1/events/${encodeURIComponent(id)}`, {}, signal), 15_000, [id]);
  if (!event) return <section class="panel">{error ? <p class="error">{error.message}</p> : t('app.loading')}</section>;
  const p = event.payload;
  const rows: [MessageKey, string | undefined][] = [
    ['event.kind', t(`kind.${event.kind}` as MessageKey)],
    ['event.site', `${siteName(event.site)} · ${event.deviceId}`],
    ['event.camera', event.cameraId],
    ['event.label', event.label],
    ['event.score', typeof p.score === 'number' && p.score > 0 ? `${Math.round(p.score * 100)} %` : undefined],
    ['event.rule', event.rule],
    ['event.zone', event.zone],
    ['event.sensor', event.sensorId ? `${event.sensorId} · ${event.metric}` : undefined],
    [
      'event.value',
      typeof p.value === 'number'
        ? `${formatNumber(p.value, 2)} ${String(p.unit ?? '')} (${t('event.threshold')} ${formatNumber(Number(p.threshold), 2)})`
        : undefined,
    ],
    ['event.phase', event.phase ? phaseName(event.phase, t) : undefined],
    ['event.timeCorrected', formatPrecise(event.timeMs, lang)],
    ['event.timeEdge', `${formatPrecise(event.edgeTimeMs, lang)}${event.clockSynced ? '' : ` · ${t('event.clockUnsynced')}`}`],
    ['event.timeReceived', `${formatPrecise(event.receivedMs, lang)} (${t('event.delay', { age: formatAge(event.receivedMs - event.timeMs) })})`],
  ];
  return (
    <div class="event-detail">
      <section class="panel">
        <header class="alert-head">
          <SeverityBadge severity={event.severity} />
          <h1>{eventSummary(event, t)}</h1>
        </header>
        <div class="event-body">
          {event.hasThumbnail && (
            <AuthImage class="event-thumb" path={`/api/v1/events/${encodeURIComponent(event.id)}/thumbnail`} alt={event.label ?? event.kind} />
          )}
          <dl class="facts wide" data-testid="event-facts">
            {rows
              .filter(([, v]) => v !== undefined && v !== '')
              .map(([k, v]) => (
                <div>
                  <dt>{t(k)}</dt>
                  <dd>{v}</dd>
                </div>
              ))}
          </dl>
        </div>
      </section>
      <SensorsAround site={event.site} atMs={event.timeMs} />
    </div>
  );
}

function SensorsAround({ site, atMs }: { site: string; atMs: number }) {
  const { api, t } = useConsole();
  const fromMs = atMs - AROUND_MS;
  const toMs = atMs + AROUND_MS;
  const { data } = usePoll(
    async (signal) => {
      const [sensors, thresholds] = await Promise.all([sensorsOfSite(api, site, signal), thresholdsOfSite(api, site, signal)]);
      return Promise.all(
        sensors.map(async (s) => ({ s, series: await loadSeries(api, s, fromMs, toMs, signal, 60), thresholds: thresholds.get(sensorKey(s)) ?? [] })),
      );
    },
    null,
    [site, atMs],
  );
  return (
    <section class="panel">
      <h2>{t('event.sensorsAround')}</h2>
      {!data && <p class="muted">{t('app.loading')}</p>}
      {data?.length === 0 && <p class="muted">{t('site.noSensors')}</p>}
      <div class="chart-grid">
        {data?.map(({ s, series, thresholds }) => (
          <div class="chart-cell">
            <h3>
              {metricName(s.metric, t)} · {s.sensorId}
            </h3>
            <SeriesChart
              title={metricName(s.metric, t)}
              unit={s.unit}
              data={series}
              fromMs={fromMs}
              toMs={toMs}
              thresholds={thresholds}
              markerMs={atMs}
              height={150}
            />
          </div>
        ))}
      </div>
    </section>
  );
}
