// One alert in the triage queue: what it is, its evidence (events with thumbnails, the report),
// where routing sends it, the actions its state allows (with a comment and the agency), and its
// audit trail. Actions are disabled, not hidden, for a viewer: they see what an operator would do.
import type { Ref } from 'preact';
import { useEffect } from 'preact/hooks';
import type { IocEvent } from '../api/types.js';
import { useConsole } from '../console-context.js';
import { usePoll } from '../use-poll.js';
import { ACTIONS_FROM, alertCategory, alertTitle, type AlertView, type AuditEntry, type TriageAction } from '../triage/alert-types.js';
import { SHORTCUTS, keyLabel } from '../triage/shortcuts.js';
import { AuditTrail } from './audit-trail.js';
import { AuthImage } from './auth-image.js';
import { SeverityBadge } from './severity-badge.js';
import { eventSummary } from '../events/summary.js';
import { formatDateTime } from '../format.js';
import { phaseName } from '../events/summary.js';
import type { MessageKey } from '../i18n/i18n.js';

export interface Agency {
  id: string;
  name: string;
  channel: string | null;
}

const ACTIONS: TriageAction[] = ['verify', 'dispatch', 'resolve', 'dismiss'];
const REFRESH_MS = 5000;

export function AlertPanel(props: {
  id: string;
  version: number;
  canTriage: boolean;
  busy: boolean;
  comment: string;
  onComment: (v: string) => void;
  commentRef: Ref<HTMLTextAreaElement>;
  agency: string;
  onAgency: (v: string) => void;
  agencies: Agency[];
  notice: { kind: 'ok' | 'error'; text: string } | null;
  onAction: (action: TriageAction, alert: AlertView) => void;
  onLoaded: (alert: AlertView) => void;
}) {
  const { api, t, lang, siteName } = useConsole();
  const { data, error } = usePoll(
    async (signal) => {
      const path = `/api/v1/alerts/${encodeURIComponent(props.id)}`;
      const [alert, audit] = await Promise.all([api.get<AlertView>(path, {}, signal), api.get<{ items: AuditEntry[] }>(`${path}/audit`, {}, signal)]);
      return { alert, audit: audit.items };
    },
    REFRESH_MS,
    [props.id, props.version],
  );
  useEffect(() => {
    if (data) props.onLoaded(data.alert);
  }, [data]);

  if (!data) return <section class="panel alert-panel">{error ? <p class="error">{error.message}</p> : t('app.loading')}</section>;
  const { alert, audit } = data;
  const allowed = ACTIONS_FROM[alert.state];
  const agencyName = (id: string | null | undefined) => (id ? (props.agencies.find((a) => a.id === id)?.name ?? id) : '—');
  const key = (action: TriageAction) => keyLabel(SHORTCUTS.find((s) => s.command === action)!.keys[0]!);

  return (
    <section class="panel alert-panel" data-alert={alert.id} data-state={alert.state}>
      <header class="alert-head">
        <SeverityBadge severity={alert.severity} />
        <span class={`state state-${alert.state}`} data-testid="alert-state">
          {t(`state.${alert.state}` as MessageKey)}
        </span>
        <h2>{alertTitle(alert, t)}</h2>
      </header>
      <dl class="facts wide">
        <div>
          <dt>{t('alert.kind')}</dt>
          <dd>
            {t(`alertKind.${alert.kind}` as MessageKey)}
            {alert.rule ? ` · ${alertCategory(alert, t)}` : ''}
          </dd>
        </div>
        <div>
          <dt>{t('alert.site')}</dt>
          <dd>
            {siteName(alert.site)}
            {alert.deviceId ? ` · ${alert.deviceId}` : ''}
          </dd>
        </div>
        <div>
          <dt>{t('alert.created')}</dt>
          <dd>{formatDateTime(alert.createdAtMs, lang)}</dd>
        </div>
        <div>
          <dt>{t('alert.phase')}</dt>
          <dd>
            {alert.phase ? phaseName(alert.phase, t) : '—'}
            {alert.endedAtMs ? ` · ${formatDateTime(alert.endedAtMs, lang)}` : ''}
          </dd>
        </div>
        <div>
          <dt>{t('alert.routed')}</dt>
          <dd data-testid="routed-agency">{agencyName(alert.routing.agency)}</dd>
        </div>
        <div>
          <dt>{t('alert.dispatch')}</dt>
          <dd>
            {alert.dispatch
              ? `${agencyName(alert.dispatch.agency)} · ${formatDateTime(alert.dispatch.atMs, lang)} · ${alert.dispatch.by}${alert.dispatch.acknowledgedAtMs ? ` · ${t('alert.acknowledged')}` : ''}`
              : '—'}
          </dd>
        </div>
        {alert.location && (
          <div>
            <dt>{t('alert.location')}</dt>
            <dd>
              {alert.location.lat.toFixed(4)}, {alert.location.lon.toFixed(4)}
            </dd>
          </div>
        )}
      </dl>

      <Evidence alert={alert} />

      <section class="actions" aria-label={t('triage.actions')}>
        {!props.canTriage && (
          <p class="muted small" data-testid="viewer-note">
            {t('triage.viewerNote')}
          </p>
        )}
        <textarea
          ref={props.commentRef}
          rows={2}
          placeholder={t('triage.commentPlaceholder')}
          value={props.comment}
          disabled={!props.canTriage || allowed.length === 0}
          onInput={(e) => props.onComment((e.target as HTMLTextAreaElement).value)}
          aria-label={t('triage.comment')}
        />
        {allowed.includes('dispatch') && (
          <label class="agency">
            {t('triage.agency')}
            <select
              value={props.agency || alert.routing.agency || ''}
              disabled={!props.canTriage}
              onChange={(e) => props.onAgency((e.target as HTMLSelectElement).value)}
              name="agency"
            >
              {!alert.routing.agency && <option value="">{t('triage.pickAgency')}</option>}
              {props.agencies.map((a) => (
                <option value={a.id}>
                  {a.name}
                  {a.id === alert.routing.agency ? ` (${t('triage.routed')})` : ''}
                </option>
              ))}
            </select>
          </label>
        )}
        <div class="action-buttons">
          {ACTIONS.map((action) => (
            <button
              type="button"
              class={`action action-${action}${allowed.includes(action) ? ' primary' : ''}`}
              disabled={!props.canTriage || props.busy || !allowed.includes(action)}
              title={props.canTriage ? `${t(`action.${action}` as MessageKey)} (${key(action)})` : t('triage.needOperator')}
              onClick={() => props.onAction(action, alert)}
              data-action={action}
            >
              {t(`action.${action}` as MessageKey)} <kbd>{key(action)}</kbd>
            </button>
          ))}
        </div>
        {props.notice && (
          <p class={props.notice.kind === 'ok' ? 'ok small' : 'error small'} role="status">
            {props.notice.text}
          </p>
        )}
      </section>

      <h3>{t('alert.audit')}</h3>
      <AuditTrail entries={audit} agencyName={agencyName} />
    </section>
  );
}

function Evidence({ alert }: { alert: AlertView }) {
  const { api, t, lang } = useConsole();
  const { data } = usePoll(
    (signal) =>
      Promise.all(alert.eventIds.slice(0, 4).map((id) => api.get<IocEvent>(`/api/v1/events/${encodeURIComponent(id)}`, {}, signal).catch(() => null))),
    null,
    [alert.id, alert.eventIds.join(',')],
  );
  const events = (data ?? []).filter((e): e is IocEvent => e !== null);
  if (alert.eventIds.length === 0 && !alert.reportId) return null;
  return (
    <div class="evidence">
      {alert.reportId && <a href={`/reports/${encodeURIComponent(alert.reportId)}`}>{t('alert.openReport')}</a>}
      {events.map((e) => (
        <a class="evidence-item" href={`/events/${encodeURIComponent(e.id)}`} data-event={e.id}>
          {e.hasThumbnail && <AuthImage class="evidence-thumb" path={`/api/v1/events/${encodeURIComponent(e.id)}/thumbnail`} alt={e.label ?? e.kind} />}
          <span>
            <time>{formatDateTime(e.timeMs, lang)}</time> {eventSummary(e, t)}
          </span>
        </a>
      ))}
    </div>
  );
}
