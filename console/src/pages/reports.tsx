// Citizen reports: what people in the districts sent (photo, place, category, text). Each one
// is also an alert, so it is triaged in the same queue; this page links there.
import type { z } from '@hono/zod-openapi';
import type { ReportSchema } from '../../../cloud/api/routes/reports.js';
import type { Page } from '../api/types.js';
import { useConsole } from '../console-context.js';
import { usePoll } from '../use-poll.js';
import { AuthImage } from '../components/auth-image.js';
import { formatWhen } from '../format.js';
import { ProvinceMap } from '../components/province-map.js';
import { navigate } from '../router.js';
import type { MessageKey } from '../i18n/i18n.js';

export type CitizenReport = z.infer<typeof ReportSchema>;

const REFRESH_MS = 10_000;

export function ReportsPage({ selectedId }: { selectedId: string | undefined }) {
  const { api, t, lang, routes, settings, siteName } = useConsole();
  const available = routes.has('GET', '/api/v1/reports');
  const { data, error } = usePoll(
    (signal) => (available ? api.get<Page<CitizenReport>>('/api/v1/reports', { limit: 100 }, signal) : Promise.resolve({ items: [], nextCursor: null })),
    REFRESH_MS,
    [available],
  );
  if (!available)
    return (
      <section class="panel">
        <h1>{t('nav.reports')}</h1>
        <p class="muted">{t('app.notOnThisCoordinator')}</p>
      </section>
    );
  return (
    <section class="panel reports">
      <header class="panel-head">
        <h1>{t('reports.title')}</h1>
        {error && <span class="error small">{error.message}</span>}
      </header>
      <p class="muted small">{t('reports.sameQueue')}</p>
      {data?.items.length === 0 && <p class="muted">{t('reports.empty')}</p>}
      <div class="reports-body">
        <ul class="report-list">
          {data?.items.map((r) => (
            <li class={`panel report${r.id === selectedId ? ' selected' : ''}`} data-report={r.id}>
              {r.images[0] && (
                <AuthImage class="report-photo" path={`/api/v1/reports/${encodeURIComponent(r.id)}/images/${r.images[0].index}`} alt={r.category} />
              )}
              <div>
                <div>
                  <strong>{t(`category.${r.category}` as MessageKey)}</strong> · <time>{formatWhen(r.createdAtMs, lang)}</time>
                </div>
                <p>{r.text}</p>
                <div class="muted small">
                  {r.location.lat.toFixed(4)}, {r.location.lon.toFixed(4)}
                  {r.site ? ` · ${siteName(r.site)}` : ''} · {r.submittedBy}
                  {r.images.length > 1 ? ` · ${t('reports.photos', { n: r.images.length })}` : ''}
                </div>
                {r.alertId && <a href={`/alerts/${encodeURIComponent(r.alertId)}`}>{t('reports.openAlert')}</a>}
              </div>
            </li>
          ))}
        </ul>
        {data && data.items.length > 0 && (
          <div class="reports-map">
            <ProvinceMap
              title={t('reports.mapTitle')}
              tileUrl={settings.tileUrl}
              selected={selectedId}
              onSelect={(id) => navigate(`/reports/${encodeURIComponent(id)}`, true)}
              markers={data.items.map((r) => ({
                id: r.id,
                name: t(`category.${r.category}` as MessageKey),
                lon: r.location.lon,
                lat: r.location.lat,
                status: 'report',
                alerting: false,
                detail: `${formatWhen(r.createdAtMs, lang)} · ${r.text}`,
              }))}
            />
          </div>
        )}
      </div>
    </section>
  );
}
