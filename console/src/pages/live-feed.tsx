// Live feed: events, alarms and new alerts as they arrive, newest on top, filterable by site,
// kind and minimum severity; pause holds new items aside; high-severity arrivals beep and flash.
import { useEffect, useRef, useState } from 'preact/hooks';
import { EVENT_KINDS, SEVERITIES, severityRank, type IocEvent, type Page, type Site } from '../api/types.js';
import { useConsole } from '../console-context.js';
import { usePoll } from '../use-poll.js';
import { LiveSource, type LiveMessage, type LiveState } from '../live/live-source.js';
import { beep, enableSound, flash } from '../live/alert-cue.js';
import { AuthImage } from '../components/auth-image.js';
import { SeverityBadge } from '../components/severity-badge.js';
import { eventSummary } from '../events/summary.js';
import { alertTitle } from '../triage/alert-types.js';
import { formatTime, formatWhen } from '../format.js';
import type { MessageKey } from '../i18n/i18n.js';

const MAX_ITEMS = 300;
const CUE_SEVERITY = 'high';
/** Telemetry windows arrive every minute per sensor: shown only when asked for. */
const DEFAULT_KINDS = EVENT_KINDS.filter((k) => k !== 'telemetry');

interface FeedItem {
  key: string;
  atMs: number;
  message: LiveMessage;
  fresh: boolean;
}

export function LiveFeed() {
  const { api, t, routes } = useConsole();
  const [site, setSite] = useState('');
  const [kind, setKind] = useState('');
  const [minSeverity, setMinSeverity] = useState('');
  const [paused, setPaused] = useState(false);
  const [sound, setSound] = useState(false);
  const [state, setState] = useState<LiveState>('connecting');
  const [items, setItems] = useState<FeedItem[]>([]);
  const [held, setHeld] = useState<FeedItem[]>([]);
  const pausedRef = useRef(paused);
  pausedRef.current = paused;
  const soundRef = useRef(sound);
  soundRef.current = sound;

  const sites = usePoll((signal) => api.get<{ items: Site[] }>('/api/v1/sites', {}, signal), null, []);
  const streaming = routes.has('GET', '/api/v1/live');
  const kinds = kind || DEFAULT_KINDS.join(',');

  useEffect(() => {
    setItems([]);
    setHeld([]);
    const controller = new AbortController();
    const accept = (m: LiveMessage) => matches(m, site, kinds, minSeverity);
    const add = (message: LiveMessage, fresh: boolean) => {
      if (!accept(message)) return;
      const item: FeedItem = { key: keyOf(message), atMs: Date.now(), message, fresh };
      if (fresh && isCue(message)) {
        flash();
        if (soundRef.current) beep();
      }
      const target = pausedRef.current && fresh ? setHeld : setItems;
      target((list) => [item, ...list.filter((x) => x.key !== item.key)].slice(0, MAX_ITEMS));
    };
    // Recent history first so the feed is never blank, then what arrives.
    const history = () =>
      api
        .get<Page<IocEvent>>('/api/v1/events', { site: site || undefined, kind: kinds, min_severity: minSeverity || undefined, limit: 50 }, controller.signal)
        .then(
          (page) => {
            for (const event of [...page.items].reverse()) add({ type: 'event', event }, false);
          },
          () => undefined,
        );
    void history();
    const source = new LiveSource({
      api,
      streaming,
      // Alert kinds ride on the same filter: citizen reports are alerts without a record kind.
      filter: { site: site || undefined, kind: `${kinds},citizen_report`, min_severity: minSeverity || undefined },
      onMessage: (m) => add(m, true),
      onState: setState,
      onReset: () => void history(),
    });
    source.start();
    return () => {
      controller.abort();
      source.close();
    };
  }, [site, kinds, minSeverity, streaming]);

  const resume = () => {
    setItems((list) => [...held, ...list.filter((x) => !held.some((h) => h.key === x.key))].slice(0, MAX_ITEMS));
    setHeld([]);
    setPaused(false);
  };

  return (
    <section class="panel live">
      <header class="panel-head">
        <h1>{t('live.title')}</h1>
        <span class={`conn conn-${state}`} data-testid="live-state">
          {t(`live.state.${state}` as MessageKey)}
        </span>
      </header>
      <div class="toolbar">
        <label>
          {t('filter.site')}
          <select value={site} onChange={(e) => setSite((e.target as HTMLSelectElement).value)} name="site">
            <option value="">{t('filter.all')}</option>
            {sites.data?.items.map((s) => (
              <option value={s.id}>{s.name}</option>
            ))}
          </select>
        </label>
        <label>
          {t('filter.kind')}
          <select value={kind} onChange={(e) => setKind((e.target as HTMLSelectElement).value)} name="kind">
            <option value="">{t('filter.allButTelemetry')}</option>
            {EVENT_KINDS.map((k) => (
              <option value={k}>{t(`kind.${k}` as MessageKey)}</option>
            ))}
          </select>
        </label>
        <label>
          {t('filter.minSeverity')}
          <select value={minSeverity} onChange={(e) => setMinSeverity((e.target as HTMLSelectElement).value)} name="severity">
            <option value="">{t('filter.all')}</option>
            {SEVERITIES.map((s) => (
              <option value={s}>{t(`severity.${s}` as MessageKey)}</option>
            ))}
          </select>
        </label>
        <button type="button" class={paused ? 'primary' : ''} onClick={() => (paused ? resume() : setPaused(true))} data-action="pause">
          {paused ? t('live.resume', { n: held.length }) : t('live.pause')}
        </button>
        <button type="button" onClick={() => setSound(!sound && enableSound())} aria-pressed={sound} data-action="sound">
          {sound ? t('live.soundOn') : t('live.soundOff')}
        </button>
      </div>
      {items.length === 0 && <p class="muted">{t('live.empty')}</p>}
      <ol class="feed" data-testid="feed">
        {items.map((item) => (
          <FeedRow key={item.key} item={item} siteName={(id) => sites.data?.items.find((s) => s.id === id)?.name ?? id} />
        ))}
      </ol>
    </section>
  );
}

