// Triage queue: open alerts (alarms, camera events, citizen reports) on the left, the selected
// one on the right with its evidence, routing and audit trail, and the actions its state allows.
// Keyboard-first for the operator on shift: j/k move, v/d/r/x act, c comments, ? lists the keys.
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api/client.js';
import type { Page, Site } from '../api/types.js';
import { useConsole } from '../console-context.js';
import { usePoll } from '../use-poll.js';
import { navigate } from '../router.js';
import { ACTIONS_FROM, CLOSED_STATES, OPEN_STATES, alertTitle, type AlertState, type AlertView, type TriageAction } from '../triage/alert-types.js';
import { commandFor } from '../triage/shortcuts.js';
import { AlertPanel, type Agency } from '../components/alert-panel.js';
import { ShortcutHelp } from '../components/shortcut-help.js';
import { SeverityBadge } from '../components/severity-badge.js';
import { formatWhen } from '../format.js';
import type { MessageKey } from '../i18n/i18n.js';

const REFRESH_MS = 5000;
type View = 'open' | AlertState | 'closed';
const VIEWS: View[] = ['open', 'new', 'verified', 'dispatched', 'closed'];

function statesOf(view: View): readonly AlertState[] {
  if (view === 'open') return OPEN_STATES;
  if (view === 'closed') return CLOSED_STATES;
  return [view];
}

