// Overview: every site on the province map and as a card (status, backlog, drops, last event,
// open alerts, sparklines of the key sensors). Refreshes itself; nothing to click to stay current.
import { useState } from 'preact/hooks';
import type { Device, IocEvent, Page, Site } from '../api/types.js';
import type { AlertView } from '../triage/alert-types.js';
import { useConsole } from '../console-context.js';
import { usePoll } from '../use-poll.js';
import { ProvinceMap, type SiteMarker } from '../components/province-map.js';
import { SiteCard } from '../components/site-card.js';
import { siteStatus } from '../sites/site-status.js';
import { formatDateTime } from '../format.js';
import { severityRank } from '../api/types.js';
import { OPEN_STATES } from '../triage/alert-types.js';
import type { MessageKey } from '../i18n/i18n.js';

const REFRESH_MS = 10_000;
const NOTABLE_KINDS = 'alarm,camera_event,camera_status,notice,traffic_count';

interface OverviewData {
  sites: Site[];
  devices: Device[];
  lastEvents: Map<string, IocEvent | undefined>;
  openAlerts: AlertView[] | null;
}

export function Overview() {
  const { api, t, lang, settings, routes } = useConsole();
  const [selected, setSelected] = useState<string | undefined>(undefined);
  const hasAlerts = routes.has('GET', '/api/v1/alerts');
  const { data, error } = usePoll<OverviewData>(
    async (signal) => {
      const [sites, devices, alerts] = await Promise.all([
        api.get<{ items: Site[] }>('/api/v1/sites', {}, signal),
        api.get<{ items: Device[] }>('/api/v1/devices', {}, signal),
        hasAlerts ? api.get<Page<AlertView>>('/api/v1/alerts', { state: OPEN_STATES.join(','), limit: 500 }, signal) : Promise.resolve(null),
      ]);
      const last = await Promise.all(
        sites.items.map((s) =>
          api.get<Page<IocEvent>>('/api/v1/events', { site: s.id, kind: NOTABLE_KINDS, limit: 1 }, signal).then((p) => [s.id, p.items[0]] as const),
        ),
      );
      return { sites: sites.items, devices: devices.items, lastEvents: new Map(last), openAlerts: alerts?.items ?? null };
    },
    REFRESH_MS,
    [],
  );

  if (!data) return <section class="panel">{error ? <p class="error">{error.message}</p> : t('app.loading')}</section>;

  const cards = data.sites.map((site) => {
    const status = siteStatus(site, data.devices);
    const alerts = data.openAlerts?.filter((a) => a.site === site.id) ?? null;
    return { site, status, alerts, lastEvent: data.lastEvents.get(site.id) };
  });
  const markers: SiteMarker[] = cards
    .filter((c) => c.site.location)
    .map(({ site, status, alerts }) => ({
      id: site.id,
      name: site.name,
      lon: site.location!.lon,
      lat: site.location!.lat,
      status: status.status,
      alerting: (alerts ?? []).some((a) => a.state === 'new' && severityRank(a.severity) >= severityRank('high')),
      detail:
        status.status === 'offline' && status.offlineSinceMs
          ? t('site.offlineSince', { when: formatDateTime(status.offlineSinceMs, lang) })
          : t(`site.status.${status.status}` as MessageKey),
    }));
  const online = cards.filter((c) => c.status.status === 'online').length;

  return (
    <div class="overview">
      <section class="panel map-panel">
        <header class="panel-head">
          <h1>{t('overview.title')}</h1>
          <span class="muted" data-testid="sites-online">
            {t('overview.sitesOnline', { online, total: cards.length })}
          </span>
          {error && (
            <span class="error small" title={error.message}>
              {t('app.stale')}
            </span>
          )}
        </header>
        <ProvinceMap
          markers={markers}
          tileUrl={settings.tileUrl}
          selected={selected}
          onSelect={(id) => {
            setSelected(id);
            document.getElementById(`site-${id}`)?.scrollIntoView({ behavior: 'smooth', block: 'nearest' });
          }}
          title={t('overview.mapTitle')}
        />
        <div class="map-legend">
          {(['online', 'partial', 'offline', 'empty'] as const).map((s) => (
            <span class={`legend legend-${s}`}>
              <i />
              {t(`site.status.${s}` as MessageKey)}
            </span>
          ))}
        </div>
      </section>
      <section class="site-list" aria-label={t('overview.sites')}>
        {cards.map((c) => (
          <SiteCard key={c.site.id} site={c.site} status={c.status} lastEvent={c.lastEvent} openAlerts={c.alerts} selected={selected === c.site.id} />
        ))}
      </section>
    </div>
  );
}