function FeedRow({ item, siteName }: { item: FeedItem; siteName: (id: string) => string }) {
  const { t, lang } = useConsole();
  const m = item.message;
  if (m.type === 'alert') {
    const a = m.alert;
    return (
      <li class={`feed-item feed-alert sev-row-${a.severity}${item.fresh ? ' fresh' : ''}`} data-kind="alert" data-alert={a.id}>
        <time>{formatTime(a.updatedAtMs, lang)}</time>
        <span class="feed-kind">{t('kind.alert')}</span>
        <SeverityBadge severity={a.severity} />
        <a href={`/alerts/${encodeURIComponent(a.id)}`} class="feed-text">
          {a.site && <span class="feed-site">{siteName(a.site)}</span>} {alertTitle(a, t)}
        </a>
        <span class={`state state-${a.state}`}>{t(`state.${a.state}` as MessageKey)}</span>
      </li>
    );
  }
  const e = m.event;
  return (
    <li class={`feed-item sev-row-${e.severity ?? 'none'}${item.fresh ? ' fresh' : ''}`} data-kind={e.kind} data-event={e.id} data-severity={e.severity ?? ''}>
      <time title={formatWhen(e.timeMs, lang)}>{formatTime(e.timeMs, lang)}</time>
      <span class="feed-kind">{t(`kind.${e.kind}` as MessageKey)}</span>
      <SeverityBadge severity={e.severity} />
      <a href={`/events/${encodeURIComponent(e.id)}`} class="feed-text">
        <span class="feed-site">{siteName(e.site)}</span> {eventSummary(e, t)}
      </a>
      {e.hasThumbnail && <AuthImage class="feed-thumb" path={`/api/v1/events/${encodeURIComponent(e.id)}/thumbnail`} alt={e.label ?? e.kind} />}
    </li>
  );
}

function keyOf(m: LiveMessage): string {
  return m.type === 'alert' ? `alert:${m.alert.id}` : `event:${m.event.id}`;
}

function matches(m: LiveMessage, site: string, kinds: string, minSeverity: string): boolean {
  if (m.type === 'alert') {
    if (site && m.alert.site !== site) return false;
    return !minSeverity || severityRank(m.alert.severity) >= severityRank(minSeverity);
  }
  const e = m.event;
  if (site && e.site !== site) return false;
  if (!kinds.split(',').includes(e.kind)) return false;
  return !minSeverity || severityRank(e.severity) >= severityRank(minSeverity);
}

function isCue(m: LiveMessage): boolean {
  if (m.type === 'alert') return m.alert.state === 'new' && severityRank(m.alert.severity) >= severityRank(CUE_SEVERITY);
  const e = m.event;
  const starting = e.kind === 'alarm' ? e.phase === 'raised' : e.kind === 'camera_event' ? e.phase === 'new' : false;
  return starting && severityRank(e.severity) >= severityRank(CUE_SEVERITY);
}