export function TriageQueue({ selectedId }: { selectedId: string | undefined }) {
  const { api, t, lang, principal, routes } = useConsole();
  // The server declares each route's role (x-required-role); verify stands for all four actions.
  const canTriage = routes.allows(principal.role, 'POST', '/api/v1/alerts/{id}/verify');
  const [view, setView] = useState<View>('open');
  const [site, setSite] = useState(() => new URLSearchParams(location.search).get('site') ?? '');
  const [comment, setComment] = useState('');
  const [agency, setAgency] = useState('');
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const [help, setHelp] = useState(false);
  const [version, setVersion] = useState(0);
  const commentRef = useRef<HTMLTextAreaElement>(null);
  /** The alert the panel shows (it may not be in the list, e.g. opened by link). */
  const shown = useRef<AlertView | undefined>(undefined);

  const available = routes.has('GET', '/api/v1/alerts');
  const list = usePoll(
    (signal) =>
      available
        ? api.get<Page<AlertView>>('/api/v1/alerts', { state: statesOf(view).join(','), site: site || undefined, limit: 200 }, signal)
        : Promise.resolve({ items: [], nextCursor: null }),
    REFRESH_MS,
    [view, site, version],
  );
  const sites = usePoll((signal) => api.get<{ items: Site[] }>('/api/v1/sites', {}, signal), null, []);
  const agencies = usePoll(
    (signal) =>
      routes.has('GET', '/api/v1/routing')
        ? api.get<{ agencies: Agency[] }>('/api/v1/routing', {}, signal).then((r) => r.agencies)
        : Promise.resolve([] as Agency[]),
    null,
    [],
  );
  const items = list.data?.items ?? [];
  const current = selectedId ?? items[0]?.id;
  const index = items.findIndex((a) => a.id === current);

  useEffect(() => {
    setComment('');
    setAgency('');
    setNotice(null);
  }, [current]);

  const select = (id: string | undefined) => id && navigate(`/alerts/${encodeURIComponent(id)}`, true);

  const act = async (action: TriageAction, alert: AlertView | undefined) => {
    if (!alert || busy) return;
    if (!canTriage) return setNotice({ kind: 'error', text: t('triage.needOperator') });
    if (!ACTIONS_FROM[alert.state].includes(action))
      return setNotice({
        kind: 'error',
        text: t('triage.notFromState', { action: t(`action.${action}` as MessageKey), state: t(`state.${alert.state}` as MessageKey) }),
      });
    if (action === 'dismiss' && comment.trim() === '') {
      commentRef.current?.focus();
      return setNotice({ kind: 'error', text: t('triage.dismissNeedsReason') });
    }
    const body: Record<string, string> = {};
    if (comment.trim()) body.comment = comment.trim();
    if (action === 'dispatch' && agency) body.agency = agency;
    setBusy(true);
    try {
      const updated = await api.post<AlertView>(`/api/v1/alerts/${encodeURIComponent(alert.id)}/${action}`, body);
      setComment('');
      setNotice({ kind: 'ok', text: t('triage.done', { state: t(`state.${updated.state}` as MessageKey) }) });
      setVersion((v) => v + 1);
    } catch (err) {
      setNotice({ kind: 'error', text: err instanceof ApiError ? `${err.code}: ${err.message}` : String(err) });
    } finally {
      setBusy(false);
    }
  };

  const selected = items[index];
  // The key handler is rebuilt on every render and read through a ref: a listener registered in
  // an effect would lag a render behind and act on a stale comment when keys follow typing fast.
  const onKey = useRef<(e: KeyboardEvent) => void>(() => undefined);
  onKey.current = (e: KeyboardEvent) => {
    const command = commandFor(e);
    if (!command) return;
    e.preventDefault();
    switch (command) {
      case 'next':
        return select(items[Math.min(items.length - 1, index + 1)]?.id);
      case 'previous':
        return select(items[Math.max(0, index - 1)]?.id);
      case 'comment':
        return commentRef.current?.focus();
      case 'help':
        return setHelp(true);
      case 'close':
        (document.activeElement as HTMLElement | null)?.blur();
        return setHelp(false);
      default:
        return void act(command, shown.current ?? selected);
    }
  };
  useEffect(() => {
    const listener = (e: KeyboardEvent) => onKey.current(e);
    window.addEventListener('keydown', listener);
    return () => window.removeEventListener('keydown', listener);
  }, []);

  if (!available)
    return (
      <section class="panel">
        <h1>{t('nav.alerts')}</h1>
        <p class="muted">{t('app.notOnThisCoordinator')}</p>
      </section>
    );

  return (
    <div class="triage">
      <section class="panel queue">
        <header class="panel-head">
          <h1>{t('triage.title')}</h1>
          <button type="button" class="link-button" onClick={() => setHelp(true)} title={t('keys.title')} data-action="help">
            ? {t('keys.short')}
          </button>
        </header>
        <div class="tabs" role="tablist">
          {VIEWS.map((v) => (
            <button type="button" role="tab" aria-selected={view === v} class={view === v ? 'active' : ''} onClick={() => setView(v)} data-view={v}>
              {v === 'open' ? t('triage.open') : v === 'closed' ? t('triage.closed') : t(`state.${v}` as MessageKey)}
            </button>
          ))}
        </div>
        <select value={site} onChange={(e) => setSite((e.target as HTMLSelectElement).value)} aria-label={t('filter.site')} class="queue-site">
          <option value="">{t('filter.allSites')}</option>
          {sites.data?.items.map((s) => (
            <option value={s.id}>{s.name}</option>
          ))}
        </select>
        {list.error && <p class="error small">{list.error.message}</p>}
        {items.length === 0 && !list.loading && <p class="muted">{t('triage.empty')}</p>}
        <ol class="queue-list" data-testid="queue">
          {items.map((a) => (
            <li
              class={`queue-item sev-row-${a.severity}${a.id === current ? ' selected' : ''}`}
              data-alert={a.id}
              data-state={a.state}
              aria-current={a.id === current ? 'true' : undefined}
              onClick={() => select(a.id)}
              onKeyDown={(e) => {
                if (e.key === 'Enter' || e.key === ' ') {
                  e.preventDefault();
                  select(a.id);
                }
              }}
            >
              <div class="queue-line">
                <SeverityBadge severity={a.severity} />
                <span class={`state state-${a.state}`}>{t(`state.${a.state}` as MessageKey)}</span>
                <time>{formatWhen(a.createdAtMs, lang)}</time>
              </div>
              <div class="queue-title">{alertTitle(a, t)}</div>
              <div class="muted small">
                {t(`alertKind.${a.kind}` as MessageKey)} · {sites.data?.items.find((s) => s.id === a.site)?.name ?? a.site ?? '—'}
              </div>
            </li>
          ))}
        </ol>
      </section>
      {current ? (
        <AlertPanel
          id={current}
          version={version}
          canTriage={canTriage}
          busy={busy}
          comment={comment}
          onComment={setComment}
          commentRef={commentRef}
          agency={agency}
          onAgency={setAgency}
          agencies={agencies.data ?? []}
          notice={notice}
          onAction={(action, alert) => void act(action, alert)}
          onLoaded={(alert) => (shown.current = alert)}
        />
      ) : (
        <section class="panel alert-panel">
          <p class="muted">{t('triage.nothingSelected')}</p>
        </section>
      )}
      {help && <ShortcutHelp onClose={() => setHelp(false)} />}
    </div>
  );
}
